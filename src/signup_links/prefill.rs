//! What a signup link pre-fills in Meta's Embedded Signup: the `extras.setup` object of
//! `FB.login`, in Meta's own field names (docs/meta/prefill.md), so the
//! partner's platform can send what it already knows about the customer and the business
//! portfolio and phone screens open filled in.
//!
//! Strict on purpose: an unknown field is refused (`deny_unknown_fields`), every text has a
//! length limit, and what is stored is re-serialized from these types, never the caller's
//! bytes: the prefill is handed to every browser that opens the link.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Meta's `extras.setup`: business portfolio data and phone profile data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prefill {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<BusinessPrefill>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhonePrefill>,
}

/// The business portfolio screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessPrefill {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The business's phone (the pre-verified number), as country code and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumberPrefill>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressPrefill>,
    /// E.g. `UTC-03:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneNumberPrefill {
    /// The country calling code, digits only (`55`).
    pub code: String,
    /// The national number, digits only.
    pub number: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddressPrefill {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_postal: Option<String>,
    /// ISO 3166-1 alpha-2 (`BR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The phone profile the number gets in WhatsApp.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PhonePrefill {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Meta's business category, e.g. `RETAIL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

const MAX_TEXT: usize = 200;
const MAX_DESCRIPTION: usize = 512;

/// `Ok` when every field is within its limits; `Err` names the first one that is not (its
/// path in the request body) and what to fix.
pub fn validate(prefill: &Prefill) -> Result<(), String> {
    if let Some(business) = &prefill.business {
        text("prefill.business.name", &business.name, MAX_TEXT)?;
        text("prefill.business.email", &business.email, MAX_TEXT)?;
        if let Some(email) = &business.email {
            let (local, domain) = email.split_once('@').unwrap_or_default();
            if local.is_empty() || !domain.contains('.') || email.contains(char::is_whitespace) {
                return Err("prefill.business.email: not an email address".into());
            }
        }
        text("prefill.business.website", &business.website, MAX_TEXT)?;
        if let Some(website) = &business.website {
            if !(website.starts_with("https://") || website.starts_with("http://")) {
                return Err("prefill.business.website: must start with https:// or http://".into());
            }
        }
        text("prefill.business.timezone", &business.timezone, 64)?;
        if let Some(phone) = &business.phone {
            digits("prefill.business.phone.code", &phone.code, 1, 4)?;
            digits("prefill.business.phone.number", &phone.number, 4, 15)?;
        }
        if let Some(address) = &business.address {
            for (name, value) in [
                ("streetAddress1", &address.street_address1),
                ("streetAddress2", &address.street_address2),
                ("city", &address.city),
                ("state", &address.state),
                ("zipPostal", &address.zip_postal),
            ] {
                text(&format!("prefill.business.address.{name}"), value, MAX_TEXT)?;
            }
            if let Some(country) = &address.country {
                if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(
                        "prefill.business.address.country: two capital letters (ISO 3166-1), e.g. BR"
                            .into(),
                    );
                }
            }
        }
    }
    if let Some(phone) = &prefill.phone {
        text("prefill.phone.displayName", &phone.display_name, MAX_TEXT)?;
        text("prefill.phone.category", &phone.category, 64)?;
        text(
            "prefill.phone.description",
            &phone.description,
            MAX_DESCRIPTION,
        )?;
    }
    Ok(())
}

fn text(field: &str, value: &Option<String>, max: usize) -> Result<(), String> {
    match value {
        Some(v) if v.trim().is_empty() => Err(format!("{field}: empty; leave it out instead")),
        Some(v) if v.chars().count() > max => Err(format!("{field}: at most {max} characters")),
        Some(v) if v.chars().any(char::is_control) => {
            Err(format!("{field}: control characters are not allowed"))
        }
        _ => Ok(()),
    }
}

fn digits(field: &str, value: &str, min: usize, max: usize) -> Result<(), String> {
    if (min..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("{field}: {min} to {max} digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_field_names_round_trip_and_unknown_fields_are_refused() {
        let body = r#"{"business":{"name":"Acme","email":"a@acme.example",
            "phone":{"code":"55","number":"11987654321"},"website":"https://acme.example",
            "address":{"streetAddress1":"Rua A 1","city":"São Paulo","state":"SP",
                       "zipPostal":"01000-000","country":"BR"},"timezone":"UTC-03:00"},
            "phone":{"displayName":"Acme","category":"RETAIL","description":"Shoes"}}"#;
        let prefill: Prefill = serde_json::from_str(body).unwrap();
        validate(&prefill).unwrap();
        let again = serde_json::to_value(&prefill).unwrap();
        assert_eq!(again["business"]["address"]["zipPostal"], "01000-000");
        assert_eq!(again["phone"]["displayName"], "Acme");
        let unknown = serde_json::from_str::<Prefill>(r#"{"business":{"nmae":"x"}}"#);
        assert!(unknown.unwrap_err().to_string().contains("nmae"));
    }

    #[test]
    fn bad_values_name_their_field() {
        let bad = |json: &str| validate(&serde_json::from_str(json).unwrap()).unwrap_err();
        assert!(bad(r#"{"business":{"email":"nope"}}"#).starts_with("prefill.business.email"));
        assert!(bad(r#"{"business":{"website":"javascript:alert(1)"}}"#)
            .starts_with("prefill.business.website"));
        assert!(bad(r#"{"business":{"phone":{"code":"+55","number":"1"}}}"#)
            .starts_with("prefill.business.phone.code"));
        assert!(bad(r#"{"business":{"address":{"country":"Brazil"}}}"#)
            .starts_with("prefill.business.address.country"));
        let long = format!(r#"{{"phone":{{"description":"{}"}}}}"#, "x".repeat(600));
        assert!(bad(&long).starts_with("prefill.phone.description"));
    }
}
