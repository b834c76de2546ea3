//! Typed configuration, read from flags and environment variables (flags win).
//!
//! Sandbox mode (the default) needs nothing: the database is a SQLite file under the data
//! directory and the Meta-side secrets are generated once and kept in
//! `<data dir>/sandbox-secrets.json`, so sealed tokens stay readable across restarts. Live mode
//! reads real credentials from the environment and refuses to start, naming every missing or
//! malformed value, before anything else happens.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use app::health::port::Mode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::crypto::KeyRing;

/// Graph API version used when none is configured.
pub const DEFAULT_GRAPH_VERSION: &str = "v23.0";
const META_GRAPH_BASE: &str = "https://graph.facebook.com";
const META_SDK_URL: &str = "https://connect.facebook.net/en_US/sdk.js";
/// Origins Meta's Embedded Signup popup posts its session events from.
const META_ES_ORIGINS: [&str; 2] = ["https://www.facebook.com", "https://web.facebook.com"];
/// The simulator's app id (numeric like Meta's, obviously not a real one).
pub const SANDBOX_APP_ID: &str = "100000000000001";
pub const SANDBOX_ES_CONFIG_ID: &str = "200000000000002";
/// The simulated partner's business id (the default `META_PARTNER_BUSINESS_ID` in sandbox
/// mode; `entry.id` of the simulator's partner-level webhooks). Kept here, with the other
/// sandbox identities, so the configuration does not depend on the simulator.
pub const SANDBOX_PARTNER_BUSINESS_ID: &str = "300000000000003";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    Sandbox,
    Live,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything that can be set from the command line or the environment. Its `Debug` hides the
