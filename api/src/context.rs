//! What every resolver knows about the request: who is asking, in which language, and where
//! the database is.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use async_graphql::Context;
use birlik_entity::region;
use sea_orm::DatabaseConnection;

use crate::auth::jwt::Keys;
use crate::graphql::loaders::Loaders;

/// Who sends a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The public: no token.
    Anonymous,
    /// A volunteer, with their volunteer record.
    Volunteer { user_id: i32, volunteer_id: i32 },
    /// Staff of one organization.
    Ngo { user_id: i32, organization_id: i32 },
    /// Ministry staff.
    Ministry { user_id: i32 },
}

impl Actor {
    /// The account behind the request, if any.
    pub fn user_id(&self) -> Option<i32> {
        match self {
            Actor::Anonymous => None,
            Actor::Volunteer { user_id, .. }
            | Actor::Ngo { user_id, .. }
            | Actor::Ministry { user_id } => Some(*user_id),
        }
    }
}

/// The language names are served in, from `Accept-Language` (default Russian).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    Kk,
    #[default]
    Ru,
    En,
}

impl Lang {
    /// The first of `kk`, `ru`, `en` that the header names, by quality; Russian otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Lang::default();
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = match tag.split('-').next().unwrap_or_default() {
                "kk" => Lang::Kk,
                "ru" => Lang::Ru,
                "en" => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }
}

/// Per-request state, put into the GraphQL request's data by the HTTP handler.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub actor: Actor,
    pub lang: Lang,
    /// The client's address as throttles key it (`http::client_address`: behind a trusted proxy,
    /// the forwarded client; IPv6 as its /64).
    pub address: Option<std::net::IpAddr>,
}

/// Shared state, built once at start and put into the schema's data.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub keys: Arc<Keys>,
    /// The 20 reference regions, read once at start (a migration owns them; nothing edits them).
    pub regions: Arc<Vec<region::Model>>,
    /// SQL statements run since start, for `/metrics` and the statement-bound tests.
    pub statements: Arc<AtomicU64>,
    /// GraphQL requests served since start.
    pub requests: Arc<AtomicU64>,
    /// Live events for subscriptions.
    pub events: crate::events::Events,
    /// How failed logins are slowed and refused.
    pub login_policy: LoginPolicy,
    /// Most operations in one batched request.
    pub max_batch: usize,
    /// How often a WebSocket is pinged.
    pub ws_ping: std::time::Duration,
    /// Which operations run.
    pub operations: crate::config::Operations,
    /// What one GraphQL document may ask.
    pub query_limits: crate::graphql::limits::QueryLimits,
    /// Whether introspection, GraphiQL and suggestions are served.
    pub introspection: bool,
    /// Most bytes in a request body.
    pub max_body_bytes: usize,
    /// How long one GraphQL request may run.
    pub request_timeout: std::time::Duration,
    /// Requests per client.
    pub rate_limiter: crate::http::rate_limit::RateLimiter,
    /// Open WebSockets per address (before they sign in) and per account.
    pub sockets: crate::http::gate::SocketCounts,
    /// Sign-ups and password changes per client address (each costs an argon2 hash).
    pub password_limiter: crate::http::rate_limit::RateLimiter,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::http::address::TrustedProxies,
    /// The campaign's figures, shared for a moment between requests.
    pub figures: Arc<crate::services::stats::FiguresCache>,
    /// Most automatic persisted queries kept.
    pub persisted_query_max: u64,
    /// Becomes true when the server starts to stop (open WebSockets close, `/readyz` says 503).
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// How failed logins are slowed and then refused for a while.
#[derive(Clone, Copy, Debug)]
pub struct LoginPolicy {
    /// Failures of one login from one address within `window` that refuse that login there; as
    /// many from anywhere refuse it to every address that has failures of its own.
    pub max_failures: u32,
    /// Failures from one address, whatever the login, within `window` that refuse it.
    pub max_failures_per_address: u32,
    /// How long a failure counts.
    pub window: std::time::Duration,
}

impl AppState {
    /// A reference region by id.
    pub fn region(&self, id: i32) -> Option<&region::Model> {
        self.regions.iter().find(|r| r.id == id)
    }
}

/// Access to the request's context from a resolver.
pub trait ContextExt {
    /// The request's context and the database.
    fn request(&self) -> (&RequestCtx, &DatabaseConnection);
    /// The application's shared state.
    fn state(&self) -> &AppState;
    /// The request's DataLoaders.
    fn loaders(&self) -> &Loaders;
}

impl ContextExt for Context<'_> {
    fn request(&self) -> (&RequestCtx, &DatabaseConnection) {
        static ANONYMOUS: RequestCtx = RequestCtx {
            actor: Actor::Anonymous,
            lang: Lang::Ru,
            address: None,
        };
        let rc = self.data_opt::<RequestCtx>().unwrap_or(&ANONYMOUS);
        (rc, &self.state().db)
    }

    fn state(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Arc<Loaders>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(Lang::from_accept_language(None), Lang::Ru);
        assert_eq!(Lang::from_accept_language(Some("kk-KZ,ru;q=0.8")), Lang::Kk);
        assert_eq!(
            Lang::from_accept_language(Some("de,en-US;q=0.7,ru;q=0.9")),
            Lang::Ru
        );
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::Ru);
    }
}
