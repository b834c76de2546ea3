//! The portal's health: its port, the server function and the status card on the home page.

pub mod api;
pub mod card;
pub mod port;
