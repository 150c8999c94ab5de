//! Idempotency keys: the same key with the same input replays the first result; with another
//! input it is refused with CONFLICT. The key row is written first in the mutation's
//! transaction, so a concurrent duplicate waits on it (PostgreSQL's unique index, SQLite's write
//! lock) and then replays instead of acting twice.

use birlik_entity::idempotency_key;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::{ApiError, ApiResult};

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 200;

/// A keyed request: who, which key, which operation, which input.
#[derive(Clone, Debug)]
pub struct Keyed<'a> {
    pub user_id: i32,
    pub key: &'a str,
    pub operation: &'static str,
    pub request_hash: String,
}

impl<'a> Keyed<'a> {
    /// A request keyed by `key`, fingerprinted by `input` (any serializable form of it).
    pub fn new(
        user_id: i32,
        key: &'a str,
        operation: &'static str,
        input: &impl serde::Serialize,
    ) -> ApiResult<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(ApiError::bad_input(
                "idempotencyKey",
                format!("must be 1 to {MAX_KEY_LEN} characters"),
            ));
        }
        let json = serde_json::to_vec(input).map_err(|e| ApiError::Internal(e.into()))?;
        let request_hash = crate::hash::sha256_hex(&json);
        Ok(Keyed {
            user_id,
            key,
            operation,
            request_hash,
        })
    }
}

/// The result id of an earlier call with this key, refusing a key reused for another request.
pub async fn replay(db: &impl ConnectionTrait, keyed: &Keyed<'_>) -> ApiResult<Option<i32>> {
    let found = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(keyed.user_id))
        .filter(idempotency_key::Column::Key.eq(keyed.key))
        .one(db)
        .await?;
    match found {
        None => Ok(None),
        Some(row) if row.operation == keyed.operation && row.request_hash == keyed.request_hash => {
            Ok(Some(row.result_id))
        }
        Some(_) => Err(ApiError::Conflict {
            message: "this idempotency key was already used for another request".into(),
            current: None,
        }),
    }
}

/// Records the key with the result of its first call, in the caller's transaction.
pub async fn record(db: &impl ConnectionTrait, keyed: &Keyed<'_>, result_id: i32) -> ApiResult<()> {
    idempotency_key::ActiveModel {
        user_id: Set(keyed.user_id),
        key: Set(keyed.key.to_owned()),
        operation: Set(keyed.operation.to_owned()),
        request_hash: Set(keyed.request_hash.clone()),
        result_id: Set(result_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        // A concurrent call with the same key committed first: the caller retries and replays.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => lost_race_error(),
        _ => ApiError::from(e),
    })?;
    Ok(())
}

const KEY_RACE: &str = "a request with this idempotency key is being processed; retry";

/// The error of a keyed call that found its work done by a concurrent duplicate first; [`run`]
/// runs it again, to replay.
pub fn lost_race_error() -> ApiError {
    ApiError::Conflict {
        message: KEY_RACE.into(),
        current: None,
    }
}

/// True when a keyed call lost the race to record its key (the first call has now committed).
fn lost_race(err: &ApiError) -> bool {
    matches!(err, ApiError::Conflict { message, .. } if message == KEY_RACE)
}

/// Runs a keyed mutation; if it lost the race to record its key to a concurrent duplicate, runs
/// it once more, which then replays the winner's result.
pub async fn run<T, F, Fut>(mut attempt: F) -> ApiResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ApiResult<T>>,
{
    match attempt().await {
        Err(e) if lost_race(&e) => attempt().await,
        other => other,
    }
}
