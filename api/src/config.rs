//! Runtime configuration: one plain struct, filled by clap from flags and environment in `main`
//! and built directly by tests. No globals; every value is checked before the server starts.
//! Size: one field per setting, each with the doc comment that is its `--help`; splitting the
//! struct would split `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

/// The SQLite file used when `DATABASE_URL` is not set.
pub const EMBEDDED_DB_FILE: &str = "birlik.db";

/// How `birlik serve` is configured.
#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database to use: `postgres://user@host/db`, or `sqlite://path/file.db`. Without it, the
    /// embedded SQLite file `birlik.db` in the working directory (created and filled with demo
    /// data on first start).
    #[arg(long, env = "DATABASE_URL", value_name = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Address to listen on.
    #[arg(
        long = "addr",
        env = "BIRLIK_ADDR",
        value_name = "BIRLIK_ADDR",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,

    /// HMAC key for access tokens (HS256), taken as raw bytes, at least 32 of them. Required
    /// unless the database is the embedded default, where one is generated and kept beside it.
    #[arg(long, env = "BIRLIK_JWT_SECRET", value_name = "BIRLIK_JWT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub jwt_secret: Option<SecretString>,

    /// Most database connections this instance keeps open.
    #[arg(long, env = "BIRLIK_DB_POOL_SIZE", value_name = "BIRLIK_DB_POOL_SIZE", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: u32,

    /// How long a request waits for a database connection before it fails with SERVICE_UNAVAILABLE.
    #[arg(long, env = "BIRLIK_DB_ACQUIRE_TIMEOUT_MS", value_name = "BIRLIK_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 1500, value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub db_acquire_timeout_ms: u64,

    /// Failed logins for one login from one address that refuse further tries of that login
    /// from there for a while; as many from anywhere refuse it to every address that has failed.
    #[arg(long, env = "BIRLIK_LOGIN_MAX_FAILURES", value_name = "BIRLIK_LOGIN_MAX_FAILURES", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub login_max_failures: u32,

    /// Failed logins from one address, whatever the login, that refuse further tries from it
    /// for a while.
    #[arg(long, env = "BIRLIK_LOGIN_MAX_FAILURES_PER_ADDRESS", value_name = "BIRLIK_LOGIN_MAX_FAILURES_PER_ADDRESS", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub login_max_failures_per_address: u32,

    /// Seconds a failed login counts against its login and address.
    #[arg(long, env = "BIRLIK_LOGIN_WINDOW_S", value_name = "BIRLIK_LOGIN_WINDOW_S", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub login_window_s: u64,

    /// Most operations one batched request may carry; a larger batch is refused whole.
    #[arg(long, env = "BIRLIK_MAX_BATCH", value_name = "BIRLIK_MAX_BATCH", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_batch: u32,

    /// Seconds between sweeps that release claims not started 30 minutes after their task began.
    #[arg(long, env = "BIRLIK_SWEEP_INTERVAL_S", value_name = "BIRLIK_SWEEP_INTERVAL_S", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub sweep_interval_s: u64,

    /// Seconds between keepalive pings on a WebSocket; a client silent for two and a half
    /// intervals, or that takes longer than one to read what it is sent, is disconnected.
    #[arg(long, env = "BIRLIK_WS_PING_S", value_name = "BIRLIK_WS_PING_S", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub ws_ping_s: u64,

    /// Most WebSockets one address may hold open before they sign in (anonymous ones, and any
    /// still waiting for `connection_init`); one more is refused at the upgrade with 429.
    #[arg(long, env = "BIRLIK_WS_PER_ADDRESS", value_name = "BIRLIK_WS_PER_ADDRESS", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub ws_per_address: u32,

    /// Most WebSockets one account may hold open; one more is closed at `connection_init`
    /// with 4429.
    #[arg(long, env = "BIRLIK_WS_PER_ACCOUNT", value_name = "BIRLIK_WS_PER_ACCOUNT", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub ws_per_account: u32,

    /// Which operations run: `any`, or only the clients' known operations (`allowlist`).
    #[arg(long, env = "BIRLIK_OPERATIONS", value_name = "BIRLIK_OPERATIONS", value_enum, default_value_t = Operations::Any)]
    pub operations: Operations,

    /// Most bytes in a request body; a larger one is refused with 413.
    #[arg(long, env = "BIRLIK_MAX_BODY_BYTES", value_name = "BIRLIK_MAX_BODY_BYTES", default_value_t = 102_400, value_parser = clap::value_parser!(u64).range(1024..=16_777_216))]
    pub max_body_bytes: u64,

    /// Most rows in one file sent to `POST /imports/donations`; more are refused before any SQL.
    #[arg(long, env = "BIRLIK_IMPORT_MAX_ROWS", value_name = "BIRLIK_IMPORT_MAX_ROWS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub import_max_rows: u64,

    /// Most bytes in a file sent to `POST /imports/donations` (413 beyond).
    #[arg(long, env = "BIRLIK_IMPORT_MAX_BYTES", value_name = "BIRLIK_IMPORT_MAX_BYTES", default_value_t = 8_388_608, value_parser = clap::value_parser!(u64).range(1024..=67_108_864))]
    pub import_max_bytes: u64,

    /// Most lexical tokens in one GraphQL document.
    #[arg(long, env = "BIRLIK_MAX_TOKENS", value_name = "BIRLIK_MAX_TOKENS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=100_000))]
    pub max_tokens: u64,

    /// Deepest nesting of data fields (introspection has a rule of its own).
    #[arg(long, env = "BIRLIK_MAX_DEPTH", value_name = "BIRLIK_MAX_DEPTH", default_value_t = 10, value_parser = clap::value_parser!(u64).range(2..=100))]
    pub max_depth: u64,

    /// Highest complexity: each field counts once per item of the pages around it.
    #[arg(long, env = "BIRLIK_MAX_COMPLEXITY", value_name = "BIRLIK_MAX_COMPLEXITY", default_value_t = 12_000, value_parser = clap::value_parser!(u64).range(10..=10_000_000))]
    pub max_complexity: u64,

    /// Most aliased fields in one document.
    #[arg(long, env = "BIRLIK_MAX_ALIASES", value_name = "BIRLIK_MAX_ALIASES", default_value_t = 15, value_parser = clap::value_parser!(u64).range(0..=1000))]
    pub max_aliases: u64,

    /// Most root fields in one operation.
    #[arg(long, env = "BIRLIK_MAX_ROOT_FIELDS", value_name = "BIRLIK_MAX_ROOT_FIELDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub max_root_fields: u64,

    /// Most directives in one operation.
    #[arg(long, env = "BIRLIK_MAX_DIRECTIVES", value_name = "BIRLIK_MAX_DIRECTIVES", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=1000))]
    pub max_directives: u64,

    /// Most fragment definitions in one document.
    #[arg(long, env = "BIRLIK_MAX_FRAGMENTS", value_name = "BIRLIK_MAX_FRAGMENTS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=1000))]
    pub max_fragments: u64,

    /// Milliseconds one GraphQL request may run before it is abandoned (and its transaction
    /// rolled back) with SERVICE_UNAVAILABLE.
    #[arg(long, env = "BIRLIK_REQUEST_TIMEOUT_MS", value_name = "BIRLIK_REQUEST_TIMEOUT_MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub request_timeout_ms: u64,

    /// Most GraphQL operations this instance runs at once; `0`: twice `BIRLIK_DB_POOL_SIZE`.
    /// Past them (and the queue), an operation is refused at once with 503.
    #[arg(long, env = "BIRLIK_MAX_IN_FLIGHT", value_name = "BIRLIK_MAX_IN_FLIGHT", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub max_in_flight: u32,

    /// Operations that may wait for a turn when every one is taken; one more is refused at once
    /// with 503 and `Retry-After`, as is one whose expected wait (from how long turns are held
    /// lately) passes `BIRLIK_ADMISSION_WAIT_MS`. Unset: four times the operations in flight.
    #[arg(long, env = "BIRLIK_ADMISSION_QUEUE", value_name = "BIRLIK_ADMISSION_QUEUE", value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub admission_queue: Option<u32>,

    /// Milliseconds an operation waits for a turn before it is refused with 503. Half the
    /// second an admitted operation is promised under overload: the other half is its own run.
    #[arg(long, env = "BIRLIK_ADMISSION_WAIT_MS", value_name = "BIRLIK_ADMISSION_WAIT_MS", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub admission_wait_ms: u64,

    /// Requests per second each client (an account, else an address) may send, with an optional
    /// burst: `50/100`. `0` turns the limit off.
    #[arg(long, env = "BIRLIK_RATE_LIMIT", value_name = "BIRLIK_RATE_LIMIT", default_value = "50/100", value_parser = parse_rate)]
    pub rate_limit: RateLimit,

    /// Sign-ups and password changes (each hashes a password) per second per client address,
    /// with a burst: `1/60`. Off when `BIRLIK_RATE_LIMIT` is `0`.
    #[arg(long, env = "BIRLIK_PASSWORD_RATE_LIMIT", value_name = "BIRLIK_PASSWORD_RATE_LIMIT", default_value = "1/60", value_parser = parse_rate)]
    pub password_rate_limit: RateLimit,

    /// Proxies whose `X-Forwarded-For` names the client: addresses or CIDR networks, separated
    /// by commas (`10.0.0.0/8,::1`). None by default: the peer's address is the client's.
    #[arg(long, env = "BIRLIK_TRUSTED_PROXIES", value_name = "BIRLIK_TRUSTED_PROXIES", default_value = "", value_parser = parse_trusted_proxies)]
    pub trusted_proxies: crate::network::TrustedProxies,

    /// Serve a database that holds the demo accounts (whose password is in the README) on an
    /// address other than loopback. Without it, `serve` refuses to.
    #[arg(long, env = "BIRLIK_ALLOW_DEMO_ACCOUNTS_ON_PUBLIC_ADDRESS", value_name = "BIRLIK_ALLOW_DEMO_ACCOUNTS_ON_PUBLIC_ADDRESS", default_value_t = false, action = clap::ArgAction::Set)]
    pub allow_demo_accounts_on_public_address: bool,

    /// Read replicas of the PostgreSQL primary (`postgres://…`, separated by commas), made with
    /// PostgreSQL's streaming replication: aggregates, exports and the ministry's lists read from
    /// one within the lag bound; writes, and the reads of a caller who just wrote, use the primary.
    /// None by default; ignored, with a warning, on SQLite.
    #[arg(
        long = "replica-url",
        env = "BIRLIK_REPLICA_URL",
        value_name = "BIRLIK_REPLICA_URL",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub replica_urls: Vec<String>,

    /// Milliseconds a replica may trail the primary and still be read; one further behind (or
    /// down) is skipped without an error, and a caller's reads go to the primary for this long
    /// after they write.
    #[arg(long, env = "BIRLIK_REPLICA_MAX_LAG_MS", value_name = "BIRLIK_REPLICA_MAX_LAG_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub replica_max_lag_ms: u64,

    /// Milliseconds an account found active is taken as active without asking the database
    /// again, unless news of its disabling comes first (at once on this instance, through
    /// `NOTIFY` on the others); `0` asks on every request.
    #[arg(long, env = "BIRLIK_ACCOUNT_CHECK_TTL_MS", value_name = "BIRLIK_ACCOUNT_CHECK_TTL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub account_check_ttl_ms: u64,

    /// Serve introspection, GraphiQL and "did you mean" suggestions in errors.
    #[arg(long, env = "BIRLIK_INTROSPECTION", value_name = "BIRLIK_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,

    /// Seconds between prunings of the tables that grow with traffic (expired sessions, old
    /// idempotency keys, failed logins past the lockout window, unused persisted queries).
    #[arg(long, env = "BIRLIK_PRUNE_INTERVAL_S", value_name = "BIRLIK_PRUNE_INTERVAL_S", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub prune_interval_s: u64,

    /// Seconds a session (refresh token) is kept after it expired.
    #[arg(long, env = "BIRLIK_SESSION_RETENTION_S", value_name = "BIRLIK_SESSION_RETENTION_S", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=31_536_000))]
    pub session_retention_s: u64,

    /// Seconds an idempotency key is kept: a retry with the same key within it replays the first
    /// result; after it, the call acts anew.
    #[arg(long, env = "BIRLIK_IDEMPOTENCY_RETENTION_S", value_name = "BIRLIK_IDEMPOTENCY_RETENTION_S", default_value_t = 604_800, value_parser = clap::value_parser!(u64).range(60..=31_536_000))]
    pub idempotency_retention_s: u64,

    /// Most automatic persisted queries kept; past it, the least recently used are dropped.
    #[arg(long, env = "BIRLIK_PERSISTED_QUERY_MAX", value_name = "BIRLIK_PERSISTED_QUERY_MAX", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub persisted_query_max: u64,

    /// Seconds a persisted query is kept without being used.
    #[arg(long, env = "BIRLIK_PERSISTED_QUERY_RETENTION_S", value_name = "BIRLIK_PERSISTED_QUERY_RETENTION_S", default_value_t = 2_592_000, value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
    pub persisted_query_retention_s: u64,

    /// Load the demo data when the database holds nothing but reference data. On by default for
    /// the embedded database only.
    #[arg(long, env = "BIRLIK_DEMO_DATA", value_name = "BIRLIK_DEMO_DATA")]
    pub demo_data: Option<bool>,
}

