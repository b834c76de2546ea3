//! A WABA's connection to this partner, in the five words the product uses in every layer
//! (list badge and filter, WABA page, the partner API's `connection`, the public status page,
//! the portal events): Meta's `account_update` lifecycle events (docs/meta/offboarding.md)
//! mapped onto one state each. `None` in the database reads as `connected`: no event has
//! spoken of the WABA yet, and a signup or discovery found it shared with the partner.

/// Every value, in the order the list's filter offers them.
pub const CONNECTIONS: [&str; 5] = [
    "connected",
    "offboarded",
    "removed",
    "uninstalled",
    "deleted",
];

/// The stored state as one of [`CONNECTIONS`].
pub fn connection_of(state: Option<&str>) -> &'static str {
    match state {
        Some("offboarded") => "offboarded",
        Some("removed") => "removed",
        Some("uninstalled") => "uninstalled",
        Some("deleted") => "deleted",
        _ => "connected",
    }
}

/// Whether the business token may be used: Meta stops honouring it once the business removed
/// the partner, uninstalled its app or deleted the WABA. An offboarded WABA keeps its token,
/// but nothing can be done on it until Meta reports it reconnected.
pub fn token_usable(state: Option<&str>) -> Result<(), &'static str> {
    match connection_of(state) {
        "connected" => Ok(()),
        other => Err(staff_reason(other)),
    }
}

/// What the state means, for partner staff.
pub fn staff_reason(connection: &str) -> &'static str {
    match connection {
        "offboarded" => "Meta offboarded this account after a device change or a number re-registration (ACCOUNT_OFFBOARDED); onboarding resumes when Meta reports it reconnected.",
        "removed" => "The business removed this partner from its account (PARTNER_REMOVED); its business token is no longer used.",
        "uninstalled" => "The business uninstalled this partner's app (PARTNER_APP_UNINSTALLED); its business token is no longer used.",
        "deleted" => "The account was deleted (ACCOUNT_DELETED); its business token is no longer used.",
        _ => "Connected to this partner.",
    }
}

/// What the state means, in plain words for the business admin on the status page; `None`
/// when connected (nothing to say).
pub fn business_words(connection: &str) -> Option<&'static str> {
    match connection {
        "offboarded" => Some("Your WhatsApp number was disconnected from us after a change of phone or a new registration of the number. Open the WhatsApp Business app on your phone and reconnect it; setup continues by itself once it is back."),
        "removed" => Some("Your WhatsApp Business account is no longer shared with us, so we cannot send marketing messages for you. To start again, connect your account once more from the signup page."),
        "uninstalled" => Some("Our app's access to your WhatsApp Business account was removed, so we cannot send messages for you. To start again, connect your account once more from the signup page."),
        "deleted" => Some("This WhatsApp Business account was deleted. To use marketing messages, connect another account from the signup page."),
        _ => None,
    }
}

/// The badge class of the state in staff pages.
pub fn badge_class(connection: &str) -> &'static str {
    match connection {
        "connected" => "badge ok",
        "offboarded" => "badge warn",
        _ => "badge bad",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_state_reads_as_one_word_and_only_connected_uses_the_token() {
        assert_eq!(connection_of(None), "connected");
        assert_eq!(connection_of(Some("something-new")), "connected");
        for word in CONNECTIONS {
            assert_eq!(connection_of(Some(word)), word);
            assert_eq!(token_usable(Some(word)).is_ok(), word == "connected");
            assert_eq!(business_words(word).is_none(), word == "connected");
        }
    }
}
