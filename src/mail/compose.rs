//! Each kind of mail to a business admin, in their language: a subject and paragraphs, as
//! plain text and as HTML made from the same paragraphs (every name and link escaped).

use app::i18n::{t_args, Lang};

use crate::db::{MailContact, Millis, NewMail};

/// What a business admin can be mailed about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// Right after the signup: the link back to the status page.
    StatusLink,
    /// Meta needs a payment method.
    ActionPayment,
    /// An Intent API request is waiting for the terms to be accepted.
    ActionTerms,
    /// The number was offboarded (a device change): reconnect it.
    ActionReconnect,
    /// Meta restricted the account.
    ActionRestricted,
    /// Ready to send marketing messages.
    Ready,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::StatusLink => "status_link",
            MailKind::ActionPayment => "action_payment",
            MailKind::ActionTerms => "action_terms",
            MailKind::ActionReconnect => "action_reconnect",
            MailKind::ActionRestricted => "action_restricted",
            MailKind::Ready => "ready",
        }
    }
}

/// What every mail needs besides its contact.
#[derive(Debug, Clone)]
pub struct MailContext {
    pub partner: String,
    /// The portal's public address, ending with `/`.
    pub public_url: url::Url,
}

const DAY_MILLIS: Millis = 24 * 3600 * 1000;

/// The mail of `kind` to `contact`, keyed so the same kind reaches them once a day (the
/// status link once ever).
pub fn compose(
    kind: MailKind,
    contact: &MailContact,
    context: &MailContext,
    now: Millis,
) -> NewMail {
    let lang = Lang::from_code(&contact.lang).unwrap_or_default();
    let tr = |key: &str, args: &[(&str, &str)]| t_args(lang, key, args);
    let partner = context.partner.as_str();
    let status_link = context
        .public_url
        .join(&format!(
            "status/{}?lang={}",
            contact.status_key,
            lang.code()
        ))
        .map(|u| u.to_string())
        .unwrap_or_default();
    let unsubscribe = context
        .public_url
        .join(&format!(
            "mail/unsubscribe/{}?lang={}",
            contact.status_key,
            lang.code()
        ))
        .map(|u| u.to_string())
        .unwrap_or_default();
    let account = contact.waba_name.clone().unwrap_or_default();
    let with_partner = [("partner", partner)];
    let (subject, intro, link_line): (String, Vec<String>, String) = match kind {
        MailKind::StatusLink => (
            tr("mail-status-link-subject", &with_partner),
            vec![tr("mail-status-link-intro", &with_partner)],
            tr("mail-status-link-keep", &[]),
        ),
        MailKind::Ready => (
            tr("mail-ready-subject", &[]),
            vec![tr(
                "mail-ready-intro",
                &[("partner", partner), ("account", &account)],
            )],
            tr("mail-ready-status", &[]),
        ),
        action => {
            let what = match action {
                MailKind::ActionPayment => "mail-action-payment",
                MailKind::ActionTerms => "mail-action-terms",
                MailKind::ActionReconnect => "mail-action-reconnect",
                _ => "mail-action-restricted",
            };
            (
                tr("mail-action-subject", &[]),
                vec![tr("mail-action-intro", &[]), tr(what, &[])],
                tr("mail-action-status", &[]),
            )
        }
    };
    let greeting = tr("mail-greeting", &[]);
    let signature = tr("mail-signature", &with_partner);
    let footer = tr("mail-footer", &with_partner);
    let unsubscribe_line = tr("mail-unsubscribe", &[("link", &unsubscribe)]);

    let mut text = vec![greeting.clone()];
    text.extend(intro.iter().cloned());
    // The status link sits on its own line so mail programs make it clickable.
    match kind {
        MailKind::StatusLink => {
            text.push(status_link.clone());
            text.push(link_line.clone());
        }
        _ => {
            text.push(link_line.clone());
            text.push(status_link.clone());
        }
    }
    text.push(signature.clone());
    text.push(format!("--\n{footer}\n{unsubscribe_line}"));

    let link_html = format!("<p><a href=\"{0}\">{0}</a></p>", escape(&status_link));
    let mut html = vec![format!("<p>{}</p>", escape(&greeting))];
    html.extend(intro.iter().map(|p| format!("<p>{}</p>", escape(p))));
    match kind {
        MailKind::StatusLink => {
            html.push(link_html);
            html.push(format!("<p>{}</p>", escape(&link_line)));
        }
        _ => {
            html.push(format!("<p>{}</p>", escape(&link_line)));
            html.push(link_html);
        }
    }
    html.push(format!("<p>{}</p>", escape(&signature)));
    html.push(format!(
        "<p style=\"color:#718096;font-size:12px\">{}<br><a href=\"{}\">{}</a></p>",
        escape(&footer),
        escape(&unsubscribe),
        escape(&tr("unsubscribe-confirm", &[])),
    ));

    let day = now / DAY_MILLIS;
    let dedupe_key = match kind {
        MailKind::StatusLink => format!("status_link:{}", contact.signup_id),
        other => format!("{}:{}:{day}", other.as_str(), contact.signup_id),
    };
    NewMail {
        kind: kind.as_str().into(),
        signup_id: Some(contact.signup_id),
        recipient: contact.email.clone(),
        lang: lang.code().into(),
        subject,
        text_body: text.join("\n\n") + "\n",
        html_body: format!(
            "<!DOCTYPE html><html lang=\"{}\"><body>{}</body></html>",
            lang.code(),
            html.join("\n")
        ),
        dedupe_key,
    }
}

