//! The signup and status pages' port ([`app::signup::port::SignupPort`]), served by [`SignupService`].

use app::error::AppError;
use app::i18n::Lang;
use app::signup::port::{
    AdminContact, ClientAddress, PublicCall, SignupConfig, SignupPort, SignupStatusView,
};
use async_trait::async_trait;

use super::session::{SignupError, SignupService};
use super::status::{self, StatusInput};

impl From<SignupError> for AppError {
    fn from(error: SignupError) -> Self {
        match error {
            SignupError::MetaUnavailable => AppError::Unavailable(error.to_string()),
            SignupError::Internal => AppError::Internal("signup".into()),
            SignupError::RateLimited(seconds) => AppError::RateLimited(seconds),
            SignupError::TooManyEvents | SignupError::Link(_) => {
                AppError::Conflict(error.to_string())
            }
            other => AppError::Invalid(other.to_string()),
        }
    }
}

/// The error with its reason in the business's language (the page shows it as it is).
fn localized(error: SignupError, lang: Lang) -> AppError {
    match AppError::from(error.clone()) {
        AppError::Invalid(_) => AppError::Invalid(error.in_lang(lang)),
        AppError::Conflict(_) => AppError::Conflict(error.in_lang(lang)),
        AppError::Unavailable(_) => AppError::Unavailable(error.in_lang(lang)),
        other => other,
    }
}

fn internal(error: crate::db::DbError) -> AppError {
    tracing::error!(%error, "status page could not be read");
    AppError::Internal("status".into())
}

#[async_trait]
impl SignupPort for SignupService {
    async fn admit(&self, call: PublicCall, client: Option<ClientAddress>) -> Result<(), AppError> {
        Ok(SignupService::admit(self, call, client).await?)
    }

    async fn config(&self) -> SignupConfig {
        let launch = &self.current_launch().await;
        SignupConfig {
            partner_name: launch.partner_name.clone(),
            app_id: launch.app_id.clone(),
            config_id: launch.config_id.clone(),
            graph_version: launch.graph_version.clone(),
            sdk_url: launch.sdk_url.clone(),
            feature_type: launch.feature_type.clone(),
            es_version: launch.es_version.clone(),
            solution_id: launch.solution_id.clone(),
            origins: launch.origins.clone(),
            sandbox: launch.sandbox,
        }
    }

    async fn start(
        &self,
        campaign: Option<String>,
        link: Option<String>,
        lang: Lang,
    ) -> Result<String, AppError> {
        SignupService::start(self, campaign, link)
            .await
            .map(|signup| signup.nonce)
            .map_err(|error| localized(error, lang))
    }

    async fn launched(&self, nonce: &str) -> Result<(), AppError> {
        Ok(SignupService::launched(self, nonce).await?)
    }

    async fn event(&self, nonce: &str, payload: &str) -> Result<(), AppError> {
        Ok(self.record_event(nonce, payload).await?)
    }

    async fn abandoned(&self, nonce: &str) -> Result<(), AppError> {
        Ok(SignupService::abandoned(self, nonce).await?)
    }

    async fn complete(
        &self,
        nonce: &str,
        code: &str,
        contact: AdminContact,
    ) -> Result<String, AppError> {
        SignupService::complete(self, nonce, code, &contact)
            .await
            .map_err(|error| localized(error, contact.lang))
    }

    async fn status(&self, status_key: &str, lang: Lang) -> Result<SignupStatusView, AppError> {
        let signup = self
            .store()
            .signup_by_status_key(status_key)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        self.status_view(&signup, lang).await
    }
}

impl SignupService {
    /// What the status page of `signup` shows in `lang` (also the partner API's
    /// `GET /signups/{id}`, in English).
    pub async fn status_view(
        &self,
        signup: &crate::db::Signup,
        lang: Lang,
    ) -> Result<SignupStatusView, AppError> {
        let waba = match signup.waba_id {
            Some(id) => self.store().waba_by_id(id).await.map_err(internal)?,
            None => None,
        };
        let (steps, phones, business_name) = match &waba {
            Some(waba) => (
                self.store()
                    .steps_for_waba(waba.id)
                    .await
                    .map_err(internal)?,
                self.store()
                    .phones_for_waba(waba.id)
                    .await
                    .map_err(internal)?,
                self.business_name(waba.business_id).await,
            ),
            None => (Vec::new(), Vec::new(), None),
        };
        Ok(status::build(&StatusInput {
            signup,
            waba: waba.as_ref(),
            steps: &steps,
            phones: &phones,
            business_name,
            lang,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reaches_the_business_in_its_language() {
        let english = AppError::from(SignupError::NoWaba).to_string();
        let spanish = localized(SignupError::NoWaba, Lang::Es);
        assert!(matches!(spanish, AppError::Invalid(_)), "{spanish:?}");
        assert_ne!(spanish.to_string(), english);
        assert_eq!(
            spanish.to_string(),
            app::i18n::t(Lang::Es, "error-no-waba"),
            "the reason is the page's text"
        );
        let link = localized(
            SignupError::Link(crate::signup_links::Refusal::Revoked),
            Lang::PtBr,
        );
        assert!(matches!(link, AppError::Conflict(_)), "{link:?}");
        assert_eq!(
            link.to_string(),
            app::i18n::t(Lang::PtBr, "link-refused-revoked")
        );
        // A rate limit keeps its own shape: the page words it from the seconds.
        assert_eq!(
            localized(SignupError::RateLimited(7), Lang::Hi),
            AppError::RateLimited(7)
        );
    }
}
