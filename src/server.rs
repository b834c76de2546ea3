//! Starting and stopping one portal instance: database, workers, HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use app::ports::{Mode, Portal};
use leptos::config::{Env, LeptosOptions};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::auth::throttle::Throttle;
use crate::auth::AuthState;
use crate::config::{Config, ConfigError};
use crate::dashboard::DashboardService;
use crate::db::{self, redact_url, Database, DbError};
use crate::graph::GraphClient;
use crate::http::{self, AppState};
use crate::jobs::{Worker, WorkerSettings};
use crate::mm::bisuat::BisuatHandler;
use crate::mm::discovery::DiscoveryHandler;
use crate::mm::intent::IntentHandler;
use crate::mm::partner::Partner;
use crate::onboarding::pipeline::PipelineHandler;
use crate::onboarding::signup::{LaunchSettings, SignupService};
use crate::portal::PortalService;
use crate::sandbox::SandboxState;
use crate::webhooks::{GroupCommitInbox, WebhookState};

/// Most webhook deliveries committed in one transaction.
const INBOX_BATCH: usize = 512;
/// Job workers per process (see where they are spawned).
const JOB_WORKERS: usize = 2;

/// Why the portal could not start. Each variant prints as one line saying what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("cannot open the database at {url}: {}; check DATABASE_URL{hint}", source_chain(.error))]
    Database {
        url: String,
        error: DbError,
        hint: &'static str,
    },
    #[error("{0}")]
    Admin(String),
    #[error(
        "cannot listen on {addr}: {error}; set PORTAL_ADDR to a free address (port 0 picks one)"
    )]
    Bind {
        addr: SocketAddr,
        error: std::io::Error,
    },
}

fn source_chain(error: &DbError) -> String {
    use std::error::Error;
    match error.source() {
        Some(source) => format!("{error} ({source})"),
        None => error.to_string(),
    }
}