/// A per-client request rate: `per_second` sustained, `burst` at once. Zero is no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

impl RateLimit {
    /// No limit.
    pub const OFF: RateLimit = RateLimit {
        per_second: 0,
        burst: 0,
    };
}

fn parse_rate(value: &str) -> Result<RateLimit, String> {
    let number = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("`{value}` is not RATE or RATE/BURST (requests per second)"))
    };
    let rate = match value.split_once('/') {
        None => {
            let per_second = number(value)?;
            RateLimit {
                per_second,
                burst: per_second.saturating_mul(2),
            }
        }
        Some((rate, burst)) => RateLimit {
            per_second: number(rate)?,
            burst: number(burst)?,
        },
    };
    if rate.per_second > 0 && rate.burst < rate.per_second.min(1) {
        return Err("the burst must be at least 1".into());
    }
    Ok(rate)
}

/// Which GraphQL operations the server runs.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Operations {
    /// Any valid operation.
    #[default]
    Any,
    /// Only the operations of the clients' files (`api/operations/`), up to comments and spacing.
    Allowlist,
}

/// Where the data lives, resolved from `DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseTarget {
    /// A URL sea-orm understands.
    pub url: String,
    /// True for the embedded default (no `DATABASE_URL`).
    pub embedded: bool,
    /// The SQLite file, when the database is SQLite.
    pub sqlite_file: Option<PathBuf>,
}

