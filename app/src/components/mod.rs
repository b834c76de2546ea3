pub mod layout;
pub mod live;
pub mod status;
