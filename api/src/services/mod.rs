//! One module per aggregate: the rules of each operation, called by resolvers with the request's
//! context and [`Deps`]. Services return [`ApiResult`](crate::error::ApiResult); they know no
//! GraphQL and no HTTP, and reach the database only through `store`.

pub mod access;
pub mod account;
pub mod allocation;
pub mod audit;
pub mod credentials;
pub mod donation;
pub mod export;
pub mod idempotency;
pub mod import;
pub mod lists;
pub mod lockout;
pub mod membership;
pub mod need;
pub mod organization;
pub mod persisted_query;
pub mod reads;
pub mod region;
pub mod retention;
pub mod session;
pub mod shelter;
pub mod shipment;
pub mod situation;
pub mod stats;
pub mod stock;
pub mod task;
pub mod validate;
pub mod volunteer;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::Keys;

/// What every service takes, the same way: the database and what the rules need beside it.
/// Built once at start; the GraphQL and HTTP layers keep their own settings apart from it.
#[derive(Clone, Debug)]
pub struct Deps {
    /// The primary: every write, and the reads that must see the latest data.
    pub db: DatabaseConnection,
    /// Where the reads that may trail the writes go (a replica within the lag bound, else the
    /// primary), and who wrote lately.
    pub reads: reads::Reads,
    pub keys: Arc<Keys>,
    /// The 20 reference regions, read once at start (a migration owns them; nothing edits them).
    pub regions: Arc<Vec<birlik_entity::region::Model>>,
    /// SQL statements run since start, for `/metrics` and the statement-bound tests.
    pub statements: Arc<AtomicU64>,
    /// Live events for subscriptions.
    pub events: crate::events::Events,
    /// How failed logins are slowed and refused.
    pub login_policy: lockout::LoginPolicy,
    /// Sign-ups and password changes per client address (each costs an argon2 hash).
    pub password_limiter: crate::rate_limit::RateLimiter,
    /// Most automatic persisted queries kept.
    pub persisted_query_max: u64,
}

impl Deps {
    /// Runs a read that may trail the writes by the replica lag bound (aggregates, exports):
    /// on a replica within it, else on the primary (see [`reads`]).
    pub async fn replicable<T, F, Fut>(
        &self,
        actor: &crate::context::Actor,
        work: F,
    ) -> Result<T, sea_orm::DbErr>
    where
        F: Fn(DatabaseConnection) -> Fut,
        Fut: Future<Output = Result<T, sea_orm::DbErr>>,
    {
        Ok(self.reads.read(actor, work).await?.0)
    }

    /// Runs a list's read: the ministry's lists as [`Deps::replicable`], everyone else's on
    /// the primary (an organization or a volunteer reads back what they just did).
    pub async fn list_read<T, F, Fut>(
        &self,
        actor: &crate::context::Actor,
        work: F,
    ) -> Result<T, sea_orm::DbErr>
    where
        F: Fn(DatabaseConnection) -> Fut,
        Fut: Future<Output = Result<T, sea_orm::DbErr>>,
    {
        match actor {
            crate::context::Actor::Ministry { .. } => self.replicable(actor, work).await,
            _ => work(self.db.clone()).await,
        }
    }

    /// A reference region by id.
    pub fn region(&self, id: i32) -> Option<&birlik_entity::region::Model> {
        self.regions.iter().find(|r| r.id == id)
    }
}
