//! The WABA list: search, filters, keyset pages; re-read every few seconds (live).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::live::{format_time, use_live, StatusBadge};
use crate::components::signin_required::Refused;
use crate::error::AppError;
use crate::wabas::api::dashboard_wabas;
use crate::wabas::connection::{badge_class, staff_reason, CONNECTIONS};
use crate::wabas::port::{WabaFilter, WabaListRow, WabaSort};

pub const STATUSES: &[&str] = &[
    "ONBOARDED",
    "ELIGIBLE",
    "PENDING_INTERNAL_SETUP",
    "PENDING_VALID_PAYMENT_METHOD",
    "INELIGIBLE_ON_BEHALF_OF_WABA",
    "INELIGIBLE_INACTIVE_OR_RESTRICTED",
    "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
    "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
];

#[component]
// Long on purpose: one page's view (filter form, table, pager); its pieces share the filter
// signals.
pub fn WabasPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || WabaFilter::from_query(|key| query.read().get(key));
    // The form is a plain GET form (it works before hydration); its fields start from the
    // address and are never re-set by hydration, so typing early is not lost.
    let initial = filter();
    let tick = use_live(|| "waba:*".to_string());
    let page = Resource::new(move || (filter(), tick.get()), |(f, _)| dashboard_wabas(f));
    let coexistence = initial.coexistence;
    view! {
        <Title text="WABAs" />
        <div class="page-head">
            <h1>"Customer WABAs"</h1>
        </div>
        <form method="get" action="/wabas" class="filters card" data-testid="filters">
            <div class="filter-row">
                <input
                    type="search"
                    name="q"
                    class="grow"
                    placeholder="Business, WABA name or id, phone"
                    aria-label="Search"
                    data-testid="search"
                    value=initial.text.clone().unwrap_or_default()
                />
                <select name="status" aria-label="Onboarding status" data-testid="status-filter">
                    <option value="">"Any status"</option>
                    {STATUSES
                        .iter()
                        .map(|s| {
                            let selected = initial.status.as_deref() == Some(*s);
                            view! { <option value=*s selected=selected>{s.replace('_', " ").to_lowercase()}</option> }
                        })
                        .collect_view()}
                </select>
                <select name="sort" aria-label="Order" data-testid="sort">
                    {WabaSort::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str() selected=initial.sort == s>{s.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="filter-row">
                <label class="field-inline">
                    "Country "
                    <input
                        type="text"
                        name="country"
                        size="3"
                        maxlength="2"
                        placeholder="BR"
                        title="Two-letter country code, as Meta reports it"
                        data-testid="country-filter"
                        value=initial.country.clone().unwrap_or_default()
                    />
                </label>
                <label class="field-inline">
                    "Number "
                    <select name="coexistence" data-testid="coexistence-filter">
                        <option value="" selected=coexistence.is_none()>"Any"</option>
                        <option value="yes" selected=coexistence == Some(true)>"Coexistence (Business app)"</option>
                        <option value="no" selected=coexistence == Some(false)>"Cloud API only"</option>
                    </select>
                </label>
                <label class="field-inline">
                    "Connection "
                    <select name="connection" data-testid="connection-filter">
                        <option value="" selected=initial.connection.is_none()>"Any"</option>
                        {CONNECTIONS
                            .into_iter()
                            .map(|c| view! { <option value=c selected=initial.connection.as_deref() == Some(c)>{c}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="field-inline">
                    "Added from "
                    <input type="date" name="from" data-testid="from-filter" value=initial.added_from.clone().unwrap_or_default() />
                </label>
                <label class="field-inline">
                    "to "
                    <input type="date" name="to" data-testid="to-filter" value=initial.added_to.clone().unwrap_or_default() />
                </label>
                <label class="check-inline">
                    <input type="checkbox" name="attention" value="1" checked=initial.needs_attention />
                    " Needs attention"
                </label>
                <span class="spacer"></span>
                <button class="button" type="submit" data-testid="apply-filters">"Apply"</button>
                <a class="button secondary" href="/wabas">"Clear"</a>
                <a
                    class="button secondary"
                    data-testid="export-csv"
                    rel="external"
                    href=move || format!("/wabas.csv?{}", filter().to_query(false))
                >
                    "Export CSV"
                </a>
                <a
                    class="button secondary"
                    data-testid="intent-selection"
                    title="Preview, then send Intent API requests to the eligible businesses in this list"
                    href=move || format!("/operations/intent?{}", filter().to_query(false))
                >
                    "Intent API…"
                </a>
            </div>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                page.get()
                    .map(|result| match result {
                        Err(AppError::Invalid(message)) => view! {
                            <p class="alert error" role="alert" data-testid="filter-error">{message}</p>
                        }
                        .into_any(),
                        Err(e) => view! { <Refused error=e /> }.into_any(),
                        Ok(page) => {
                            let current = filter();
                            let first = current.after.is_some().then(|| {
                                format!("/wabas?{}", current.to_query(false))
                            });
                            let next = page.next_after.map(|after| {
                                let next = WabaFilter { after: Some(after), ..current.clone() };
                                format!("/wabas?{}", next.to_query(true))
                            });
                            view! {
                                <WabaTable rows=page.rows />
                                <nav class="pager">
                                    {first.map(|href| view! { <a href=href class="button secondary">"First page"</a> })}
                                    {next.map(|href| view! { <a href=href class="button secondary" data-testid="next-page">"Next page"</a> })}
                                </nav>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn WabaTable(rows: Vec<WabaListRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="card muted" data-testid="no-wabas">"No WABA matches these filters."</p> }
            .into_any();
    }
    view! {
        <div class="card table-card">
            <table class="table" data-testid="waba-table">
                <thead>
                    <tr>
                        <th>"Business"</th>
                        <th>"WABA"</th>
                        <th>"Phone"</th>
                        <th>"Status"</th>
                        <th>"Flags"</th>
                        <th>"Updated"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let href = format!("/wabas/{}", row.id);
                            view! {
                                <tr data-testid="waba-row">
                                    <td><a href=href.clone()>{row.business_name}</a></td>
                                    <td>
                                        <a href=href>{row.name}</a>
                                        <div class="muted small mono">{row.meta_waba_id}</div>
                                    </td>
                                    <td class="nowrap">{row.phone.unwrap_or_else(|| "—".into())}</td>
                                    <td><StatusBadge status=row.onboarding_status /></td>
                                    <td class="flags">
                                        {row.needs_attention.then(|| view! { <span class="badge bad" title="A pipeline step failed: open the WABA to see why and resume it">"needs attention"</span> })}
                                        {row.coexistence.then(|| view! { <span class="badge info" title="The number stays on the WhatsApp Business app">"coexistence"</span> })}
                                        {(row.connection != "connected").then(|| view! {
                                            <span class=badge_class(&row.connection) data-testid="connection-badge" title=staff_reason(&row.connection)>{row.connection.clone()}</span>
                                        })}
                                        {row.account_health.filter(|h| h != "active").map(|h| view! { <span class="badge warn" title="Meta reported a restriction">{h}</span> })}
                                    </td>
                                    <td class="muted small">{format_time(row.updated_at)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
