//! `mm-portal admin create`: makes a staff account. The password comes from the
//! `ADMIN_PASSWORD` environment variable or, without it, the first line of standard input, so
//! it never appears in the process list or shell history; there is no default password.

use std::io::BufRead;

use clap::{Args, Subcommand};
use secrecy::SecretString;

use crate::db::{DbError, NewAuditEntry, NewStaffUser, Role};
use crate::staff::password;

/// The stores this module reads and writes.
pub trait Stores: crate::db::AuditStore + crate::db::StaffStore {}
impl<T: crate::db::AuditStore + crate::db::StaffStore> Stores for T {}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff account (the first one should be an admin).
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Sign-in email.
    #[arg(long)]
    pub email: String,
    /// Name shown in the dashboard and the audit log. Default: the email.
    #[arg(long)]
    pub name: Option<String>,
    /// `admin`, `operator` or `viewer`.
    #[arg(long, default_value = "admin")]
    pub role: String,
}

/// Why the account was not created, in one line.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("a staff account with the email {0} already exists")]
    Exists(String),
    #[error("the database refused the account: {0}")]
    Database(#[from] DbError),
}

fn read_password() -> Result<SecretString, AdminError> {
    if let Ok(value) = std::env::var("ADMIN_PASSWORD") {
        return Ok(SecretString::from(value));
    }
    eprintln!("password (then Enter; or set ADMIN_PASSWORD):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| AdminError::Invalid(format!("could not read the password: {e}")))?;
    Ok(SecretString::from(
        line.trim_end_matches(['\n', '\r']).to_string(),
    ))
}

pub async fn run(command: AdminCommand, repo: &dyn Stores) -> Result<String, AdminError> {
    let AdminCommand::Create(args) = command;
    let email = args.email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 {
        return Err(AdminError::Invalid(format!(
            "`{}` is not an email address",
            args.email
        )));
    }
    let role = Role::parse(&args.role).ok_or_else(|| {
        AdminError::Invalid(format!(
            "role `{}` must be admin, operator or viewer",
            args.role
        ))
    })?;
    let secret = read_password()?;
    let local_part = email.split('@').next().unwrap_or_default();
    let mut context = vec![email.as_str(), local_part];
    if let Some(name) = args.name.as_deref() {
        context.push(name);
    }
    password::check_strength(&secret, &context).map_err(AdminError::Invalid)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    let name = args
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.clone());
    let user = match repo
        .create_staff_user(&NewStaffUser {
            email: email.clone(),
            display_name: name,
            password_hash: hash,
            role,
        })
        .await
    {
        Ok(user) => user,
        Err(DbError::Conflict) => return Err(AdminError::Exists(email)),
        Err(error) => return Err(error.into()),
    };
    repo.append_audit(&NewAuditEntry {
        staff_id: Some(user.id),
        actor: "cli".into(),
        action: "staff.create".into(),
        target_kind: Some("staff".into()),
        target_id: Some(user.email.clone()),
        detail: Some(format!("{{\"role\":\"{}\"}}", role.as_str())),
        ip: None,
    })
    .await?;
    Ok(format!(
        "created {} account {} (id {})",
        role.as_str(),
        user.email,
        user.id
    ))
}