/// The alert to a staff member that a WABA needs attention (`waba.needs_attention`: a
/// stopped pipeline step or a restriction), in English like the staff pages; at most one per
/// WABA and person a day.
pub fn staff_attention(
    recipient: &crate::db::StaffRecipient,
    data: &serde_json::Value,
    public_url: &url::Url,
    now: Millis,
) -> Option<NewMail> {
    let waba = data["waba_id"].as_str()?;
    let what = match data["reason"].as_str()? {
        "step_failed" => format!(
            "The onboarding step {} stopped: {}{}. Resume it from the WABA page once the cause is fixed.",
            data["step"].as_str().unwrap_or("?"),
            data["detail"].as_str().unwrap_or("no detail"),
            data["error_code"]
                .as_i64()
                .map(|code| format!(" (Graph error {code})"))
                .unwrap_or_default()
        ),
        "restricted" => format!(
            "Meta restricted the account (health: {}). The business was told to check Business Support Home.",
            data["account_health"].as_str().unwrap_or("unknown")
        ),
        _ => return None,
    };
    let page = public_url
        .join(&format!("wabas?q={waba}"))
        .map(|u| u.to_string())
        .unwrap_or_default();
    let account = public_url
        .join("account")
        .map(|u| u.to_string())
        .unwrap_or_default();
    let subject = format!("WABA {waba} needs attention");
    let footer =
        "You get this because email alerts are on for your account. Turn them off on My account:";
    let text = format!("{what}\n\n{page}\n\n--\n{footer} {account}\n");
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><body><p>{}</p><p><a href=\"{1}\">{1}</a></p>\
         <p style=\"color:#718096;font-size:12px\">{2} <a href=\"{3}\">{3}</a></p></body></html>",
        escape(&what),
        escape(&page),
        escape(footer),
        escape(&account),
    );
    Some(NewMail {
        kind: "staff_attention".into(),
        signup_id: None,
        recipient: recipient.email.clone(),
        lang: "en".into(),
        subject,
        text_body: text,
        html_body: html,
        dedupe_key: format!(
            "staff_attention:{}:{waba}:{}",
            recipient.id,
            now / DAY_MILLIS
        ),
    })
}

