//! The portal's user interface: pages, components and the server functions they call.
//!
//! This crate is compiled twice: with `ssr` into the server (which renders pages and runs the
//! server functions) and with `hydrate` into WebAssembly for the browser. It knows nothing of
//! databases or HTTP clients: the server hands it the ports of each feature (`<feature>::port`) through
//! Leptos context, and server functions call that port.

pub mod api_keys;
pub mod assets;
pub mod calendar;
pub mod components;
pub mod error;
pub mod health;
pub mod i18n;
pub mod operations;
pub mod relay;
pub mod settings;
pub mod signup;
pub mod signup_links;
pub mod staff;
pub mod wabas;
pub mod webhooks;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
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
///
/// The public pages (signup, status) get no WebAssembly: they are complete as served and
/// enhanced by two small scripts (`public/signup.js`, `public/status.js`), so a business on a
/// slow phone can press the button before the staff application would have downloaded. Their
/// `<body>` says so with `data-public`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let public = request_is_public();
    // Staff pages are in English; the public ones in the business's language (I18N.md).
    let lang = if public {
        i18n::remember_choice();
        i18n::request_lang()
    } else {
        i18n::Lang::En
    };
    let css = assets::href(&format!("{OUTPUT_NAME}.css"));
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <link rel="stylesheet" id="portal-css" href=css />
                {(!public).then(|| view! { <HydrationScripts options /> })}
                <MetaTags />
            </head>
            <body data-public=public.then_some("true")>
                <App />
            </body>
        </html>
    }
}

/// Whether the page being rendered is one of the public pages for end businesses.
fn request_is_public() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .is_some_and(|parts| crate::components::layout::is_public(parts.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The application: routes inside the shared layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_body_hydrated();

    view! {
        <Title formatter=|page: String| format!("{page} · MM Portal") />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    // The public pages are served whole (no streaming): they get no WebAssembly to
                    // fill in what streaming would leave for later, and `status.js` reads them.
                    <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async />
                    <Route path=path!("/signup/:campaign") view=SignupPage ssr=SsrMode::Async />
                    <Route path=path!("/signup/link/:token") view=SignupLinkPage ssr=SsrMode::Async />
                    <Route path=path!("/signup-links") view=SignupLinksPage />
                    <Route path=path!("/status/:key") view=StatusPage ssr=SsrMode::Async />
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