/// secrets (see the impl below).
#[derive(Clone, clap::Args)]
pub struct Settings {
    /// `sandbox` runs the built-in Meta simulator (no credentials needed); `live` talks to Meta.
    #[arg(
        long,
        env = "META_MODE",
        value_enum,
        default_value = "sandbox",
        global = true
    )]
    pub mode: ModeArg,

    /// Address to listen on. Port 0 picks a free port (the chosen URL is printed).
    #[arg(
        long,
        env = "PORTAL_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: String,

    /// Also serve `GET /metrics` (Prometheus, nothing else) on this address, to anyone who
    /// reaches it: for a scraper on another host. Without it `/metrics` on the main address
    /// answers signed-in staff and this host only.
    #[arg(long, env = "PORTAL_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<String>,

    /// Sandbox mode: also serve on a non-loopback address. The simulator lets anyone who
    /// reaches it mint tokens and arm faults, so by default sandbox mode only listens on
    /// 127.0.0.1 / ::1.
    #[arg(
        long,
        env = "SANDBOX_ALLOW_REMOTE",
        value_parser = clap::builder::BoolishValueParser::new(),
        global = true
    )]
    pub sandbox_allow_remote: bool,

    /// Directory for the SQLite database and sandbox secrets.
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`.
    /// Default: `sqlite://<data dir>/portal.db`. Required in live mode.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,

    /// The URL people reach this portal at (e.g. https://portal.example.com).
    /// Default: derived from the listen address.
    #[arg(long, env = "PORTAL_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Reverse proxies in front of the portal, as IP addresses or networks
    /// (`10.0.0.5,192.168.0.0/24`): when a request comes from one of them, the client's address
    /// is taken from its `X-Forwarded-For` header (for throttling and the audit log); from
    /// anywhere else the header is ignored. Default: none.
    #[arg(long, env = "PORTAL_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,

    /// Partner API requests per second per key (a burst of twice that), on each instance.
    #[arg(
        long,
        env = "PORTAL_API_RATE_PER_KEY",
        default_value_t = 50,
        global = true
    )]
    pub api_rate_per_key: u32,

    /// Directory with the built front end (`pkg/`, favicon, …).
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,

    /// Log output: human-readable `text` or one JSON object per line.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// Live: your Meta app's id.
    #[arg(long, env = "META_APP_ID", global = true)]
    pub meta_app_id: Option<String>,

    /// Live: your Meta app's secret.
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true, global = true)]
    pub meta_app_secret: Option<String>,

    /// Live: the Facebook Login for Business configuration id used by Embedded Signup.
    #[arg(long, env = "META_ES_CONFIG_ID", global = true)]
    pub meta_es_config_id: Option<String>,

    /// Graph API version, like v23.0.
    #[arg(long, env = "META_GRAPH_VERSION", default_value = DEFAULT_GRAPH_VERSION, global = true)]
    pub meta_graph_version: String,

    /// Live: Graph API base URL. Default: Meta's Graph host.
    #[arg(long, env = "META_GRAPH_BASE", global = true)]
    pub meta_graph_base: Option<String>,

    /// Live: URL of the Facebook JavaScript SDK. Default: Meta's.
    #[arg(long, env = "META_SDK_URL", global = true)]
    pub meta_sdk_url: Option<String>,

    /// Live: the partner's system user token (Intent API, discovery).
    #[arg(
        long,
        env = "META_SYSTEM_USER_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub meta_system_user_token: Option<String>,

    /// Live: the token Meta echoes when verifying the webhook callback URL.
    #[arg(
        long,
        env = "WEBHOOK_VERIFY_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub webhook_verify_token: Option<String>,

    /// Live: `id:base64-of-32-bytes[,older-id:key…]`, keys sealing tokens at rest; first seals.
    #[arg(
        long,
        env = "TOKEN_ENCRYPTION_KEY",
        hide_env_values = true,
        global = true
    )]
    pub token_encryption_key: Option<String>,

    /// The partner's name on the public signup and status pages.
    #[arg(
        long,
        env = "PARTNER_NAME",
        default_value = "Sandbox Partner",
        global = true
    )]
    pub partner_name: String,

    /// Embedded Signup flow: `default`, `coexistence` (numbers that stay on the WhatsApp
    /// Business app: featureType whatsapp_business_app_onboarding) or `only_waba_sharing`.
    #[arg(
        long,
        env = "ES_FEATURE_TYPE",
        default_value = "default",
        global = true
    )]
    pub es_feature_type: String,

    /// Embedded Signup version: `v4` (current: the MM API product comes from the Facebook
    /// Login for Business configuration) or `v3` (deprecated by Meta on 2026-10-15: the MM
    /// feature is sent in `extras`; a warning at start-up).
    #[arg(long, env = "ES_VERSION", default_value = app::settings::es_version::DEFAULT, global = true)]
    pub es_version: String,

    /// The partner's own business id (discovery of client WABAs, Intent API). Sandbox: the
    /// simulator's partner.
    #[arg(long, env = "META_PARTNER_BUSINESS_ID", global = true)]
    pub meta_partner_business_id: Option<String>,

    /// Intent API requests per second in bulk sends (all instances together).
    #[arg(
        long,
        env = "INTENT_RATE_PER_SECOND",
        default_value_t = 5.0,
        global = true
    )]
    pub intent_rate_per_second: f64,

    /// Optional multi-partner solution id passed to Embedded Signup.
    #[arg(long, env = "ES_SOLUTION_ID", global = true)]
    pub es_solution_id: Option<String>,

    /// Mail to business admins: the SMTP server, `smtps://user:pass@host:465` (TLS) or
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS); clear-text `smtp://` only to this
    /// machine. Unset: sandbox mode catches mail on /sandbox/mail, live mode sends none.
    #[arg(long, env = "SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// Mail: the sender, as `Name <address>`.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "MM Portal <portal@localhost>",
        global = true
    )]
    pub mail_from: String,
}

/// Prints every setting, with the secrets as `Some("***")` (set) or `None`, and the database
/// URL's password replaced: `Settings` is printed through `Cli`'s derived `Debug`.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |value: &Option<String>| value.as_ref().map(|_| "***");
        f.debug_struct("Settings")
            .field("mode", &self.mode)
            .field("addr", &self.addr)
            .field("metrics_addr", &self.metrics_addr)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::db::redact_url),
            )
            .field("public_url", &self.public_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("api_rate_per_key", &self.api_rate_per_key)
            .field("site_root", &self.site_root)
            .field("log_format", &self.log_format)
            .field("meta_app_id", &self.meta_app_id)
            .field("meta_app_secret", &hidden(&self.meta_app_secret))
            .field("meta_es_config_id", &self.meta_es_config_id)
            .field("meta_graph_version", &self.meta_graph_version)
            .field("meta_graph_base", &self.meta_graph_base)
            .field("meta_sdk_url", &self.meta_sdk_url)
            .field(
                "meta_system_user_token",
                &hidden(&self.meta_system_user_token),
            )
            .field("webhook_verify_token", &hidden(&self.webhook_verify_token))
            .field("token_encryption_key", &hidden(&self.token_encryption_key))
            .field("partner_name", &self.partner_name)
            .field("es_feature_type", &self.es_feature_type)
            .field("es_version", &self.es_version)
            .field("meta_partner_business_id", &self.meta_partner_business_id)
            .field("intent_rate_per_second", &self.intent_rate_per_second)
            .field("es_solution_id", &self.es_solution_id)
            .field("smtp_url", &hidden(&self.smtp_url))
            .field("mail_from", &self.mail_from)
            .finish()
    }
}

