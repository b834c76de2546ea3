//! Admin settings: how the public signup page launches Embedded Signup, the webhook verify
//! token, and staff accounts. Saved settings apply at once, on every instance.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api_keys::section::ApiKeysSection;
use crate::components::signin_required::Refused;
use crate::relay::section::RelaySection;
use crate::settings::api::{es_settings, SaveEsSettings};
use crate::settings::es_version::{deprecation, V4_CONFIGURATION, VERSIONS};
use crate::settings::port::EsSettings;
use crate::settings::webhook_token::WebhookTokenSection;
use crate::staff::accounts::StaffAccountsSection;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveEsSettings>::new();
    let current = Resource::new(move || save.version().get(), |_| es_settings());
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        {move || save.value().get().map(|r| match r {
            Ok(text) => view! { <p class="alert ok" role="status" data-testid="settings-result">{text}</p> }.into_any(),
            Err(e) => view! { <p class="alert error" role="alert" data-testid="settings-result">{e.to_string()}</p> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || current.get().map(|r| match r {
                Err(e) => view! { <Refused error=e /> }.into_any(),
                Ok(settings) => view! {
                    <EsForm settings save />
                    <WebhookTokenSection />
                    <ApiKeysSection />
                    <RelaySection />
                    <StaffAccountsSection />
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn EsForm(settings: EsSettings, save: ServerAction<SaveEsSettings>) -> impl IntoView {
    let flows = [
        ("", "Default: new or existing WhatsApp Business Account"),
        (
            "whatsapp_business_app_onboarding",
            "Coexistence: numbers that stay on the WhatsApp Business app",
        ),
        ("only_waba_sharing", "WABA sharing only"),
    ];
    view! {
        <section class="card settings">
            <h2>"Embedded Signup"</h2>
            <p class="muted">"What the public signup page (/signup) launches: Meta's Embedded Signup with the Marketing Messages API (from the login configuration in v4, as the marketing_messages_lite feature in v3)."</p>
            {deprecation(&settings.es_version).map(|warning| view! {
                <p class="alert warn" role="alert" data-testid="es-deprecated">{warning}</p>
            })}
            <ActionForm action=save attr:class="form">
                <label for="partner_name">"Partner name shown to businesses"</label>
                <input id="partner_name" name="partner_name" value=settings.partner_name.clone() required />
                <label for="config_id">"Facebook Login for Business configuration id"</label>
                <input id="config_id" name="config_id" value=settings.config_id.clone() inputmode="numeric" required />
                <label for="feature_type">"Flow (featureType)"</label>
                <select id="feature_type" name="feature_type" data-testid="feature-type">
                    {flows.iter().map(|(value, label)| view! {
                        <option value=*value selected=settings.feature_type == *value>{*label}</option>
                    }).collect_view()}
                </select>
                <label for="es_version">"Embedded Signup version"</label>
                <select id="es_version" name="es_version" data-testid="es-version">
                    {VERSIONS.iter().map(|(value, label)| view! {
                        <option value=*value selected=settings.es_version == *value>{*label}</option>
                    }).collect_view()}
                </select>
                <p class="small muted" data-testid="es-v4-note">{V4_CONFIGURATION}</p>
                <label for="solution_id">"Multi-partner solution id (optional)"</label>
                <input id="solution_id" name="solution_id" value=settings.solution_id.clone().unwrap_or_default() inputmode="numeric" />
                <button class="button" type="submit" data-testid="save-settings" disabled=move || save.pending().get()>"Save"</button>
            </ActionForm>
        </section>
    }
}
