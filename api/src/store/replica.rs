//! What a PostgreSQL read replica has replayed, and how far the primary has written: the two
//! readings `services::reads` compares to know how stale a replica is. PostgreSQL only.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Statement};

/// A replica's replay position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replay {
    /// False when the server is no standby (a promoted replica, or a primary named by mistake).
    pub in_recovery: bool,
    /// The end of the last WAL record replayed, as a byte position.
    pub lsn: Option<i64>,
    /// When the last transaction replayed committed on the primary.
    pub committed_at: Option<DateTime<Utc>>,
}

/// The replica's replay position.
pub async fn replay(db: &impl ConnectionTrait) -> Result<Replay, DbErr> {
    let sql = "SELECT pg_is_in_recovery() AS in_recovery, \
               (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS lsn, \
               pg_last_xact_replay_timestamp() AS committed_at";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("no row from a replay reading".into()))?;
    Ok(Replay {
        in_recovery: row.try_get("", "in_recovery")?,
        lsn: row.try_get("", "lsn")?,
        committed_at: row.try_get("", "committed_at")?,
    })
}

/// How far the primary has flushed its WAL: every transaction committed before this reading
/// lies at or before it.
pub async fn flushed(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let sql = "SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint AS lsn";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("no row from a WAL reading".into()))?;
    row.try_get("", "lsn")
}