/// How the public signup page launches Embedded Signup.
#[derive(Debug, Clone)]
pub struct SignupSettings {
    pub partner_name: String,
    /// The partner's business id, if configured (sandbox: the simulator's partner).
    pub partner_business_id: Option<String>,
    pub intent_rate_per_second: f64,
    /// Meta's `featureType`: empty for the default flow.
    pub feature_type: String,
    pub es_version: String,
    pub solution_id: Option<String>,
}

fn signup_settings(settings: &Settings) -> Result<SignupSettings, Vec<String>> {
    let mut problems = Vec::new();
    let feature_type = match settings.es_feature_type.trim() {
        "" | "default" => String::new(),
        "coexistence" | "whatsapp_business_app_onboarding" => {
            "whatsapp_business_app_onboarding".to_string()
        }
        "only_waba_sharing" => "only_waba_sharing".to_string(),
        other => {
            problems.push(format!(
                "ES_FEATURE_TYPE `{other}` must be default, coexistence or only_waba_sharing"
            ));
            String::new()
        }
    };
    let es_version = settings.es_version.trim().to_string();
    if !app::settings::es_version::is_known(&es_version) {
        problems.push(format!(
            "ES_VERSION `{es_version}` must be v4 (or the deprecated v3)"
        ));
    }
    let solution_id = settings
        .es_solution_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if solution_id
        .as_deref()
        .is_some_and(|s| !s.chars().all(|c| c.is_ascii_digit()))
    {
        problems.push("ES_SOLUTION_ID must be the numeric solution id".to_string());
    }
    let partner_name = settings.partner_name.trim().to_string();
    if partner_name.is_empty() || partner_name.len() > 80 {
        problems.push("PARTNER_NAME must be 1 to 80 characters".to_string());
    }
    let partner_business_id = settings
        .meta_partner_business_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| {
            (settings.mode == ModeArg::Sandbox).then(|| SANDBOX_PARTNER_BUSINESS_ID.to_string())
        });
    if partner_business_id
        .as_deref()
        .is_some_and(|s| !s.chars().all(|c| c.is_ascii_digit()))
    {
        problems.push("META_PARTNER_BUSINESS_ID must be the numeric business id".to_string());
    }
    let intent_rate_per_second = settings.intent_rate_per_second;
    if !(0.01..=1000.0).contains(&intent_rate_per_second) {
        problems.push("INTENT_RATE_PER_SECOND must be between 0.01 and 1000".to_string());
    }
    if problems.is_empty() {
        Ok(SignupSettings {
            partner_name,
            partner_business_id,
            intent_rate_per_second,
            feature_type,
            es_version,
            solution_id,
        })
    } else {
        Err(problems)
    }
}

/// Meta-side settings, complete in either mode.
pub struct MetaSettings {
    pub app_id: String,
    pub app_secret: SecretString,
    pub es_config_id: String,
    pub graph_version: String,
    /// `None` in sandbox mode: the simulator on this server (`{public_url}/sandbox/graph`).
    pub graph_base: Option<Url>,
    /// `None` in sandbox mode: `/sandbox/sdk.js` on this server.
    pub sdk_url: Option<Url>,
    /// Origins whose `postMessage` events the signup page accepts; empty in sandbox mode
    /// (the portal's own origin is used).
    pub es_origins: Vec<String>,
    pub system_user_token: Option<SecretString>,
    pub webhook_verify_token: SecretString,
}

