//! The staff page's and the public signup page's port onto [`SignupLinksService`].

use app::error::AppError;
use app::signup_links::port::{LinkLaunch, NewLinkForm, SignupLinkView, SignupLinksPort};
use app::staff::port::StaffIdentity;

use super::prefill::{BusinessPrefill, PhoneNumberPrefill, Prefill};
use super::{state, Actor, LinkRequest, Refusal, SignupLinksService};
use crate::db::{now_millis, SignupLinkRow};

/// Links per page of the staff list.
const PAGE: i64 = 50;

impl SignupLinksService {
    /// A link as staff see it.
    pub fn view(&self, link: &SignupLinkRow, now: i64) -> SignupLinkView {
        let business_name = link
            .prefill
            .as_deref()
            .and_then(|p| serde_json::from_str::<Prefill>(p).ok())
            .and_then(|p| p.business)
            .and_then(|b| b.name);
        SignupLinkView {
            id: link.id,
            url: self.url(link),
            customer_id: link.customer_id.clone(),
            campaign: link.campaign.clone(),
            business_name,
            single_use: link.single_use,
            state: state(link, now),
            expires_at: link.expires_at,
            created_at: link.created_at,
            created_by: link.created_by.clone(),
            signups: link.signups,
            connected: link.connected,
        }
    }
}

fn staff_actor(staff: &StaffIdentity) -> Actor {
    Actor {
        name: format!("staff:{}", staff.email),
        staff_id: Some(staff.id),
        ip: None,
    }
}

/// `Some(text)` when the field was filled in.
fn filled(text: String) -> Option<String> {
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The staff form's fields as a request (the API takes Meta's whole `extras.setup`).
fn request_of(form: NewLinkForm, now: i64) -> Result<LinkRequest, AppError> {
    if !(1..=365).contains(&form.expires_in_days) {
        return Err(AppError::Invalid(
            "The link must live between 1 and 365 days.".into(),
        ));
    }
    let phone = match (filled(form.phone_code), filled(form.phone_number)) {
        (Some(code), Some(number)) => Some(PhoneNumberPrefill {
            code: code.trim_start_matches('+').to_string(),
            number: number.chars().filter(char::is_ascii_digit).collect(),
        }),
        (None, None) => None,
        _ => {
            return Err(AppError::Invalid(
                "Give both the country code and the number of the business phone, or neither."
                    .into(),
            ))
        }
    };
    let address = filled(form.country).map(|country| super::prefill::AddressPrefill {
        country: Some(country.to_uppercase()),
        ..Default::default()
    });
    let business = BusinessPrefill {
        name: filled(form.business_name),
        email: filled(form.business_email),
        website: filled(form.business_website),
        phone,
        address,
        timezone: None,
    };
    Ok(LinkRequest {
        customer_id: filled(form.customer_id),
        campaign: filled(form.campaign),
        prefill: (business != BusinessPrefill::default()).then_some(Prefill {
            business: Some(business),
            phone: None,
        }),
        expires_at: Some(now + i64::from(form.expires_in_days) * 24 * 3600 * 1000),
        single_use: form.single_use,
    })
}

#[async_trait::async_trait]
impl SignupLinksPort for SignupLinksService {
    async fn list(
        &self,
        customer_id: Option<String>,
        before: Option<i64>,
    ) -> Result<Vec<SignupLinkView>, AppError> {
        let customer = customer_id.and_then(filled);
        let now = now_millis();
        Ok(self
            .page(customer.as_deref(), before, PAGE)
            .await?
            .iter()
            .map(|link| self.view(link, now))
            .collect())
    }

    async fn create(
        &self,
        staff: &StaffIdentity,
        form: NewLinkForm,
    ) -> Result<SignupLinkView, AppError> {
        let now = now_millis();
        let link =
            SignupLinksService::create(self, request_of(form, now)?, &staff_actor(staff), now)
                .await?;
        Ok(self.view(&link, now))
    }

    async fn revoke(&self, staff: &StaffIdentity, id: i64) -> Result<SignupLinkView, AppError> {
        let now = now_millis();
        let link = SignupLinksService::revoke(self, id, &staff_actor(staff), now).await?;
        Ok(self.view(&link, now))
    }

    async fn launch(&self, token: &str, lang: app::i18n::Lang) -> Result<LinkLaunch, AppError> {
        match self.resolve(token, now_millis()).await? {
            Ok(link) => Ok(LinkLaunch {
                campaign: link.campaign,
                prefill: link.prefill,
            }),
            Err(Refusal::Unknown) => Err(AppError::NotFound),
            Err(refusal) => Err(AppError::Conflict(app::i18n::t(lang, refusal.key()))),
        }
    }
}
