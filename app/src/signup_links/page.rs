//! `/signup-links`: make a signup link for one customer and follow each link's signups.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::signup_links::api::{signup_links, CreateSignupLink, RevokeSignupLink};
use crate::signup_links::port::{LinkState, SignupLinkView};

#[component]
pub fn SignupLinksPage() -> impl IntoView {
    let query = use_query_map();
    let customer = move || query.read().get("customer").filter(|c| !c.is_empty());
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let create = ServerAction::<CreateSignupLink>::new();
    let revoke = ServerAction::<RevokeSignupLink>::new();
    let links = Resource::new(
        move || {
            (
                customer(),
                before(),
                create.version().get(),
                revoke.version().get(),
            )
        },
        |(customer, before, _, _)| signup_links(customer, before),
    );
    view! {
        <Title text="Signup links" />
        <h1>"Signup links"</h1>
        <p class="muted">
            "A link for one customer: the signup it starts and the WABA it connects carry your customer id, "
            "and Meta's form opens filled in with what you know. Your own systems make the same links with "
            <code>"POST /api/v1/signup-links"</code>"."
        </p>
        {move || create.value().get().map(|r| match r {
            Ok(link) => view! {
                <div class="alert ok" role="status" data-testid="new-link">
                    {format!("Link made{}. Send it to the business: ", link.customer_id.map(|c| format!(" for {c}")).unwrap_or_default())}
                    <a class="mono break" href=link.url.clone() rel="external" data-testid="new-link-url">{link.url.clone()}</a>
                </div>
            }.into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="link-error">{e.to_string()}</p> }.into_any(),
        })}
        {move || revoke.value().get().and_then(|r| r.err()).map(|e| view! {
            <p class="alert error" role="alert">{e.to_string()}</p>
        })}
        <div class="links-grid">
            <section class="card">
                <h2>"Make a link"</h2>
                <ActionForm action=create attr:class="form" attr:data-testid="link-form">
                    <label for="link_customer">"Customer id " <span class="muted small">"(yours, e.g. from your CRM)"</span></label>
                    <input id="link_customer" name="customer_id" maxlength="128" placeholder="crm-4711" data-testid="link-customer" />
                    <label for="link_campaign">"Campaign " <span class="muted small">"(letters, digits, - _ .)"</span></label>
                    <input id="link_campaign" name="campaign" maxlength="64" placeholder="spring-2027" data-testid="link-campaign" />
                    <fieldset>
                        <legend>"Pre-fill Meta's form " <span class="muted small">"(optional)"</span></legend>
                        <label for="link_business">"Business name"</label>
                        <input id="link_business" name="business_name" maxlength="200" data-testid="link-business" />
                        <label for="link_email">"Business email"</label>
                        <input id="link_email" name="business_email" type="email" maxlength="200" />
                        <label for="link_website">"Website"</label>
                        <input id="link_website" name="business_website" type="url" maxlength="200" placeholder="https://" />
                        <div class="field-row">
                            <div>
                                <label for="link_code">"Phone country code"</label>
                                <input id="link_code" name="phone_code" inputmode="numeric" maxlength="4" placeholder="55" />
                            </div>
                            <div>
                                <label for="link_number">"Phone number"</label>
                                <input id="link_number" name="phone_number" inputmode="tel" maxlength="20" />
                            </div>
                        </div>
                        <label for="link_country">"Country " <span class="muted small">"(two letters)"</span></label>
                        <input id="link_country" name="country" maxlength="2" placeholder="BR" />
                    </fieldset>
                    <label for="link_days">"Valid for (days)"</label>
                    <input id="link_days" name="expires_in_days" type="number" min="1" max="365" value="30" required />
                    <label class="check">
                        <input type="checkbox" name="single_use" value="on" checked=true />
                        " Single use: only one account can be connected through it"
                    </label>
                    <button class="button" type="submit" data-testid="create-link" disabled=move || create.pending().get()>"Make link"</button>
                </ActionForm>
            </section>
            <section class="card">
                <div class="card-head">
                    <h2>"Links"</h2>
                    <form method="get" action="/signup-links" class="inline-search">
                        <input name="customer" placeholder="Customer id" aria-label="Filter by customer id" value=customer().unwrap_or_default() />
                        <button class="button secondary small" type="submit">"Filter"</button>
                    </form>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || links.get().map(|r| match r {
                        Err(e) => view! { <Refused error=e /> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted" data-testid="no-links">"No links yet."</p>
                        }.into_any(),
                        Ok(list) => {
                            let older = (list.len() >= 50).then(|| list.last().map(|l| l.id)).flatten();
                            view! {
                                <LinkTable list revoke />
                                {older.map(|id| view! {
                                    <a class="button secondary small" href=format!("/signup-links?before={id}{}", customer().map(|c| format!("&customer={c}")).unwrap_or_default())>"Older links"</a>
                                })}
                            }.into_any()
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

fn state_label(state: LinkState) -> &'static str {
    match state {
        LinkState::Active => "Active",
        LinkState::Used => "Used",
        LinkState::Expired => "Expired",
        LinkState::Revoked => "Revoked",
    }
}

#[component]
fn LinkTable(list: Vec<SignupLinkView>, revoke: ServerAction<RevokeSignupLink>) -> impl IntoView {
    view! {
        <div class="table-card">
            <table class="table compact">
                <thead>
                    <tr><th>"Customer"</th><th>"State"</th><th>"Signups"</th><th>"Expires"</th><th></th></tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|link| {
                        let active = link.state == LinkState::Active;
                        let id = link.id.to_string();
                        view! {
                            <tr data-testid="link-row" class:muted=!active>
                                <td>
                                    <strong>{link.customer_id.clone().unwrap_or_else(|| "—".into())}</strong>
                                    <div class="small muted">
                                        {[link.business_name.clone(), link.campaign.clone().map(|c| format!("campaign {c}"))]
                                            .into_iter().flatten().collect::<Vec<_>>().join(" · ")}
                                    </div>
                                    <div class="small mono break"><a href=link.url.clone() rel="external" data-testid="link-url">{link.url.clone()}</a></div>
                                    <div class="small muted">{format!("made {} by {}", format_time(link.created_at), link.created_by)}</div>
                                </td>
                                <td><span class=format!("badge state-{}", link.state.as_str()) data-testid="link-state">{state_label(link.state)}</span>
                                    <div class="small muted">{if link.single_use { "single use" } else { "reusable" }}</div></td>
                                <td class="small" data-testid="link-signups">{format!("{} started, {} connected", link.signups, link.connected)}</td>
                                <td class="small muted">{link.expires_at.map(format_time).unwrap_or_else(|| "never".into())}</td>
                                <td>
                                    {active.then(|| view! {
                                        <ActionForm action=revoke attr:class="row-form">
                                            <input type="hidden" name="id" value=id.clone() />
                                            <button class="button danger small" type="submit" title="The link stops opening the signup page" data-testid="revoke-link">"Revoke"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
