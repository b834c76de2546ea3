//! Which businesses of a staff selection (a filtered WABA list) a bulk Intent API run asks,
//! and why the others are left out, in words staff can act on. Computed the same way for the
//! preview and for the run, so what was shown is what is sent.

use std::collections::{BTreeMap, HashSet};

use app::components::live::status_help;
use app::operations::port::{IntentPreview, SkippedGroup};
use app::wabas::port::{WabaCursor, WabaSort};

use crate::db::{DbResult, SelectionRow, WabaListStore, WabaSearch};

const BATCH: i64 = 1000;
const EXAMPLES: usize = 3;

/// The outcome of looking at a selection.
#[derive(Debug, Default)]
pub struct Selection {
    pub matched: i64,
    pub truncated: bool,
    /// `(business id, Meta business id)`, each business once.
    pub eligible: Vec<(i64, String)>,
    /// reason → (count, example business names).
    pub(crate) skipped: BTreeMap<String, (i64, Vec<String>)>,
}

impl Selection {
    pub fn preview(&self) -> IntentPreview {
        let mut skipped: Vec<SkippedGroup> = self
            .skipped
            .iter()
            .map(|(reason, (count, examples))| SkippedGroup {
                reason: reason.clone(),
                count: *count,
                examples: examples.clone(),
            })
            .collect();
        skipped.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
        IntentPreview {
            matched: self.matched,
            truncated: self.truncated,
            eligible: self.eligible.len() as i64,
            skipped,
        }
    }
}

/// Why a WABA's business is not asked, or `None` when it is.
pub(crate) fn skip_reason(row: &SelectionRow) -> Option<String> {
    reason(
        row.onboarding_status.as_deref(),
        row.intent_state.as_deref(),
    )
}

/// Why a business whose WABA has `status` and whose Intent API request is in `intent` is not
/// asked, or `None` when it is.
fn reason(status: Option<&str>, intent: Option<&str>) -> Option<String> {
    match status {
        Some("ELIGIBLE") => match intent {
            Some("queued") | Some("sending") => {
                Some("A request is already queued for this business.".into())
            }
            Some("sent") => {
                Some("Already asked: Meta is waiting for the business to accept the terms.".into())
            }
            // No request yet, or a failed or cancelled one: asking (again) is what staff want.
            _ => None,
        },
        Some("ONBOARDED") => Some("Already onboarded.".into()),
        None => Some("Status unknown: run discovery first to read it from Meta.".into()),
        Some(status) => Some(status_help(status).to_string()),
    }
}

/// What a bulk run over `search` would do, counted by the database rather than by reading
/// every WABA (at 100,000 WABAs `bench pages` measured 104 statements and 430 ms p95 for
/// [`select`]): WABAs per status and the `ELIGIBLE` ones per request state (two hash
/// aggregates), then a few example names per reason. The same rules and numbers as the run;
/// a selection past [`IntentPreview::LIMIT`] is cut, as the run cuts it, at its `LIMIT`-th
/// newest WABA: the per-status counts of the WABAs past the cut (the oldest) are subtracted,
/// which reads only those.
pub async fn preview(store: &dyn WabaListStore, search: &WabaSearch) -> DbResult<IntentPreview> {
    preview_capped(store, search, IntentPreview::LIMIT).await
}

