//! Starting and stopping one portal instance: database, workers, HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use app::health::port::Mode;
use leptos::config::{Env, LeptosOptions};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::config::{Config, ConfigError};
use crate::db::profile::background;
use crate::db::{self, redact_url, Database, DbError};
use crate::graph::GraphClient;
use crate::http::{self, AppState};
use crate::jobs::{Worker, WorkerSettings};
use crate::operations::bisuat::BisuatHandler;
use crate::operations::discovery::DiscoveryHandler;
use crate::operations::intent::IntentHandler;
use crate::operations::partner::Partner;
use crate::sandbox::SandboxState;
use crate::signup::pipeline::PipelineHandler;
use crate::signup::session::{LaunchSettings, SignupService};
use crate::staff::throttle::Throttle;
use crate::staff::two_factor::TwoFactor;
use crate::staff::AuthState;
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
        "cannot listen on {addr}: {error}; set {setting} to a free address (port 0 picks one)"
    )]
    Bind {
        setting: &'static str,
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
    /// The separate metrics listener's `/metrics`, when `--metrics-addr` is set.
    pub metrics_url: Option<Url>,
    pub database: Database,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl RunningPortal {
    /// Connects the database, binds the listener and starts serving and working.
    // Over 80 lines on purpose: the order in which the portal's parts are built and
    // wired, each part a named function below.
    pub async fn start(config: Config) -> Result<RunningPortal, StartupError> {
        let database = open_database(&config).await?;
        let (listener, local_addr) = bind(config.addr, "PORTAL_ADDR").await?;
        let metrics_listener = match config.metrics_addr {
            Some(addr) => Some(bind(addr, "PORTAL_METRICS_ADDR").await?),
            None => None,
        };
        let url = config
            .public_url
            .clone()
            .unwrap_or_else(|| Url::parse(&format!("http://{local_addr}/")).expect("valid URL"));
        let internal_url = internal_url(local_addr);
        check_site_root(&config);
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let (inbox, inbox_writer) = GroupCommitInbox::new(database.store.clone(), INBOX_BATCH);
        tasks.spawn(background(inbox_writer));
        // One copy of the app secret, shared by webhook verification and the simulator.
        let app_secret = Arc::new(config.meta.app_secret.clone());
        let verify_tokens = Arc::new(crate::webhooks::VerifyTokens::new(
            config.meta.webhook_verify_token.clone(),
            database.store.clone(),
            config.keys.clone(),
        ));
        // This instance's `/metrics` counters, bumped by the webhook handler and Graph client.
        let counters = crate::monitoring::Counters::default();
        let webhooks = WebhookState {
            app_secret: app_secret.clone(),
            verify_tokens: verify_tokens.clone(),
            inbox: Arc::new(inbox),
            counters: counters.clone(),
        };
        let sandbox = (config.mode == Mode::Sandbox).then(|| SandboxState {
            store: database.store.clone(),
            app_id: config.meta.app_id.clone(),
            app_secret: app_secret.clone(),
            webhook_url: Some(internal_url.join("webhooks/meta").expect("valid URL")),
            http: reqwest::Client::new(),
            sinks: Arc::default(),
        });
        let graph = graph_client(&config, &internal_url, app_secret.clone())
            .with_counters(counters.clone());
        let signups = Arc::new(SignupService::new(
            database.store.clone(),
            database.store.clone(),
            graph.clone(),
            config.keys.clone(),
            launch_settings(&config),
        ));
        tasks.spawn(background(
            crate::staff::sessions::DbSessionStore::new(database.store.clone())
                .delete_expired_every(std::time::Duration::from_secs(600), shutdown.child_token()),
        ));
        // One throttle for passwords and second factors.
        let throttle = Arc::new(Throttle::default());
        let two_factor = Arc::new(TwoFactor::new(
            database.store.clone(),
            config.keys.clone(),
            throttle.clone(),
        ));
        // One reader of the change feed for every open page of this instance.
        let hub = crate::live::Hub::new(database.store.clone());
        let listen = match &database.pool {
            db::Pool::Postgres(pool) => Some(pool.clone()),
            db::Pool::Sqlite(_) => None,
        };
        tasks.spawn(background(hub.clone().run(listen, shutdown.child_token())));
        let sessions = http::Sessions {
            secure: url.scheme() == "https",
            auth: AuthState {
                store: database.store.clone(),
                throttle,
                two_factor: two_factor.clone(),
            },
            export: crate::wabas::export::ExportState {
                store: database.store.clone(),
            },
            monitoring: crate::monitoring::routes::MonitoringState {
                store: database.store.clone(),
                counters: counters.clone(),
                open: false,
            },
            live: crate::live::routes::LiveState::new(hub, shutdown.child_token()),
            trusted_proxies: crate::http::client_addr::TrustedProxies(
                config.trusted_proxies.clone().into(),
            ),
            headers: crate::http::security_headers::SecurityHeaders::new(
                config.meta.sdk_url.as_ref(),
                &config.meta.es_origins,
                url.scheme() == "https",
            ),
        };
        let links = Arc::new(crate::signup_links::SignupLinksService::new(
            database.store.clone(),
            url.clone(),
        ));
        let relay = Arc::new(crate::relay::service::RelayService::new(
            database.store.clone(),
            config.keys.clone(),
            crate::relay::service::RelaySettings {
                portal_origins: Arc::new(vec![url.clone(), internal_url.clone()]),
                sandbox: config.mode == Mode::Sandbox,
            },
        ));
        let ports = ports(
            &config,
            &database,
            &graph,
            (&signups, &links, &relay),
            verify_tokens,
            url.join("webhooks/meta").expect("valid URL").to_string(),
            two_factor,
        );
        let partner_api = partner_api(
            &config,
            &database,
            (&signups, &links),
            &relay,
            &mut tasks,
            &shutdown,
        );
        let relay =
            crate::relay::dispatcher::Relay::new(Arc::new(crate::relay::inbox::InboxFeed::new(
                database.store.clone(),
                app_secret.clone(),
                config.keys.clone(),
            )));
        tasks.spawn(background(relay.run(shutdown.child_token())));
        let events = crate::relay::dispatcher::Relay::new(Arc::new(
            crate::events::feed::EventFeed::new(database.store.clone(), config.keys.clone()),
        ));
        tasks.spawn(background(events.run(shutdown.child_token())));
        tasks.spawn(background(
            mail_notifier(&database, &signups, &url).run(shutdown.child_token()),
        ));
        let router = http::router(
            AppState {
                leptos_options: leptos_options(&config, local_addr),
                ports,
                assets: http::assets::load(&config.site_root),
            },
            webhooks,
            sandbox,
            sessions,
            partner_api,
            crate::mail::routes::routes(
                crate::mail::routes::MailRoutesState {
                    store: database.store.clone(),
                },
                config.mode == Mode::Sandbox,
            ),
        );
        let partner = partner(&config, &database, &graph, &internal_url);
        // The Meta metrics schedule keeps itself going; this starts it (once per slot,
        // whichever instance asks first).
        if let Err(error) = crate::mm_metrics::schedule::enqueue_round(
            database.store.as_ref(),
            crate::db::now_millis(),
        )
        .await
        {
            tracing::warn!(%error, "the Meta metrics schedule could not be queued; it starts with the next start");
        }
        spawn_workers(
            &mut tasks,
            &database,
            job_handlers(&config, &database, graph, partner, &url),
            &shutdown,
        );
        spawn_server(&mut tasks, listener, router, &shutdown);
        let metrics_url = metrics_listener.map(|(listener, addr)| {
            let router =
                crate::monitoring::routes::routes(crate::monitoring::routes::MonitoringState {
                    store: database.store.clone(),
                    counters: counters.clone(),
                    open: true,
                });
            spawn_server(&mut tasks, listener, router, &shutdown);
            Url::parse(&format!("http://{addr}/metrics")).expect("valid URL")
        });
        tracing::info!(
            mode = config.mode.label(),
            backend = database.store.backend().as_str(),
            %url,
            metrics = metrics_url.as_ref().map(Url::as_str),
            "portal started"
        );
        if let Some(warning) = app::settings::es_version::deprecation(&config.signup.es_version) {
            tracing::warn!(es_version = %config.signup.es_version, "{warning}");
        }
        if config.mode == Mode::Live && config.mail.transport.is_none() {
            tracing::warn!(
                "SMTP_URL is not set: no mail reaches business admins (each is marked failed)"
            );
        }
        Ok(RunningPortal {
            url,
            metrics_url,
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
        self.database.pool.close().await;
        tracing::info!("portal stopped");
    }
}

async fn open_database(config: &Config) -> Result<Database, StartupError> {
    let database_url = config.database_url.expose_secret().to_string();
    db::connect(&database_url)
        .await
        .map_err(|error| StartupError::Database {
            hint: database_hint(&database_url, &error),
            url: redact_url(&database_url),
            error,
        })
}

/// Listens on `addr`, the value of the setting `setting` (named in the error).
async fn bind(
    addr: SocketAddr,
    setting: &'static str,
) -> Result<(TcpListener, SocketAddr), StartupError> {
    let bind_error = |error| StartupError::Bind {
        setting,
        addr,
        error,
    };
    let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
    let local_addr = listener.local_addr().map_err(bind_error)?;
    Ok((listener, local_addr))
}

/// How this process reaches itself (the simulator's webhooks, the Graph client in sandbox
/// mode): the bound port on loopback, whatever the public URL is.
fn internal_url(local_addr: SocketAddr) -> Url {
    let internal_addr = if local_addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], local_addr.port()))
    } else {
        local_addr
    };
    Url::parse(&format!("http://{internal_addr}/")).expect("valid URL")
}

