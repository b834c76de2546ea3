//! Staff: sign-in, the role guard of every staff server function, one's own account, staff
//! accounts (admins) and the audit log.

pub mod account;
pub mod account_api;
pub mod accounts;
pub mod api;
pub mod audit;
pub mod guard;
pub mod login;
pub mod port;
pub mod two_factor;
pub mod two_factor_api;
pub mod two_factor_login;
