//! `mm-portal bench pages`: every route a person or the partner's platform calls, timed over
//! many seeded customers through the whole portal on 127.0.0.1 — each staff and public page,
//! each server function, each `/api/v1` route — with p50/p95, the statements each request
//! ran and the plan of the slowest one. Its last line is `slowest: ROUTE p95 N ms`.
//!
//! The routes come from the code, not from a list kept here: the pages from Leptos' route list,
//! the server functions from their registry, the partner API from its OpenAPI document. What
//! this file holds is how to *call* each one (its arguments, and whether calling it again is
//! harmless); a route it does not know how to call stops the run, so a new route cannot go
//! unmeasured. Reads are timed `--samples` times; writes that are harmless to repeat too; the
//! rest once, after everything else; a few are not timed, each with the reason printed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::Args;
use leptos::server_fn::ServerFn;
use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};

use crate::db::engine::query_as;
use crate::db::profile;

#[derive(Debug, Clone, Args)]
pub struct PagesBenchArgs {
    /// Customers (business + WABA + phone) to seed.
    #[arg(long, default_value_t = 100_000)]
    pub wabas: usize,
    /// Timed requests per route (after two untimed ones).
    #[arg(long, default_value_t = 20)]
    pub samples: usize,
    /// Database to use. Default: a fresh SQLite file in a temporary directory.
    #[arg(long = "bench-database-url", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// How a route is timed. Ordered as they run: reads first, so the writes' background work
/// (queued jobs) cannot slow them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Read,
    /// A write that is harmless to repeat (it makes one more row, or sets the same value).
    Repeat,
    /// A write timed once: repeating it would measure a refusal.
    Once,
    /// Timed once, last: it starts work at scale (a bulk Intent API run) that would slow
    /// whatever came after it.
    Bulk,
    /// Not timed, and why.
    Skip(&'static str),
}

enum Body {
    None,
    Form(String),
    Json(Value),
}

/// Who calls the route.
#[derive(Clone, Copy)]
enum Caller {
    /// The staff member's session cookie (public routes ignore it).
    Staff,
    /// The partner API key.
    Key,
}

struct Route {
    label: String,
    method: Method,
    path: String,
    body: Body,
    kind: Kind,
    caller: Caller,
}

/// What the bench made before timing: a signed-in admin, a key with every scope, one real
/// sandbox signup through a signup link, and one of each object the writes act on.
struct Fixture {
    http: reqwest::Client,
    base: String,
    cookie: String,
    key: String,
    /// The signup's WABA: portal id and Meta's id.
    waba: i64,
    meta_waba: String,
    /// A business the bench's (cancelled) Intent API batch asked.
    asked_business: String,
    signup_key: String,
    signup_id: i64,
    link_token: String,
    link_id: i64,
    spare_link_id: i64,
    rotated_key_id: i64,
    revoked_key_id: i64,
    other_staff_id: i64,
    relay_id: i64,
    events_id: i64,
    spare_events_id: i64,
    batch: String,
    /// A started signup the funnel calls report on.
    nonce: String,
    /// Forwarded client addresses, one per request, so the public limits never answer.
    client: std::sync::atomic::AtomicU32,
}

const EMAIL: &str = "bench@pages.test";
/// Where the bench's relay destinations and event endpoints point (the discard port).
const CLOSED_PORT: &str = "http://127.0.0.1:9/bench";

pub async fn run(args: PagesBenchArgs) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let mut flags = vec![
        "--api-rate-per-key".to_string(),
        "1000000".into(),
        "--trusted-proxies".into(),
        "127.0.0.1".into(),
    ];
    if let Some(url) = &args.database_url {
        flags.extend(["--database-url".to_string(), url.clone()]);
    }
    let config = super::portal_config(&temp, &flags)?;
    let portal = crate::server::RunningPortal::start(config)
        .await
        .map_err(|e| e.to_string())?;
    let store = portal.database.store.clone();
    println!(
        "every route on {}: seeding {} customers…",
        store.backend().as_str(),
        args.wabas
    );
    crate::seed::seed(store.as_ref(), args.wabas, |_| {})
        .await
        .map_err(|e| format!("seeding failed: {e}"))?;
    super::analyze(&portal.database).await?;
    let fixture = Fixture::make(&portal).await?;
    let mut routes = routes(&fixture)?;
    routes.sort_by_key(|r| r.kind);
    println!(
        "{} routes; {} samples each (writes that are not harmless to repeat: once), one at a time",
        routes.len(),
        args.samples
    );
    println!(
        "{:<52}{:>4}{:>9}{:>9}{:>7}{:>9}",
        "route", "n", "p50 ms", "p95 ms", "stmts", "worst ms"
    );
    let mut slowest: Option<(String, f64)> = None;
    let mut failed = Vec::new();
    for route in &routes {
        let samples = match route.kind {
            Kind::Skip(why) => {
                println!("{:<52}  not timed: {why}", route.label);
                continue;
            }
            Kind::Once | Kind::Bulk => 1,
            Kind::Read | Kind::Repeat => args.samples,
        };
        let timing = fixture.time(route, samples).await;
        let p95 = timing.percentile_ms(95.0);
        println!(
            "{:<52}{:>4}{:>9.2}{:>9.2}{:>7.1}{:>9.2}",
            route.label,
            timing.times.len(),
            timing.percentile_ms(50.0),
            p95,
            timing.profile.statements as f64 / timing.requests.max(1) as f64,
            timing
                .profile
                .slowest
                .as_ref()
                .map_or(0.0, |s| s.elapsed.as_secs_f64() * 1000.0),
        );
        if let Some(error) = &timing.error {
            println!("    answered {error}");
            if matches!(route.kind, Kind::Read | Kind::Repeat) {
                failed.push(route.label.clone());
            }
        }
        if let Some(worst) = &timing.profile.slowest {
            print_plan(&portal.database.pool, worst).await;
        }
        if slowest.as_ref().is_none_or(|(_, ms)| p95 > *ms) {
            slowest = Some((route.label.clone(), p95));
        }
    }
    portal.shutdown().await;
    if !failed.is_empty() {
        return Err(format!(
            "{} routes answered errors where the bench expects success: {}",
            failed.len(),
            failed.join(", ")
        ));
    }
    let (label, ms) = slowest.ok_or("no route was timed")?;
    println!("slowest: {label} p95 {ms:.1} ms");
    Ok(())
}

