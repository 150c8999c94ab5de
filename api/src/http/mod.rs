//! HTTP: the routes, the GraphQL handlers (POST, GET, WebSocket, GraphiQL) and health checks.

pub mod address;
pub mod admission;
pub mod apq;
pub mod body;
pub mod compression;
pub mod exports;
pub mod gate;
pub mod graphql;
pub mod health;
pub mod ide;
pub mod imports;
pub mod page;
pub mod routes;
pub mod socket;

pub use address::client_address;

/// The `Cache-Control` of a public answer HTTP serves beside GraphQL: the seconds of the public
/// queries' `cache_control(max_age = 30)`, written as GraphQL writes them for an anonymous caller
/// (`tests/e2e/page.rs` compares the two).
pub const PUBLIC_CACHE_CONTROL: &str = "public, max-age=30";

use crate::services::Deps;

/// What the HTTP layer holds: the services' dependencies, the schema's settings it needs to know
/// (GraphiQL, the allow-list), and its own limits and counters.
#[derive(Clone, Debug)]
pub struct State {
    pub deps: Deps,
    pub graphql: crate::graphql::Settings,
    /// GraphQL requests served since start.
    pub requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Most operations in one batched request.
    pub max_batch: usize,
    /// How often a WebSocket is pinged.
    pub ws_ping: std::time::Duration,
    /// Most bytes in a request body.
    pub max_body_bytes: usize,
    /// Most rows and bytes in an imported file.
    pub import_limits: imports::Limits,
    /// How long one GraphQL request may run.
    pub request_timeout: std::time::Duration,
    /// Requests per client.
    pub rate_limiter: crate::rate_limit::RateLimiter,
    /// Operations running at once and waiting for a turn (`gate::admit` takes the turns).
    pub admission: admission::Admission,
    /// Open WebSockets per address (before they sign in) and per account.
    pub sockets: gate::SocketCounts,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::network::TrustedProxies,
    /// Becomes true when the server starts to stop (open WebSockets close, `/readyz` says 503).
    pub stopping: tokio::sync::watch::Receiver<bool>,
}
