//! Sessions: login by email or phone, refresh-token rotation with reuse detection, logout, and
//! volunteer sign-up. Refresh tokens are random, shown once, and stored as SHA-256 hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole, Role};
use birlik_entity::{session, user_account, volunteer};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use crate::auth::{jwt::Keys, password};
use crate::context::{Actor, AppState, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::lockout::{Attempt, account_key, address_key, ensure_password_budget};
use crate::services::{audit, idempotency, validate};

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
    session::ActiveModel {
        user_id: Set(user.id),
        family: Set(match family {
            Some(f) => f,
            None => random_token()?,
        }),
        token_hash: Set(token_hash(&refresh_token)),
        created_at: Set(now),
        expires_at: Set(now + REFRESH_TTL),
        rotated_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
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
    let query = user_account::Entity::find();
    let query = if login.contains('@') {
        query.filter(user_account::Column::Email.eq(login.to_lowercase()))
    } else {
        match validate::phone("login", login) {
            Ok(phone) => query.filter(user_account::Column::Phone.eq(phone)),
            Err(_) => return Ok(None),
        }
    };
    Ok(query.one(db).await?)
}

/// The hash of a random password nobody knows, made once with the same parameters as real ones,
/// so that an unknown login costs the same argon2 time as a wrong password.
static DECOY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut secret = [0u8; 24];
    getrandom::fill(&mut secret).ok();
    password::hash(&URL_SAFE_NO_PAD.encode(secret)).unwrap_or_default()
});

/// Longest login accepted (an email address's limit), counted before any SQL.
pub const MAX_LOGIN: usize = 254;
/// Longest password accepted, in bytes, counted before any hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest refresh token accepted (the server's are 43 characters).
const MAX_REFRESH_TOKEN: usize = 128;

