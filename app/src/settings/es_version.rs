//! Embedded Signup versions as Meta has them today (docs/meta/es-v4.md, Meta's "Versions"
//! and "Version 4" pages, read 2026-12-03): v4 (released 2025-10-08) is current and takes
//! its products, the Marketing Messages API among them, from the Facebook Login for Business
//! configuration, with an `extras` object that carries no `features`; v2 and v3 were
//! deprecated on 2026-10-15. The seeds' v3 launch (`features: [{"name":
//! "marketing_messages_lite"}]`, `version: "v3"`) still works, with a warning. One list, used
//! by the start-up check, the settings page and its validation.

/// The version new installs get.
pub const DEFAULT: &str = "v4";

/// Every version the portal can launch, newest first, with its label on /settings.
pub const VERSIONS: [(&str, &str); 2] = [
    (
        "v4",
        "v4 — current: Marketing Messages API chosen in the login configuration",
    ),
    (
        "v3",
        "v3 — deprecated by Meta on 2026-10-15: the MM feature sent in extras",
    ),
];

/// Whether the portal can launch `version`.
pub fn is_known(version: &str) -> bool {
    VERSIONS.iter().any(|(known, _)| *known == version)
}

/// The warning for a deprecated version, shown at start-up and on /settings.
pub fn deprecation(version: &str) -> Option<&'static str> {
    (version == "v3").then_some(
        "Embedded Signup v3 was deprecated by Meta on October 15, 2026 (with v2). Switch to v4: \
         create a Facebook Login for Business configuration with the Embedded Signup login \
         variation and the Marketing Messages API for WhatsApp product, put its id here and \
         choose v4.",
    )
}

/// What to select in Meta's App Dashboard for v4, said on /settings.
pub const V4_CONFIGURATION: &str = "For v4, the configuration decides the products: in the App \
    Dashboard open Facebook Login for Business → Configurations, create one with the login \
    variation “WhatsApp Embedded Signup”, select the product “Marketing Messages API for \
    WhatsApp” (Meta then adds the whatsapp_business_management and \
    whatsapp_business_messaging permissions and the WhatsApp Business account asset), and \
    paste its configuration id above.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_version_is_without_a_warning() {
        assert!(is_known(DEFAULT) && deprecation(DEFAULT).is_none());
        assert!(deprecation("v3").is_some());
        assert!(!is_known("v2"));
    }
}
