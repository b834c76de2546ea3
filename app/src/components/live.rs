//! Small shared pieces of the staff pages: a ticker that makes resources re-read the server
//! (live updates, whichever instance changed the data), times, and status badges.

use leptos::prelude::*;

/// A signal that changes every `ms` milliseconds in the browser (never on the server).
pub fn use_ticker(ms: u64) -> ReadSignal<u32> {
    let (tick, set_tick) = signal(0u32);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_tick.update(|t| *t = t.wrapping_add(1)),
            std::time::Duration::from_millis(ms),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    tick
}

/// `2026-11-26 20:31 UTC` from Unix milliseconds (no time-zone database in the browser bundle).
pub fn format_time(millis: i64) -> String {
    let rest = millis.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        crate::calendar::utc_day(millis),
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// What each onboarding status means, for the badge's tooltip.
pub fn status_help(status: &str) -> &'static str {
    match status {
        "ONBOARDED" => "Onboarded: the business signed the MM API terms and can send marketing messages.",
        "ELIGIBLE" => "Eligible: can be onboarded; waiting for the business to accept the terms.",
        "PENDING_INTERNAL_SETUP" => "Meta is finishing its setup of the account; usually minutes.",
        "PENDING_VALID_PAYMENT_METHOD" => "The business must add a valid payment method to the WABA.",
        "INELIGIBLE_ON_BEHALF_OF_WABA" => "Owned on behalf of the business by a partner (OBO): ownership must move to the business first.",
        "INELIGIBLE_INACTIVE_OR_RESTRICTED" => "The account is inactive or restricted by Meta.",
        "INELIGIBLE_COUNTRY_NOT_SUPPORTED" => "MM API is not available in the business's country.",
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP" => "The number is only on the WhatsApp Business app.",
        _ => "A status this portal does not know yet; shown as Meta sent it.",
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "ONBOARDED" => "badge ok",
        "ELIGIBLE" | "PENDING_INTERNAL_SETUP" => "badge info",
        "PENDING_VALID_PAYMENT_METHOD" => "badge warn",
        s if s.starts_with("INELIGIBLE") => "badge bad",
        _ => "badge",
    }
}

#[component]
pub fn StatusBadge(status: Option<String>) -> impl IntoView {
    let text = status.unwrap_or_else(|| "UNKNOWN".into());
    let help = status_help(&text);
    view! {
        <span class=status_class(&text) title=help data-testid="status-badge">
            {text.replace('_', " ").to_lowercase()}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_795_725_060_000), "2026-11-26 20:31 UTC");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
