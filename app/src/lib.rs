//! The portal's user interface: pages, components and the server functions they call.
//!
//! This crate is compiled twice: with `ssr` into the server (which renders pages and runs the
//! server functions) and with `hydrate` into WebAssembly for the browser. It knows nothing of
//! databases or HTTP clients: the server hands it the ports of each feature (`<feature>::port`) through
//! Leptos context, and server functions call that port.

pub mod api_keys;
pub mod calendar;
pub mod components;
pub mod error;
pub mod health;
pub mod operations;
pub mod relay;
pub mod settings;
pub mod signup;
pub mod signup_links;
pub mod staff;
pub mod wabas;
pub mod webhooks;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::components::layout::Layout;
use crate::components::not_found::NotFound;
use crate::operations::{page::OperationsPage, selection::IntentSelectionPage};
use crate::settings::page::SettingsPage;
use crate::signup::{
    page::{SignupLinkPage, SignupPage},
    status::StatusPage,
};
use crate::signup_links::page::SignupLinksPage;
use crate::staff::{
    account::AccountPage, audit::AuditPage, login::LoginPage, two_factor_login::TwoFactorLoginPage,
};
use crate::wabas::{detail::WabaPage, home::HomePage, list::WabasPage};
use crate::webhooks::inbox::InboxPage;

/// Name of the compiled front-end bundle (`/pkg/{OUTPUT_NAME}.js`, `.wasm`, `.css`).
pub const OUTPUT_NAME: &str = "mm_portal";

/// The HTML document around the application, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: routes inside the shared layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_body_hydrated();

    view! {
        <Stylesheet id="portal-css" href=format!("/pkg/{OUTPUT_NAME}.css") />
        <Title formatter=|page: String| format!("{page} · MM Portal") />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/signup") view=SignupPage />
                    <Route path=path!("/signup/:campaign") view=SignupPage />
                    <Route path=path!("/signup/link/:token") view=SignupLinkPage />
                    <Route path=path!("/signup-links") view=SignupLinksPage />
                    <Route path=path!("/status/:key") view=StatusPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/login/two-factor") view=TwoFactorLoginPage />
                    <Route path=path!("/wabas") view=WabasPage />
                    <Route path=path!("/wabas/:id") view=WabaPage />
                    <Route path=path!("/audit") view=AuditPage />
                    <Route path=path!("/inbox") view=InboxPage />
                    <Route path=path!("/operations") view=OperationsPage />
                    <Route path=path!("/operations/intent") view=IntentSelectionPage />
                    <Route path=path!("/settings") view=SettingsPage />
                    <Route path=path!("/account") view=AccountPage />
                </Routes>
            </Layout>
        </Router>
    }
}

/// Sets `data-hydrated="true"` on `<body>` once the WebAssembly has taken over the page.
///
/// Effects only run in the browser, so the attribute is a reliable signal for browser tests that
/// event handlers are live (clicking before hydration silently does nothing).
fn mark_body_hydrated() {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Entry point called by the hydration script in the browser.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