/// The slowest statement's text (shortened) and the lines of its plan that read tables.
async fn print_plan(pool: &crate::db::engine::Pool, worst: &profile::Timed) {
    let sql: String = worst
        .statement
        .sql()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let shown: String = sql.chars().take(110).collect();
    println!(
        "    worst: {shown}{}",
        if shown.len() < sql.len() { "…" } else { "" }
    );
    match worst.statement.explain(pool).await {
        Ok(lines) => {
            for line in lines
                .iter()
                .filter(|l| {
                    ["SCAN", "SEARCH", "Scan", "Index", "Sort", "Aggregate"]
                        .iter()
                        .any(|w| l.contains(w))
                })
                .take(4)
            {
                println!("      {}", line.trim());
            }
        }
        Err(error) => println!("      (no plan: {error})"),
    }
}

struct Timing {
    times: Vec<Duration>,
    requests: usize,
    profile: profile::Profile,
    error: Option<String>,
}

impl Timing {
    fn percentile_ms(&self, p: f64) -> f64 {
        if self.times.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * (self.times.len() - 1) as f64).round() as usize;
        self.times[rank].as_secs_f64() * 1000.0
    }
}

impl Fixture {
    async fn make(portal: &crate::server::RunningPortal) -> Result<Fixture, String> {
        use crate::db::{NewStaffUser, Role, StaffStore};
        let store = portal.database.store.clone();
        let password = format!("bench {} pages", uuid::Uuid::new_v4());
        let hash = crate::staff::password::hash(&secrecy::SecretString::from(password.clone()));
        for (email, role) in [(EMAIL, Role::Admin), ("other@pages.test", Role::Viewer)] {
            store
                .create_staff_user(&NewStaffUser {
                    email: email.into(),
                    display_name: email.into(),
                    password_hash: hash.clone(),
                    role,
                })
                .await
                .map_err(|e| format!("staff account: {e}"))?;
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let base = portal.url.as_str().trim_end_matches('/').to_string();
        let signed_in = http
            .post(format!("{base}/auth/login"))
            .header("origin", &base)
            .form(&[("email", EMAIL), ("password", &password), ("next", "/")])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let cookie = signed_in
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .ok_or("sign-in gave no session cookie")?
            .to_string();
        let keys = crate::api_keys::service::ApiKeysService::new(store.clone());
        let all = app::api_keys::port::Scope::ALL;
        let key = keys
            .make("bench", &all, "bench")
            .await
            .map_err(|e| e.to_string())?
            .secret;
        let mut spare = Vec::new();
        for name in ["rotated", "revoked"] {
            let made = keys.make(name, &all, "bench").await;
            spare.push(made.map_err(|e| e.to_string())?.key.id);
        }
        let mut fixture = Fixture {
            http,
            base,
            cookie,
            key,
            waba: 0,
            meta_waba: String::new(),
            asked_business: String::new(),
            signup_key: String::new(),
            signup_id: 0,
            link_token: String::new(),
            link_id: 0,
            spare_link_id: 0,
            rotated_key_id: spare[0],
            revoked_key_id: spare[1],
            other_staff_id: 0,
            relay_id: 0,
            events_id: 0,
            spare_events_id: 0,
            batch: String::new(),
            nonce: String::new(),
            client: std::sync::atomic::AtomicU32::new(1),
        };
        let link = fixture
            .api(
                Method::POST,
                "/api/v1/signup-links",
                json!({"customer_id": "crm-bench", "campaign": "bench", "single_use": false}),
            )
            .await?;
        fixture.link_id = link["id"].as_i64().ok_or("signup link: no id")?;
        fixture.link_token = link["url"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .ok_or("signup link: no url")?
            .to_string();
        let spare_link = fixture
            .api(Method::POST, "/api/v1/signup-links", json!({}))
            .await?;
        fixture.spare_link_id = spare_link["id"].as_i64().ok_or("signup link: no id")?;
        fixture.sign_up().await?;
        fixture.nonce = fixture.start_signup().await?;
        let (signup_id, waba): (i64, Option<i64>) =
            query_as("SELECT id, waba_id FROM signups WHERE status_key = $1")
                .bind(fixture.signup_key.clone())
                .fetch_one(&portal.database.pool)
                .await
                .map_err(|e| format!("the bench's signup: {e}"))?;
        fixture.signup_id = signup_id;
        fixture.waba = waba.ok_or("the bench's signup has no WABA")?;
        let (meta_waba,): (String,) = query_as("SELECT meta_waba_id FROM wabas WHERE id = $1")
            .bind(fixture.waba)
            .fetch_one(&portal.database.pool)
            .await
            .map_err(|e| e.to_string())?;
        fixture.meta_waba = meta_waba;
        let (other,): (i64,) = query_as("SELECT id FROM staff_users WHERE email = $1")
            .bind("other@pages.test")
            .fetch_one(&portal.database.pool)
            .await
            .map_err(|e| e.to_string())?;
        fixture.other_staff_id = other;
        // A closed port: deliveries fail at once and are retried later, so no delivery (nor a
        // sink's request to this portal) runs beside the timings.
        let sink = CLOSED_PORT;
        let relay = fixture
            .api(
                Method::POST,
                "/api/v1/relay-destinations",
                json!({"url": sink, "fields": ["*"], "signing": "meta"}),
            )
            .await?;
        fixture.relay_id = relay["id"].as_i64().ok_or("relay destination: no id")?;
        for _ in 0..2 {
            let events = fixture
                .api(
                    Method::POST,
                    "/api/v1/event-endpoints",
                    json!({"url": sink, "events": ["*"]}),
                )
                .await?;
            fixture.spare_events_id = fixture.events_id;
            fixture.events_id = events["id"].as_i64().ok_or("event endpoint: no id")?;
        }
        // A batch for the batch routes, stopped at once so its jobs do not run beside the
        // timings.
        let batch = fixture
            .api(Method::POST, "/api/v1/intents", json!({"filter": {}}))
            .await?;
        let (asked,): (String,) = query_as(
            "SELECT b.meta_business_id FROM intent_requests r
               JOIN businesses b ON b.id = r.business_id ORDER BY r.business_id LIMIT 1",
        )
        .fetch_one(&portal.database.pool)
        .await
        .map_err(|e| format!("no business asked by the bench's batch: {e}"))?;
        fixture.asked_business = asked;
        fixture.batch = batch["batch"]
            .as_str()
            .ok_or("bulk intent: no batch")?
            .to_string();
        fixture
            .call_fn(
                app::operations::api::CancelIntentBatch::PATH,
                form(&app::operations::api::CancelIntentBatch {
                    batch: fixture.batch.clone(),
                }),
            )
            .await?;
        let (status, _) = fixture
            .server_fn(
                app::api_keys::api::SetTokenHandoff::PATH,
                form(&app::api_keys::api::SetTokenHandoff { on: true }),
            )
            .await?;
        if status != 200 {
            return Err(format!("turning the token hand-off on: {status}"));
        }
        Ok(fixture)
    }

    /// One signup through the link, as a business does it in the sandbox: start, Meta's window
    /// (the simulator), the FINISH event, the code exchange; then waits for the pipeline.
    async fn sign_up(&mut self) -> Result<(), String> {
        use app::signup::api::{SignupComplete, SignupEvent, SignupLaunched};
        let nonce = self.start_signup().await?;
        self.call_fn(
            SignupLaunched::PATH,
            form(&SignupLaunched {
                nonce: nonce.clone(),
            }),
        )
        .await?;
        let created: Value = self
            .http
            .post(format!("{}/sandbox/api/signups", self.base))
            .json(&json!({"business_name": "Bench Bakery", "phone_number": "+55 11 95555 0777"}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let payload = json!({
            "type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "version": 3,
            "data": {
                "waba_id": created["waba_id"],
                "phone_number_id": created["phone_number_id"],
                "business_id": created["business_id"],
            },
        })
        .to_string();
        self.call_fn(
            SignupEvent::PATH,
            form(&SignupEvent {
                nonce: nonce.clone(),
                payload,
            }),
        )
        .await?;
        let code = created["code"]
            .as_str()
            .ok_or("no code from the simulator")?;
        let key = self
            .call_fn(
                SignupComplete::PATH,
                form(&SignupComplete {
                    nonce,
                    code: code.into(),
                    email: None,
                }),
            )
            .await?;
        self.signup_key = serde_json::from_str(&key).map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let status = self
                .call_fn(
                    app::signup::api::SignupStatus::PATH,
                    form(&app::signup::api::SignupStatus {
                        key: self.signup_key.clone(),
                    }),
                )
                .await?;
            if serde_json::from_str::<Value>(&status).is_ok_and(|v| v["ready"] == true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err("the bench's sandbox signup did not become ready within 60 s".into())
    }

    async fn start_signup(&self) -> Result<String, String> {
        use app::signup::api::SignupStart;
        let nonce = self
            .call_fn(
                SignupStart::PATH,
                form(&SignupStart {
                    campaign: None,
                    link: Some(self.link_token.clone()),
                }),
            )
            .await?;
        serde_json::from_str(&nonce).map_err(|e| e.to_string())
    }

    /// A server function that must succeed; its answer's body.
    async fn call_fn(&self, path: &str, body: String) -> Result<String, String> {
        match self.server_fn(path, body).await? {
            (200, text) => Ok(text),
            (status, text) => Err(format!("{path}: {status} {text}")),
        }
    }

    async fn server_fn(&self, path: &str, body: String) -> Result<(u16, String), String> {
        let route = Route {
            label: String::new(),
            method: Method::POST,
            path: path.to_string(),
            body: Body::Form(body),
            kind: Kind::Once,
            caller: Caller::Staff,
        };
        let answer = self.send(&route).await?;
        let status = answer.status().as_u16();
        Ok((status, answer.text().await.map_err(|e| e.to_string())?))
    }

    /// A partner API call that must succeed; its JSON answer.
    async fn api(&self, method: Method, path: &str, body: Value) -> Result<Value, String> {
        let route = Route {
            label: String::new(),
            method,
            path: path.to_string(),
            body: Body::Json(body),
            kind: Kind::Once,
            caller: Caller::Key,
        };
        let answer = self.send(&route).await?;
        let status = answer.status();
        let text = answer.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{path}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    }

    async fn send(&self, route: &Route) -> Result<reqwest::Response, String> {
        let client = self
            .client
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let forwarded = std::net::Ipv4Addr::from(0x0a00_0000 + client).to_string();
        let mut request = self
            .http
            .request(route.method.clone(), format!("{}{}", self.base, route.path))
            .header("x-forwarded-for", forwarded)
            .header("origin", &self.base);
        request = match route.caller {
            Caller::Staff => request.header("cookie", &self.cookie),
            Caller::Key => request.bearer_auth(&self.key),
        };
        request = match &route.body {
            Body::None => request,
            Body::Form(form) => request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.clone()),
            Body::Json(value) => request.json(value),
        };
        request.send().await.map_err(|e| e.to_string())
    }

    /// Two untimed requests, then `samples` timed ones, each read to its last byte.
    async fn time(&self, route: &Route, samples: usize) -> Timing {
        let warm = if route.kind == Kind::Read { 2 } else { 0 };
        let mut error = None;
        for _ in 0..warm {
            if let Err(e) = self.answer(route).await {
                error.get_or_insert(e);
            }
        }
        let mut times = Vec::with_capacity(samples);
        profile::start();
        for _ in 0..samples {
            let started = Instant::now();
            let answered = self.answer(route).await;
            times.push(started.elapsed());
            if let Err(e) = answered {
                error.get_or_insert(e);
            }
        }
        let profile = profile::stop();
        times.sort();
        Timing {
            requests: times.len(),
            times,
            profile,
            error,
        }
    }

    /// The whole answer; an error for a failed request or a status a caller would not accept.
    async fn answer(&self, route: &Route) -> Result<(), String> {
        let answer = self.send(route).await?;
        let status = answer.status();
        let text = answer.text().await.map_err(|e| e.to_string())?;
        if status.is_success() || status.is_redirection() {
            Ok(())
        } else {
            let shown: String = text.chars().take(160).collect();
            Err(format!("{status}: {shown}"))
        }
    }
}

/// A server function's arguments as its client sends them (`PostUrl`: a URL-encoded form).
fn form<T: Serialize>(args: &T) -> String {
    serde_qs::to_string(args).unwrap_or_default()
}

/// Every route the portal serves, with how to call it.
fn routes(f: &Fixture) -> Result<Vec<Route>, String> {
    let mut routes = pages(f)?;
    routes.extend(server_fns(f)?);
    routes.extend(api_routes(f)?);
    routes.extend(operator_routes());
    Ok(routes)
}

/// The plain axum routes staff and their probes read (not in the pages' router, the server
/// function registry or the OpenAPI document). The CSV export and Meta's webhook endpoint
/// have benchmarks of their own.
fn operator_routes() -> Vec<Route> {
    ["/healthz", "/metrics"]
        .into_iter()
        .map(|path| Route {
            label: format!("GET {path}"),
            method: Method::GET,
            path: path.to_string(),
            body: Body::None,
            kind: Kind::Read,
            caller: Caller::Staff,
        })
        .collect()
}

/// The router's pages with their parameters filled in.
fn pages(f: &Fixture) -> Result<Vec<Route>, String> {
    let params: BTreeMap<&str, String> = [
        ("id", f.waba.to_string()),
        ("key", f.signup_key.clone()),
        ("campaign", "bench".to_string()),
        ("token", f.link_token.clone()),
    ]
    .into();
    let mut routes = Vec::new();
    for listed in leptos_axum::generate_route_list(app::App) {
        let template = listed.path().to_string();
        let path = fill(&template, |name| params.get(name).cloned())
            .ok_or_else(|| format!("page {template}: no value for its parameter here"))?;
        routes.push(Route {
            label: format!("GET {template}"),
            method: Method::GET,
            path,
            body: Body::None,
            kind: Kind::Read,
            caller: Caller::Staff,
        });
    }
    Ok(routes)
}

/// `/a/{x}/b` or `/a/:x/b` with each parameter replaced; `None` when one has no value.
fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> Option<String> {
    template
        .split('/')
        .map(|segment| {
            let name = segment
                .strip_prefix(':')
                .or_else(|| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')));
            match name {
                Some(name) => value(name),
                None => Some(segment.to_string()),
            }
        })
        .collect::<Option<Vec<_>>>()
        .map(|segments| segments.join("/"))
}

/// Every registered server function; one without an entry in [`calls`] stops the run.
fn server_fns(f: &Fixture) -> Result<Vec<Route>, String> {
    let mut calls = calls(f);
    let mut routes = Vec::new();
    let mut registered: Vec<&'static str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    registered.sort();
    for path in registered {
        let (body, kind) = calls.remove(path).ok_or_else(|| {
            format!("server function {path}: the bench does not know how to call it (add it to bench::pages::calls)")
        })?;
        routes.push(Route {
            label: format!("POST {path}"),
            method: Method::POST,
            path: path.to_string(),
            body: Body::Form(body),
            kind,
            caller: Caller::Staff,
        });
    }
    if let Some(path) = calls.keys().next() {
        return Err(format!(
            "bench::pages::calls names {path}, which is not registered"
        ));
    }
    Ok(routes)
}

/// How to call each server function: its arguments and how it is timed.
fn calls(f: &Fixture) -> BTreeMap<&'static str, (String, Kind)> {
    use app::api_keys::api::*;
    use app::health::api::*;
    use app::operations::api::*;
    use app::relay::api::*;
    use app::settings::api::*;
    use app::signup::api::*;
    use app::signup_links::api::*;
    use app::staff::account_api::*;
    use app::staff::api::*;
    use app::staff::two_factor_api::*;
    use app::wabas::api::*;
    use app::wabas::port::WabaFilter;
    use app::webhooks::api::*;
    use Kind::*;
    const TOTP: &str = "needs a fresh one-time code from an authenticator: tests/api/two_factor.rs";
    let mut c = BTreeMap::new();
    let mut add = |path: &'static str, body: String, kind: Kind| {
        c.insert(path, (body, kind));
    };
    add(ApiKeys::PATH, form(&ApiKeys {}), Read);
    add(
        CreateApiKey::PATH,
        form(&CreateApiKey {
            name: "bench".into(),
            wabas_read: Some("on".into()),
            signups_read: None,
            signups_write: None,
            intents_write: None,
            tokens_read: None,
            events_manage: None,
        }),
        Repeat,
    );
    add(
        RevokeApiKey::PATH,
        form(&RevokeApiKey {
            id: f.revoked_key_id,
        }),
        Once,
    );
    add(
        RotateApiKey::PATH,
        form(&RotateApiKey {
            id: f.rotated_key_id,
            grace_hours: 1,
        }),
        Once,
    );
    add(TokenHandoff::PATH, form(&TokenHandoff {}), Read);
    add(
        SetTokenHandoff::PATH,
        form(&SetTokenHandoff { on: true }),
        Repeat,
    );
    add(RelayDestinations::PATH, form(&RelayDestinations {}), Read);
    add(
        CreateRelayDestination::PATH,
        form(&CreateRelayDestination {
            kind: "relay".into(),
            url: CLOSED_PORT.into(),
            topics: "messages".into(),
            signing: Some("meta".into()),
        }),
        Repeat,
    );
    add(
        PauseRelayDestination::PATH,
        form(&PauseRelayDestination {
            kind: "relay".into(),
            id: f.relay_id,
            paused: false,
        }),
        Repeat,
    );
    add(
        DeleteRelayDestination::PATH,
        form(&DeleteRelayDestination {
            kind: "events".into(),
            id: f.spare_events_id,
        }),
        Once,
    );
    add(
        ReplayRelayDestination::PATH,
        form(&ReplayRelayDestination {
            kind: "relay".into(),
            id: f.relay_id,
            hours: 1,
        }),
        Repeat,
    );
    add(
        EventDeliveries::PATH,
        form(&EventDeliveries { id: f.events_id }),
        Read,
    );
    add(
        RotateEventSecret::PATH,
        form(&RotateEventSecret { id: f.events_id }),
        Repeat,
    );
    add(EsSettings::PATH, form(&EsSettings {}), Read);
    add(
        SaveEsSettings::PATH,
        form(&SaveEsSettings {
            partner_name: "Bench Partner".into(),
            config_id: "1234567890".into(),
            feature_type: String::new(),
            es_version: "v3".into(),
            solution_id: String::new(),
        }),
        Repeat,
    );
    add(WebhookToken::PATH, form(&WebhookToken {}), Read);
    add(
        RotateWebhookToken::PATH,
        form(&RotateWebhookToken {}),
        Repeat,
    );
    add(AccountInfo::PATH, form(&AccountInfo {}), Read);
    add(
        SetMailAlerts::PATH,
        form(&SetMailAlerts {
            alerts: Some("on".into()),
        }),
        Repeat,
    );
    add(
        ChangePassword::PATH,
        String::new(),
        Skip("would end the bench's own sign-in; tests/api/account.rs"),
    );
    add(MyTwoFactor::PATH, form(&MyTwoFactor {}), Read);
    add(TwoFactorBegin::PATH, form(&TwoFactorBegin {}), Repeat);
    add(TwoFactorConfirm::PATH, String::new(), Skip(TOTP));
    add(TwoFactorDisable::PATH, String::new(), Skip(TOTP));
    add(TwoFactorRecoveryCodes::PATH, String::new(), Skip(TOTP));
    add(TwoFactorAccounts::PATH, form(&TwoFactorAccounts {}), Read);
    add(
        RequireTwoFactor::PATH,
        form(&RequireTwoFactor { required: false }),
        Repeat,
    );
    add(
        RemoveTwoFactor::PATH,
        String::new(),
        Skip("needs an account with two-factor sign-in set up; tests/api/two_factor.rs"),
    );
    add(Whoami::PATH, form(&Whoami {}), Read);
    add(AuditLog::PATH, form(&AuditLog { before: None }), Read);
    add(StaffAccounts::PATH, form(&StaffAccounts {}), Read);
    add(
        CreateStaff::PATH,
        form(&CreateStaff {
            email: "made@pages.test".into(),
            name: "Made".into(),
            role: "viewer".into(),
        }),
        Once,
    );
    add(
        SetStaffAccess::PATH,
        form(&SetStaffAccess {
            id: f.other_staff_id,
            role: "viewer".into(),
            disabled: false,
        }),
        Repeat,
    );
    add(
        ResetStaffPassword::PATH,
        form(&ResetStaffPassword {
            id: f.other_staff_id,
        }),
        Repeat,
    );
    add(
        SignupLinks::PATH,
        form(&SignupLinks {
            customer_id: None,
            before: None,
        }),
        Read,
    );
    add(
        CreateSignupLink::PATH,
        form(&CreateSignupLink {
            customer_id: "crm-made".into(),
            campaign: "bench".into(),
            business_name: "Made Ltd".into(),
            business_email: String::new(),
            business_website: String::new(),
            phone_code: String::new(),
            phone_number: String::new(),
            country: String::new(),
            expires_in_days: 7,
            single_use: Some("on".into()),
        }),
        Repeat,
    );
    add(
        RevokeSignupLink::PATH,
        form(&RevokeSignupLink {
            id: f.spare_link_id,
        }),
        Once,
    );
    add(
        SignupLink::PATH,
        form(&SignupLink {
            token: f.link_token.clone(),
        }),
        Read,
    );
    add(SignupConfig::PATH, form(&SignupConfig {}), Read);
    add(
        SignupStart::PATH,
        form(&SignupStart {
            campaign: Some("bench".into()),
            link: None,
        }),
        Repeat,
    );
    add(
        SignupLaunched::PATH,
        form(&SignupLaunched {
            nonce: f.nonce.clone(),
        }),
        Repeat,
    );
    add(
        SignupEvent::PATH,
        form(&SignupEvent {
            nonce: f.nonce.clone(),
            payload: json!({"type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL", "version": 3,
                "data": {"current_step": "PHONE_NUMBER_SETUP"}})
            .to_string(),
        }),
        Once,
    );
    add(
        SignupAbandoned::PATH,
        form(&SignupAbandoned {
            nonce: f.nonce.clone(),
        }),
        Once,
    );
    add(
        SignupComplete::PATH,
        String::new(),
        Skip("needs a fresh code from Meta's window; the bench's own signup runs it, and tests/api/signup_flow.rs"),
    );
    add(
        SignupStatus::PATH,
        form(&SignupStatus {
            key: f.signup_key.clone(),
        }),
        Read,
    );
    add(SystemHealth::PATH, form(&SystemHealth {}), Read);
    add(
        IntentPreview::PATH,
        form(&IntentPreview {
            filter: WabaFilter::default(),
        }),
        Read,
    );
    add(
        SendIntentToSelection::PATH,
        form(&SendIntentToSelection {
            filter: WabaFilter::default(),
        }),
        Bulk,
    );
    add(MmOperations::PATH, form(&MmOperations {}), Read);
    add(StartDiscovery::PATH, form(&StartDiscovery {}), Once);
    add(
        SendIntent::PATH,
        form(&SendIntent { waba_id: f.waba }),
        Once,
    );
    add(
        SendIntentToEligible::PATH,
        form(&SendIntentToEligible {}),
        Bulk,
    );
    add(
        CancelIntentBatch::PATH,
        form(&CancelIntentBatch {
            batch: f.batch.clone(),
        }),
        Once,
    );
    add(
        ResumeIntentBatch::PATH,
        form(&ResumeIntentBatch {
            batch: f.batch.clone(),
        }),
        Once,
    );
    add(
        TestSend::PATH,
        form(&TestSend {
            waba_id: f.waba,
            to: "+55 11 98888 0000".into(),
            template: "spring_sale".into(),
            language: "en_US".into(),
            ttl_hours: String::new(),
            activity_sharing: None,
            product_policy: "CLOUD_API_FALLBACK".into(),
        }),
        Repeat,
    );
    add(ParkedWebhooks::PATH, form(&ParkedWebhooks {}), Read);
    add(
        ReplayWebhook::PATH,
        String::new(),
        Skip("needs a parked delivery; tests/api/webhooks.rs"),
    );
    add(DashboardOverview::PATH, form(&DashboardOverview {}), Read);
    add(
        DashboardWabas::PATH,
        form(&DashboardWabas {
            filter: WabaFilter::default(),
        }),
        Read,
    );
    add(
        DashboardWaba::PATH,
        form(&DashboardWaba { id: f.waba }),
        Read,
    );
    add(
        WabaAction::PATH,
        form(&WabaAction {
            id: f.waba,
            action: "recheck".into(),
        }),
        Once,
    );
    add(
        ResumeOnboarding::PATH,
        form(&ResumeOnboarding { id: f.waba }),
        Once,
    );
    c
}

/// Every route of the partner API's OpenAPI document.
fn api_routes(f: &Fixture) -> Result<Vec<Route>, String> {
    let params: BTreeMap<&str, String> = [
        ("waba_id", f.meta_waba.clone()),
        ("business_id", f.asked_business.clone()),
        ("batch", f.batch.clone()),
    ]
    .into();
    let document = crate::partner_api::openapi();
    let mut routes = Vec::new();
    for (template, item) in &document.paths.paths {
        let operations = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::DELETE, item.delete.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
        ];
        for (method, _) in operations.into_iter().filter(|(_, present)| *present) {
            let (body, kind, id) = api_call(f, &method, template).ok_or_else(|| {
                format!("API {method} {template}: the bench does not know how to call it (add it to bench::pages::api_call)")
            })?;
            let path = fill(template, |name| match name {
                "id" => Some(id.to_string()),
                other => params.get(other).cloned(),
            })
            .ok_or_else(|| format!("API {template}: no value for its parameter here"))?;
            routes.push(Route {
                label: format!("{method} /api/v1{template}"),
                method,
                path: format!("/api/v1{path}"),
                body,
                kind,
                caller: Caller::Key,
            });
        }
    }
    Ok(routes)
}

/// How to call one API operation: its body, how it is timed, and the `{id}` it acts on.
fn api_call(f: &Fixture, method: &Method, template: &str) -> Option<(Body, Kind, i64)> {
    use Kind::*;
    let sink = CLOSED_PORT;
    let get = |id: i64| Some((Body::None, Read, id));
    let post = |body: Value, kind: Kind, id: i64| Some((Body::Json(body), kind, id));
    let none = |kind: Kind, id: i64| Some((Body::None, kind, id));
    match (method.as_str(), template) {
        ("GET", "/wabas" | "/wabas/{waba_id}" | "/wabas/{waba_id}/timeline") => get(0),
        ("GET", "/signup-links") | ("GET", "/events") | ("GET", "/relay-destinations") => get(0),
        ("GET", "/event-endpoints") | ("GET", "/businesses/{business_id}/intent") => get(0),
        ("GET", "/intents/{batch}") => get(0),
        ("GET", "/signup-links/{id}") => get(f.link_id),
        ("GET", "/signups/{id}") => get(f.signup_id),
        ("GET", "/relay-destinations/{id}") => get(f.relay_id),
        ("GET", "/event-endpoints/{id}" | "/event-endpoints/{id}/deliveries") => get(f.events_id),
        ("POST", "/wabas/{waba_id}/token") => none(Repeat, 0),
        ("POST", "/signup-links") => post(json!({"customer_id": "crm-api"}), Repeat, 0),
        ("DELETE", "/signup-links/{id}") => none(Once, f.link_id),
        ("POST", "/businesses/{business_id}/intent") => none(Once, 0),
        ("POST", "/intents") => post(json!({"filter": {"country": "BR"}}), Bulk, 0),
        ("POST", "/relay-destinations") => post(
            json!({"url": sink, "fields": ["messages"], "signing": "meta"}),
            Repeat,
            0,
        ),
        ("POST", "/relay-destinations/{id}/pause") => none(Repeat, f.relay_id),
        ("POST", "/relay-destinations/{id}/resume") => none(Repeat, f.relay_id),
        ("POST", "/relay-destinations/{id}/replay") => post(
            json!({"since": crate::partner_api::page::timestamp(crate::db::now_millis() - 3_600_000)}),
            Repeat,
            f.relay_id,
        ),
        ("DELETE", "/relay-destinations/{id}") => none(Once, f.relay_id),
        ("POST", "/event-endpoints") => post(json!({"url": sink, "events": ["*"]}), Repeat, 0),
        ("POST", "/event-endpoints/{id}/pause") => none(Repeat, f.events_id),
        ("POST", "/event-endpoints/{id}/resume") => none(Repeat, f.events_id),
        ("POST", "/event-endpoints/{id}/rotate-secret") => none(Repeat, f.events_id),
        ("POST", "/event-endpoints/{id}/replay") => post(
            json!({"since": crate::partner_api::page::timestamp(crate::db::now_millis() - 3_600_000)}),
            Repeat,
            f.events_id,
        ),
        ("DELETE", "/event-endpoints/{id}") => none(Once, f.events_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_both_parameter_syntaxes_and_refuses_an_unknown_one() {
        let value = |name: &str| (name == "id").then(|| "42".to_string());
        assert_eq!(fill("/wabas/:id", value).as_deref(), Some("/wabas/42"));
        assert_eq!(fill("/wabas/{id}/x", value).as_deref(), Some("/wabas/42/x"));
        assert_eq!(fill("/audit", value).as_deref(), Some("/audit"));
        assert_eq!(fill("/status/:key", value), None);
    }
}
