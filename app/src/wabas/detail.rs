//! One WABA: business, numbers, the onboarding pipeline with its Graph errors, the timeline,
//! and the actions the staff member's role allows. Re-read every few seconds (live).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::live::{format_time, use_live, StatusBadge};
use crate::components::signin_required::Refused;
use crate::operations::api::{SendIntent, TestSend};
use crate::staff::api::whoami;
use crate::staff::port::StaffRole;
use crate::wabas::api::WabaAction as RunAction;
use crate::wabas::api::{dashboard_waba, ResumeOnboarding};
use crate::wabas::connection::{badge_class, staff_reason};
use crate::wabas::metrics_chart::MessagesChart;
use crate::wabas::port::{
    CoexistenceView, DayMetrics, FailureCount, MmMetricsView, PhoneView, StepView, TemplateView,
    TimelineView, WabaAction, WabaDetail,
};
use leptos::form::ActionForm;

#[component]
pub fn WabaPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let tick = use_live(move || format!("waba:{}", id()));
    let resume = ServerAction::<ResumeOnboarding>::new();
    let intent = ServerAction::<SendIntent>::new();
    let maintenance = ServerAction::<RunAction>::new();
    let detail = Resource::new(
        move || (id(), tick.get(), resume.version().get()),
        |(id, _, _)| dashboard_waba(id),
    );
    // The templates a test send may use: the form below is drawn again only when this set
    // changes, not on every live re-read, so a half-typed recipient survives.
    let ready = Memo::new(move |_| {
        detail
            .get()
            .and_then(Result::ok)
            .map(|d| {
                d.templates
                    .into_iter()
                    .filter(|t| t.ready)
                    .map(|t| (t.name, t.language))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let me = Resource::new(|| (), |_| whoami());
    let can_operate = move || {
        me.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|s| s.role.allows(StaffRole::Operator))
    };
    view! {
        <Title text="WABA" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                detail.get().map(|result| match result {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(detail) => view! { <Detail detail can_operate=can_operate() resume intent maintenance /> }.into_any(),
                })
            }}
        </Transition>
        // Outside the live-refreshed part, so a half-typed form survives the re-reads.
        <Transition fallback=|| ()>
            {move || can_operate().then(|| view! {
                <section class="card"><TestSendForm waba_id=id() ready=ready.get() /></section>
            })}
        </Transition>
    }
}

/// One WABA's page: its head, then one card per concern.
#[component]
fn Detail(
    detail: WabaDetail,
    can_operate: bool,
    resume: ServerAction<ResumeOnboarding>,
    intent: ServerAction<SendIntent>,
    maintenance: ServerAction<RunAction>,
) -> impl IntoView {
    let row = detail.row.clone();
    let id = row.id;
    view! {
        <div class="page-head">
            <div>
                <p class="eyebrow">{row.business_name.clone()}</p>
                <h1 data-testid="waba-name">{row.name.clone()}</h1>
                <p class="muted mono small">"WABA " {row.meta_waba_id.clone()}</p>
            </div>
            <StatusBadge status=row.onboarding_status.clone() />
        </div>
        <div class="grid">
            <AccountCard detail=detail.clone() can_operate=can_operate intent=intent />
            <PhonesCard phones=detail.phones.clone() />
        </div>
        <PipelineCard
            steps=detail.steps.clone()
            id=id
            can_operate=can_operate
            resume=resume
            maintenance=maintenance
        />
        {detail.coexistence_sync.clone().map(|sync| view! { <CoexistenceCard sync /> })}
        <TemplatesCard templates=detail.templates.clone() synced_at=detail.templates_synced_at />
        <MessagesCard metrics=detail.metrics.clone() failures=detail.failures.clone() />
        <MmMetricsCard metrics=detail.mm_metrics.clone() />
        <TimelineCard timeline=detail.timeline.clone() />
    }
}

