//! Signup links the partner makes for one customer, and the customer id they carry onto the
//! WABA a signup through them connects.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// The columns of [`SignupLinkRow`], from `signup_links l`, with its signups counted (the
/// `signups_by_link` index makes each count a range read).
const LINK_COLUMNS: &str = "SELECT l.id, l.token, l.customer_id, l.campaign, l.prefill,
            l.single_use, l.expires_at, l.revoked_at, l.used_at, l.created_by, l.created_at,
            (SELECT COUNT(*) FROM signups s WHERE s.link_id = l.id) AS signups,
            (SELECT COUNT(*) FROM signups s
              WHERE s.link_id = l.id AND s.stage = 'exchanged') AS connected,
            (SELECT MAX(s.id) FROM signups s WHERE s.link_id = l.id) AS last_signup_id
     FROM signup_links l";

#[async_trait]
pub trait SignupLinkStore: Send + Sync + 'static {
    async fn create_signup_link(&self, link: &NewSignupLink) -> DbResult<SignupLinkRow>;
    async fn signup_link(&self, id: i64) -> DbResult<Option<SignupLinkRow>>;
    async fn signup_link_by_token(&self, token: &str) -> DbResult<Option<SignupLinkRow>>;
    /// Newest first, ids below `before` (a keyset page), of one customer when given.
    async fn signup_links_page(
        &self,
        customer_id: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> DbResult<Vec<SignupLinkRow>>;
    /// Ends the link for new visits (a second revocation keeps the first time); `None` when
    /// there is no such link.
    async fn revoke_signup_link(&self, id: i64, at: Millis) -> DbResult<Option<SignupLinkRow>>;
    /// Marks the link used by a completing signup: `false` when it is revoked, or single use
    /// and already used (one atomic UPDATE, so of two racing signups one wins).
    async fn use_signup_link(&self, id: i64, at: Millis) -> DbResult<bool>;
    /// Remembers on the WABA the link and customer it was connected for.
    async fn attach_waba_customer(
        &self,
        waba_id: i64,
        link_id: i64,
        customer_id: Option<&str>,
    ) -> DbResult<()>;
    /// The customer a WABA (internal id) was connected for; `None` for an unknown WABA.
    async fn waba_customer(&self, waba_id: i64) -> DbResult<Option<WabaCustomer>>;
}

#[async_trait]
impl SignupLinkStore for SqlStore {
    async fn create_signup_link(&self, link: &NewSignupLink) -> DbResult<SignupLinkRow> {
        let id: i64 = query_scalar(
            "INSERT INTO signup_links (token, customer_id, campaign, prefill, single_use,
                                       expires_at, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&link.token)
        .bind(&link.customer_id)
        .bind(&link.campaign)
        .bind(&link.prefill)
        .bind(link.single_use)
        .bind(link.expires_at)
        .bind(&link.created_by)
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?;
        self.signup_link(id)
            .await?
            .ok_or(DbError::Query(sqlx::Error::RowNotFound))
    }

    async fn signup_link(&self, id: i64) -> DbResult<Option<SignupLinkRow>> {
        query_as(format!("{LINK_COLUMNS} WHERE l.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn signup_link_by_token(&self, token: &str) -> DbResult<Option<SignupLinkRow>> {
        query_as(format!("{LINK_COLUMNS} WHERE l.token = $1"))
            .bind(token)
            .fetch_optional(&self.pool)
            .await
    }

    async fn signup_links_page(
        &self,
        customer_id: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> DbResult<Vec<SignupLinkRow>> {
        let mut statement = query(format!("{LINK_COLUMNS} WHERE 1 = 1"));
        if let Some(customer) = customer_id {
            statement
                .push(" AND l.customer_id = ")
                .push_bind(customer.to_string());
        }
        if let Some(before) = before {
            statement.push(" AND l.id < ").push_bind(before);
        }
        statement
            .push(" ORDER BY l.id DESC LIMIT ")
            .push_bind(limit);
        statement.rows().fetch_all(&self.pool).await
    }

    async fn revoke_signup_link(&self, id: i64, at: Millis) -> DbResult<Option<SignupLinkRow>> {
        query("UPDATE signup_links SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&self.pool)
            .await?;
        self.signup_link(id).await
    }

    async fn use_signup_link(&self, id: i64, at: Millis) -> DbResult<bool> {
        let done = query(
            "UPDATE signup_links SET used_at = COALESCE(used_at, $2)
              WHERE id = $1 AND revoked_at IS NULL
                AND (single_use = FALSE OR used_at IS NULL)",
        )
        .bind(id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn attach_waba_customer(
        &self,
        waba_id: i64,
        link_id: i64,
        customer_id: Option<&str>,
    ) -> DbResult<()> {
        query(
            "UPDATE wabas SET signup_link_id = $2, customer_id = COALESCE($3, customer_id)
              WHERE id = $1",
        )
        .bind(waba_id)
        .bind(link_id)
        .bind(customer_id.map(str::to_string))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn waba_customer(&self, waba_id: i64) -> DbResult<Option<WabaCustomer>> {
        query_as("SELECT customer_id, signup_link_id FROM wabas WHERE id = $1")
            .bind(waba_id)
            .fetch_optional(&self.pool)
            .await
    }
}
