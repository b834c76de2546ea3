//! Pieces every page shares: the layout, live data helpers, the sign-in notice and the 404.

pub mod layout;
pub mod live;
pub mod not_found;
pub mod signin_required;
