//! Helpers shared by the integration tests: fresh databases on both backends, and a portal
//! started on a free port.
#![allow(dead_code)]

pub mod load;
pub mod openapi;
pub mod receiver;
pub mod sim;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use clap::Parser;
use mm_portal::cli::Cli;
use mm_portal::config::Config;
use mm_portal::db::prelude::*;
use mm_portal::db::{self, Database};
use mm_portal::server::RunningPortal;
use secrecy::SecretString;
use sqlx::Connection;

/// The PostgreSQL server the tests use, from `TEST_POSTGRES_URL` (scripts/test.sh starts the
/// local server and sets it). Without it the PostgreSQL tests fail loudly rather than pass
/// silently; scripts/test.sh filters them out, with a warning, only where PostgreSQL cannot run.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_POSTGRES_URL is not set: run scripts/test.sh, or set it to a PostgreSQL URL \
             whose role may CREATE DATABASE"
        )
    })
}

/// A migrated SQLite database in a fresh temporary directory (kept alive by the returned guard).
pub async fn sqlite() -> (Database, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let database = db::connect(&url).await.expect("sqlite connects");
    (database, dir)
}

/// A URL to a brand-new, empty PostgreSQL database.
pub async fn fresh_postgres_url() -> String {
    let admin = postgres_admin_url();
    let name = format!("mmtest_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test PostgreSQL server is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let mut url = url::Url::parse(&admin).expect("admin URL parses");
    url.set_path(&name);
    url.to_string()
}

/// A migrated, empty PostgreSQL database of its own.
pub async fn postgres() -> Database {
    db::connect(&fresh_postgres_url().await)
        .await
        .expect("postgres connects")
}

/// `SELECT COUNT(*) …` on either engine.
pub async fn count(database: &Database, sql: &str) -> i64 {
    match &database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        db::Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .expect("count query")
}

/// Every delivery body in the inbox, whatever its processing state, oldest first.
pub async fn inbox_bodies(database: &Database) -> Vec<Vec<u8>> {
    const SQL: &str = "SELECT body FROM webhook_inbox ORDER BY id";
    match &database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_all(pool).await,
        db::Pool::Postgres(pool) => sqlx::query_scalar(SQL).fetch_all(pool).await,
    }
    .expect("inbox readable")
}

