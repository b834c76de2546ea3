//! Settings → Your platform: relay destinations and event endpoints (admins).

pub mod api;
pub mod port;
pub mod section;