#[component]
fn AccountCard(
    detail: WabaDetail,
    can_operate: bool,
    intent: ServerAction<SendIntent>,
) -> impl IntoView {
    let invitable = row_status_is(&detail.row.onboarding_status, "ELIGIBLE");
    let row = detail.row.clone();
    let id = row.id;
    view! {
    <section class="card">
        <h2>"Account"</h2>
        <dl class="facts">
            <dt>"Business id"</dt><dd class="mono">{detail.meta_business_id.clone()}</dd>
            <dt>"Customer id"</dt>
            <dd data-testid="customer-id">
                {match (detail.customer_id.clone(), detail.signup_link_id) {
                    (Some(customer), _) => view! { <span class="mono">{customer}</span> }.into_any(),
                    (None, Some(_)) => view! { <span class="muted">"none on its signup link"</span> }.into_any(),
                    (None, None) => view! { <span class="muted">"— (not connected through a signup link)"</span> }.into_any(),
                }}
            </dd>
            <dt>"Country"</dt><dd>{row.country.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Currency"</dt><dd>{detail.currency.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"MM terms"</dt><dd>{if row.terms_signed { "signed" } else { "not signed yet" }}</dd>
            <dt>"Connection"</dt>
            <dd data-testid="connection">
                <span class=badge_class(&row.connection) data-testid="connection-state">{row.connection.clone()}</span>
                {(row.connection != "connected").then(|| view! {
                    <span class="small muted connection-reason">{staff_reason(&row.connection)}</span>
                })}
            </dd>
            <dt>"Health"</dt><dd>{row.account_health.clone().unwrap_or_else(|| "no report".into())}</dd>
            <dt>"Intent API"</dt>
            <dd>
                {(invitable && can_operate).then(|| view! {
                    <button class="button secondary" data-testid="send-intent"
                        on:click=move |_| { intent.dispatch(SendIntent { waba_id: id }); }>
                        "Ask the business to onboard"
                    </button>
                })}
                {move || intent.value().get().map(|r| match r {
                    Ok(text) => view! { <span class="small" data-testid="intent-result">{text}</span> }.into_any(),
                    Err(e) => view! { <span class="small error" data-testid="intent-result">{e.to_string()}</span> }.into_any(),
                })}
                {(!invitable).then(|| view! { <span class="muted small">"only for ELIGIBLE accounts"</span> })}
            </dd>
            <dt>"Status page"</dt>
            <dd>{detail.status_page.clone().map(|href| view! { <a href=href.clone() rel="external" data-testid="status-page-link">"open the business's status page"</a> })}</dd>
        </dl>
    </section>    }
}

#[component]
fn PhonesCard(phones: Vec<PhoneView>) -> impl IntoView {
    view! {
    <section class="card">
        <h2>"Phone numbers"</h2>
        {if phones.is_empty() {
            view! { <p class="muted">"None shared."</p> }.into_any()
        } else {
            view! {
                <ul class="plain">
                    {phones.iter().map(|p| view! {
                        <li>
                            <strong>{p.display_phone_number.clone()}</strong>
                            " " {p.verified_name.clone().unwrap_or_default()}
                            <div class="small muted">
                                {if p.coexistence { "coexistence (WhatsApp Business app)" } else if p.registered { "registered for the Cloud API" } else { "not registered" }}
                                {p.quality_rating.clone().map(|q| format!(" · quality {q}"))}
                            </div>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    </section>    }
}

#[component]
fn PipelineCard(
    steps: Vec<StepView>,
    id: i64,
    can_operate: bool,
    resume: ServerAction<ResumeOnboarding>,
    maintenance: ServerAction<RunAction>,
) -> impl IntoView {
    let failed = steps.iter().any(|s| s.state == "failed");
    view! {
    <section class="card">
        <div class="card-head">
            <h2>"Onboarding pipeline"</h2>
            {(failed && can_operate).then(|| view! {
                <button
                    class="button"
                    data-testid="resume"
                    disabled=move || resume.pending().get()
                    on:click=move |_| { resume.dispatch(ResumeOnboarding { id }); }
                >
                    "Resume from the failed step"
                </button>
            })}
        </div>
        {can_operate.then(|| view! {
            <div class="action-bar" data-testid="waba-actions">
                {WabaAction::ALL.map(|action| view! {
                    <button
                        class="button secondary small"
                        title=action.help()
                        data-testid=format!("action-{}", action.as_str())
                        disabled=move || maintenance.pending().get()
                        on:click=move |_| {
                            maintenance.dispatch(RunAction { id, action: action.as_str().to_string() });
                        }
                    >
                        {action.label()}
                    </button>
                }).collect_view()}
            </div>
        })}
        {move || maintenance.value().get().map(|r| match r {
            Ok(text) => view! { <p class="alert ok" role="status" data-testid="maintenance-result">{text}</p> }.into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="maintenance-result">{e.to_string()}</p> }.into_any(),
        })}
        {move || resume.value().get().map(|r| match r {
            Ok(text) => view! { <p class="alert ok" role="status" data-testid="action-result">{text}</p> }.into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="action-result">{e.to_string()}</p> }.into_any(),
        })}
        <ol class="pipeline" data-testid="pipeline">
            {steps.iter().map(|s| view! {
                <li class=format!("pipe pipe-{}", s.state) data-testid=format!("step-{}", s.step) data-state=s.state.clone()>
                    <strong>{s.step.replace('_', " ")}</strong>
                    <span class="badge">{s.state.clone()}</span>
                    <span class="muted small">{format!("{} attempt(s) · {}", s.attempts, format_time(s.updated_at))}</span>
                    <div class="small">{s.detail.clone().unwrap_or_default()}</div>
                </li>
            }).collect_view()}
        </ol>
        {steps.is_empty().then(|| view! { <p class="muted">"No pipeline has run for this account (it was found through a webhook or discovery)."</p> })}
    </section>    }
}

/// Meta's own MM API metrics (template analytics), beside the webhook counts above: a chart
/// of every template together per day, and each template's totals with the conversions Meta
/// reports.
#[component]
fn MmMetricsCard(metrics: MmMetricsView) -> impl IntoView {
    view! {
    <section class="card" data-testid="mm-metrics">
        <div class="card-head">
            <h2>"Meta's MM API metrics (template analytics)"</h2>
            <span class="muted small">{match metrics.fetched_at {
                Some(at) => format!("read from Meta {}", format_time(at)),
                None => "not read from Meta yet (every few hours once onboarded)".to_string(),
            }}</span>
        </div>
        {metrics.error.clone().map(|e| view! { <p class="alert error" data-testid="mm-metrics-error">{format!("Meta refused the last read: {e}")}</p> })}
        {if metrics.days.is_empty() {
            view! { <p class="muted" data-testid="no-mm-metrics">"No template analytics yet."</p> }.into_any()
        } else {
            view! {
                <MessagesChart metrics=metrics.days.clone() />
                <div class="table-wrap">
                <table class="table" data-testid="mm-metrics-templates">
                    <thead><tr><th>"Template"</th><th>"Sent"</th><th>"Delivered"</th><th>"Read"</th><th>"Clicks"</th><th>"Conversions (Meta)"</th></tr></thead>
                    <tbody>
                        {metrics.templates.iter().map(|t| view! {
                            <tr>
                                <td class="mono">{t.name.clone().unwrap_or_else(|| t.meta_template_id.clone())}</td>
                                <td>{t.sent}</td><td>{t.delivered}</td><td>{t.read}</td><td>{t.clicked}</td>
                                <td class="small">{if t.conversions.is_empty() {
                                    "—".to_string()
                                } else {
                                    t.conversions.iter().map(|(k, v)| format!("{}: {v}", k.replace('_', " "))).collect::<Vec<_>>().join(" · ")
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any()
        }}
    </section>    }
}

/// A coexistence number's sync of the Business app's contacts and chat history, with Meta's
/// 24-hour deadline.
#[component]
fn CoexistenceCard(sync: CoexistenceView) -> impl IntoView {
    let asked = |at: Option<i64>| match at {
        Some(at) => format!("asked {}", format_time(at)),
        None => "not asked yet".to_string(),
    };
    let done = sync.contacts_requested_at.is_some() && sync.history_requested_at.is_some();
    view! {
    <section class="card" data-testid="coexistence-sync">
        <div class="card-head">
            <h2>"WhatsApp Business app sync (coexistence)"</h2>
            {sync.deadline.map(|deadline| {
                let (class, text) = if done {
                    ("badge ok", "both requests made".to_string())
                } else {
                    ("badge warn", format!("deadline {}", format_time(deadline)))
                };
                view! { <span class=class data-testid="coexistence-deadline">{text}</span> }
            })}
        </div>
        <p class="small muted">"Meta allows 24 hours after onboarding to ask, once each, for the app's contacts and chat history; after that the business must offboard and sign up again."</p>
        <dl class="facts">
            <dt>"Window"</dt>
            <dd>{match (sync.started_at, sync.deadline) {
                (Some(start), Some(end)) => format!("{} → {}", format_time(start), format_time(end)),
                _ => "not started by this portal".to_string(),
            }}</dd>
            <dt>"Contacts"</dt>
            <dd data-testid="coexistence-contacts">{format!("{} · {} contact(s) in {} webhook(s)", asked(sync.contacts_requested_at), sync.contacts, sync.contact_webhooks)}</dd>
            <dt>"Chat history"</dt>
            <dd data-testid="coexistence-history">
                {format!("{} · {} message(s) in {} webhook(s)", asked(sync.history_requested_at), sync.history_messages, sync.history_webhooks)}
                {sync.history_progress.map(|p| format!(" · {p}% done"))}
                {sync.history_error.clone().map(|e| view! { <div class="small error">{e}</div> })}
            </dd>
            <dt>"Sent from the app"</dt>
            <dd data-testid="coexistence-echoes">{format!("{} message(s) (smb_message_echoes)", sync.echoes)}</dd>
        </dl>
    </section>    }
}

/// The WABA's message templates and whether each can go through the MM API now, with the
/// reason when not (not marketing, not approved, still in Meta's ad sync).
#[component]
fn TemplatesCard(templates: Vec<TemplateView>, synced_at: Option<i64>) -> impl IntoView {
    let ready = templates.iter().filter(|t| t.ready).count();
    view! {
    <section class="card" data-testid="templates">
        <div class="card-head">
            <h2>"Message templates"</h2>
            <span class="muted small">{match synced_at {
                Some(at) => format!("{ready} of {} ready for the MM API · listed {}", templates.len(), format_time(at)),
                None => "not listed from Meta yet".to_string(),
            }}</span>
        </div>
        {if templates.is_empty() {
            view! { <p class="muted" data-testid="no-templates">"No templates known for this account."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                <table class="table">
                    <thead><tr><th>"Name"</th><th>"Language"</th><th>"Category"</th><th>"Status"</th><th>"MM API"</th></tr></thead>
                    <tbody>
                        {templates.into_iter().map(|t| view! {
                            <tr data-testid="template-row" data-name=t.name.clone() data-ready=t.ready.to_string()>
                                <td class="mono">{t.name.clone()}</td>
                                <td>{t.language.clone()}</td>
                                <td>
                                    {t.category.to_lowercase()}
                                    {t.correct_category.clone().map(|(future, at)| view! {
                                        <div class="small muted">{format!("Meta moves it to {} on {}", future.to_lowercase(), format_time(at))}</div>
                                    })}
                                </td>
                                <td>{t.status.to_lowercase()}</td>
                                <td>
                                    {if t.ready {
                                        view! { <span class="badge ok">"ready"</span> }.into_any()
                                    } else {
                                        view! { <span class="small muted" data-testid="template-reason">{t.reason.clone().unwrap_or_default()}</span> }.into_any()
                                    }}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any()
        }}
    </section>    }
}

#[component]
fn MessagesCard(metrics: Vec<DayMetrics>, failures: Vec<FailureCount>) -> impl IntoView {
    view! {
    <section class="card">
        <h2>"Messages (from Meta's status webhooks)"</h2>
        {if metrics.is_empty() {
            view! { <p class="muted" data-testid="no-metrics">"No message statuses yet."</p> }.into_any()
        } else {
            view! { <MessagesChart metrics=metrics.clone() /> }.into_any()
        }}
        {(!failures.is_empty()).then(|| view! {
            <h3 class="small">"Failures by error"</h3>
            <ul class="plain small" data-testid="failures">
                {failures.iter().map(|f| view! {
                    <li>{format!("{} · error {} · {}× ", f.day, f.code, f.count)}<span class="muted">{f.meaning.clone().unwrap_or_default()}</span></li>
                }).collect_view()}
            </ul>
        })}
    </section>    }
}

#[component]
fn TimelineCard(timeline: Vec<TimelineView>) -> impl IntoView {
    view! {
    <section class="card">
        <h2>"Timeline"</h2>
        <ul class="timeline" data-testid="timeline">
            {timeline.iter().map(|t| view! {
                <li>
                    <span class="muted small">{format_time(t.occurred_at)}</span>
                    <span class="badge">{t.kind.clone()}</span>
                    <span>{t.summary.clone()}</span>
                    <span class="muted small">" · " {t.actor.clone()}</span>
                </li>
            }).collect_view()}
        </ul>
    </section>    }
}

fn row_status_is(status: &Option<String>, wanted: &str) -> bool {
    status.as_deref() == Some(wanted)
}

#[component]
fn TestSendForm(waba_id: i64, ready: Vec<(String, String)>) -> impl IntoView {
    let send = ServerAction::<TestSend>::new();
    let language = ready
        .first()
        .map(|(_, l)| l.clone())
        .unwrap_or_else(|| "en_US".into());
    let none_ready = ready.is_empty();
    view! {
        <details class="test-send">
            <summary data-testid="open-test-send">"Send a test marketing message"</summary>
            <ActionForm action=send attr:class="form inline-form">
                <input type="hidden" name="waba_id" value=waba_id.to_string() />
                <label for="to">"Recipient (international format)"</label>
                <input id="to" name="to" placeholder="+55 11 91234 5678" required />
                <label for="template">"Marketing template ready for the MM API"</label>
                <select id="template" name="template" required data-testid="send-template">
                    {ready.iter().map(|(name, language)| view! {
                        <option value=name.clone()>{format!("{name} ({language})")}</option>
                    }).collect_view()}
                </select>
                {none_ready.then(|| view! {
                    <p class="small muted" data-testid="no-ready-template">"No marketing template is ready: the Message templates list above says why."</p>
                })}
                <label for="language">"Language code"</label>
                <input id="language" name="language" value=language />
                <label for="ttl_hours">"Time to live, hours (MM API only; empty = Meta's default)"</label>
                <input id="ttl_hours" name="ttl_hours" inputmode="numeric" />
                <label for="product_policy">"Product policy"</label>
                <select id="product_policy" name="product_policy">
                    <option value="">"Meta's default"</option>
                    <option value="CLOUD_API_FALLBACK">"CLOUD_API_FALLBACK: fall back to the Cloud API"</option>
                    <option value="STRICT">"STRICT: MM API only"</option>
                </select>
                <label class="check-inline"><input type="checkbox" name="activity_sharing" value="on" checked /> " Share click activity (message_activity_sharing)"</label>
                <button class="button" type="submit" data-testid="send-test" disabled=move || none_ready || send.pending().get()>
                    {move || if send.pending().get() { "Sending…" } else { "Send once" }}
                </button>
            </ActionForm>
            {move || send.value().get().map(|r| match r {
                Ok(text) => view! { <p class="alert ok" role="status" data-testid="send-result">{text}</p> }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert" data-testid="send-result">{e.to_string()}</p> }.into_any(),
            })}
        </details>
    }
}
