//! The landing page: what this portal is and whether this instance is healthy.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::status::SystemStatusCard;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Overview" />
        <section class="hero">
            <h1>"Onboard your customers to Marketing Messages"</h1>
            <p class="lead">
                "This portal takes a business from one click on your public signup page, through "
                "Meta's Embedded Signup, to sending marketing messages — and shows your staff "
                "where every customer account stands."
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
