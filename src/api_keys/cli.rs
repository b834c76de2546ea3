//! `mm-portal api-key create|list|rotate|revoke`: keys for the partner API from the command
//! line (the first key of a new install, scripts). `create` and `rotate` print the new key
//! alone on the last line of standard output, so `| tail -n 1` takes it.

use app::api_keys::port::Scope;
use clap::{Args, Subcommand};

use crate::api_keys::service::ApiKeysService;
use crate::db::{now_millis, NewAuditEntry};

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make a key: `api-key create --name "CRM" --scopes wabas:read,signups:write`.
    Create(CreateArgs),
    /// List keys: prefix, name, scopes, state, last use.
    List,
    /// A new key with the same name and scopes; the old one keeps working for the grace period.
    Rotate(RotateArgs),
    /// End a key at once.
    Revoke(KeyRef),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// What staff will recognise the key by.
    #[arg(long)]
    pub name: String,
    /// Comma-separated: wabas:read, signups:read, signups:write, intents:write, tokens:read,
    /// events:manage.
    #[arg(long)]
    pub scopes: String,
}

#[derive(Debug, Args)]
pub struct KeyRef {
    /// The key's id (first column of `api-key list`) or its prefix (`mmp_…`).
    pub key: String,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub key: KeyRef,
    /// Hours the old key keeps working.
    #[arg(long, default_value_t = 24)]
    pub grace_hours: i64,
}

/// The stores this command reads and writes.
pub trait Stores: super::service::Stores {}
impl<T: super::service::Stores> Stores for T {}

const ACTOR: &str = "cli";

/// Runs `command`; the lines to print, the last one the key when one was made.
pub async fn run(
    command: ApiKeyCommand,
    store: std::sync::Arc<dyn super::service::Stores>,
) -> Result<Vec<String>, String> {
    let service = ApiKeysService::new(store.clone());
    match command {
        ApiKeyCommand::Create(args) => {
            let scopes = Scope::parse_list(&args.scopes)?;
            let made = service
                .make(&args.name, &scopes, ACTOR)
                .await
                .map_err(|e| e.to_string())?;
            audit(&*store, "api_key.create", made.key.id, &made.key.prefix).await?;
            Ok(vec![
                format!(
                    "made key {} “{}” ({}) with scopes {}; it is shown only now:",
                    made.key.id,
                    made.key.name,
                    made.key.prefix,
                    made.key.scopes.join(",")
                ),
                made.secret,
            ])
        }
        ApiKeyCommand::List => {
            let keys = service.keys().await.map_err(|e| e.to_string())?;
            let mut lines = vec![format!(
                "{:<5} {:<14} {:<24} {:<22} {:<40} {}",
                "id", "prefix", "name", "state", "scopes", "last used"
            )];
            for key in keys {
                lines.push(format!(
                    "{:<5} {:<14} {:<24} {:<22} {:<40} {}",
                    key.id,
                    key.prefix,
                    key.name,
                    key.state.label(),
                    key.scopes.join(","),
                    key.last_used_at
                        .map(app::components::live::format_time)
                        .unwrap_or_else(|| "never".into())
                ));
            }
            Ok(lines)
        }
        ApiKeyCommand::Rotate(args) => {
            let id = resolve(&service, &args.key.key).await?;
            let made = service
                .rotate_key(id, args.grace_hours, ACTOR)
                .await
                .map_err(|e| e.to_string())?;
            audit(&*store, "api_key.rotate", made.key.id, &made.key.prefix).await?;
            Ok(vec![
                format!(
                    "key {id} works for {} more hours; its replacement {} ({}) is shown only now:",
                    args.grace_hours, made.key.id, made.key.prefix
                ),
                made.secret,
            ])
        }
        ApiKeyCommand::Revoke(args) => {
            let id = resolve(&service, &args.key).await?;
            let key = service.revoke_key(id).await.map_err(|e| e.to_string())?;
            audit(&*store, "api_key.revoke", key.id, &key.prefix).await?;
            Ok(vec![format!(
                "revoked key {} “{}” ({})",
                key.id, key.name, key.prefix
            )])
        }
    }
}

/// A key's id from its id or prefix.
async fn resolve(service: &ApiKeysService, text: &str) -> Result<i64, String> {
    let keys = service.keys().await.map_err(|e| e.to_string())?;
    keys.iter()
        .find(|k| k.id.to_string() == text || k.prefix == text)
        .map(|k| k.id)
        .ok_or_else(|| format!("no key `{text}`; `api-key list` shows ids and prefixes"))
}

async fn audit(
    store: &dyn super::service::Stores,
    action: &str,
    id: i64,
    prefix: &str,
) -> Result<(), String> {
    store
        .append_audit(&NewAuditEntry {
            staff_id: None,
            actor: ACTOR.into(),
            action: action.into(),
            target_kind: Some("api_key".into()),
            target_id: Some(id.to_string()),
            detail: Some(serde_json::json!({ "prefix": prefix, "at": now_millis() }).to_string()),
            ip: None,
        })
        .await
        .map(|_| ())
        .map_err(|e| format!("the audit log refused the entry: {e}"))
}
