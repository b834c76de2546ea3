//! The staff dashboard of every customer WABA: the home page and its overview, the list (search,
//! filters, orders, keyset pages, CSV export link) and one WABA's page.

pub mod api;
pub mod connection;
pub mod detail;
pub mod home;
pub mod list;
pub mod metrics_chart;
pub mod overview;
pub mod port;
