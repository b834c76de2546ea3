//! What every list shares: `?limit=` (1–100, default 50), an opaque `?cursor=` handed back as
//! `next_cursor`, and timestamps written as RFC 3339 in UTC.

use base64::Engine;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::problem::Problem;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

/// The page size asked for, checked.
pub fn limit(asked: Option<u32>) -> Result<i64, Problem> {
    match asked.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(i64::from(n)),
        n => Err(Problem::invalid(format!(
            "`limit` must be 1 to {MAX_LIMIT}, not {n}."
        ))),
    }
}

/// The opaque form of a cursor (its text base64url-encoded, so clients do not build them).
pub fn encode_cursor(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// The text behind a cursor from [`encode_cursor`]; a 400 for anything else.
pub fn decode_cursor(cursor: &str) -> Result<String, Problem> {
    let bad = || {
        Problem::invalid("`cursor` is not one this API handed out: pass `next_cursor` as it came.")
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    String::from_utf8(bytes).map_err(|_| bad())
}

/// RFC 3339 in UTC with milliseconds, e.g. `2026-12-02T09:30:00.123Z`.
pub fn timestamp(millis: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

pub fn optional_timestamp(millis: Option<i64>) -> Option<String> {
    millis.map(timestamp)
}

/// Unix milliseconds of an RFC 3339 timestamp, or a 400 naming `field`.
pub fn parse_timestamp(field: &str, text: &str) -> Result<i64, Problem> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| {
            Problem::invalid(format!(
                "`{field}` must be an RFC 3339 timestamp such as 2026-12-01T00:00:00Z."
            ))
        })
}

/// An ISO 3166 alpha-2 country filter, upper-cased, or a 400 naming `field`.
pub fn country(field: &str, value: Option<String>) -> Result<Option<String>, Problem> {
    match value {
        None => Ok(None),
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Ok(Some(c.to_ascii_uppercase()))
        }
        Some(_) => Err(Problem::invalid(format!(
            "`{field}` must be a two-letter country code such as BR."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let at = 1_764_581_400_123;
        let text = timestamp(at);
        assert_eq!(text, "2025-12-01T09:30:00.123Z");
        assert_eq!(parse_timestamp("t", &text).unwrap(), at);
        assert_eq!(
            parse_timestamp("t", "2025-12-01T11:30:00.123+02:00").unwrap(),
            at
        );
        assert!(parse_timestamp("updated_since", "yesterday")
            .unwrap_err()
            .detail
            .contains("updated_since"));
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(limit(None).unwrap(), 50);
        assert!(limit(Some(101)).is_err());
        assert!(limit(Some(0)).is_err());
        assert_eq!(decode_cursor(&encode_cursor("i42")).unwrap(), "i42");
        assert!(decode_cursor("***").is_err());
    }
}
