//! MM operations for existing Cloud API customers: discovery, the Intent API (with the preview
//! of a filtered selection) and test sends.

pub mod api;
pub mod page;
pub mod port;
pub mod selection;
