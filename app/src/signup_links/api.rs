//! Server functions of signup links: the staff list (viewers and up), making and revoking
//! (operators and up), and the public page's read of one link (anonymous, by token, under the
//! public signup calls' rate limit).

// The staff form's fields are the create function's arguments (one per input), also in the
// browser build's generated stub, which an attribute on the function does not reach.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::signup_links::port::{LinkLaunch, SignupLinkView};
#[cfg(feature = "ssr")]
use crate::signup_links::port::{NewLinkForm, SignupLinksPort};
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;

#[server(prefix = "/api", endpoint = "signup_links")]
pub async fn signup_links(
    customer_id: Option<String>,
    before: Option<i64>,
) -> Result<Vec<SignupLinkView>, AppError> {
    guarded::<dyn SignupLinksPort, _, _>(StaffRole::Viewer, |_, port| async move {
        port.list(customer_id, before).await
    })
    .await
}

/// Makes a link from the staff form (`single_use` present when ticked).
#[server(prefix = "/api", endpoint = "create_signup_link")]
pub async fn create_signup_link(
    customer_id: String,
    campaign: String,
    business_name: String,
    business_email: String,
    business_website: String,
    phone_code: String,
    phone_number: String,
    country: String,
    expires_in_days: u32,
    single_use: Option<String>,
) -> Result<SignupLinkView, AppError> {
    let form = NewLinkForm {
        customer_id,
        campaign,
        business_name,
        business_email,
        business_website,
        phone_code,
        phone_number,
        country,
        expires_in_days,
        single_use: single_use.is_some(),
    };
    guarded::<dyn SignupLinksPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.create(&staff, form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "revoke_signup_link")]
pub async fn revoke_signup_link(id: i64) -> Result<SignupLinkView, AppError> {
    guarded::<dyn SignupLinksPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.revoke(&staff, id).await
    })
    .await
}

/// What the public signup page opened through a link launches with; `Conflict` with the
/// reason for the business when the link is expired, withdrawn or used, `NotFound` when it is
/// not a link.
#[server(prefix = "/api", endpoint = "signup_link")]
pub async fn signup_link(token: String) -> Result<LinkLaunch, AppError> {
    let lang = crate::i18n::request_lang();
    crate::signup::api::public(crate::signup::port::PublicCall::Read, |_| async move {
        let port: std::sync::Arc<dyn SignupLinksPort> =
            crate::staff::guard::context_port("signup-links-context")?;
        port.launch(&token, lang).await
    })
    .await
}
