//! `mm-portal bench intents`: the bulk Intent API against the simulator's sustained rate
//! limit, with a `kill -9` of the portal half-way (docs/PRODUCT.md §"Numeric targets": "≥ 0.9 of the allowed rate,
//! zero duplicate requests, resumable after a crash").
//!
//! It seeds N eligible businesses (one WABA each) straight into a fresh database, on the
//! simulator's side (`sandbox_objects`) and the portal's (as discovery would have left them),
//! starts the real binary (this executable, `serve`, sandbox mode, 127.0.0.1, port 0), sets
//! the simulator's limit (`POST /sandbox/api/rate-limits`), signs a staff operator in and
//! starts the bulk run the way the operations page does (`POST /api/send_intent_to_eligible`).
//! When half of the businesses have a request it kills the server with SIGKILL, restarts it on
//! the same database and lets it finish. Then it waits for Meta's simulated signing (the
//! simulator completes signings whose timers died with the killed process on its next partner
//! read, which the bench makes; terms webhooks lost in the kill are recovered by a discovery
//! run) and reads the simulator's call counts (`GET /sandbox/api/stats/intents`).
//!
//! Everything is bounded by `--timeout`; the server is killed on every way out.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde_json::{json, Value};

use crate::db::{self, now_millis, Database, NewStaffUser, Role, SeedStore, StaffStore};
use crate::sandbox::rate_limit::IntentStats;

#[derive(Debug, Clone, clap::Args)]
pub struct IntentBenchArgs {
    /// Eligible businesses (one WABA each) to ask.
    #[arg(long, default_value_t = 10_000)]
    pub businesses: usize,
    /// The simulator's allowed rate for `onboard_partners_to_mm_lite`, calls per second.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// The portal's configured pace (`INTENT_RATE_PER_SECOND`). Default: `--rate`.
    #[arg(long)]
    pub portal_rate: Option<f64>,
    /// Kill the server once this share of the businesses has a request.
    #[arg(long, default_value_t = 0.5)]
    pub kill_at: f64,
    /// How long each business takes to "sign" after its request (the simulator's default is
    /// 2000 ms).
    #[arg(long, default_value_t = 2000)]
    pub sign_delay_ms: u64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 1200)]
    pub timeout: u64,
    /// Database to use. Default: a fresh SQLite file in a temporary directory.
    #[arg(long = "bench-database-url", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// One run's parameters (the integration test runs a small one with its own binary).
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The `mm-portal` binary to start.
    pub binary: PathBuf,
    pub businesses: usize,
    pub allowed_rate: f64,
    pub portal_rate: f64,
    pub kill_at: f64,
    pub sign_delay_ms: u64,
    pub timeout: Duration,
    pub database_url: Option<String>,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct IntentReport {
    pub backend: String,
    pub businesses: usize,
    pub allowed_rate: f64,
    pub portal_rate: f64,
    /// The simulator's counts.
    pub stats: IntentStats,
    /// Calls that got past the rate limit, per second, inside the [`bursts`](Self::bursts).
    pub achieved_rate: f64,
    /// Stretches of accepted calls without a pause over 5 s: `(calls, span ms)`.
    pub bursts: Vec<(usize, i64)>,
    /// Businesses with a request when the server was killed.
    pub sent_before_kill: i64,
    /// From starting the new process to the simulator receiving its first call.
    pub time_to_resume: Duration,
    /// From starting the new process to it answering HTTP.
    pub restart_to_listening: Duration,
    /// From starting the bulk run to the last business having its request.
    pub sending_time: Duration,
    /// From starting the bulk run to every WABA ONBOARDED in the portal (or the timeout).
    pub total_time: Duration,
    /// `intent_requests` per state at the end.
    pub states: Vec<(String, i64)>,
    pub onboarded_in_simulator: i64,
    pub onboarded_in_portal: i64,
    /// Whether a discovery run was needed to learn of signings whose webhooks died in the kill.
    pub discovery_needed: bool,
}

impl IntentReport {
    pub fn all_onboarded(&self) -> bool {
        self.onboarded_in_portal == self.businesses as i64
            && self.onboarded_in_simulator == self.businesses as i64
    }

    pub fn state(&self, state: &str) -> i64 {
        self.states
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    }
}

