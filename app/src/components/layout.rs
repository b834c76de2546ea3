//! The frame around every page: header with navigation, main column, footer.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::dashboard_api::whoami;
use crate::ports::StaffRole;

/// Pages for end businesses (not partner staff): no staff navigation.
fn is_public(path: &str) -> bool {
    path.starts_with("/signup") || path.starts_with("/status/")
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let location = use_location();
    let public = move || is_public(&location.pathname.get());
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"MM"</span>
                    <span class="brand-name">"Marketing Messages Portal"</span>
                </a>
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
                                    <A href="/operations">"MM operations"</A>
                                    <A href="/inbox">"Webhooks"</A>
                                    {admin.then(|| view! { <A href="/audit">"Audit log"</A> <A href="/settings">"Settings"</A> })}
                                    <span class="who" data-testid="who" title=staff.email.clone()>
                                        {staff.display_name.clone()}
                                        <span class="badge">{staff.role.label()}</span>
                                    </span>
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
                <span>"Self-hosted onboarding for Meta's Marketing Messages API for WhatsApp"</span>
            </footer>
        </div>
    }
}