/// The validated configuration.
pub struct Config {
    pub mode: Mode,
    pub addr: SocketAddr,
    /// The separate `/metrics` listener, if any.
    pub metrics_addr: Option<SocketAddr>,
    pub public_url: Option<Url>,
    /// Proxies whose `X-Forwarded-For` names the client (see `Settings::trusted_proxies`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Partner API requests per second per key, on this instance.
    pub api_rate_per_key: u32,
    pub data_dir: PathBuf,
    /// May hold a password: print only through [`crate::db::redact_url`].
    pub database_url: SecretString,
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    pub meta: MetaSettings,
    pub keys: Arc<KeyRing>,
    pub signup: SignupSettings,
    /// How mail leaves (SMTP, or caught in sandbox mode).
    pub mail: crate::mail::Mailer,
}

/// Everything wrong with the configuration, one problem per line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

/// Secrets the sandbox generates once per data directory.
#[derive(Serialize, Deserialize)]
struct SandboxSecrets {
    app_secret: String,
    webhook_verify_token: String,
    token_encryption_key: String,
}

impl Config {
    pub fn load(settings: &Settings) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let mode = match settings.mode {
            ModeArg::Sandbox => Mode::Sandbox,
            ModeArg::Live => Mode::Live,
        };
        let addr = settings.addr.parse::<SocketAddr>().map_err(|_| {
            format!(
                "PORTAL_ADDR `{}` is not an address like 127.0.0.1:3000",
                settings.addr
            )
        });
        let metrics_addr = settings
            .metrics_addr
            .as_deref()
            .map(|raw| {
                raw.parse::<SocketAddr>().map_err(|_| {
                    format!("PORTAL_METRICS_ADDR `{raw}` is not an address like 127.0.0.1:9464")
                })
            })
            .transpose();
        let public_url = settings
            .public_url
            .as_deref()
            .map(|raw| parse_http_url("PORTAL_PUBLIC_URL", raw, false))
            .transpose();
        let trusted_proxies = parse_trusted_proxies(settings.trusted_proxies.as_deref());
        let graph_version = settings.meta_graph_version.clone();
        if !is_graph_version(&graph_version) {
            problems.push(format!(
                "META_GRAPH_VERSION `{graph_version}` is not a version like {DEFAULT_GRAPH_VERSION}"
            ));
        }

        let meta_and_keys = match mode {
            Mode::Sandbox => sandbox_meta(settings, graph_version),
            Mode::Live => live_meta(settings, graph_version),
        };
        let database_url = match (&settings.database_url, mode) {
            (Some(url), _) => Ok(url.clone()),
            (None, Mode::Sandbox) => Ok(default_sqlite_url(&settings.data_dir)),
            (None, Mode::Live) => Err(
                "DATABASE_URL is required in live mode (postgres://… or sqlite://…)".to_string(),
            ),
        };
        let database_url = database_url.and_then(|url| {
            if url.starts_with("sqlite:")
                || url.starts_with("postgres:")
                || url.starts_with("postgresql:")
            {
                Ok(url)
            } else {
                Err("DATABASE_URL must start with sqlite: or postgres:".to_string())
            }
        });

        let addr = keep_ok(&mut problems, addr);
        problems.extend(addr.and_then(|addr| remote_sandbox(mode, addr, settings)));
        let metrics_addr = keep_ok(&mut problems, metrics_addr).flatten();
        let public_url = keep_ok(&mut problems, public_url).flatten();
        // Live mode serves real staff and business admins: the cookie's `Secure` flag, HSTS and
        // the origin check follow this URL, so it must be the https one.
        if mode == Mode::Live
            && public_url
                .as_ref()
                .is_none_or(|url| url.scheme() != "https")
        {
            problems.push(match &settings.public_url {
                None => "PORTAL_PUBLIC_URL is required in live mode: the https:// URL people \
                         reach the portal at"
                    .to_string(),
                Some(raw) => {
                    format!("PORTAL_PUBLIC_URL `{raw}` must be an https:// URL in live mode")
                }
            });
        }
        let trusted_proxies = keep_ok(&mut problems, trusted_proxies).unwrap_or_default();
        if settings.api_rate_per_key == 0 {
            problems.push("PORTAL_API_RATE_PER_KEY must be at least 1".to_string());
        }
        let database_url = keep_ok(&mut problems, database_url);
        let meta_and_keys = meta_and_keys.map_err(|list| problems.extend(list)).ok();
        let signup = signup_settings(settings)
            .map_err(|list| problems.extend(list))
            .ok();
        let smtp_url = settings
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| SecretString::from(u.to_string()));
        let mail = crate::mail::mailer(
            smtp_url.as_ref(),
            settings.mail_from.trim(),
            mode == Mode::Sandbox,
        )
        .map_err(|problem| problems.push(problem))
        .ok();
        match (addr, database_url, meta_and_keys, signup, mail) {
            (Some(addr), Some(database_url), Some((meta, keys)), Some(signup), Some(mail))
                if problems.is_empty() =>
            {
                Ok(Config {
                    mode,
                    addr,
                    metrics_addr,
                    public_url,
                    trusted_proxies,
                    api_rate_per_key: settings.api_rate_per_key,
                    data_dir: settings.data_dir.clone(),
                    database_url: SecretString::from(database_url),
                    site_root: settings.site_root.clone(),
                    log_format: settings.log_format,
                    meta,
                    keys: Arc::new(keys),
                    signup,
                    mail,
                })
            }
            _ => Err(ConfigError { problems }),
        }
    }
}