pub async fn run(args: IntentBenchArgs) -> Result<(), String> {
    let binary = std::env::current_exe().map_err(|e| format!("own executable: {e}"))?;
    let scenario = Scenario {
        binary,
        businesses: args.businesses,
        allowed_rate: args.rate,
        portal_rate: args.portal_rate.unwrap_or(args.rate),
        kill_at: args.kill_at,
        sign_delay_ms: args.sign_delay_ms,
        timeout: Duration::from_secs(args.timeout),
        database_url: args.database_url,
    };
    println!(
        "bulk Intent API: {} businesses, simulator allows {}/s, portal paced at {}/s, kill -9 at {:.0}%",
        scenario.businesses,
        scenario.allowed_rate,
        scenario.portal_rate,
        scenario.kill_at * 100.0
    );
    let report = scenario.run().await?;
    print_report(&report);
    if report.stats.duplicates > 0 || !report.all_onboarded() {
        return Err("duplicates or businesses not onboarded (see above)".into());
    }
    Ok(())
}

pub fn print_report(r: &IntentReport) {
    let s = &r.stats;
    println!("database:                      {}", r.backend);
    println!("businesses:                    {}", r.businesses);
    println!("allowed rate (simulator):      {:.1}/s", r.allowed_rate);
    println!("portal pace:                   {:.1}/s", r.portal_rate);
    println!(
        "achieved rate while running:   {:.1}/s ({:.2} of allowed)",
        r.achieved_rate,
        r.achieved_rate / r.allowed_rate
    );
    println!(
        "calls flowed in {} stretch(es) (pauses over 5 s between): {}",
        r.bursts.len(),
        r.bursts
            .iter()
            .map(|(n, ms)| format!("{n} calls in {:.1} s", *ms as f64 / 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "requests: {} total, {} accepted, {} rate-limit errors ({} distinct businesses)",
        s.total_requests,
        s.total_requests - s.rate_limited,
        s.rate_limited,
        s.distinct_businesses
    );
    println!(
        "duplicate requests:            {} (calls for a business Meta already had a request for; businesses: {})",
        s.duplicates, s.businesses_with_duplicates
    );
    println!(
        "calls made again because the kill cut the first short before Meta stored it: {} (most accepted calls for one business: {})",
        s.repeated_unstored, s.max_accepted_for_one_business
    );
    println!(
        "killed (SIGKILL) after:        {} businesses had their request",
        r.sent_before_kill
    );
    println!(
        "time to resume:                {:.2} s from starting the new process to its first call ({:.2} s to listening)",
        r.time_to_resume.as_secs_f64(),
        r.restart_to_listening.as_secs_f64()
    );
    println!(
        "time to send all:              {:.1} s",
        r.sending_time.as_secs_f64()
    );
    println!(
        "total time:                    {:.1} s (until every WABA ONBOARDED in the portal)",
        r.total_time.as_secs_f64()
    );
    println!(
        "request states:                {}",
        r.states
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "ONBOARDED after signing:       simulator {}/{}, portal {}/{}{} → {}",
        r.onboarded_in_simulator,
        r.businesses,
        r.onboarded_in_portal,
        r.businesses,
        if r.discovery_needed {
            " (a discovery run recovered terms webhooks lost in the kill)"
        } else {
            ""
        },
        if r.all_onboarded() { "all" } else { "NOT ALL" }
    );
}

/// The server process; killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(
        s: &Scenario,
        data_dir: &Path,
        database_url: &str,
        log: &Path,
    ) -> Result<Server, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("log file: {e}"))?;
        let mut child = Command::new(&s.binary)
            .arg("serve")
            .env_remove("META_MODE")
            .env("META_MODE", "sandbox")
            .env("PORTAL_ADDR", "127.0.0.1:0")
            .env("PORTAL_DATA_DIR", data_dir)
            .env("DATABASE_URL", database_url)
            .env("INTENT_RATE_PER_SECOND", s.portal_rate.to_string())
            .env("RUST_LOG", "warn")
            .env("LOG_FORMAT", "text")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", s.binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        // The first line names the URL (`… listening on http://127.0.0.1:PORT/`).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server {
            child,
            url: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| "the server did not start within 60 s".to_string())?;
        if !line.contains("listening on http://127.0.0.1:") {
            return Err(format!("unexpected first line from the server: {line:?}"));
        }
        server.url = line
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        Ok(server)
    }

    fn kill_9(mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    fn terminate(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Drop kills it.
    }
}

async fn scalar(database: &Database, sql: &str) -> i64 {
    match &database.pool {
        db::Pool::Sqlite(pool) => {
            sqlx::query_scalar::<_, Option<i64>>(sql)
                .fetch_one(pool)
                .await
        }
        db::Pool::Postgres(pool) => {
            sqlx::query_scalar::<_, Option<i64>>(sql)
                .fetch_one(pool)
                .await
        }
    }
    .ok()
    .flatten()
    .unwrap_or(0)
}

