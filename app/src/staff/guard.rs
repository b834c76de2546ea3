//! The one shape of every staff server function: who is signed in, whether their role allows
//! the call, which port serves it, and the HTTP status of a failure. Hiding a button is never
//! the only guard: every staff server function goes through [`as_staff`].

#[cfg(feature = "ssr")]
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::staff::port::{StaffIdentity, StaffRole};

/// The staff member the server resolved from this request's session, if any.
#[cfg(feature = "ssr")]
pub fn current_staff() -> Option<StaffIdentity> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<StaffIdentity>().cloned())
}

/// The signed-in staff member, if their role allows `role`.
#[cfg(feature = "ssr")]
pub(crate) fn require(role: StaffRole) -> Result<StaffIdentity, AppError> {
    let staff = current_staff().ok_or(AppError::Unauthorized)?;
    if staff.role.allows(role) {
        Ok(staff)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The port of type `P` the server put into the context; `reference` names it in the
/// internal error when it is missing.
#[cfg(feature = "ssr")]
pub(crate) fn context_port<P: ?Sized + Send + Sync + 'static>(
    reference: &'static str,
) -> Result<std::sync::Arc<P>, AppError> {
    use_context::<std::sync::Arc<P>>().ok_or_else(|| AppError::Internal(reference.into()))
}

/// The shape of every staff server function: checks that the signed-in staff member's role
/// allows `role`, finds the port, runs `call`, and answers errors with their HTTP status.
#[cfg(feature = "ssr")]
pub(crate) async fn as_staff<P: ?Sized, T, F>(
    role: StaffRole,
    port: impl FnOnce() -> Result<std::sync::Arc<P>, AppError>,
    call: impl FnOnce(StaffIdentity, std::sync::Arc<P>) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    let result = match (require(role), port()) {
        (Ok(staff), Ok(port)) => call(staff, port).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    crate::error::with_status(result)
}

/// [`as_staff`] with the port of type `P` from the context (every port but the account one,
/// which is bound to the request).
#[cfg(feature = "ssr")]
pub(crate) async fn guarded<P: ?Sized + Send + Sync + 'static, T, F>(
    role: StaffRole,
    call: impl FnOnce(StaffIdentity, std::sync::Arc<P>) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    as_staff(role, || context_port(std::any::type_name::<P>()), call).await
}

#[cfg(feature = "ssr")]
pub(crate) fn role(text: &str) -> Result<StaffRole, AppError> {
    StaffRole::parse(text)
        .ok_or_else(|| AppError::Invalid("The role must be admin, operator or viewer.".into()))
}