/// Sandbox mode on a non-loopback address without `SANDBOX_ALLOW_REMOTE`: the problem.
fn remote_sandbox(mode: Mode, addr: SocketAddr, settings: &Settings) -> Option<String> {
    (mode == Mode::Sandbox && !addr.ip().is_loopback() && !settings.sandbox_allow_remote).then(
        || {
            format!(
                "PORTAL_ADDR {addr} is not a loopback address: sandbox mode serves the Meta \
                 simulator, which lets anyone who reaches it mint tokens and arm faults; listen \
                 on 127.0.0.1 or [::1], or set SANDBOX_ALLOW_REMOTE=true \
                 (--sandbox-allow-remote) to serve it on {addr} anyway"
            )
        },
    )
}

/// The value of `result`, or `None` with its problem recorded.
fn keep_ok<T>(problems: &mut Vec<String>, result: Result<T, String>) -> Option<T> {
    result.map_err(|problem| problems.push(problem)).ok()
}

fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("portal.db").display())
}

/// `PORTAL_TRUSTED_PROXIES`: comma-separated addresses (one host each) or networks.
fn parse_trusted_proxies(raw: Option<&str>) -> Result<Vec<ipnet::IpNet>, String> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!(
                        "PORTAL_TRUSTED_PROXIES: `{item}` is not an IP address or network like 10.0.0.0/8"
                    )
                })
        })
        .collect()
}