/// [`preview`] with the cap `limit` (tests use a small one).
pub async fn preview_capped(
    store: &dyn WabaListStore,
    search: &WabaSearch,
    limit: i64,
) -> DbResult<IntentPreview> {
    let search = WabaSearch {
        after: None,
        ..search.clone()
    };
    let mut statuses = store.intent_status_counts(&search).await?;
    let total: i64 = statuses.iter().map(|(_, n)| n).sum();
    let truncated = total > limit;
    let mut kept = search.clone();
    if truncated {
        if let Some(beyond) = store.intent_selection_nth(&search, limit + 1).await? {
            // Newest first after `beyond + 1`: the WABAs at or below `beyond`, past the cut.
            let past = WabaSearch {
                sort: WabaSort::Newest,
                after: Some(WabaCursor::Id(beyond + 1)),
                ..search.clone()
            };
            for (status, n) in store.intent_status_counts(&past).await? {
                if let Some(entry) = statuses.iter_mut().find(|(s, _)| *s == status) {
                    entry.1 -= n;
                }
            }
            // Oldest first after `beyond`: the newest LIMIT.
            kept.sort = WabaSort::Oldest;
            kept.after = Some(WabaCursor::Id(beyond));
        }
    }
    let mut groups: Vec<(Option<String>, Option<String>, i64, i64)> = statuses
        .into_iter()
        .filter(|(status, n)| *n > 0 && status.as_deref() != Some("ELIGIBLE"))
        .map(|(status, n)| (status, None, n, 0))
        .collect();
    groups.extend(store.intent_eligible_counts(&kept).await?.into_iter().map(
        |(state, wabas, businesses)| (Some("ELIGIBLE".to_string()), state, wabas, businesses),
    ));
    let mut selection = Selection {
        matched: groups.iter().map(|g| g.2).sum(),
        truncated,
        ..Selection::default()
    };
    let mut eligible = 0;
    // reason → the (status, request state) groups it covers.
    type Keys = BTreeMap<String, Vec<(Option<String>, Option<String>)>>;
    let mut keys = Keys::new();
    for (status, intent, wabas, businesses) in groups {
        match reason(status.as_deref(), intent.as_deref()) {
            // A business's request state is one: the eligible groups' businesses are disjoint.
            None => eligible += businesses,
            Some(reason) => {
                selection.skipped.entry(reason.clone()).or_default().0 += wabas;
                keys.entry(reason).or_default().push((status, intent));
            }
        }
    }
    for (reason, keys) in keys {
        let group = selection.skipped.entry(reason).or_default();
        for (status, intent) in keys {
            let wanted = EXAMPLES - group.1.len();
            if wanted == 0 {
                break;
            }
            group.1.extend(
                store
                    .intent_selection_examples(
                        &kept,
                        status.as_deref(),
                        intent.as_deref(),
                        wanted as i64,
                    )
                    .await?,
            );
        }
    }
    let mut preview = selection.preview();
    preview.eligible = eligible;
    Ok(preview)
}

/// Reads the WABAs of `search` (its filters; order and page are ignored) in keyset batches
/// and sorts their businesses into asked and skipped.
pub async fn select(store: &dyn WabaListStore, search: &WabaSearch) -> DbResult<Selection> {
    select_capped(store, search, IntentPreview::LIMIT).await
}

/// [`select`] with the cap `limit` (tests use a small one).
pub async fn select_capped(
    store: &dyn WabaListStore,
    search: &WabaSearch,
    limit: i64,
) -> DbResult<Selection> {
    let mut search = WabaSearch {
        sort: WabaSort::Newest,
        after: None,
        limit: BATCH,
        ..search.clone()
    };
    let mut selection = Selection::default();
    let mut asked = HashSet::new();
    loop {
        let rows = store.intent_selection(&search).await?;
        for row in &rows {
            if selection.matched >= limit {
                selection.truncated = true;
                return Ok(selection);
            }
            selection.matched += 1;
            match skip_reason(row) {
                None => {
                    if asked.insert(row.business_id) {
                        selection
                            .eligible
                            .push((row.business_id, row.meta_business_id.clone()));
                    }
                }
                Some(reason) => {
                    let group = selection.skipped.entry(reason).or_default();
                    group.0 += 1;
                    if group.1.len() < EXAMPLES {
                        group.1.push(row.business_name.clone());
                    }
                }
            }
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == BATCH => {
                search.after = Some(WabaCursor::Id(last.id));
            }
            _ => return Ok(selection),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: Option<&str>, intent: Option<&str>) -> SelectionRow {
        SelectionRow {
            id: 1,
            updated_at: 0,
            name: "W".into(),
            business_id: 1,
            meta_business_id: "1".into(),
            business_name: "B".into(),
            onboarding_status: status.map(Into::into),
            intent_state: intent.map(Into::into),
        }
    }

    #[test]
    fn only_eligible_businesses_without_a_live_request_are_asked() {
        assert_eq!(skip_reason(&row(Some("ELIGIBLE"), None)), None);
        assert_eq!(skip_reason(&row(Some("ELIGIBLE"), Some("failed"))), None);
        assert_eq!(skip_reason(&row(Some("ELIGIBLE"), Some("cancelled"))), None);
        for live in ["queued", "sending", "sent"] {
            assert!(
                skip_reason(&row(Some("ELIGIBLE"), Some(live))).is_some(),
                "{live}"
            );
        }
        let payment = skip_reason(&row(Some("PENDING_VALID_PAYMENT_METHOD"), None)).unwrap();
        assert!(payment.contains("payment method"), "{payment}");
        assert!(skip_reason(&row(None, None)).unwrap().contains("discovery"));
        assert!(skip_reason(&row(Some("ONBOARDED"), None))
            .unwrap()
            .contains("onboarded"));
    }
}