impl Config {
    /// A configuration with every default, for tests to adjust.
    pub fn for_tests() -> Self {
        Config {
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: None,
            db_pool_size: 8,
            db_acquire_timeout_ms: 1500,
            login_max_failures: 10,
            login_max_failures_per_address: 50,
            login_window_s: 300,
            max_batch: 10,
            sweep_interval_s: 60,
            ws_ping_s: 30,
            ws_per_address: 20,
            ws_per_account: 10,
            operations: Operations::Any,
            max_body_bytes: 102_400,
            import_max_rows: 10_000,
            import_max_bytes: 8_388_608,
            max_tokens: 1000,
            max_depth: 10,
            max_complexity: 12_000,
            max_aliases: 15,
            max_root_fields: 10,
            max_directives: 20,
            max_fragments: 20,
            request_timeout_ms: 15_000,
            max_in_flight: 0,
            // Tests race dozens of clients on a loaded machine: a wait they never reach (the
            // admission tests set their own limits).
            admission_queue: Some(1_000),
            admission_wait_ms: 10_000,
            // Tests send bursts from one address; the rate limit has tests of its own.
            rate_limit: RateLimit::OFF,
            password_rate_limit: RateLimit {
                per_second: 1,
                burst: 60,
            },
            trusted_proxies: crate::network::TrustedProxies::default(),
            allow_demo_accounts_on_public_address: false,
            introspection: true,
            replica_urls: Vec::new(),
            replica_max_lag_ms: 2000,
            // Every request asks the database (statement counts stay exact); the cache has a
            // test of its own.
            account_check_ttl_ms: 0,
            demo_data: Some(false),
            prune_interval_s: 600,
            session_retention_s: 0,
            idempotency_retention_s: 604_800,
            persisted_query_max: 10_000,
            persisted_query_retention_s: 2_592_000,
        }
    }

