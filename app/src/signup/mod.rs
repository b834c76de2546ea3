//! The public Embedded Signup flow as a business admin sees it: the signup page that launches
//! Meta's popup, and the live status page after it.

pub mod api;
pub mod page;
pub mod port;
pub mod status;
