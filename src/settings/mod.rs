//! Admin settings: the Embedded Signup settings and the webhook verify token (staff accounts
//! are `crate::staff::accounts`).

pub mod service;
