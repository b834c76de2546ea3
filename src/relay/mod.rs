//! The relay of Meta's webhooks to the partner's own systems. A Meta app has one callback URL;
//! pointed at the portal, it would cut the partner's messaging platform off from inbound
//! messages and statuses. So every verified delivery the portal stored is forwarded, byte for
//! byte from the durable inbox (never from memory) and after Meta got its 200, to each
//! destination whose fields it carries ([`dispatcher`]). Relaying reads the inbox; ingestion
//! writes nothing more for it, so it never slows or blocks ingestion.

pub mod dispatcher;
pub mod feed;
pub mod inbox;
pub mod service;
pub mod standard_webhooks;

use url::Url;

use crate::db::SecretSlot;

/// How deliveries to a destination are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// `X-Hub-Signature-256` with the app secret, over the exact bytes: the partner's existing
    /// Meta handler works unchanged when pointed at the relay.
    Meta,
    /// Standard Webhooks headers with a secret of the destination's own.
    Own,
}

impl Signing {
    pub fn parse(text: &str) -> Option<Signing> {
        match text {
            "meta" => Some(Signing::Meta),
            "own" => Some(Signing::Own),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Signing::Meta => "meta",
            Signing::Own => "own",
        }
    }
}

/// Where a destination's own signing secret is sealed.
pub fn secret_slot(destination_id: i64) -> SecretSlot {
    SecretSlot {
        owner_kind: "relay_destination".into(),
        owner_id: destination_id.to_string(),
        purpose: "signing_secret".into(),
    }
}

/// Meta's webhook fields a destination asks for, or every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fields {
    All,
    Some(Vec<String>),
}

impl Fields {
    /// From a request's list: `["*"]` or field names (letters, digits, `_`), at most 50.
    pub fn parse(list: &[String]) -> Result<Fields, String> {
        if list.is_empty() {
            return Err("`fields` needs at least one field, or [\"*\"] for every field.".into());
        }
        if list.len() > 50 {
            return Err("`fields` takes at most 50 fields.".into());
        }
        if list.iter().any(|f| f == "*") {
            return Ok(Fields::All);
        }
        for field in list {
            let valid = !field.is_empty()
                && field.len() <= 64
                && field
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid {
                return Err(format!(
                    "`fields` holds {field:?}: Meta's webhook fields are lowercase letters, digits \
                     and `_` (e.g. \"messages\", \"account_update\"), or \"*\"."
                ));
            }
        }
        let mut fields = list.to_vec();
        fields.sort();
        fields.dedup();
        Ok(Fields::Some(fields))
    }

    /// As stored: a JSON array.
    pub fn to_json(&self) -> String {
        match self {
            Fields::All => r#"["*"]"#.into(),
            Fields::Some(fields) => serde_json::to_string(fields).unwrap_or_default(),
        }
    }

    pub fn from_json(text: &str) -> Fields {
        let list: Vec<String> = serde_json::from_str(text).unwrap_or_default();
        Fields::parse(&list).unwrap_or(Fields::All)
    }

    pub fn list(&self) -> Vec<String> {
        match self {
            Fields::All => vec!["*".into()],
            Fields::Some(fields) => fields.clone(),
        }
    }

    /// Whether a delivery (Meta's `{"object", "entry": [{"changes": [{"field"}]}]}`) carries
    /// one of the fields. A body that is not of that shape goes only to `["*"]`.
    pub fn matches(&self, body: &[u8]) -> bool {
        let Fields::Some(wanted) = self else {
            return true;
        };
        #[derive(serde::Deserialize)]
        struct Delivery {
            #[serde(default)]
            entry: Vec<Entry>,
        }
        #[derive(serde::Deserialize)]
        struct Entry {
            #[serde(default)]
            changes: Vec<Change>,
        }
        #[derive(serde::Deserialize)]
        struct Change {
            field: Option<String>,
        }
        serde_json::from_slice::<Delivery>(body).is_ok_and(|delivery| {
            delivery.entry.iter().any(|entry| {
                entry.changes.iter().any(|change| {
                    change
                        .field
                        .as_ref()
                        .is_some_and(|field| wanted.binary_search(field).is_ok())
                })
            })
        })
    }
}

/// Checks a destination address: http(s) with a host, not the portal itself (a loop; the
/// sandbox's sink excepted), and not a loopback address outside sandbox mode. `portal` is
/// every address the portal answers on.
pub fn check_url(text: &str, portal: &[Url], sandbox: bool) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`url` is not an absolute URL ({e})."))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!(
            "`url` must be http or https, not {}:.",
            url.scheme()
        ));
    }
    let Some(host) = url.host_str() else {
        return Err("`url` has no host.".into());
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err("`url` must not carry a user name or password.".into());
    }
    let same_origin = |other: &Url| {
        other.host_str() == Some(host)
            && other.port_or_known_default() == url.port_or_known_default()
    };
    // The sandbox's own sink receives and never forwards: no loop.
    let sink = sandbox && url.path().starts_with("/sandbox/sink/");
    if portal.iter().any(same_origin) && !sink {
        return Err("`url` points at this portal itself: relaying there would loop.".into());
    }
    let loopback = host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    if loopback && !sandbox {
        return Err("`url` is a loopback address; those are allowed in sandbox mode only.".into());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_match_the_changes_a_delivery_carries() {
        let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{}}]}]}"#;
        let messages = Fields::parse(&["messages".into()]).unwrap();
        let updates = Fields::parse(&["account_update".into()]).unwrap();
        assert!(messages.matches(body));
        assert!(!updates.matches(body));
        assert!(Fields::All.matches(body));
        assert!(!messages.matches(b"not json"));
        assert_eq!(Fields::from_json(&messages.to_json()), messages);
        assert!(Fields::parse(&[]).is_err());
        assert!(Fields::parse(&["Messages!".into()])
            .unwrap_err()
            .contains("Messages!"));
        assert_eq!(
            Fields::parse(&["*".into(), "x".into()]).unwrap(),
            Fields::All
        );
    }

    #[test]
    fn urls_are_http_not_the_portal_and_loopback_only_in_sandbox() {
        let portal = [Url::parse("http://127.0.0.1:3000/").unwrap()];
        assert!(check_url("ftp://example.com/x", &portal, true)
            .unwrap_err()
            .contains("http or https"));
        assert!(check_url("http://127.0.0.1:3000/hook", &portal, true)
            .unwrap_err()
            .contains("loop"));
        assert!(check_url("http://127.0.0.1:4000/hook", &portal, true).is_ok());
        assert!(check_url("http://127.0.0.1:3000/sandbox/sink/crm", &portal, true).is_ok());
        assert!(check_url("http://127.0.0.1:3000/sandbox/sink/crm", &portal, false).is_err());
        assert!(check_url("http://127.0.0.1:4000/hook", &portal, false)
            .unwrap_err()
            .contains("sandbox"));
        assert!(check_url("https://crm.example.com/meta", &portal, false).is_ok());
        assert!(check_url("not a url", &portal, true).is_err());
    }
}