/// `v<major>.<minor>`, like `v23.0`.
pub fn is_graph_version(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let (Some(major), Some(minor), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    [major, minor]
        .iter()
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn parse_http_url(name: &str, raw: &str, https_only: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|_| format!("{name} `{raw}` is not a URL"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if !https_only => Ok(url),
        _ if https_only => Err(format!("{name} `{raw}` must be an https:// URL")),
        _ => Err(format!("{name} `{raw}` must be an http:// or https:// URL")),
    }
}

fn sandbox_meta(
    settings: &Settings,
    graph_version: String,
) -> Result<(MetaSettings, KeyRing), Vec<String>> {
    let secrets = load_or_create_sandbox_secrets(&settings.data_dir).map_err(|e| vec![e])?;
    let key_spec = SecretString::from(
        settings
            .token_encryption_key
            .clone()
            .unwrap_or(secrets.token_encryption_key),
    );
    let keys = KeyRing::parse(&key_spec).map_err(|e| vec![format!("TOKEN_ENCRYPTION_KEY: {e}")])?;
    let meta = MetaSettings {
        app_id: settings
            .meta_app_id
            .clone()
            .unwrap_or_else(|| SANDBOX_APP_ID.to_string()),
        app_secret: SecretString::from(
            settings
                .meta_app_secret
                .clone()
                .unwrap_or(secrets.app_secret),
        ),
        es_config_id: settings
            .meta_es_config_id
            .clone()
            .unwrap_or_else(|| SANDBOX_ES_CONFIG_ID.to_string()),
        graph_version,
        graph_base: None,
        sdk_url: None,
        es_origins: Vec::new(),
        system_user_token: None,
        webhook_verify_token: SecretString::from(
            settings
                .webhook_verify_token
                .clone()
                .unwrap_or(secrets.webhook_verify_token),
        ),
    };
    Ok((meta, keys))
}

// Long on purpose: the list of live-mode checks, one short block per setting, each with its
// own message.
fn live_meta(
    settings: &Settings,
    graph_version: String,
) -> Result<(MetaSettings, KeyRing), Vec<String>> {
    let mut problems = Vec::new();
    let mut required = |name: &str, value: &Option<String>| match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Some(v.to_string()),
        _ => {
            problems.push(format!("{name} is required in live mode"));
            None
        }
    };
    let app_id = required("META_APP_ID", &settings.meta_app_id);
    let app_secret = required("META_APP_SECRET", &settings.meta_app_secret);
    let es_config_id = required("META_ES_CONFIG_ID", &settings.meta_es_config_id);
    let system_user_token = required("META_SYSTEM_USER_TOKEN", &settings.meta_system_user_token);
    let verify_token = required("WEBHOOK_VERIFY_TOKEN", &settings.webhook_verify_token);
    let key_spec = required("TOKEN_ENCRYPTION_KEY", &settings.token_encryption_key);

    for (name, value) in [
        ("META_APP_ID", &app_id),
        ("META_ES_CONFIG_ID", &es_config_id),
    ] {
        if let Some(v) = value {
            if !v.chars().all(|c| c.is_ascii_digit()) {
                problems.push(format!(
                    "{name} must be the numeric id from the Meta App Dashboard"
                ));
            }
        }
    }
    if let Some(secret) = &app_secret {
        if secret.len() != 32 || !secret.chars().all(|c| c.is_ascii_hexdigit()) {
            problems.push("META_APP_SECRET must be the 32-character hex app secret".to_string());
        }
    }
    if let Some(token) = &verify_token {
        if token.len() < 16 {
            problems.push("WEBHOOK_VERIFY_TOKEN must be at least 16 characters".to_string());
        }
    }
    let keys = key_spec.and_then(|spec| {
        KeyRing::parse(&SecretString::from(spec))
            .map_err(|e| problems.push(format!("TOKEN_ENCRYPTION_KEY: {e}")))
            .ok()
    });
    let graph_base = parse_http_url(
        "META_GRAPH_BASE",
        settings
            .meta_graph_base
            .as_deref()
            .unwrap_or(META_GRAPH_BASE),
        true,
    )
    .map_err(|p| problems.push(p))
    .ok();
    let sdk_url = parse_http_url(
        "META_SDK_URL",
        settings.meta_sdk_url.as_deref().unwrap_or(META_SDK_URL),
        true,
    )
    .map_err(|p| problems.push(p))
    .ok();

    match (
        app_id,
        app_secret,
        es_config_id,
        system_user_token,
        verify_token,
        keys,
    ) {
        (Some(app_id), Some(secret), Some(config_id), Some(sut), Some(verify), Some(keys))
            if problems.is_empty() =>
        {
            Ok((
                MetaSettings {
                    app_id,
                    app_secret: SecretString::from(secret),
                    es_config_id: config_id,
                    graph_version,
                    graph_base,
                    sdk_url,
                    es_origins: META_ES_ORIGINS.iter().map(|s| s.to_string()).collect(),
                    system_user_token: Some(SecretString::from(sut)),
                    webhook_verify_token: SecretString::from(verify),
                },
                keys,
            ))
        }
        _ => Err(problems),
    }
}

/// Reads the sandbox's generated secrets, creating them (and the data directory) on first run.
fn load_or_create_sandbox_secrets(data_dir: &Path) -> Result<SandboxSecrets, String> {
    let path = data_dir.join("sandbox-secrets.json");
    let unwritable = |e: std::io::Error| {
        format!(
            "cannot write to the data directory {}: {e}; set PORTAL_DATA_DIR to a writable directory",
            data_dir.display()
        )
    };
    ensure_writable_dir(data_dir).map_err(unwritable)?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| {
            format!(
                "{} is damaged; delete it to generate new sandbox secrets",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secrets = SandboxSecrets {
                app_secret: random_hex(16),
                webhook_verify_token: random_hex(16),
                token_encryption_key: KeyRing::generate_spec("sandbox")
                    .expose_secret()
                    .to_string(),
            };
            let json = serde_json::to_vec_pretty(&secrets).expect("plain struct serialises");
            write_private_file(&path, &json).map_err(unwritable)?;
            Ok(secrets)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Creates `dir` if needed, readable by the portal's user only (0700: it holds the SQLite
/// database and the sandbox secrets), and proves it accepts new files (a read-only mount, a
/// path through a regular file or missing permissions all fail here, with the OS's reason).
fn ensure_writable_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct TestCli {
        #[command(flatten)]
        settings: Settings,
    }

    fn settings(args: &[&str]) -> Settings {
        let mut argv = vec!["test"];
        argv.extend_from_slice(args);
        TestCli::try_parse_from(argv).unwrap().settings
    }

    #[test]
    fn sandbox_needs_nothing_and_keeps_its_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let data_arg = data.to_str().unwrap();
        let first =
            Config::load(&settings(&["--mode", "sandbox", "--data-dir", data_arg])).unwrap();
        let second =
            Config::load(&settings(&["--mode", "sandbox", "--data-dir", data_arg])).unwrap();
        assert_eq!(first.mode, Mode::Sandbox);
        assert!(first.database_url.expose_secret().starts_with("sqlite://"));
        assert_eq!(
            first.meta.app_secret.expose_secret(),
            second.meta.app_secret.expose_secret()
        );
        assert_eq!(first.keys.active_key_id(), "sandbox");
    }

    #[test]
    fn live_mode_names_every_missing_value() {
        let err = Config::load(&settings(&["--mode", "live"])).err().unwrap();
        let text = err.to_string();
        for name in [
            "META_APP_ID",
            "META_APP_SECRET",
            "META_ES_CONFIG_ID",
            "META_SYSTEM_USER_TOKEN",
            "WEBHOOK_VERIFY_TOKEN",
            "TOKEN_ENCRYPTION_KEY",
            "DATABASE_URL",
            "PORTAL_PUBLIC_URL",
        ] {
            assert!(text.contains(name), "{name} not reported in:\n{text}");
        }
    }

    #[test]
    fn live_mode_reports_malformed_values_without_echoing_secrets() {
        let err = Config::load(&settings(&[
            "--mode",
            "live",
            "--meta-app-id",
            "abc",
            "--meta-app-secret",
            "not-hex-secret-value",
            "--meta-es-config-id",
            "123",
            "--meta-system-user-token",
            "EAAsecretsecret",
            "--webhook-verify-token",
            "short",
            "--token-encryption-key",
            "k1:bm90MzJieXRlcw==",
            "--database-url",
            "mysql://x",
            "--meta-graph-version",
            "23",
            "--addr",
            "nowhere",
        ]))
        .err()
        .unwrap();
        let text = err.to_string();
        assert_eq!(err.problems.len(), 8, "{text}");
        assert!(!text.contains("not-hex-secret-value"));
        assert!(!text.contains("EAAsecretsecret"));
        assert!(text.contains("META_APP_ID must be the numeric id"));
        assert!(text.contains("PORTAL_ADDR `nowhere`"));
    }

    #[test]
    fn a_complete_live_configuration_loads() {
        let key = KeyRing::generate_spec("k1");
        let config = Config::load(&settings(&[
            "--mode",
            "live",
            "--meta-app-id",
            "1234",
            "--meta-app-secret",
            "0123456789abcdef0123456789abcdef",
            "--meta-es-config-id",
            "5678",
            "--meta-system-user-token",
            "EAAsecret",
            "--webhook-verify-token",
            "a-long-verify-token",
            "--token-encryption-key",
            key.expose_secret(),
            "--database-url",
            "postgres://portal@localhost/portal",
            "--public-url",
            "https://portal.partner.example/",
        ]))
        .unwrap();
        assert_eq!(config.mode, Mode::Live);
        assert_eq!(
            config.meta.graph_base.unwrap().as_str(),
            "https://graph.facebook.com/"
        );
        assert_eq!(config.meta.es_origins.len(), 2);
    }

    #[test]
    fn graph_versions_are_checked() {
        assert!(is_graph_version("v23.0"));
        assert!(!is_graph_version("23.0"));
        assert!(!is_graph_version("v23"));
        assert!(!is_graph_version("v23.x"));
    }
}
