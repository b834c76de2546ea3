//! The audit log of staff actions (admins only).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::staff::api::audit_log;

#[component]
pub fn AuditPage() -> impl IntoView {
    let entries = Resource::new(|| (), |_| audit_log(None));
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || entries.get().map(|result| match result {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(rows) => view! {
                    <div class="card table-card">
                        <table class="table" data-testid="audit-table">
                            <thead><tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"Target"</th><th>"From"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td class="small">{format_time(r.occurred_at)}</td>
                                        <td>{r.actor}</td>
                                        <td><span class="badge">{r.action}</span></td>
                                        <td>{r.target.unwrap_or_default()}</td>
                                        <td class="small muted">{r.ip.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Transition>
    }
}
