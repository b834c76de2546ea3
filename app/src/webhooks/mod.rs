//! The webhook inbox page: deliveries the processor set aside, and their replay.

pub mod api;
pub mod inbox;
pub mod port;
