//! Keeps the tables that grow with traffic bounded: a task started with the application prunes
//! expired sessions, idempotency keys past their retention, failed logins past the lockout
//! window and persisted queries unused for their retention (or beyond the store's cap), every
//! `interval`. Each table's retention is a setting (see SECURITY.md).

use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;

use crate::error::ApiResult;
use crate::store;

pub use crate::config::Retention;

/// Rows deleted by one pruning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub sessions: u64,
    pub idempotency_keys: u64,
    pub login_failures: u64,
    pub persisted_queries: u64,
}

/// Prunes every growing table once.
pub async fn prune(db: &DatabaseConnection, retention: &Retention) -> ApiResult<Pruned> {
    let now = Utc::now();
    let before = |kept: Duration| {
        now - chrono::Duration::from_std(kept).unwrap_or(chrono::Duration::MAX / 2)
    };
    let sessions = store::retention::prune_sessions(db, before(retention.sessions)).await?;
    let idempotency_keys =
        store::retention::prune_idempotency_keys(db, before(retention.idempotency_keys)).await?;
    let login_failures =
        store::retention::prune_login_failures(db, before(retention.login_failures)).await?;
    let persisted_queries = store::persisted_query::prune(db, before(retention.persisted_queries))
        .await?
        + store::persisted_query::evict_beyond(db, retention.persisted_query_cap).await?;
    Ok(Pruned {
        sessions,
        idempotency_keys,
        login_failures,
        persisted_queries,
    })
}

/// Prunes every `retention.interval` for as long as the runtime lives, the first time one
/// interval after start.
pub fn spawn(db: DatabaseConnection, retention: Retention) {
    tokio::spawn(async move {
        let interval = retention.interval;
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match prune(&db, &retention).await {
                Ok(pruned) if pruned != Pruned::default() => {
                    tracing::info!(?pruned, "pruned the tables that grow with traffic");
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "pruning the growing tables failed; it runs again");
                }
            }
        }
    });
}
