//! Sessions: login by email or phone, refresh-token rotation with reuse detection, and logout.
//! Refresh tokens are random, shown once, and stored as SHA-256 hashes. (Sign-up:
//! `services::volunteer`.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use birlik_entity::user_account;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::auth::{jwt::Keys, password};
use crate::context::RequestCtx;
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::services::credentials::{self, MAX_LOGIN, ensure_length, ensure_password_length};
use crate::services::lockout::{Attempt, account_key, address_key};
use crate::services::validate;
use crate::store;

/// How long a refresh token lives without use.
pub const REFRESH_TTL: Duration = Duration::days(30);

/// What a successful login, refresh or sign-up hands out.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    pub user: user_account::Model,
}

fn token_hash(token: &str) -> String {
    crate::hash::sha256_hex(token)
}

fn random_token() -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no system randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Starts (or continues) a session family and signs an access token.
pub async fn issue(
    db: &impl ConnectionTrait,
    keys: &Keys,
    user: user_account::Model,
    family: Option<String>,
) -> ApiResult<Tokens> {
    let refresh_token = random_token()?;
    let now = Utc::now();
    let family = match family {
        Some(f) => f,
        None => random_token()?,
    };
    store::session::insert(
        db,
        user.id,
        family,
        token_hash(&refresh_token),
        now,
        now + REFRESH_TTL,
    )
    .await?;
    let (access_token, expires_at) =
        keys.issue(user.id, user.role, user.organization_id, user.volunteer_id)?;
    Ok(Tokens {
        access_token,
        refresh_token,
        expires_at,
        user,
    })
}

/// The account a login names: an email (any case) or a phone (as people type it).
async fn find_login(
    db: &DatabaseConnection,
    login: &str,
) -> ApiResult<Option<user_account::Model>> {
    let login = login.trim();
    if login.contains('@') {
        return Ok(store::user::get_by_email(db, &login.to_lowercase()).await?);
    }
    match validate::phone("login", login) {
        Ok(phone) => Ok(store::user::get_by_phone(db, &phone).await?),
        Err(_) => Ok(None),
    }
}

/// The hash of a random password nobody knows, made once with the same parameters as real ones,
/// so that an unknown login costs the same argon2 time as a wrong password.
static DECOY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut secret = [0u8; 24];
    getrandom::fill(&mut secret).ok();
    password::hash(&URL_SAFE_NO_PAD.encode(secret)).unwrap_or_default()
});

/// Longest refresh token accepted (the server's are 43 characters).
const MAX_REFRESH_TOKEN: usize = 128;

/// The form a login is counted under when no account has it: a lower-cased email, an E.164
/// phone, or the text as typed (at most [`MAX_LOGIN`] characters).
fn login_key(login: &str) -> String {
    let login = login.trim();
    if login.contains('@') {
        return login.to_lowercase();
    }
    validate::phone("login", login).unwrap_or_else(|_| login.to_owned())
}

/// Logs in with email or phone and password. A wrong password, an unknown login and a disabled
/// account get the same answer; repeated failures are slowed, then refused with RATE_LIMITED for
/// a while (see [`Attempt::begin`]), before the password is checked.
pub async fn login(deps: &Deps, rc: &RequestCtx, login: &str, secret: &str) -> ApiResult<Tokens> {
    ensure_length("login", login, MAX_LOGIN)?;
    ensure_password_length("password", secret)?;
    let account = find_login(&deps.db, login).await?;
    let key = match &account {
        Some(account) => account_key(account.id),
        None => login_key(login),
    };
    let attempt = Attempt::begin(deps, key, address_key(rc)).await?;
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| DECOY_HASH.clone());
    let matches = credentials::verify(secret, hash).await?;
    match account {
        Some(account) if matches && account.disabled_at.is_none() => {
            let tx = store::begin(&deps.db).await?;
            attempt.succeeded(&tx).await?;
            let tokens = issue(&tx, &deps.keys, account, None).await?;
            tx.commit().await?;
            Ok(tokens)
        }
        _ => {
            attempt.failed().await;
            Err(ApiError::Unauthenticated)
        }
    }
}

/// Exchanges a refresh token for a new pair. A token already exchanged is a sign of theft: its
/// whole family is revoked and the call refused.
pub async fn refresh(deps: &Deps, token: &str) -> ApiResult<Tokens> {
    ensure_length("refreshToken", token, MAX_REFRESH_TOKEN)?;
    let tx = store::begin(&deps.db).await?;
    let now = Utc::now();
    let Some(current) = store::session::get_by_hash(&tx, &token_hash(token)).await? else {
        return Err(ApiError::Unauthenticated);
    };
    if current.rotated_at.is_some() {
        store::session::revoke_family(&tx, &current.family, now).await?;
        tx.commit().await?;
        tracing::warn!(
            user_id = current.user_id,
            "a rotated refresh token was reused: session family revoked"
        );
        return Err(ApiError::Unauthenticated);
    }
    if current.revoked_at.is_some() || current.expires_at <= now {
        return Err(ApiError::Unauthenticated);
    }
    let user = store::user::get(&tx, current.user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if user.disabled_at.is_some() {
        return Err(ApiError::Unauthenticated);
    }
    if !store::session::rotate(&tx, current.id, now).await? {
        return Err(ApiError::Unauthenticated);
    }
    let tokens = issue(&tx, &deps.keys, user, Some(current.family)).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Ends the session a refresh token belongs to. Unknown tokens end nothing and say so no differently.
pub async fn logout(deps: &Deps, token: &str) -> ApiResult<bool> {
    ensure_length("refreshToken", token, MAX_REFRESH_TOKEN)?;
    let tx = store::begin(&deps.db).await?;
    if let Some(current) = store::session::get_by_hash(&tx, &token_hash(token)).await? {
        store::session::revoke_family(&tx, &current.family, Utc::now()).await?;
    }
    tx.commit().await?;
    Ok(true)
}