/// Refuses a text argument longer than `max` characters, naming it, before anything else sees it.
pub fn ensure_length(field: &'static str, value: &str, max: usize) -> ApiResult<()> {
    // Bytes first: a string of more than 4 × max bytes has more than max characters.
    if value.len() > max.saturating_mul(4) || value.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// Refuses a password longer than [`MAX_PASSWORD_BYTES`], naming the argument.
pub fn ensure_password_length(field: &'static str, secret: &str) -> ApiResult<()> {
    if secret.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

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
pub async fn login(
    state: &AppState,
    rc: &RequestCtx,
    login: &str,
    secret: &str,
) -> ApiResult<Tokens> {
    ensure_length("login", login, MAX_LOGIN)?;
    ensure_password_length("password", secret)?;
    let account = find_login(&state.db, login).await?;
    let key = match &account {
        Some(account) => account_key(account.id),
        None => login_key(login),
    };
    let attempt = Attempt::begin(state, key, address_key(rc)).await?;
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| DECOY_HASH.clone());
    let secret = secret.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&secret, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    match account {
        Some(account) if matches && account.disabled_at.is_none() => {
            let tx = crate::db::begin_write(&state.db).await?;
            attempt.succeeded(&tx).await?;
            let tokens = issue(&tx, &state.keys, account, None).await?;
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
pub async fn refresh(state: &AppState, token: &str) -> ApiResult<Tokens> {
    ensure_length("refreshToken", token, MAX_REFRESH_TOKEN)?;
    let tx = crate::db::begin_write(&state.db).await?;
    let now = Utc::now();
    let Some(current) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .one(&tx)
        .await?
    else {
        return Err(ApiError::Unauthenticated);
    };
    if current.rotated_at.is_some() {
        revoke_family(&tx, &current.family, now).await?;
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
    let user = user_account::Entity::find_by_id(current.user_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if user.disabled_at.is_some() {
        return Err(ApiError::Unauthenticated);
    }
    let rotated = session::Entity::update_many()
        .col_expr(session::Column::RotatedAt, Expr::val(now))
        .filter(session::Column::Id.eq(current.id))
        .filter(session::Column::RotatedAt.is_null())
        .exec(&tx)
        .await?;
    if rotated.rows_affected != 1 {
        return Err(ApiError::Unauthenticated);
    }
    let tokens = issue(&tx, &state.keys, user, Some(current.family)).await?;
    tx.commit().await?;
    Ok(tokens)
}

async fn revoke_family(
    db: &impl ConnectionTrait,
    family: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::val(now))
        .filter(session::Column::Family.eq(family))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends the session a refresh token belongs to. Unknown tokens end nothing and say so no differently.
pub async fn logout(state: &AppState, token: &str) -> ApiResult<bool> {
    ensure_length("refreshToken", token, MAX_REFRESH_TOKEN)?;
    let tx = crate::db::begin_write(&state.db).await?;
    if let Some(current) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .one(&tx)
        .await?
    {
        revoke_family(&tx, &current.family, Utc::now()).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// What `registerVolunteer` asks for.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SignUp {
    pub full_name: String,
    pub phone: String,
    pub email: Option<String>,
    #[serde(skip)]
    pub password: String,
    pub region_code: String,
    pub organization_id: Option<i32>,
    pub skills: Vec<String>,
}

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// Refuses a password shorter than [`MIN_PASSWORD`] characters or longer than
/// [`MAX_PASSWORD_BYTES`], naming the argument.
pub fn check_new_password(field: &'static str, secret: &str) -> ApiResult<()> {
    ensure_password_length(field, secret)?;
    if secret.chars().count() < MIN_PASSWORD {
        return Err(ApiError::bad_input(
            field,
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// Signs a volunteer up: their record, their account, and a first session. An organization named
/// in the sign-up is asked to take them on: they are not its member (and its staff do not see
/// their contacts) until its staff or the ministry approve (`services::membership`).
///
/// With an idempotency key, a retry (same key, same input, same password) replays the sign-up: it
/// opens a new session on the account the first call made, instead of refusing the phone as taken.
/// Concurrent duplicates wait on the phone's unique index and then replay.
pub async fn register_volunteer(
    rc: &RequestCtx,
    state: &AppState,
    input: SignUp,
    idempotency_key: Option<&str>,
) -> ApiResult<Tokens> {
    if rc.actor != Actor::Anonymous && !matches!(rc.actor, Actor::Ministry { .. }) {
        return Err(ApiError::Forbidden("you are already signed in".into()));
    }
    ensure_password_budget(state, rc)?;
    let full_name = validate::text("input.fullName", &input.full_name, 200)?;
    ensure_length("input.phone", &input.phone, 32)?;
    let phone = validate::phone("input.phone", &input.phone)?;
    let email = input
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            ensure_length("input.email", e, MAX_LOGIN)?;
            validate::email("input.email", e)
        })
        .transpose()?;
    check_new_password("input.password", &input.password)?;
    ensure_length("input.regionCode", &input.region_code, 16)?;
    let region = crate::services::region::get(state, &input.region_code)
        .map_err(|_| ApiError::bad_input("input.regionCode", "no region has this code"))?;
    if input.skills.len() > 50 {
        return Err(ApiError::bad_input("input.skills", "at most 50 skills"));
    }
    let skills = input
        .skills
        .iter()
        .map(|s| validate::text("input.skills", s, 100))
        .collect::<ApiResult<Vec<_>>>()?;
    let keyed = idempotency_key
        .map(|key| idempotency::Keyed::new(0, key, "registerVolunteer", &input))
        .transpose()?;
    // A taken phone or email is refused before any hashing; a keyed retry of a sign-up that
    // went through needs no new hash either (it checks its password against the stored one).
    let taken = taken(&state.db, &phone, email.as_deref()).await?;
    if taken && keyed.is_none() {
        return Err(taken_error());
    }
    let hash = if taken {
        None
    } else {
        let secret = input.password.clone();
        Some(
            tokio::task::spawn_blocking(move || password::hash(&secret))
                .await
                .map_err(|e| ApiError::Internal(e.into()))??,
        )
    };
    let sign_up = SignUpChecked {
        input: &input,
        full_name: &full_name,
        phone: &phone,
        email: email.as_deref(),
        region_id: region.id,
        skills: &skills,
        hash: hash.as_deref(),
    };
    idempotency::run(|| sign_up.attempt(rc, state, keyed.as_ref())).await
}

/// Whether a volunteer record or an account already has this phone or this email.
async fn taken(db: &DatabaseConnection, phone: &str, email: Option<&str>) -> ApiResult<bool> {
    let mut records = sea_orm::Condition::any().add(volunteer::Column::Phone.eq(phone));
    if let Some(email) = email {
        records = records.add(volunteer::Column::Email.eq(email));
    }
    let volunteer = volunteer::Entity::find()
        .filter(records)
        .one(db)
        .await?
        .is_some();
    if volunteer {
        return Ok(true);
    }
    let mut logins = sea_orm::Condition::any().add(user_account::Column::Phone.eq(phone));
    if let Some(email) = email {
        logins = logins.add(user_account::Column::Email.eq(email));
    }
    Ok(user_account::Entity::find()
        .filter(logins)
        .one(db)
        .await?
        .is_some())
}

fn taken_error() -> ApiError {
    ApiError::Conflict {
        message: "an account with this phone or email already exists; log in instead".into(),
        current: None,
    }
}

/// A sign-up whose input has been checked and whose password has been hashed (unless the phone or
/// email was taken: then only a keyed replay can succeed).
struct SignUpChecked<'a> {
    input: &'a SignUp,
    full_name: &'a str,
    phone: &'a str,
    email: Option<&'a str>,
    region_id: i32,
    skills: &'a [String],
    hash: Option<&'a str>,
}

impl SignUpChecked<'_> {
    async fn attempt(
        &self,
        rc: &RequestCtx,
        state: &AppState,
        keyed: Option<&idempotency::Keyed<'_>>,
    ) -> ApiResult<Tokens> {
        let tx = crate::db::begin_write(&state.db).await?;
        if let Some(org) = self.input.organization_id {
            // Named: asked to take them on, not joined (see `services::membership`).
            birlik_entity::organization::Entity::find_by_id(org)
                .one(&tx)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input("input.organizationId", "no such organization")
                })?;
        }
        // The volunteer record first, then the account: a sign-up that commits between the two
        // reads shows in the second, and is replayed rather than refused.
        let volunteer_taken = volunteer::Entity::find()
            .filter(volunteer::Column::Phone.eq(self.phone))
            .one(&tx)
            .await?
            .is_some();
        let existing = user_account::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(user_account::Column::Phone.eq(self.phone))
                    .add(user_account::Column::Email.eq(self.email.unwrap_or_default())),
            )
            .one(&tx)
            .await?;
        let taken = ApiError::Conflict {
            message: "an account with this phone or email already exists; log in instead".into(),
            current: None,
        };
        if let Some(account) = existing {
            let Some(keyed) = keyed else {
                return Err(taken);
            };
            let keyed = idempotency::Keyed {
                user_id: account.id,
                ..keyed.clone()
            };
            if idempotency::replay(&tx, &keyed).await? != Some(account.id) {
                return Err(taken);
            }
            // The same sign-up again: only its own password opens a session.
            let (secret, stored) = (self.input.password.clone(), account.password_hash.clone());
            let matches = tokio::task::spawn_blocking(move || password::verify(&secret, &stored))
                .await
                .map_err(|e| ApiError::Internal(e.into()))?;
            if !matches || account.disabled_at.is_some() {
                return Err(taken);
            }
            let tokens = issue(&tx, &state.keys, account, None).await?;
            tx.commit().await?;
            return Ok(tokens);
        }
        if volunteer_taken {
            return Err(taken);
        }
        // Taken when checked before hashing, free now: nothing deletes accounts, so this is a
        // lost race in all but name; refused as taken.
        let Some(hash) = self.hash else {
            return Err(taken);
        };
        // A concurrent sign-up with the same phone or email that commits first makes these
        // inserts fail on a unique index: a keyed call then runs again and replays.
        let duplicate = |e: sea_orm::DbErr| match (e.sql_err(), keyed) {
            (Some(sea_orm::SqlErr::UniqueConstraintViolation(_)), Some(_)) => {
                idempotency::lost_race_error()
            }
            (Some(sea_orm::SqlErr::UniqueConstraintViolation(_)), None) => ApiError::Conflict {
                message: "an account with this phone or email already exists; log in instead"
                    .into(),
                current: None,
            },
            _ => ApiError::from(e),
        };
        let now = Utc::now();
        let record = volunteer::ActiveModel {
            full_name: Set(self.full_name.to_owned()),
            phone: Set(self.phone.to_owned()),
            email: Set(self.email.map(str::to_owned)),
            region_id: Set(self.region_id),
            organization_id: Set(None),
            requested_organization_id: Set(self.input.organization_id),
            requested_at: Set(self.input.organization_id.map(|_| now)),
            skills: Set(serde_json::json!(self.skills)),
            available: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .map_err(duplicate)?;
        let account = user_account::ActiveModel {
            email: Set(self.email.map(str::to_owned)),
            phone: Set(Some(self.phone.to_owned())),
            password_hash: Set(hash.to_owned()),
            role: Set(Role::Volunteer),
            display_name: Set(self.full_name.to_owned()),
            volunteer_id: Set(Some(record.id)),
            organization_id: Set(None),
            disabled_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .map_err(duplicate)?;
        if let Some(keyed) = keyed {
            let keyed = idempotency::Keyed {
                user_id: account.id,
                ..keyed.clone()
            };
            idempotency::record(&tx, &keyed, account.id).await?;
        }
        // The ministry signs a volunteer up on their behalf; anyone else signs themself up.
        let who = match rc.actor {
            Actor::Ministry { .. } => audit::Who::of(&rc.actor)?,
            _ => audit::Who::user(account.id, AuditRole::Volunteer),
        };
        audit::record(
            &tx,
            who,
            audit::Change::new(AuditEntity::Volunteer, record.id, AuditAction::SignedUp)
                .key(keyed.map(|k| k.key)),
        )
        .await?;
        let tokens = issue(&tx, &state.keys, account, None).await?;
        tx.commit().await?;
        Ok(tokens)
    }
}
