//! The Meta Graph API, as the portal's pipeline sees it: Meta's error object and how to react
//! to it, the rate-limit usage header, and `appsecret_proof`. The HTTP client that uses them
//! comes with the onboarding pipeline (issue 5); these parts are shared with the simulator,
//! which must produce the same shapes.

pub mod client;
pub mod error;
pub mod oauth;
pub mod proof;
pub mod usage;

pub use client::{GraphCallError, GraphClient};
pub use error::{GraphError, GraphErrorBody, Reaction};
pub use proof::appsecret_proof;
pub use usage::BusinessUseCaseUsage;