/// When each business's accepted call arrived (the simulator's `intent_calls` documents).
async fn accepted_times(database: &Database) -> Vec<i64> {
    const SQL: &str = "SELECT data FROM sandbox_objects WHERE kind = 'intent_calls'";
    let rows: Vec<String> = match &database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_all(pool).await,
        db::Pool::Postgres(pool) => sqlx::query_scalar(SQL).fetch_all(pool).await,
    }
    .unwrap_or_default();
    let mut times: Vec<i64> = rows
        .iter()
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .filter_map(|doc| doc["accepted_at"].as_i64())
        .filter(|at| *at > 0)
        .collect();
    times.sort_unstable();
    times
}

/// Stretches of calls with no pause over `gap_ms` between two of them: `(calls, span ms)`.
pub fn bursts(times: &[i64], gap_ms: i64) -> Vec<(usize, i64)> {
    let mut bursts: Vec<(usize, i64)> = Vec::new();
    let mut start = 0;
    for i in 1..=times.len() {
        if i == times.len() || times[i] - times[i - 1] > gap_ms {
            if i > start {
                bursts.push((i - start, times[i - 1] - times[start]));
            }
            start = i;
        }
    }
    bursts
}

/// Calls per second inside the bursts (each burst of n calls spans n - 1 intervals).
pub fn rate_in_bursts(bursts: &[(usize, i64)]) -> f64 {
    let intervals: usize = bursts.iter().map(|(n, _)| n - 1).sum();
    let span: i64 = bursts.iter().map(|(_, ms)| ms).sum();
    if span == 0 {
        return 0.0;
    }
    intervals as f64 / (span as f64 / 1000.0)
}

async fn states(database: &Database) -> Vec<(String, i64)> {
    const SQL: &str = "SELECT state, COUNT(*) FROM intent_requests GROUP BY state ORDER BY state";
    match &database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
        db::Pool::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
    }
    .unwrap_or_default()
}

/// The simulator's side: a business and its WABA per customer (and its sign delay), as
/// documents in `sandbox_objects`, many rows per statement.
async fn seed_simulator(database: &Database, s: &Scenario) -> Result<(), String> {
    let now = now_millis();
    let rows: Vec<crate::sandbox::seed::ObjectRow> = (0..s.businesses)
        .flat_map(|n| {
            crate::sandbox::seed::customer_rows(
                &crate::seed::synthetic(n, now),
                Some("ELIGIBLE"),
                s.sign_delay_ms,
            )
        })
        .collect();
    crate::sandbox::seed::insert_objects(database, &rows).await
}

/// The portal's side: every business and WABA known and ELIGIBLE, as discovery leaves them.
async fn seed_portal(database: &Database, s: &Scenario) -> Result<(), String> {
    let now = now_millis();
    for start in (0..s.businesses).step_by(500) {
        let rows: Vec<_> = (start..(start + 500).min(s.businesses))
            .map(|n| {
                let mut customer = crate::seed::synthetic(n, now);
                customer.onboarding_status = "ELIGIBLE".into();
                customer.failed_step = false;
                customer.coexistence = false;
                customer
            })
            .collect();
        database
            .store
            .seed_wabas(&rows)
            .await
            .map_err(|e| format!("seeding the portal: {e}"))?;
    }
    Ok(())
}

const STAFF_EMAIL: &str = "bench-operator@partner.test";
const STAFF_PASSWORD: &str = "bench operator password 1";

/// A signed-in operator's cookie.
async fn sign_in(http: &reqwest::Client, base: &str) -> Result<String, String> {
    let response = http
        .post(format!("{base}auth/login"))
        // Sign-in refuses posts from other sites, as a browser's form post carries its origin.
        .header("origin", base.trim_end_matches('/'))
        .form(&[
            ("email", STAFF_EMAIL),
            ("password", STAFF_PASSWORD),
            ("next", "/operations"),
        ])
        .send()
        .await
        .map_err(|e| format!("sign-in: {e}"))?;
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| format!("sign-in refused ({})", response.status()))
}

async fn staff_post(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    path: &str,
) -> Result<String, String> {
    let response = http
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .header("origin", base.trim_end_matches('/'))
        .form(&[] as &[(&str, &str)])
        .send()
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("{path} answered {status}: {text}"));
    }
    Ok(text)
}

