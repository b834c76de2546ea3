//! Whether a template can be sent through the MM API now, and if not, why — in the words staff
//! read beside the test send. Meta: only `MARKETING` templates (134100 / 131055 otherwise),
//! only approved ones, and a new or newly approved marketing template needs up to 10 minutes
//! of ad sync first (134101), docs/meta/templates.md.

use app::wabas::port::TemplateView;

use crate::db::{Millis, Template};

/// The view of `template` at `now`, with its readiness and the reason when not ready.
pub fn view(template: &Template, now: Millis) -> TemplateView {
    let refusal = refusal(template, now);
    TemplateView {
        meta_template_id: template.meta_template_id.clone(),
        name: template.name.clone(),
        language: template.language.clone(),
        category: template.category.clone(),
        status: template.status.clone(),
        ready_at: template.ready_at,
        ready: refusal.is_none(),
        reason: refusal,
        correct_category: template
            .correct_category
            .clone()
            .zip(template.category_changes_at),
    }
}

/// Why `template` cannot be sent through the MM API at `now`; `None` when it can.
pub fn refusal(template: &Template, now: Millis) -> Option<String> {
    if !template.category.eq_ignore_ascii_case("MARKETING") {
        let category = if template.category.is_empty() {
            "uncategorised".to_string()
        } else {
            template.category.to_lowercase()
        };
        return Some(format!(
            "a {category} template: the MM API sends marketing templates only"
        ));
    }
    if template.status != "APPROVED" {
        return Some(format!(
            "{}: only approved templates can be sent",
            template.status.to_lowercase()
        ));
    }
    if now < template.ready_at {
        return Some(format!(
            "syncing for the MM API until {} (Meta: up to 10 minutes after it is created or approved)",
            app::components::live::format_time(template.ready_at)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(category: &str, status: &str, ready_at: Millis) -> Template {
        Template {
            meta_template_id: "1".into(),
            name: "spring_sale".into(),
            language: "en_US".into(),
            category: category.into(),
            status: status.into(),
            correct_category: None,
            category_changes_at: None,
            first_seen_at: 0,
            ready_at,
            updated_at: 0,
        }
    }

    #[test]
    fn only_approved_synced_marketing_templates_are_ready() {
        assert_eq!(refusal(&template("MARKETING", "APPROVED", 100), 100), None);
        let utility = refusal(&template("UTILITY", "APPROVED", 0), 100).unwrap();
        assert!(utility.contains("utility template"), "{utility}");
        let pending = refusal(&template("MARKETING", "PENDING", 0), 100).unwrap();
        assert!(pending.starts_with("pending"), "{pending}");
        let syncing = refusal(&template("MARKETING", "APPROVED", 200), 100).unwrap();
        assert!(syncing.contains("syncing"), "{syncing}");
    }
}