/// A running instance. Dropping it does not stop it; call [`RunningPortal::shutdown`].
pub struct RunningPortal {
    /// Where the portal answers, e.g. `http://127.0.0.1:3000/`.
    pub url: Url,
    pub database: Database,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl RunningPortal {
    /// Connects the database, binds the listener and starts serving and working.
    pub async fn start(config: Config) -> Result<RunningPortal, StartupError> {
        let database_url = config.database_url.expose_secret().to_string();
        let database =
            db::connect(&database_url)
                .await
                .map_err(|error| StartupError::Database {
                    hint: database_hint(&database_url, &error),
                    url: redact_url(&database_url),
                    error,
                })?;
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|error| StartupError::Bind {
                    addr: config.addr,
                    error,
                })?;
        let local_addr = listener.local_addr().map_err(|error| StartupError::Bind {
            addr: config.addr,
            error,
        })?;
        let url = config
            .public_url
            .clone()
            .unwrap_or_else(|| Url::parse(&format!("http://{local_addr}/")).expect("valid URL"));

        // How this process reaches itself (the simulator's webhooks, the Graph client in
        // sandbox mode): the bound port on loopback, whatever the public URL is.
        let internal_addr = if local_addr.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], local_addr.port()))
        } else {
            local_addr
        };
        let internal_url = Url::parse(&format!("http://{internal_addr}/")).expect("valid URL");
        check_site_root(&config);
        let leptos_options = LeptosOptions::builder()
            .output_name(app::OUTPUT_NAME)
            .site_root(config.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(local_addr)
            .env(Env::PROD)
            .build();
        let portal: Arc<dyn Portal> =
            Arc::new(PortalService::new(database.repo.clone(), config.mode));
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let (inbox, inbox_writer) = GroupCommitInbox::new(database.repo.clone(), INBOX_BATCH);
        tasks.spawn(inbox_writer);
        // One copy of the app secret, shared by webhook verification and the simulator.
        let app_secret = Arc::new(config.meta.app_secret.clone());
        let verify_tokens = Arc::new(crate::webhooks::VerifyTokens::new(
            config.meta.webhook_verify_token.clone(),
            database.repo.clone(),
            database.dashboard.clone(),
            config.keys.clone(),
        ));
        let webhooks = WebhookState {
            app_secret: app_secret.clone(),
            verify_tokens: verify_tokens.clone(),
            inbox: Arc::new(inbox),
        };
        let sandbox = (config.mode == Mode::Sandbox).then(|| SandboxState {
            store: database.sandbox.clone(),
            app_id: config.meta.app_id.clone(),
            app_secret: app_secret.clone(),
            webhook_url: Some(internal_url.join("webhooks/meta").expect("valid URL")),
            http: reqwest::Client::new(),
        });
        let graph_base = config
            .meta
            .graph_base
            .clone()
            .unwrap_or_else(|| internal_url.join("sandbox/graph/").expect("valid URL"));
        let graph = GraphClient::new(
            graph_base,
            &config.meta.graph_version,
            &config.meta.app_id,
            app_secret,
        );
        let signups = Arc::new(SignupService::new(
            database.signups.clone(),
            database.dashboard.clone(),
            database.repo.clone(),
            graph.clone(),
            config.keys.clone(),
            launch_settings(&config),
        ));
        let partner = Arc::new(Partner::new(
            graph.clone(),
            config.signup.partner_business_id.clone(),
            config.meta.system_user_token.clone(),
            (config.mode == Mode::Sandbox).then(|| {
                internal_url
                    .join("sandbox/api/partner-token")
                    .expect("valid URL")
            }),
            database.repo.clone(),
            config.keys.clone(),
        ));
        let mut dashboard = DashboardService::new(
            database.repo.clone(),
            database.signups.clone(),
            database.dashboard.clone(),
        );
        dashboard.intent_rate_per_second = config.signup.intent_rate_per_second;
        dashboard.es_defaults = signups.default_settings();
        dashboard.sender = Some(Arc::new(crate::mm::send::TestSender {
            graph: graph.clone(),
            repo: database.repo.clone(),
            keys: config.keys.clone(),
        }));
        dashboard.partner_configured = config.signup.partner_business_id.is_some()
            && (config.mode == Mode::Sandbox || config.meta.system_user_token.is_some());
        let dashboard = Arc::new(dashboard);
        tasks.spawn(
            crate::auth::store::DbSessionStore::new(database.dashboard.clone())
                .delete_expired_every(std::time::Duration::from_secs(600), shutdown.child_token()),
        );
        let sessions = http::Sessions {
            secure: url.scheme() == "https",
            auth: AuthState {
                repo: database.repo.clone(),
                store: database.dashboard.clone(),
                throttle: Arc::new(Throttle::default()),
            },
            export: crate::http::export::ExportState {
                store: database.dashboard.clone(),
                repo: database.repo.clone(),
            },
            trusted_proxies: crate::http::client_addr::TrustedProxies(
                config.trusted_proxies.clone().into(),
            ),
            headers: crate::http::security_headers::SecurityHeaders::new(
                config.meta.sdk_url.as_ref(),
                &config.meta.es_origins,
                url.scheme() == "https",
            ),
        };
        let router = http::router(
            AppState {
                leptos_options,
                portal,
                signup: signups,
                dashboard,
                admin: Arc::new(crate::staff_admin::AdminService::new(
                    database.repo.clone(),
                    database.dashboard.clone(),
                    verify_tokens,
                    url.join("webhooks/meta").expect("valid URL").to_string(),
                )),
            },
            webhooks,
            sandbox,
            sessions,
        );

        let handlers: [Arc<dyn crate::jobs::JobHandler>; 4] = [
            Arc::new(PipelineHandler::new(
                database.repo.clone(),
                database.signups.clone(),
                graph,
                config.keys.clone(),
            )),
            Arc::new(DiscoveryHandler {
                partner: partner.clone(),
                repo: database.repo.clone(),
            }),
            Arc::new(IntentHandler {
                partner: partner.clone(),
                repo: database.repo.clone(),
                store: database.dashboard.clone(),
                solution_id: config.signup.solution_id.clone(),
            }),
            Arc::new(BisuatHandler {
                partner,
                repo: database.repo.clone(),
                store: database.dashboard.clone(),
                keys: config.keys.clone(),
            }),
        ];
        // Several workers per process, each running every kind: a slow Graph call (or a burst
        // of terms webhooks and token fetches) does not hold up the rest. Claims are leased
        // rows, safe between workers as between instances; the Intent API pacer is shared.
        for _ in 0..JOB_WORKERS {
            let worker = handlers.iter().fold(
                Worker::new(database.repo.clone(), WorkerSettings::default()),
                |worker, handler| worker.register(handler.clone()),
            );
            tasks.spawn(worker.run(shutdown.child_token()));
        }
        let processor = crate::webhooks::processor::Processor::new(database.repo.clone());
        tasks.spawn(processor.run(shutdown.child_token()));
        let stop_serving = shutdown.clone();
        tasks.spawn(async move {
            let serve = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(stop_serving.cancelled_owned());
            if let Err(error) = serve.await {
                tracing::error!(%error, "HTTP server stopped with an error");
            }
        });
        tracing::info!(
            mode = config.mode.label(),
            backend = database.repo.backend().as_str(),
            %url,
            "portal started"
        );
        Ok(RunningPortal {
            url,
            database,
            shutdown,
            tasks,
        })
    }

    /// Stops accepting work, lets in-flight requests and the running job finish, then closes
    /// the database.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        while self.tasks.join_next().await.is_some() {}
        match &self.database.pool {
            db::Pool::Sqlite(pool) => pool.close().await,
            db::Pool::Postgres(pool) => pool.close().await,
        }
        tracing::info!("portal stopped");
    }
}

