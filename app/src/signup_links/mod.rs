//! Signup links (`/signup-links`): staff make a link for one customer — its id in the
//! partner's systems, a campaign, what Meta's form is pre-filled with — and follow what came
//! of each; the public signup page opened through one (`/signup/link/<token>`) honours it.

pub mod api;
pub mod page;
pub mod port;