/// HTML-escapes text for element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(lang: &str, waba: &str) -> MailContact {
        MailContact {
            signup_id: 7,
            status_key: "key123".into(),
            email: "admin@shop.example".into(),
            lang: lang.into(),
            waba_name: Some(waba.into()),
        }
    }

    fn context() -> MailContext {
        MailContext {
            partner: "Acme <Partner>".into(),
            public_url: url::Url::parse("https://portal.example/").unwrap(),
        }
    }

    #[test]
    fn the_status_link_mail_carries_the_link_and_the_unsubscribe_link() {
        let mail = compose(MailKind::StatusLink, &contact("en", "Shop"), &context(), 0);
        assert_eq!(mail.recipient, "admin@shop.example");
        assert!(mail.subject.contains("Acme <Partner>"), "{}", mail.subject);
        assert!(mail
            .text_body
            .contains("https://portal.example/status/key123?lang=en"));
        assert!(mail
            .text_body
            .contains("https://portal.example/mail/unsubscribe/key123?lang=en"));
        assert_eq!(mail.dedupe_key, "status_link:7");
    }

    #[test]
    fn names_are_escaped_in_the_html_and_the_language_is_the_admins() {
        let mail = compose(
            MailKind::Ready,
            &contact("es", "<script>x</script>"),
            &context(),
            0,
        );
        assert!(!mail.html_body.contains("<script>"), "{}", mail.html_body);
        assert!(mail.html_body.contains("&lt;script&gt;"));
        assert!(mail.html_body.contains("Acme &lt;Partner&gt;"));
        assert!(mail
            .html_body
            .starts_with("<!DOCTYPE html><html lang=\"es\">"));
        assert_eq!(mail.lang, "es");
        assert_eq!(mail.subject, t_args(Lang::Es, "mail-ready-subject", &[]));
        assert!(
            mail.text_body.contains("<script>x</script>"),
            "plain text is as given"
        );
    }

    #[test]
    fn each_kind_once_a_day() {
        let today = compose(
            MailKind::ActionPayment,
            &contact("pt-BR", "W"),
            &context(),
            10,
        );
        let later = compose(
            MailKind::ActionPayment,
            &contact("pt-BR", "W"),
            &context(),
            10 + 3600 * 1000,
        );
        let tomorrow = compose(
            MailKind::ActionPayment,
            &contact("pt-BR", "W"),
            &context(),
            10 + DAY_MILLIS,
        );
        assert_eq!(today.dedupe_key, later.dedupe_key);
        assert_ne!(today.dedupe_key, tomorrow.dedupe_key);
        assert!(today
            .text_body
            .contains(&t_args(Lang::PtBr, "mail-action-payment", &[])));
    }

    #[test]
    fn a_stopped_step_alerts_staff_once_a_day_with_the_reason() {
        let staff = crate::db::StaffRecipient {
            id: 3,
            email: "ops@partner.test".into(),
        };
        let data = serde_json::json!({"waba_id": "1234", "reason": "step_failed",
            "step": "subscribe_webhooks", "detail": "<b>Permissions</b> error", "error_code": 200});
        let url = url::Url::parse("https://portal.example/").unwrap();
        let mail = staff_attention(&staff, &data, &url, 5).unwrap();
        assert_eq!(mail.recipient, "ops@partner.test");
        assert!(
            mail.text_body.contains("subscribe_webhooks stopped"),
            "{}",
            mail.text_body
        );
        assert!(mail.text_body.contains("(Graph error 200)"));
        assert!(mail
            .text_body
            .contains("https://portal.example/wabas?q=1234"));
        assert!(mail.html_body.contains("&lt;b&gt;Permissions"), "escaped");
        let later = staff_attention(&staff, &data, &url, 5 + 3600 * 1000).unwrap();
        assert_eq!(mail.dedupe_key, later.dedupe_key);
        let other = serde_json::json!({"waba_id": "1234", "reason": "something_new"});
        assert!(staff_attention(&staff, &other, &url, 5).is_none());
    }
}
