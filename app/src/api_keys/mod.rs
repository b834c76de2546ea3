//! The partner API's keys on the settings page: list, make, rotate, revoke, and the token
//! hand-off switch (admins).

pub mod api;
pub mod port;
pub mod section;