    /// How long the growing tables keep their rows, and how often they are pruned.
    pub fn retention(&self) -> Retention {
        Retention {
            interval: Duration::from_secs(self.prune_interval_s),
            sessions: Duration::from_secs(self.session_retention_s),
            idempotency_keys: Duration::from_secs(self.idempotency_retention_s),
            login_failures: Duration::from_secs(self.login_window_s),
            persisted_queries: Duration::from_secs(self.persisted_query_retention_s),
            persisted_query_cap: self.persisted_query_max,
        }
    }

    /// The database to open.
    pub fn database(&self) -> anyhow::Result<DatabaseTarget> {
        database_target(self.database_url.as_deref())
    }

    /// The read replicas to open, refusing a URL that is not PostgreSQL's.
    pub fn replicas(&self) -> anyhow::Result<Vec<DatabaseTarget>> {
        self.replica_urls
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
            .map(|url| {
                let target = database_target(Some(url))?;
                anyhow::ensure!(
                    target.sqlite_file.is_none(),
                    "BIRLIK_REPLICA_URL must name PostgreSQL servers (postgres://…)"
                );
                Ok(target)
            })
            .collect()
    }

    /// How long to wait for a pooled connection.
    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.db_acquire_timeout_ms)
    }
}

/// Resolves `DATABASE_URL` (or its absence) into a target, refusing schemes we do not serve.
pub fn database_target(url: Option<&str>) -> anyhow::Result<DatabaseTarget> {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(DatabaseTarget {
            url: format!("sqlite://{EMBEDDED_DB_FILE}?mode=rwc"),
            embedded: true,
            sqlite_file: Some(PathBuf::from(EMBEDDED_DB_FILE)),
        });
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(DatabaseTarget {
            url: url.to_owned(),
            embedded: false,
            sqlite_file: None,
        });
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let file = path.split('?').next().unwrap_or_default();
        if file.is_empty() || file == ":memory:" {
            anyhow::bail!(
                "DATABASE_URL: an in-memory SQLite database would lose every donation at exit; name a file"
            );
        }
        let url = if path.contains('?') {
            format!("sqlite://{path}")
        } else {
            format!("sqlite://{path}?mode=rwc")
        };
        return Ok(DatabaseTarget {
            url,
            embedded: false,
            sqlite_file: Some(PathBuf::from(file)),
        });
    }
    anyhow::bail!("DATABASE_URL must start with postgres://, postgresql:// or sqlite://")
}

