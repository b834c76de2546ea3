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
    ) -> Result<String, AppError> {
        Ok(SignupService::start(self, campaign, link).await?.nonce)
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
        Ok(SignupService::complete(self, nonce, code, &contact).await?)
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
