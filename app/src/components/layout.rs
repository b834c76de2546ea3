//! The frame around every page: header with navigation, main column, footer.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::staff::api::whoami;
use crate::staff::port::StaffRole;

/// Pages for end businesses (not partner staff): no staff navigation.
pub(crate) fn is_public(path: &str) -> bool {
    path == "/signup" || path.starts_with("/signup/") || path.starts_with("/status/")
}

/// Asks the layout to fetch who is signed in again (the account page, after its owner chose
/// a new password, so that the reminder to do so goes away).
#[derive(Clone, Copy)]
pub struct IdentityRefresh(RwSignal<u32>);

impl IdentityRefresh {
    pub fn notify(self) {
        self.0.update(|n| *n += 1);
    }
}

/// The account page, with the way back to `path` after the password is changed.
fn account_link(path: &str) -> String {
    match path {
        "/" | "" => "/account".into(),
        path => format!("/account?next={}", crate::wabas::port::percent_encode(path)),
    }
}

#[component]
// Long on purpose: the one header and navigation of every page.
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let location = use_location();
    let public = move || is_public(&location.pathname.get());
    let on_account_page = move || location.pathname.get().starts_with("/account");
    let refresh = RwSignal::new(0u32);
    provide_context(IdentityRefresh(refresh));
    let me = Resource::new(move || refresh.get(), |_| whoami());
    // The public pages' footer in the business's language (server-rendered only: those pages
    // are never hydrated).
    let public_footer = crate::i18n::t(crate::i18n::request_lang(), "footer-public");
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"MM"</span>
                    <span class="brand-name">"Marketing Messages Portal"</span>
                </a>
                <Show when=public>
                    <crate::i18n::switcher::LangSwitcher path=location.pathname.get_untracked() />
                </Show>
                <Show when=move || !public()>
                <button
                    class="menu-toggle"
                    aria-label="Toggle navigation"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    "Menu"
                </button>
                <nav class="nav" class:open=move || menu_open.get() aria-label="Main">
                    <A href="/" exact=true>"Overview"</A>
                    <Transition fallback=|| ()>
                        {move || match me.get() {
                            Some(Ok(Some(staff))) => {
                                let admin = staff.role == StaffRole::Admin;
                                view! {
                                    <A href="/wabas">"WABAs"</A>
                                    <A href="/signup-links">"Signup links"</A>
                                    <A href="/operations">"MM operations"</A>
                                    <A href="/inbox">"Webhooks"</A>
                                    {admin.then(|| view! { <A href="/audit">"Audit log"</A> <A href="/settings">"Settings"</A> })}
                                    <A href="/account" attr:class="who" attr:data-testid="who"
                                        attr:title=format!("My account ({})", staff.email)>
                                        {staff.display_name.clone()}
                                        <span class="badge">{staff.role.label()}</span>
                                    </A>
                                    <form method="post" action="/auth/logout" class="inline">
                                        <button class="link-button" type="submit" data-testid="sign-out">"Sign out"</button>
                                    </form>
                                }
                                    .into_any()
                            }
                            _ => view! { <A href="/login">"Sign in"</A> }.into_any(),
                        }}
                    </Transition>
                </nav>
                </Show>
            </header>
            <main class="content">
                <Transition fallback=|| ()>
                    {move || match me.get() {
                        Some(Ok(Some(staff))) if staff.must_change_password && !public() && !on_account_page() => Some(view! {
                            <p class="banner warn must-change" role="status" data-testid="must-change-banner">
                                "An admin set your password, so someone else has seen it. "
                                <a href=account_link(&location.pathname.get_untracked()) data-testid="must-change-link">"Choose your own password"</a>
                            </p>
                        }),
                        Some(Ok(Some(staff))) if staff.must_enroll_two_factor && !public() && !on_account_page() => Some(view! {
                            <p class="banner warn must-change" role="status" data-testid="enroll-banner">
                                "An admin requires two-factor sign-in for every account. "
                                <a href=account_link(&location.pathname.get_untracked()) data-testid="enroll-link">"Set it up on My account"</a>
                            </p>
                        }),
                        _ => None,
                    }}
                </Transition>
                <ErrorBoundary fallback=|errors| {
                    view! {
                        <section class="card error-card" role="alert">
                            <h1>"This page could not be shown"</h1>
                            <ul>
                                {move || {
                                    errors
                                        .get()
                                        .into_iter()
                                        .map(|(_, e)| view! { <li>{e.to_string()}</li> })
                                        .collect_view()
                                }}
                            </ul>
                            <a class="button" href="/">"Back to the overview"</a>
                        </section>
                    }
                }>{children()}</ErrorBoundary>
            </main>
            <footer class="footer">
                {move || {
                    if public() {
                        public_footer.clone()
                    } else {
                        "Self-hosted onboarding for Meta's Marketing Messages API for WhatsApp".to_string()
                    }
                }}
            </footer>
        </div>
    }
}
