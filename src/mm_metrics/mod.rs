//! Meta's own MM API metrics beside the webhook counts (docs/meta/mm-metrics.md): template
//! analytics per WABA, template and day — sent, delivered, read, clicks and the conversions
//! Meta reports — fetched on a schedule ([`schedule`] picks the WABAs due, [`fetch`] asks
//! Meta), read by the WABA page. [`parse`] reads Meta's data points.

pub mod fetch;
pub mod parse;
pub mod schedule;

/// Meta's `product_type` for MM API traffic, as the current Analytics reference spells it
/// (Meta's SDK and older pages write `MARKETING_MESSAGES_LITE_API`; the simulator accepts
/// both). Without it Meta counts Cloud API traffic only.
pub const PRODUCT_TYPE: &str = "MARKETING_MESSAGES_API_FOR_WHATSAPP";

/// How far back each fetch reads (Meta keeps template analytics 90 days).
pub const WINDOW_DAYS: i64 = 30;
