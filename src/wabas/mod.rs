//! The staff dashboard of every customer WABA: the overview, the list (search, filters, orders,
//! keyset pages), its CSV export, and one WABA's page with its actions.
//!
//! - [`service`]: the port the pages call ([`app::wabas::port::WabasPort`]);
//! - [`search`]: the list's filter as typed in the address bar → the database search;
//! - [`export`]: `GET /wabas.csv`, the same filtered set streamed as CSV.

pub mod export;
pub mod search;
pub mod service;