fn leptos_options(config: &Config, local_addr: SocketAddr) -> LeptosOptions {
    // With the build's fingerprint list, Leptos names the bundle by its hash. (It looks for
    // the list beside the executable; an absolute path points it at the site instead.)
    let manifest = http::assets::manifest_path(&config.site_root)
        .and_then(|path| std::path::absolute(path).ok());
    LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(local_addr)
        .env(Env::PROD)
        .hash_files(manifest.is_some())
        .hash_file(
            manifest
                .map(|path| path.to_string_lossy().to_string())
                .unwrap_or_else(|| "hash.txt".into())
                .into(),
        )
        .build()
}

/// Meta's Graph API, or the simulator's on this server in sandbox mode.
fn graph_client(config: &Config, internal_url: &Url, app_secret: Arc<SecretString>) -> GraphClient {
    let graph_base = config
        .meta
        .graph_base
        .clone()
        .unwrap_or_else(|| internal_url.join("sandbox/graph/").expect("valid URL"));
    GraphClient::new(
        graph_base,
        &config.meta.graph_version,
        &config.meta.app_id,
        app_secret,
    )
}

/// The partner's own Graph access (discovery, the Intent API, business tokens).
fn partner(
    config: &Config,
    database: &Database,
    graph: &GraphClient,
    internal_url: &Url,
) -> Arc<Partner> {
    Arc::new(Partner::new(
        graph.clone(),
        config.signup.partner_business_id.clone(),
        config.meta.system_user_token.clone(),
        (config.mode == Mode::Sandbox).then(|| {
            internal_url
                .join("sandbox/api/partner-token")
                .expect("valid URL")
        }),
        database.store.clone(),
        config.keys.clone(),
    ))
}

