//! Admin settings: Embedded Signup settings, staff accounts (from `staff`) and the webhook
//! verify token.

pub mod api;
pub mod es_version;
pub mod page;
pub mod port;
pub mod webhook_token;