/// Sandbox-mode configuration on a free port over `data_dir`, plus `extra` flags.
pub fn sandbox_config(data_dir: &Path, extra: &[&str]) -> Config {
    let mut args = vec![
        "mm-portal".to_string(),
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--mode".into(),
        "sandbox".into(),
        "--data-dir".into(),
        data_dir.display().to_string(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    Config::load(&Cli::try_parse_from(args).unwrap().settings).unwrap()
}

/// A sandbox-mode portal started in-process, with the secrets tests need to talk to it.
pub struct SandboxPortal {
    pub portal: RunningPortal,
    pub app_id: String,
    pub app_secret: SecretString,
    pub verify_token: SecretString,
    pub dir: tempfile::TempDir,
}

pub async fn sandbox_portal() -> SandboxPortal {
    sandbox_portal_with(&[]).await
}

/// A sandbox portal with extra command-line settings.
pub async fn sandbox_portal_with(extra: &[&str]) -> SandboxPortal {
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox_config(dir.path(), extra);
    let app_id = config.meta.app_id.clone();
    let app_secret = config.meta.app_secret.clone();
    let verify_token = config.meta.webhook_verify_token.clone();
    SandboxPortal {
        portal: RunningPortal::start(config).await.unwrap(),
        app_id,
        app_secret,
        verify_token,
        dir,
    }
}

/// A sandbox portal on `engine` (`sqlite`, or `postgres` on a fresh database).
pub async fn sandbox_portal_on(engine: &str) -> SandboxPortal {
    sandbox_portal_on_with(engine, &[]).await
}

/// [`sandbox_portal_on`] with extra command-line settings.
pub async fn sandbox_portal_on_with(engine: &str, extra: &[&str]) -> SandboxPortal {
    let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
    if engine == "postgres" {
        args.push("--database-url".into());
        args.push(fresh_postgres_url().await);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sandbox_portal_with(&args).await
}

/// A partner API key with `scopes`, made as an admin would.
pub async fn api_key(portal: &SandboxPortal, scopes: &[app::api_keys::port::Scope]) -> String {
    mm_portal::api_keys::service::ApiKeysService::new(portal.portal.database.store.clone())
        .make("tests", scopes, "tests")
        .await
        .unwrap()
        .secret
}

/// `mm-portal serve` as a child process on a free port over `data_dir`, with `RUST_LOG` set to
/// `log`; returns it once it printed its first line, with the URL from that line and the line.
pub fn spawn_binary(data_dir: &Path, log: &str, stderr: Stdio) -> (Child, String, String) {
    spawn_binary_on(data_dir, None, log, stderr)
}

/// Like [`spawn_binary`], on the database at `database_url` (default: SQLite in `data_dir`).
pub fn spawn_binary_on(
    data_dir: &Path,
    database_url: Option<&str>,
    log: &str,
    stderr: Stdio,
) -> (Child, String, String) {
    spawn_binary_with(data_dir, database_url, &[], log, stderr)
}

/// Like [`spawn_binary_on`], with extra environment variables (settings).
pub fn spawn_binary_with(
    data_dir: &Path,
    database_url: Option<&str>,
    env: &[(&str, &str)],
    log: &str,
    stderr: Stdio,
) -> (Child, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mm-portal"));
    command.envs(env.iter().copied());
    command.env_remove("DATABASE_URL");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let mut child = command
        .arg("serve")
        .env("PORTAL_ADDR", "127.0.0.1:0")
        .env("PORTAL_DATA_DIR", data_dir)
        .env("RUST_LOG", log)
        .env_remove("META_MODE")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.contains("listening on http://"),
        "unexpected first line: {line}"
    );
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    (child, url, line)
}

pub const STAFF_PASSWORD: &str = "staff password for tests";

/// A signed-in staff member's HTTP client (cookie and same-site `Origin` on every post).
pub struct StaffClient {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
}

impl StaffClient {
    pub async fn sign_in(base: &str, email: &str) -> StaffClient {
        Self::sign_in_with(base, email, STAFF_PASSWORD).await
    }

    pub async fn sign_in_with(base: &str, email: &str, password: &str) -> StaffClient {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = http
            .post(format!("{base}auth/login"))
            .header("origin", base.trim_end_matches('/'))
            .form(&[("email", email), ("password", password), ("next", "/wabas")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        // An account whose password an admin set goes to its own page first.
        let location = response.headers()["location"].to_str().unwrap();
        assert!(
            location == "/wabas" || location == "/account?next=%2Fwabas",
            "{location}"
        );
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(
            !set_cookie.contains("Secure"),
            "plain http on localhost: {set_cookie}"
        );
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        StaffClient {
            http,
            base: base.to_string(),
            cookie,
        }
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let origin = self.base.trim_end_matches('/').to_string();
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", origin)
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }
}

/// A staff account with [`STAFF_PASSWORD`].
pub async fn create_staff(portal: &SandboxPortal, email: &str, role: mm_portal::db::Role) {
    create_staff_in(&portal.portal.database, email, role).await
}

/// A staff account with [`STAFF_PASSWORD`] in `database`.
pub async fn create_staff_in(database: &Database, email: &str, role: mm_portal::db::Role) {
    database
        .store
        .create_staff_user(&mm_portal::db::NewStaffUser {
            email: email.into(),
            display_name: email.into(),
            password_hash: mm_portal::staff::password::hash(&SecretString::from(
                STAFF_PASSWORD.to_string(),
            )),
            role,
        })
        .await
        .unwrap();
}

/// Runs each case on SQLite and on PostgreSQL.
macro_rules! on_both_engines {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case("sqlite").await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case("postgres").await;
                }
            )*
        }
    };
}
pub(crate) use on_both_engines;

/// A business that finished Meta's window in the sandbox (`POST /sandbox/api/signups`): the
/// simulator's answer (`code`, `waba_id`, `business_id`, `phone_number_id`).
pub async fn sandbox_signup(base: &str, business_name: &str, phone: &str) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{base}sandbox/api/signups"))
        .json(&serde_json::json!({"business_name": business_name, "phone_number": phone}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls `check` every 50 ms until it gives `Some`, for at most 20 s.
pub async fn eventually_some<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting after 20 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