/// Mails business admins about the portal events that ask something of them (MAIL.md).
fn mail_notifier(
    database: &Database,
    signups: &Arc<SignupService>,
    url: &Url,
) -> crate::mail::notify::Notifier {
    crate::mail::notify::Notifier {
        store: database.store.clone(),
        signups: signups.clone(),
        public_url: url.clone(),
        owner: format!("mail-{}", uuid::Uuid::new_v4()),
    }
}

fn job_handlers(
    config: &Config,
    database: &Database,
    graph: GraphClient,
    partner: Arc<Partner>,
    url: &Url,
) -> [Arc<dyn crate::jobs::JobHandler>; 9] {
    [
        Arc::new(crate::mail::send::MailSendHandler {
            store: database.store.clone(),
            mailer: config.mail.clone(),
            public_url: url.clone(),
        }),
        Arc::new(crate::mm_metrics::fetch::MetricsFetchHandler {
            store: database.store.clone(),
            graph: graph.clone(),
            keys: config.keys.clone(),
        }),
        Arc::new(crate::mm_metrics::schedule::MetricsScheduleHandler {
            store: database.store.clone(),
        }),
        Arc::new(crate::templates::sync::TemplateSyncHandler {
            store: database.store.clone(),
            graph: graph.clone(),
            keys: config.keys.clone(),
        }),
        Arc::new(crate::signup::reconnect::ReconnectHandler {
            store: database.store.clone(),
        }),
        Arc::new(PipelineHandler::new(
            database.store.clone(),
            graph,
            config.keys.clone(),
        )),
        Arc::new(DiscoveryHandler {
            repo: database.store.clone(),
            partner: partner.clone(),
        }),
        Arc::new(IntentHandler {
            partner: partner.clone(),
            store: database.store.clone(),
            solution_id: config.signup.solution_id.clone(),
        }),
        Arc::new(BisuatHandler {
            partner,
            store: database.store.clone(),
            keys: config.keys.clone(),
        }),
    ]
}

