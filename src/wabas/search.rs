//! The staff WABA list's filter as typed in the address bar → the database search, with the
//! checks that give a person a clear message instead of an empty list. Shared by the list page
//! and the CSV export so both show exactly the same set.

use app::calendar::parse_utc_day;
use app::error::AppError;
use app::wabas::connection::CONNECTIONS;
use app::wabas::port::{WabaCursor, WabaFilter};

use crate::db::WabaSearch;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// The database search for `filter`, `limit` rows at a time.
pub fn waba_search(filter: &WabaFilter, limit: i64) -> Result<WabaSearch, AppError> {
    let country = match filter.country.as_deref() {
        None => None,
        Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(code.to_ascii_uppercase())
        }
        Some(_) => {
            return Err(AppError::Invalid(
                "Country must be a two-letter code, such as BR or IN.".into(),
            ))
        }
    };
    let day = |text: &Option<String>, name: &str| match text.as_deref() {
        None => Ok(None),
        Some(text) => parse_utc_day(text).map(Some).ok_or_else(|| {
            AppError::Invalid(format!("“{name}” must be a date written YYYY-MM-DD."))
        }),
    };
    let added_from = day(&filter.added_from, "Added from")?;
    let added_before = day(&filter.added_to, "Added to")?.map(|to| to + MILLIS_PER_DAY);
    if let (Some(from), Some(before)) = (added_from, added_before) {
        if from >= before {
            return Err(AppError::Invalid(
                "“Added from” must be on or before “Added to”.".into(),
            ));
        }
    }
    let connection = match filter.connection.as_deref() {
        None => None,
        Some(word) if CONNECTIONS.contains(&word) => Some(word.to_string()),
        Some(_) => {
            return Err(AppError::Invalid(format!(
                "Connection must be one of {}.",
                CONNECTIONS.join(", ")
            )))
        }
    };
    Ok(WabaSearch {
        text: filter.text.clone().filter(|t| !t.trim().is_empty()),
        status: filter.status.clone().filter(|s| !s.is_empty()),
        needs_attention: filter.needs_attention,
        coexistence: filter.coexistence,
        connection,
        country,
        added_from,
        added_before,
        updated_since: None,
        customer_id: None,
        sort: filter.sort,
        // A cursor from another sort order or an edited address starts at the first page.
        after: filter
            .after
            .as_deref()
            .and_then(|text| WabaCursor::decode(text, filter.sort)),
        limit,
    })
}

#[cfg(test)]
mod tests {
    use app::wabas::port::WabaSort;

    use super::*;

    #[test]
    fn dates_are_whole_utc_days_inclusive() {
        let filter = WabaFilter {
            added_from: Some("2026-11-01".into()),
            added_to: Some("2026-11-01".into()),
            ..Default::default()
        };
        let search = waba_search(&filter, 10).unwrap();
        let from = search.added_from.unwrap();
        assert_eq!(search.added_before, Some(from + MILLIS_PER_DAY));
    }

    #[test]
    fn bad_input_gets_a_message_naming_the_field() {
        let bad = |f: WabaFilter| match waba_search(&f, 10) {
            Err(AppError::Invalid(message)) => message,
            other => panic!("expected a clear refusal, got {other:?}"),
        };
        let country = bad(WabaFilter {
            country: Some("Brazil".into()),
            ..Default::default()
        });
        assert!(country.contains("two-letter"), "{country}");
        let from = bad(WabaFilter {
            added_from: Some("31/12/2026".into()),
            ..Default::default()
        });
        assert!(from.contains("Added from"), "{from}");
        let order = bad(WabaFilter {
            added_from: Some("2026-11-02".into()),
            added_to: Some("2026-11-01".into()),
            ..Default::default()
        });
        assert!(order.contains("on or before"), "{order}");
    }

    #[test]
    fn a_cursor_of_another_order_restarts_at_the_first_page() {
        let filter = WabaFilter {
            sort: WabaSort::Name,
            after: Some(WabaCursor::Id(7).encode()),
            ..Default::default()
        };
        assert_eq!(waba_search(&filter, 10).unwrap().after, None);
        let filter = WabaFilter {
            sort: WabaSort::Oldest,
            ..filter
        };
        assert_eq!(
            waba_search(&filter, 10).unwrap().after,
            Some(WabaCursor::Id(7))
        );
    }
}