async fn fetch_stats(http: &reqwest::Client, base: &str) -> Result<IntentStats, String> {
    http.get(format!("{base}sandbox/api/stats/intents"))
        .send()
        .await
        .map_err(|e| format!("stats: {e}"))?
        .json()
        .await
        .map_err(|e| format!("stats: {e}"))
}

/// A partner read of `client_whatsapp_business_accounts`: the simulator completes the
/// signings that are due (also those whose timers died with the killed process).
async fn partner_read(http: &reqwest::Client, base: &str, data_dir: &Path) -> Result<(), String> {
    let secrets: Value = serde_json::from_slice(
        &std::fs::read(data_dir.join("sandbox-secrets.json"))
            .map_err(|e| format!("sandbox secrets: {e}"))?,
    )
    .map_err(|e| format!("sandbox secrets: {e}"))?;
    let app_secret = SecretString::from(
        secrets["app_secret"]
            .as_str()
            .ok_or("no app secret")?
            .to_string(),
    );
    let minted: Value = http
        .post(format!("{base}sandbox/api/partner-token"))
        .json(&json!({}))
        .send()
        .await
        .map_err(|e| format!("partner token: {e}"))?
        .json()
        .await
        .map_err(|e| format!("partner token: {e}"))?;
    let token = SecretString::from(
        minted["access_token"]
            .as_str()
            .ok_or("no partner token")?
            .to_string(),
    );
    let proof = crate::graph::appsecret_proof(&token, &app_secret);
    let partner = crate::sandbox::SANDBOX_PARTNER_BUSINESS_ID;
    let response = http
        .get(format!(
            "{base}sandbox/graph/v23.0/{partner}/client_whatsapp_business_accounts"
        ))
        .query(&[
            ("limit", "1"),
            ("fields", "id"),
            ("appsecret_proof", &proof),
        ])
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&token))
        .send()
        .await
        .map_err(|e| format!("partner read: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("partner read answered {}", response.status()));
    }
    Ok(())
}

impl Scenario {
    pub async fn run(&self) -> Result<IntentReport, String> {
        let deadline = Instant::now() + self.timeout;
        let temp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
        let data_dir = temp.path().join("data");
        let log = temp.path().join("portal.log");
        let database_url = self
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", temp.path().join("portal.db").display()));
        let result = self.run_in(&data_dir, &database_url, &log, deadline).await;
        if result.is_err() {
            if let Ok(text) = std::fs::read_to_string(&log) {
                let tail: Vec<&str> = text.lines().rev().take(20).collect();
                for line in tail.into_iter().rev() {
                    eprintln!("portal log: {line}");
                }
            }
        }
        result
    }

    // Long on purpose: the benchmark's scenario (seed, start, kill -9 half-way, restart, wait,
    // count) reads top to bottom as one story; each step is a few lines.
    async fn run_in(
        &self,
        data_dir: &Path,
        database_url: &str,
        log: &Path,
        deadline: Instant,
    ) -> Result<IntentReport, String> {
        let out_of_time = |what: &str| format!("timed out waiting for {what}");
        let database = db::connect(database_url)
            .await
            .map_err(|e| format!("database: {e}"))?;
        let backend = database.store.backend().as_str().to_string();
        let seeded = Instant::now();
        seed_simulator(&database, self).await?;
        seed_portal(&database, self).await?;
        database
            .store
            .create_staff_user(&NewStaffUser {
                email: STAFF_EMAIL.into(),
                display_name: "Bench operator".into(),
                password_hash: crate::staff::password::hash(&SecretString::from(
                    STAFF_PASSWORD.to_string(),
                )),
                role: Role::Operator,
            })
            .await
            .map_err(|e| format!("staff account: {e}"))?;
        eprintln!(
            "seeded {} businesses in {:.1} s",
            self.businesses,
            seeded.elapsed().as_secs_f64()
        );

        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| e.to_string())?;
        let server = Server::start(self, data_dir, database_url, log)?;
        let base = server.url.clone();
        let limited = http
            .post(format!("{base}sandbox/api/rate-limits"))
            .json(&json!({"operation": "onboard_partners_to_mm_lite", "per_second": self.allowed_rate}))
            .send()
            .await
            .map_err(|e| format!("rate limit: {e}"))?;
        if limited.status() != 204 {
            return Err(format!(
                "the simulator refused the rate limit: {}",
                limited.status()
            ));
        }
        let cookie = sign_in(&http, &base).await?;

