//! Building and running the server: resolve the database and keys, migrate, load the demo data
//! where asked, build the schema once, then bind and serve until SIGTERM or SIGINT, which stops
//! it gracefully: no new connections, requests in flight finish (for up to [`SHUTDOWN_GRACE_S`]),
//! WebSockets are closed with 1001.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::Server;
use actix_web::middleware::{Compress, Logger, from_fn};
use actix_web::{App, HttpServer, web};

use crate::auth::jwt::Keys;
use crate::config::{Config, DatabaseTarget};
use crate::{db, demo, graphql};

/// Seconds a stopping server waits for requests in flight before it drops their connections.
pub const SHUTDOWN_GRACE_S: u64 = 8;
/// How long a client may take to send a request's head (slow clients are dropped after it).
pub const CLIENT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A bound, ready-to-run server.
pub struct Application {
    local_addr: SocketAddr,
    server: Server,
    /// Tells every open WebSocket that the server is stopping.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Application {
    /// Prepares everything `serve` needs; fails with one clear message when something is wrong.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let target = config.database()?;
        let keys = Arc::new(signing_keys(&config, &target)?);
        // Migrations, the demo data and the reference data are read through a pool of their
        // own: the serving pool stops any statement that runs longer than a request may.
        let setup = db::connect(&target, 2, config.acquire_timeout(), None)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        db::migrate(&setup)
            .await
            .map_err(|e| anyhow::anyhow!("migrating the database: {e}"))?;
        let loads_demo =
            config.demo_data.unwrap_or(target.embedded) && demo::is_empty(&setup).await?;
        if loads_demo || demo::holds_demo_accounts(&setup).await? {
            guard_demo_accounts(&config)?;
        }
        if loads_demo {
            tracing::info!("the database holds only reference data: loading the demo data");
            demo::load(&setup).await?;
        }
        let regions = Arc::new(crate::store::region::list(&setup).await?);
        setup.close().await.ok();

        let request_timeout = std::time::Duration::from_millis(config.request_timeout_ms);
        let mut db = db::connect(
            &target,
            config.db_pool_size,
            config.acquire_timeout(),
            Some(request_timeout),
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let reads = replicas(&config, &target, &db, &statements, request_timeout).await?;
        let accounts = Arc::new(crate::auth::active::ActiveAccounts::new(
            std::time::Duration::from_millis(config.account_check_ttl_ms),
        ));
        let events = crate::events::Events::for_database(&db, &target.url, accounts).await?;
        let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
        let deps = crate::services::Deps {
            events,
            db,
            reads,
            keys,
            regions,
            statements,
            // The password throttle is off with the rest of the limits.
            password_limiter: crate::rate_limit::RateLimiter::new(
                if config.rate_limit == crate::config::RateLimit::OFF {
                    crate::config::RateLimit::OFF
                } else {
                    config.password_rate_limit
                },
            ),
            persisted_query_max: config.persisted_query_max,
            login_policy: crate::services::lockout::LoginPolicy {
                max_failures: config.login_max_failures,
                max_failures_per_address: config.login_max_failures_per_address,
                window: std::time::Duration::from_secs(config.login_window_s),
            },
        };
        let settings = graphql::Settings {
            operations: config.operations,
            query_limits: crate::graphql::limits::QueryLimits::of(&config),
            introspection: config.introspection,
        };
        let state = crate::http::State {
            deps: deps.clone(),
            graphql: settings,
            stopping: stopping_rx,
            requests: Arc::new(AtomicU64::new(0)),
            max_batch: config.max_batch as usize,
            ws_ping: std::time::Duration::from_secs(config.ws_ping_s),
            max_body_bytes: usize::try_from(config.max_body_bytes).unwrap_or(usize::MAX),
            import_limits: crate::http::imports::Limits {
                max_rows: usize::try_from(config.import_max_rows).unwrap_or(usize::MAX),
                max_bytes: usize::try_from(config.import_max_bytes).unwrap_or(usize::MAX),
            },
            request_timeout,
            rate_limiter: crate::rate_limit::RateLimiter::new(config.rate_limit),
            admission: crate::http::admission::Admission::new(crate::http::admission::Limits::of(
                &config,
            )),
            sockets: crate::http::gate::SocketCounts::new(
                config.ws_per_address,
                config.ws_per_account,
            ),
            trusted_proxies: config.trusted_proxies.clone(),
        };
        let schema = graphql::build_schema(deps.clone(), settings);
        spawn_sweeper(
            state.clone(),
            std::time::Duration::from_secs(config.sweep_interval_s),
        );
        crate::services::retention::spawn(deps.db.clone(), config.retention());
        if deps.db.get_database_backend() == sea_orm::DbBackend::Postgres {
            // A connection of its own, outside the serving pool and its statement count.
            let folding = db::connect(&target, 1, config.acquire_timeout(), None).await?;
            crate::services::stats::spawn_folder(folding);
        }
        let listener = TcpListener::bind(config.listen)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let local_addr = listener.local_addr()?;
        let schema = web::Data::new(schema);
        let state = web::Data::new(state);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(schema.clone())
                .app_data(state.clone())
                .wrap(from_fn(crate::http::compression::mark_small))
                .wrap(Compress::default())
                .wrap(from_fn(crate::http::compression::unmark))
                .wrap(Logger::new("%r %s %b %Dms").log_target("birlik_api::http"))
                .configure(crate::http::routes::configure)
        })
        .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
        .shutdown_timeout(SHUTDOWN_GRACE_S)
        // `run_until_stopped` handles the signals: it must close the WebSockets as it stops.
        .disable_signals()
        .listen(listener)?
        .run();
        tracing::info!(%local_addr, "Birlik is listening: GraphQL at /graphql");
        Ok(Application {
            local_addr,
            server,
            stopping,
        })
    }

    /// The address the server is bound to (a test's port 0 becomes a real one here).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully: the listener closes at once, open
    /// WebSockets are closed with 1001, requests in flight may finish for [`SHUTDOWN_GRACE_S`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let stopping = self.stopping;
        let on_signal = tokio::spawn(async move {
            stop_signal().await;
            tracing::info!("stopping: no new connections; finishing the requests in flight");
            let stopped = handle.stop(true);
            stopping.send_replace(true);
            stopped.await;
        });
        let served = self.server.await;
        on_signal.abort();
        served
    }
}