/// The public Embedded Signup settings: Meta's SDK and origins in live mode; in sandbox mode
/// the simulator's SDK on this server (a relative URL, so it works on any host name the page
/// is opened with) and the page's own origin.
fn launch_settings(config: &Config) -> LaunchSettings {
    LaunchSettings {
        app_id: config.meta.app_id.clone(),
        config_id: config.meta.es_config_id.clone(),
        graph_version: config.meta.graph_version.clone(),
        sdk_url: config
            .meta
            .sdk_url
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_else(|| "/sandbox/sdk.js".to_string()),
        feature_type: config.signup.feature_type.clone(),
        es_version: config.signup.es_version.clone(),
        solution_id: config.signup.solution_id.clone(),
        origins: config.meta.es_origins.clone(),
        partner_name: config.signup.partner_name.clone(),
        sandbox: config.mode == Mode::Sandbox,
    }
}

fn database_hint(url: &str, error: &DbError) -> &'static str {
    match error {
        DbError::Unavailable(_) if url.starts_with("postgres") => {
            " and that the PostgreSQL server is running and reachable"
        }
        _ if url.starts_with("sqlite") => " and that its directory exists and is writable",
        _ => "",
    }
}

/// The pages work without the built front end, but nothing is interactive; say so loudly.
fn check_site_root(config: &Config) {
    let bundle = config
        .site_root
        .join("pkg")
        .join(format!("{}.js", app::OUTPUT_NAME));
    if !bundle.exists() {
        tracing::warn!(
            path = %bundle.display(),
            "front-end bundle not found: pages will render but not hydrate; run scripts/build.sh"
        );
    }
}

/// A future that resolves when the process receives SIGINT (Ctrl-C) or SIGTERM.
///
/// The handlers are installed when this is called, not when the future is first polled, so
/// call it before announcing the server: a SIGTERM sent right after the URL is printed must
/// still shut down gracefully rather than kill the process.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let terminate = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            tokio::select! {
                _ = received(terminate) => {},
                _ = received(interrupt) => {},
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(unix)]
async fn received(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut signal) => {
            signal.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}
