//! UTC calendar dates without a time-zone database (none is shipped to the browser): Howard
//! Hinnant's `civil_from_days` / `days_from_civil`, shared by the pages, the server's webhook
//! counters and the staff list's date filter.

const MILLIS_PER_DAY: i64 = 86_400_000;

/// `(year, month, day)` of a day number counted from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The day number (from 1970-01-01) of a civil date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (UTC) of a Unix time in milliseconds.
pub fn utc_day(millis: i64) -> String {
    let (year, month, day) = civil_from_days(millis.div_euclid(MILLIS_PER_DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Unix milliseconds at the start (00:00 UTC) of a `YYYY-MM-DD` date; `None` unless the text
/// is a real date (2026-02-30 is refused).
pub fn parse_utc_day(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    (civil_from_days(days) == (year, month, day)).then_some(days * MILLIS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_civil_dates() {
        for days in [-800_000, -1, 0, 1, 11_016, 20_418, 800_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn utc_days_are_calendar_dates() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_731_600_000_000), "2024-11-14");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        assert_eq!(utc_day(-1), "1969-12-31");
    }

    #[test]
    fn only_real_dates_parse() {
        assert_eq!(parse_utc_day("1970-01-02"), Some(MILLIS_PER_DAY));
        assert_eq!(parse_utc_day("2000-02-29"), Some(951_782_400_000));
        assert_eq!(parse_utc_day("2026-02-30"), None);
        assert_eq!(parse_utc_day("2026-13-01"), None);
        assert_eq!(parse_utc_day("yesterday"), None);
        assert_eq!(parse_utc_day(""), None);
    }
}