/// The first SIGTERM or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                tracing::warn!(
                    "cannot listen for SIGTERM and SIGINT; the server stops only when killed"
                );
                std::future::pending::<()>().await;
            }
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Demo accounts (their password is in the README) are served on loopback only, unless the
/// operator says otherwise in a setting that names the risk; served anywhere, they are warned of.
fn guard_demo_accounts(config: &Config) -> anyhow::Result<()> {
    let public = !config.listen.ip().is_loopback();
    if public && !config.allow_demo_accounts_on_public_address {
        anyhow::bail!(
            "the database holds the demo accounts, whose password is printed in the README: \
             refusing to serve them on {}; listen on loopback (BIRLIK_ADDR=127.0.0.1:8080), or set \
             BIRLIK_ALLOW_DEMO_ACCOUNTS_ON_PUBLIC_ADDRESS=true if that is really meant",
            config.listen
        );
    }
    tracing::warn!(
        listen = %config.listen,
        "the database holds the demo accounts (*{}, password in the README): whoever reaches \
         this server can sign in as the ministry; disable them before real use",
        demo::DEMO_ACCOUNT_DOMAIN
    );
    Ok(())
}

/// The configured key; on the embedded default only, one generated beside the database.
fn signing_keys(config: &Config, target: &DatabaseTarget) -> anyhow::Result<Keys> {
    match (&config.jwt_secret, &target.sqlite_file) {
        (Some(secret), _) => Keys::from_secret(secret),
        (None, Some(file)) if target.embedded => Keys::embedded(file),
        _ => anyhow::bail!(
            "BIRLIK_JWT_SECRET is required (at least 32 bytes) when DATABASE_URL names a database; \
             only the embedded default generates its own key"
        ),
    }
}

/// The read replicas, each with a pool like the primary's and a monitor of its lag; none on
/// SQLite (with a warning when some are configured).
async fn replicas(
    config: &Config,
    target: &DatabaseTarget,
    primary: &sea_orm::DatabaseConnection,
    statements: &Arc<AtomicU64>,
    request_timeout: std::time::Duration,
) -> anyhow::Result<crate::services::reads::Reads> {
    let replicas = config.replicas()?;
    if target.sqlite_file.is_some() {
        if !replicas.is_empty() {
            tracing::warn!(
                "BIRLIK_REPLICA_URL is ignored: read replicas need a PostgreSQL primary, and \
                 DATABASE_URL names SQLite"
            );
        }
        return Ok(crate::services::reads::Reads::primary_only(primary.clone()));
    }
    let mut pools = Vec::new();
    for replica in &replicas {
        let mut pool = db::connect_replica(
            replica,
            config.db_pool_size,
            config.acquire_timeout(),
            request_timeout,
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the read replica: {e}"))?;
        let counter = statements.clone();
        pool.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        pools.push((replica_name(&replica.url), pool));
    }
    let reads = crate::services::reads::Reads::new(
        primary.clone(),
        pools,
        std::time::Duration::from_millis(config.replica_max_lag_ms),
    );
    reads.spawn_monitors();
    if !replicas.is_empty() {
        tracing::info!(replicas = ?reads, "reading aggregates, exports and the ministry's lists from replicas");
    }
    Ok(reads)
}

/// `host:port/database` of a PostgreSQL URL: no user, no password.
fn replica_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('?').next().unwrap_or_default().to_owned()
}

/// Releases overdue claims every `interval`, for as long as the runtime lives.
fn spawn_sweeper(state: crate::http::State, interval: std::time::Duration) {
    tokio::spawn(async move {
        // The first sweep comes one interval after start, not during it.
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            state.rate_limiter.forget_idle();
            state.deps.password_limiter.forget_idle();
            if let Err(err) = crate::services::task::release_unstarted(&state.deps).await {
                tracing::warn!(error = %err, "the sweep of unstarted claims failed; it runs again");
            }
        }
    });
}
