//! The Embedded Signup settings: defaults from the environment, overridden by what an admin
//! saved on `/settings` (table `portal_settings`, key [`KEY`]). Read on every signup page
//! load, so a change applies at once on every instance.

use app::settings::port::EsSettings;

use crate::db::SettingStore;

pub const KEY: &str = "embedded_signup";

pub const FEATURE_TYPES: &[&str] = &["", "whatsapp_business_app_onboarding", "only_waba_sharing"];

/// What is wrong with `settings`, one sentence per problem.
pub fn problems(settings: &EsSettings) -> Vec<String> {
    let mut problems = Vec::new();
    let name = settings.partner_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        problems.push("The partner name must have 1 to 80 characters.".to_string());
    }
    if settings.config_id.is_empty() || !settings.config_id.chars().all(|c| c.is_ascii_digit()) {
        problems.push(
            "The configuration id must be the numeric id from Facebook Login for Business."
                .to_string(),
        );
    }
    if !FEATURE_TYPES.contains(&settings.feature_type.as_str()) {
        problems
            .push("The flow must be the default, coexistence or WABA sharing only.".to_string());
    }
    if !app::settings::es_version::is_known(&settings.es_version) {
        problems.push("The Embedded Signup version must be v4 (or the deprecated v3).".to_string());
    }
    if settings
        .solution_id
        .as_deref()
        .is_some_and(|s| !s.chars().all(|c| c.is_ascii_digit()))
    {
        problems.push("The solution id must be numeric.".to_string());
    }
    problems
}

/// The settings in force: the saved ones, else `defaults`.
pub async fn effective(store: &dyn SettingStore, defaults: &EsSettings) -> EsSettings {
    match store.setting_get(KEY).await {
        Ok(Some(text)) => serde_json::from_str::<EsSettings>(&text)
            .ok()
            .filter(|saved| problems(saved).is_empty())
            .unwrap_or_else(|| defaults.clone()),
        _ => defaults.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> EsSettings {
        EsSettings {
            partner_name: "Acme Partner".into(),
            config_id: "200000000000002".into(),
            feature_type: String::new(),
            es_version: "v3".into(),
            solution_id: None,
        }
    }

    #[test]
    fn each_field_is_checked() {
        assert!(problems(&good()).is_empty());
        let mut bad = good();
        bad.partner_name = " ".into();
        bad.config_id = "abc".into();
        bad.feature_type = "everything".into();
        bad.es_version = "v2".into();
        bad.solution_id = Some("x1".into());
        assert_eq!(problems(&bad).len(), 5);
    }
}
