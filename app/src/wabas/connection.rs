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
        }
    }
}
