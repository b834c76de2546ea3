//! Meta's webhooks: the verification handshake and durable ingestion.
//!
//! `POST /webhooks/meta` checks `X-Hub-Signature-256` over the raw bytes, then hands the body to
//! an [`inbox::Inbox`] and answers 200 only after the inbox says the body is committed. Nothing
//! is parsed beyond a shape check on the hot path; processing (splitting into changes,
//! deduplication, the per-WABA state machine) happens later from the inbox table, so a slow or
//! failing processor never makes Meta retry, and a crash never loses an acknowledged delivery.

pub mod changes;
pub mod inbox;
pub mod processor;
pub mod routes;
pub mod service;
pub mod signature;
pub mod verify_token;

pub use inbox::{DiscardInbox, GroupCommitInbox, Inbox, InboxError};
pub use routes::{routes, WebhookState};
pub use verify_token::VerifyTokens;
