//! Lockout and throttles of password work: failed passwords (logins, and wrong current passwords
//! in `changePassword`) recorded before they are checked and counted one login at a time, with a
//! lock per account and address, per address, and per account for addresses that have failed;
//! and the per-address budget of sign-ups and password changes. Nothing here checks a password.

use chrono::{Duration, Utc};
use sea_orm::ConnectionTrait;

use crate::context::RequestCtx;
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;

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

/// What failures of an account are counted under, whichever of its logins was typed.
pub fn account_key(user_id: i32) -> String {
    format!("account:{user_id}")
}

/// The address a request's failures are counted under.
pub fn address_key(rc: &RequestCtx) -> String {
    rc.address
        .map(|a| a.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Locks that queue the bookkeeping of attempts at one login on this instance (by the login's
/// hash), so that waiting for the database's per-login lock never holds a pooled connection.
static ATTEMPT_STRIPES: std::sync::LazyLock<Vec<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());

fn stripe(key: &str) -> usize {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    (hasher.finish() % 64) as usize
}

/// An attempt at a password, recorded before it is checked: dropped as a failure, or forgotten
/// by [`Attempt::succeeded`].
pub struct Attempt {
    id: i32,
    key: String,
    address: String,
    /// Failures of this login from this address before this attempt.
    pub earlier: i64,
}

impl Attempt {
    /// Records an attempt of `key` from `address`, then counts: past a limit it is rolled back
    /// and refused with RATE_LIMITED and the seconds to wait, before any password is checked.
    ///
    /// Three locks, each over `BIRLIK_LOGIN_WINDOW_S`: this login from this address
    /// (`max_failures`); this address, whatever the login (`max_failures_per_address`); and this
    /// login from anywhere (`max_failures`), which holds back only addresses that have failures
    /// of their own, so an owner on a clean address still gets in while others guess.
    pub async fn begin(deps: &Deps, key: String, address: String) -> ApiResult<Attempt> {
        let policy = deps.login_policy;
        let now = Utc::now();
        let window = Duration::from_std(policy.window).unwrap_or(Duration::minutes(5));
        // One attempt of a login at a time records itself and counts: the count includes every
        // attempt before it, and none after. Attempts of one login on this instance queue here,
        // holding no connection; across instances, on the database's lock.
        let _queued = ATTEMPT_STRIPES[stripe(&key)].lock().await;
        let tx = crate::store::begin(&deps.db).await?;
        crate::store::login_failure::lock(&tx, &key).await?;
        let id = crate::store::login_failure::begin(&tx, &key, &address, now).await?;
        let counts = crate::store::login_failure::counts(&tx, &key, &address, now - window).await?;
        // Each count includes this attempt.
        let max = i64::from(policy.max_failures);
        let max_address = i64::from(policy.max_failures_per_address);
        let address_has_failed = counts.address > 1;
        let locked = if counts.pair > max {
            Some(counts.oldest_pair)
        } else if counts.address > max_address {
            Some(counts.oldest_address)
        } else if counts.login > max && address_has_failed {
            Some(counts.oldest_login)
        } else {
            None
        };
        if let Some(oldest) = locked {
            // Refused: the attempt is rolled back, never counted.
            tx.rollback().await?;
            let wait = oldest
                .map(|o| (o + window - now).num_seconds().max(1))
                .unwrap_or(1);
            tracing::warn!(login = key, address, "refused: too many failed passwords");
            return Err(ApiError::RateLimited {
                retry_after_s: wait as u64,
            });
        }
        tx.commit().await?;
        Ok(Attempt {
            id,
            key,
            address,
            earlier: counts.pair - 1,
        })
    }

    /// The password was right: this attempt and the earlier failures of this login from this
    /// address are forgotten, in the caller's transaction.
    pub async fn succeeded(&self, db: &impl ConnectionTrait) -> ApiResult<()> {
        crate::store::login_failure::forget(db, self.id).await?;
        crate::store::login_failure::clear(db, &self.key, &self.address, Utc::now()).await?;
        Ok(())
    }

    /// The password was wrong: the attempt stays as a failure, and the answer is slowed by
    /// 50 ms for each earlier failure, up to a second.
    pub async fn failed(&self) {
        let delay = std::time::Duration::from_millis((50 * (self.earlier as u64 + 1)).min(1000));
        tokio::time::sleep(delay).await;
    }
}

/// Counts a sign-up or a password change (each hashes a password, the costliest thing a client
/// can ask) against its address: `BIRLIK_PASSWORD_RATE_LIMIT`, off with the other limits. Past
/// it, RATE_LIMITED at once, with the seconds to wait.
pub fn ensure_password_budget(deps: &Deps, rc: &RequestCtx) -> ApiResult<()> {
    use crate::rate_limit::Client;
    let client = match rc.address {
        Some(address) => Client::Address(address),
        None => Client::Unknown,
    };
    deps.password_limiter
        .check(&client)
        .map_err(|wait| ApiError::RateLimited {
            retry_after_s: wait.as_secs_f64().ceil().max(1.0) as u64,
        })
}