/// Several workers per process, each running every kind: a slow Graph call (or a burst of
/// terms webhooks and token fetches) does not hold up the rest. Claims are leased rows, safe
/// between workers as between instances; the Intent API pacer is shared. Also the webhook
/// processor.
fn spawn_workers(
    tasks: &mut JoinSet<()>,
    database: &Database,
    handlers: [Arc<dyn crate::jobs::JobHandler>; 9],
    shutdown: &CancellationToken,
) {
    for _ in 0..JOB_WORKERS {
        let worker = handlers.iter().fold(
            Worker::new(database.store.clone(), WorkerSettings::default()),
            |worker, handler| worker.register(handler.clone()),
        );
        tasks.spawn(background(worker.run(shutdown.child_token())));
    }
    let processor = crate::webhooks::processor::Processor::new(database.store.clone());
    tasks.spawn(background(processor.run(shutdown.child_token())));
}

fn spawn_server(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    router: axum::Router,
    shutdown: &CancellationToken,
) {
    let stop_serving = shutdown.clone();
    // Without TCP_NODELAY a streamed page's later chunks wait for the browser's delayed ACK
    // of the first (Nagle): `bench pages` measured a 40 ms floor on every staff page.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
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
}

/// The partner API's router, and the task that records key uses (drained at shutdown).
fn partner_api(
    config: &Config,
    database: &Database,
    (signups, links): (
        &Arc<SignupService>,
        &Arc<crate::signup_links::SignupLinksService>,
    ),
    relay: &Arc<crate::relay::service::RelayService>,
    tasks: &mut JoinSet<()>,
    shutdown: &CancellationToken,
) -> axum::Router {
    let (uses, writer) =
        crate::api_keys::uses::UseRecorder::new(database.store.clone(), shutdown.child_token());
    tasks.spawn(background(writer));
    crate::partner_api::router(
        crate::partner_api::ApiState {
            store: database.store.clone(),
            keys: config.keys.clone(),
            intent_rate_per_second: config.signup.intent_rate_per_second,
            links: links.clone(),
            signups: signups.clone(),
            relay: relay.clone(),
        },
        crate::partner_api::auth::AuthState {
            store: database.store.clone(),
            uses,
            limit: crate::partner_api::auth::RateLimit::new(config.api_rate_per_key),
        },
    )
}

/// The port of every feature, each service with the stores it uses.
fn ports(
    config: &Config,
    database: &Database,
    graph: &GraphClient,
    (signups, links, relay): (
        &Arc<SignupService>,
        &Arc<crate::signup_links::SignupLinksService>,
        &Arc<crate::relay::service::RelayService>,
    ),
    verify_tokens: Arc<crate::webhooks::VerifyTokens>,
    callback_url: String,
    two_factor: Arc<TwoFactor>,
) -> http::Ports {
    let mut operations = crate::operations::service::OperationsService::new(database.store.clone());
    operations.intent_rate_per_second = config.signup.intent_rate_per_second;
    operations.sender = Some(Arc::new(crate::operations::send::TestSender {
        repo: database.store.clone(),
        graph: graph.clone(),
        keys: config.keys.clone(),
    }));
    operations.partner_configured = config.signup.partner_business_id.is_some()
        && (config.mode == Mode::Sandbox || config.meta.system_user_token.is_some());
    http::Ports {
        health: Arc::new(crate::health::service::HealthService::new(
            database.store.clone(),
            config.mode,
        )),
        signup: signups.clone(),
        wabas: Arc::new(crate::wabas::service::WabasService::new(
            database.store.clone(),
        )),
        operations: Arc::new(operations),
        webhooks: Arc::new(crate::webhooks::service::WebhooksService::new(
            database.store.clone(),
        )),
        settings: Arc::new(crate::settings::service::SettingsService::new(
            database.store.clone(),
            signups.default_settings(),
            verify_tokens,
            callback_url,
        )),
        staff: Arc::new(crate::staff::accounts::AdminService::new(
            database.store.clone(),
        )),
        api_keys: Arc::new(crate::api_keys::service::ApiKeysService::new(
            database.store.clone(),
        )),
        signup_links: links.clone(),
        relay: relay.clone(),
        two_factor,
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
    let bundle = config.site_root.join("pkg").join("hash.txt");
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
