//! Settings → Partner API (admins): the keys the partner's own systems call `/api/v1` with —
//! make one with its scopes (shown once), rotate it with a grace period, revoke it — and the
//! switch that lets keys with `tokens:read` take business tokens.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api_keys::api::{
    api_keys, token_handoff, CreateApiKey, RevokeApiKey, RotateApiKey, SetTokenHandoff,
};
use crate::api_keys::port::{ApiKeyView, KeyState, NewKey, Scope};
use crate::components::live::format_time;
use crate::components::signin_required::Refused;
use crate::error::AppError;

/// Field name of a scope's checkbox in the create form (the server function's argument).
fn field(scope: Scope) -> &'static str {
    match scope {
        Scope::WabasRead => "wabas_read",
        Scope::SignupsRead => "signups_read",
        Scope::SignupsWrite => "signups_write",
        Scope::IntentsWrite => "intents_write",
        Scope::TokensRead => "tokens_read",
        Scope::EventsManage => "events_manage",
    }
}

#[component]
pub fn ApiKeysSection() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let rotate = ServerAction::<RotateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || {
            (
                create.version().get(),
                rotate.version().get(),
                revoke.version().get(),
            )
        },
        |_| api_keys(),
    );
    view! {
        <section class="card settings" data-testid="api-keys">
            <h2>"Partner API"</h2>
            <p class="muted">
                "Keys for your own systems (CRM, messaging platform) to call "
                <code>"/api/v1"</code>" with "<code>"Authorization: Bearer …"</code>". "
                <a href="/api/v1/docs">"API reference"</a>" · "
                <a href="/api/v1/openapi.json">"OpenAPI document"</a>
            </p>
            <NewKeyShown result=create.value() />
            <NewKeyShown result=rotate.value() />
            {move || revoke.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="alert error" role="alert">{e.to_string()}</p>
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || keys.get().map(|r| match r {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="muted" data-testid="no-api-keys">"No keys yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <KeyTable list rotate revoke /> }.into_any(),
                })}
            </Transition>
            <ActionForm action=create attr:class="form">
                <h3>"Make a key"</h3>
                <label for="api_key_name">"Name"</label>
                <input id="api_key_name" name="name" placeholder="CRM production" maxlength="100" required data-testid="api-key-name" />
                <fieldset class="scopes">
                    <legend>"Scopes"</legend>
                    {Scope::ALL.map(|scope| view! {
                        <label class="scope-option">
                            <input type="checkbox" name=field(scope) value="on" data-testid=format!("scope-{}", scope.as_str()) />
                            <code>{scope.as_str()}</code>
                            <span class="small muted">{scope.help()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <button class="button" type="submit" data-testid="create-api-key" disabled=move || create.pending().get()>"Make key"</button>
            </ActionForm>
            <TokenHandoff />
        </section>
    }
}

/// The secret of a key just made or rotated, shown once; or why it was not made.
#[component]
fn NewKeyShown(#[prop(into)] result: Signal<Option<Result<NewKey, AppError>>>) -> impl IntoView {
    move || {
        result.get().map(|r| match r {
            Ok(made) => view! {
                <div class="alert ok" role="status" data-testid="new-api-key">
                    {format!("Key “{}” ({}) — copy it now, it is shown only once: ", made.key.name, made.key.prefix)}
                    <code class="secret" data-testid="new-api-key-value">{made.secret}</code>
                </div>
            }
            .into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="api-key-error">{e.to_string()}</p> }.into_any(),
        })
    }
}

#[component]
fn KeyTable(
    list: Vec<ApiKeyView>,
    rotate: ServerAction<RotateApiKey>,
    revoke: ServerAction<RevokeApiKey>,
) -> impl IntoView {
    view! {
        <div class="table-card">
            <table class="table compact">
                <thead>
                    <tr><th>"Key"</th><th>"Scopes"</th><th>"State"</th><th>"Last used"</th><th></th></tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|key| {
                        let id = key.id.to_string();
                        let revoke_id = id.clone();
                        let live = matches!(key.state, KeyState::Active | KeyState::Expiring);
                        let state = match (key.state, key.expires_at) {
                            (KeyState::Expiring, Some(at)) => format!("Rotated; works until {}", format_time(at)),
                            (state, _) => state.label().to_string(),
                        };
                        view! {
                            <tr data-testid="api-key-row" data-prefix=key.prefix.clone() class:muted=!live>
                                <td>
                                    <strong>{key.name}</strong>
                                    <div class="small mono">{format!("{}_…", key.prefix)}</div>
                                    <div class="small muted">{format!("made {} by {}", format_time(key.created_at), key.created_by)}</div>
                                </td>
                                <td class="small mono">{key.scopes.join(", ")}</td>
                                <td class="small" data-testid="api-key-state">{state}</td>
                                <td class="small muted">{key.last_used_at.map(format_time).unwrap_or_else(|| "never".into())}</td>
                                <td>
                                    {(key.state == KeyState::Active).then(|| view! {
                                        <ActionForm action=rotate attr:class="row-form">
                                            <input type="hidden" name="id" value=id.clone() />
                                            <input type="hidden" name="grace_hours" value="24" />
                                            <button class="button secondary small" type="submit" title="A new key; this one keeps working for 24 hours" data-testid="rotate-api-key">"Rotate"</button>
                                        </ActionForm>
                                    })}
                                    {live.then(|| view! {
                                        <ActionForm action=revoke attr:class="row-form">
                                            <input type="hidden" name="id" value=revoke_id.clone() />
                                            <button class="button danger small" type="submit" title="Ends the key at once" data-testid="revoke-api-key">"Revoke"</button>
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

#[component]
fn TokenHandoff() -> impl IntoView {
    let set = ServerAction::<SetTokenHandoff>::new();
    let on = Resource::new(move || set.version().get(), |_| token_handoff());
    view! {
        <div class="handoff" data-testid="token-handoff">
            <h3>"Business token hand-off"</h3>
            <p class="small muted">
                "Lets keys with "<code>"tokens:read"</code>" take a WABA's business token ("
                <code>"POST /api/v1/wabas/{waba_id}/token"</code>") for your sending platform. Every hand-off is in the audit log."
            </p>
            <Transition fallback=|| ()>
                {move || on.get().map(|r| match r {
                    Err(e) => view! { <Refused error=e /> }.into_any(),
                    Ok(enabled) => view! {
                        <ActionForm action=set attr:class="row-form">
                            <input type="hidden" name="on" value=(!enabled).to_string() />
                            <span data-testid="token-handoff-state">{if enabled { "On. " } else { "Off. " }}</span>
                            <button class="button secondary small" type="submit" data-testid="toggle-token-handoff">
                                {if enabled { "Turn off" } else { "Turn on" }}
                            </button>
                        </ActionForm>
                    }.into_any(),
                })}
            </Transition>
        </div>
    }
}
