//! Each customer WABA's message templates and whether each can go through the Marketing
//! Messages API now (docs/meta/templates.md): [`sync`] lists them from Meta (a durable job,
//! queued when the pipeline has read the account and when staff ask), the status and
//! category webhooks keep them current (`crate::webhooks::changes`), and [`readiness`] says
//! which a test send may use and why the others may not.

pub mod readiness;
pub mod sync;
