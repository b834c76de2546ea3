//! What a staff page shows when the server refuses it: sign in, or not allowed.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::error::AppError;

#[component]
pub fn Refused(error: AppError) -> impl IntoView {
    let location = use_location();
    let next = location.pathname.get_untracked();
    match error {
        AppError::Unauthorized => view! {
            <section class="card narrow" data-testid="sign-in-required">
                <h1>"Please sign in"</h1>
                <p class="muted">"This page is for partner staff."</p>
                <a class="button primary" href=format!("/login?next={}", next)>"Sign in"</a>
            </section>
        }
        .into_any(),
        AppError::Forbidden => view! {
            <section class="card narrow" data-testid="forbidden">
                <h1>"Not allowed"</h1>
                <p class="muted">"Your role does not allow this page. Ask an admin."</p>
            </section>
        }
        .into_any(),
        other => view! {
            <section class="card error-card" role="alert">
                <h1>"This page could not be loaded"</h1>
                <p>{other.to_string()}</p>
            </section>
        }
        .into_any(),
    }
}