fn parse_trusted_proxies(value: &str) -> Result<crate::network::TrustedProxies, String> {
    value.parse()
}

fn parse_secret(value: &str) -> Result<SecretString, String> {
    if value.len() < 32 {
        return Err(format!("must be at least 32 bytes, got {}", value.len()));
    }
    Ok(SecretString::from(value.to_owned()))
}

/// How long rows of the growing tables are kept, and how often they are pruned.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// Time between two prunings.
    pub interval: Duration,
    /// How long a session (refresh token) is kept after it expired.
    pub sessions: Duration,
    /// How long an idempotency key is kept after it was written (a retry after it acts anew).
    pub idempotency_keys: Duration,
    /// How long a failed login is kept: the lockout window, past which it counts for nothing.
    pub login_failures: Duration,
    /// How long a persisted query is kept unused.
    pub persisted_queries: Duration,
    /// Most persisted queries kept.
    pub persisted_query_cap: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_url_means_the_embedded_file() {
        let target = database_target(None).unwrap();
        assert!(target.embedded);
        assert_eq!(
            target.sqlite_file.as_deref(),
            Some(std::path::Path::new("birlik.db"))
        );
    }

    #[test]
    fn sqlite_urls_keep_their_file_and_get_created() {
        let target = database_target(Some("sqlite:///tmp/x.db")).unwrap();
        assert_eq!(target.url, "sqlite:///tmp/x.db?mode=rwc");
        assert!(!target.embedded);
        assert_eq!(
            target.sqlite_file.as_deref(),
            Some(std::path::Path::new("/tmp/x.db"))
        );
    }

    #[test]
    fn unknown_schemes_and_memory_are_refused() {
        assert!(database_target(Some("mysql://x")).is_err());
        assert!(database_target(Some("sqlite::memory:")).is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(parse_secret("short").is_err());
        assert!(parse_secret(&"k".repeat(32)).is_ok());
    }
}
