//! The landing page: what this portal is and whether this instance is healthy.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::health::card::SystemStatusCard;
use crate::staff::api::whoami;
use crate::wabas::overview::OverviewDashboard;

/// Signed-in staff get the dashboard overview; everyone else the introduction.
#[component]
pub fn HomePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Title text="Overview" />
        <Transition fallback=|| ()>
            {move || me.get().map(|who| match who {
                Ok(Some(_)) => view! { <OverviewDashboard /> }.into_any(),
                _ => view! { <Landing /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Onboard your customers to Marketing Messages"</h1>
            <p class="lead">
                "This portal takes a business from one click on your public signup page, through "
                "Meta's Embedded Signup, to sending marketing messages — and shows your staff "
                "where every customer account stands."
            </p>
            <p class="actions">
                <a class="button" href="/login" data-testid="landing-sign-in">"Staff sign in"</a>
                " "
                <a class="button secondary" href="/signup" rel="external">"Open the signup page"</a>
            </p>
        </section>
        <div class="grid">
            <SystemStatusCard />
            <section class="card" aria-labelledby="how-title">
                <h2 id="how-title">"How onboarding works"</h2>
                <ol class="steps">
                    <li>
                        <strong>"Sign up. "</strong>
                        "The business admin opens your signup page and finishes Meta's Embedded Signup popup."
                    </li>
                    <li>
                        <strong>"Connect. "</strong>
                        "The portal exchanges the one-time code on the server, subscribes webhooks and registers the phone number."
                    </li>
                    <li>
                        <strong>"Accept terms. "</strong>
                        "The business accepts the Marketing Messages terms; Meta notifies the portal by webhook."
                    </li>
                    <li>
                        <strong>"Send. "</strong>
                        "The account is ready for marketing messages, and your staff watch delivery metrics."
                    </li>
                </ol>
            </section>
        </div>
    }
}
