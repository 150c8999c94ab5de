//! Idempotency keys: the same key with the same input replays the first result; with another
//! input it is refused with CONFLICT. The key row is written first in the mutation's
//! transaction, so a concurrent duplicate waits on it (PostgreSQL's unique index, SQLite's write
//! lock) and then replays instead of acting twice.

//!
//! Every keyed mutation runs through [`mutate`]: begin, replay, act, record, audit, commit,
//! publish, each mutation giving only its own steps ([`Mutation`]).

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};

use crate::error::{ApiError, ApiResult};
use crate::services::audit;
use crate::store;

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
    match store::idempotency::find(db, keyed.user_id, keyed.key).await? {
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
    store::idempotency::insert(
        db,
        keyed.user_id,
        keyed.key,
        keyed.operation,
        &keyed.request_hash,
        result_id,
        Utc::now(),
    )
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

/// The steps of one keyed mutation that differ from the others; [`mutate`] runs them in the
/// skeleton every keyed mutation shares.
pub trait Mutation: Sync {
    /// What the mutation returns.
    type Output: Send;

    /// The request's key, if it came with one (an invalid key is refused). Asked once the
    /// transaction has begun.
    fn key(&self) -> Option<ApiResult<Keyed<'_>>>;

    /// The result of the earlier call with this key, whose result id was `id`.
    fn replay(
        &self,
        tx: &DatabaseTransaction,
        id: i32,
    ) -> impl Future<Output = ApiResult<Self::Output>> + Send;

    /// The checks and the change itself, in the transaction.
    fn act(
        &self,
        tx: &DatabaseTransaction,
    ) -> impl Future<Output = ApiResult<Done<'_, Self::Output>>> + Send;

    /// After the commit: tells subscribers what changed.
    fn publish(&self, _output: &Self::Output) {}
}

/// What a mutation did: its result, the id recorded with its key, and the change for the trail
/// (to which [`mutate`] adds the key).
pub struct Done<'a, T> {
    /// What the mutation returns.
    pub output: T,
    /// The id a replay will read the result back by.
    pub id: i32,
    /// Who changed what, if anything is to go on the trail.
    pub audit: Option<(audit::Who, audit::Change<'a>)>,
}

/// Runs a keyed mutation in one transaction: begin; replay the first result if the key was used
/// for this request before; act; record the key; record the change on the trail (with its key);
/// commit; publish. A call that lost the race to record its key runs once more ([`run`]), and
/// replays.
pub async fn mutate<M: Mutation>(db: &DatabaseConnection, mutation: &M) -> ApiResult<M::Output> {
    run(|| once(db, mutation)).await
}

async fn once<M: Mutation>(db: &DatabaseConnection, mutation: &M) -> ApiResult<M::Output> {
    let tx = store::begin(db).await?;
    let keyed = mutation.key().transpose()?;
    if let Some(keyed) = &keyed
        && let Some(id) = replay(&tx, keyed).await?
    {
        return mutation.replay(&tx, id).await;
    }
    let done = mutation.act(&tx).await?;
    if let Some(keyed) = &keyed {
        record(&tx, keyed, done.id).await?;
    }
    if let Some((who, change)) = done.audit {
        let change = match &keyed {
            Some(keyed) => change.key(Some(keyed.key)),
            None => change,
        };
        audit::record(&tx, who, change).await?;
    }
    tx.commit().await?;
    mutation.publish(&done.output);
    Ok(done.output)
}