        // The bulk run, as the operations page starts it.
        let started = Instant::now();
        let answer = staff_post(&http, &base, &cookie, "api/send_intent_to_eligible").await?;
        eprintln!("{}", answer.trim_matches('"'));

        let n = self.businesses as i64;
        let kill_after = ((n as f64) * self.kill_at).round() as i64;
        let sent_sql = "SELECT COUNT(*) FROM intent_requests WHERE state = 'sent'";
        let mut sent = 0;
        while sent < kill_after {
            if Instant::now() > deadline {
                return Err(out_of_time("half of the requests"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            sent = scalar(&database, sent_sql).await;
        }
        server.kill_9();
        let sent_before_kill = scalar(&database, sent_sql).await;
        eprintln!("kill -9 with {sent_before_kill} of {n} sent; restarting");

        let restart = Instant::now();
        let restart_ms = now_millis();
        let server = Server::start(self, data_dir, database_url, log)?;
        let restart_to_listening = restart.elapsed();
        let base = server.url.clone();
        let first_new_sql = format!(
            "SELECT MIN(updated_at) FROM sandbox_objects WHERE kind = 'intent_calls' AND updated_at >= {restart_ms}"
        );
        let first_new_ms = loop {
            let first = scalar(&database, &first_new_sql).await;
            if first > 0 {
                break first;
            }
            if Instant::now() > deadline {
                return Err(out_of_time("the first request after the restart"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let time_to_resume = Duration::from_millis((first_new_ms - restart_ms).max(0) as u64);

        let done_sql = "SELECT COUNT(*) FROM intent_requests WHERE state IN ('sent', 'failed')";
        while scalar(&database, done_sql).await < n {
            if Instant::now() > deadline {
                return Err(out_of_time("every request to be sent"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let sending_time = started.elapsed();
        // "While running": the stretches in which calls flowed, not the downtime after the
        // kill or the wait for the leases the killed worker held.
        let bursts = bursts(&accepted_times(&database).await, 5000);
        let achieved_rate = rate_in_bursts(&bursts);

        // Signing: each business signs `sign_delay_ms` after its request.
        tokio::time::sleep(Duration::from_millis(self.sign_delay_ms + 500)).await;
        let onboarded_sim_sql = "SELECT COUNT(*) FROM sandbox_objects WHERE kind = 'waba' \
             AND data LIKE '%\"marketing_messages_onboarding_status\":\"ONBOARDED\"%'";
        let onboarded_sql = "SELECT COUNT(*) FROM wabas WHERE onboarding_status = 'ONBOARDED'";
        let mut discovery_needed = false;
        let mut last_progress = (Instant::now(), -1);
        loop {
            partner_read(&http, &base, data_dir).await?;
            let in_portal = scalar(&database, onboarded_sql).await;
            if in_portal >= n || Instant::now() > deadline {
                break;
            }
            if in_portal != last_progress.1 {
                last_progress = (Instant::now(), in_portal);
            } else if last_progress.0.elapsed() > Duration::from_secs(10) && !discovery_needed {
                // Terms webhooks that were in flight when the server died are gone (Meta
                // would retry them; the simulator keeps its queue in memory): re-read Meta.
                discovery_needed = true;
                staff_post(&http, &base, &cookie, "api/start_discovery").await?;
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        let total_time = started.elapsed();
        let report = IntentReport {
            backend,
            businesses: self.businesses,
            allowed_rate: self.allowed_rate,
            portal_rate: self.portal_rate,
            stats: fetch_stats(&http, &base).await?,
            achieved_rate,
            bursts,
            sent_before_kill,
            time_to_resume,
            restart_to_listening,
            sending_time,
            total_time,
            states: states(&database).await,
            onboarded_in_simulator: scalar(&database, onboarded_sim_sql).await,
            onboarded_in_portal: scalar(&database, onboarded_sql).await,
            discovery_needed,
        };
        server.terminate();
        match &database.pool {
            db::Pool::Sqlite(pool) => pool.close().await,
            db::Pool::Postgres(pool) => pool.close().await,
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_split_at_pauses_and_the_rate_ignores_them() {
        let times = [0, 100, 200, 300, 5_000, 5_050, 5_100, 70_000];
        let found = bursts(&times, 1000);
        assert_eq!(found, vec![(4, 300), (3, 100), (1, 0)]);
        // 3 + 2 intervals in 0.4 s.
        assert!((rate_in_bursts(&found) - 12.5).abs() < 1e-9);
        assert_eq!(rate_in_bursts(&[]), 0.0);
    }
}
