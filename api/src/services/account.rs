//! Accounts the ministry manages (NGO staff, disabling, enabling), a user's own password, and
//! whether an account may still act (what every authenticated request asks).

use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole, Role};
use birlik_entity::user_account;
use chrono::Utc;
use sea_orm::ConnectionTrait;

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::services::credentials::{self, ensure_new_password, ensure_password_length};
use crate::services::session::Tokens;
use crate::services::{audit, validate};
use crate::store;

/// An account's deps on the audit trail: it may log in.
const ENABLED: &str = "enabled";
/// An account's deps on the audit trail: it may not log in.
const DISABLED: &str = "disabled";

fn account_state(account: &user_account::Model) -> &'static str {
    if account.disabled_at.is_some() {
        DISABLED
    } else {
        ENABLED
    }
}

fn ministry(rc: &RequestCtx) -> ApiResult<i32> {
    match rc.actor {
        Actor::Ministry { user_id } => Ok(user_id),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(
            "accounts are managed by the ministry".into(),
        )),
    }
}

/// What `createStaffAccount` asks for.
#[derive(Clone, Debug)]
pub struct Staff {
    pub organization_id: i32,
    pub email: String,
    pub phone: Option<String>,
    pub display_name: String,
    pub password: String,
}

/// Creates a login for an organization's staff (the ministry).
pub async fn create_staff(
    rc: &RequestCtx,
    deps: &Deps,
    input: Staff,
) -> ApiResult<user_account::Model> {
    ministry(rc)?;
    let email = validate::email("input.email", &input.email)?;
    let phone = input
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| validate::phone("input.phone", p))
        .transpose()?;
    let display_name = validate::text("input.displayName", &input.display_name, 200)?;
    ensure_new_password("input.password", &input.password)?;
    let hash = credentials::hash(&input.password).await?;
    let tx = store::begin(&deps.db).await?;
    store::organization::get(&tx, input.organization_id)
        .await?
        .ok_or(ApiError::NotFound {
            entity: "organization",
        })?;
    let account = store::user::insert(
        &tx,
        store::user::NewUser {
            email: Some(email),
            phone,
            password_hash: hash,
            role: Role::Ngo,
            display_name,
            volunteer_id: None,
            organization_id: Some(input.organization_id),
        },
        Utc::now(),
    )
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => ApiError::Conflict {
            message: "an account with this email or phone already exists".into(),
            current: None,
        },
        other => other,
    })?;
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(
            AuditEntity::UserAccount,
            account.id,
            AuditAction::AccountCreated,
        )
        .to_text(ENABLED),
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// Ends every session of an account.
pub async fn revoke_sessions(db: &impl ConnectionTrait, user_id: i32) -> ApiResult<()> {
    Ok(store::session::revoke_user(db, user_id, Utc::now()).await?)
}

/// Disables (or enables again) an account (the ministry). Disabling ends its sessions, and its
/// access tokens stop working at once.
pub async fn set_disabled(
    rc: &RequestCtx,
    deps: &Deps,
    user_id: i32,
    disabled: bool,
) -> ApiResult<user_account::Model> {
    let me = ministry(rc)?;
    if me == user_id && disabled {
        return Err(ApiError::bad_input(
            "userId",
            "you cannot disable your own account",
        ));
    }
    let tx = store::begin(&deps.db).await?;
    let before = store::user::get(&tx, user_id)
        .await?
        .ok_or(ApiError::NotFound { entity: "user" })?;
    let now = Utc::now();
    store::user::update_disabled(&tx, user_id, disabled.then_some(now), now).await?;
    if disabled {
        revoke_sessions(&tx, user_id).await?;
    }
    let account = store::user::get(&tx, user_id)
        .await?
        .ok_or(ApiError::NotFound { entity: "user" })?;
    let (action, to) = if disabled {
        (AuditAction::Disabled, DISABLED)
    } else {
        (AuditAction::Enabled, ENABLED)
    };
    audit::record(
        &tx,
        audit::Who::user(me, AuditRole::Ministry),
        audit::Change::new(AuditEntity::UserAccount, user_id, action)
            .from_text(account_state(&before))
            .to_text(to),
    )
    .await?;
    tx.commit().await?;
    if disabled {
        deps.events.account_disabled(user_id);
    }
    Ok(account)
}

/// Changes the caller's password: every session of the account ends, and a new one starts.
pub async fn change_password(
    rc: &RequestCtx,
    deps: &Deps,
    current: &str,
    new: &str,
) -> ApiResult<Tokens> {
    use crate::services::lockout::{Attempt, account_key, address_key};
    let user_id = rc.actor.user_id().ok_or(ApiError::Unauthenticated)?;
    ensure_password_length("currentPassword", current)?;
    ensure_new_password("newPassword", new)?;
    crate::services::lockout::ensure_password_budget(deps, rc)?;
    let account = store::user::get(&deps.db, user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    // A wrong current password counts as a failed login of the account, and the same locks
    // refuse it, before any hashing.
    let attempt = Attempt::begin(deps, account_key(user_id), address_key(rc)).await?;
    let matches = credentials::verify(current, account.password_hash.clone()).await?;
    if !matches {
        attempt.failed().await;
        return Err(ApiError::bad_input(
            "currentPassword",
            "the current password is wrong",
        ));
    }
    let hash = credentials::hash(new).await?;
    let tx = store::begin(&deps.db).await?;
    store::user::update_password(&tx, user_id, hash, Utc::now()).await?;
    revoke_sessions(&tx, user_id).await?;
    attempt.succeeded(&tx).await?;
    let account = store::user::get(&tx, user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(
            AuditEntity::UserAccount,
            user_id,
            AuditAction::PasswordChanged,
        ),
    )
    .await?;
    let tokens = crate::services::session::issue(&tx, &deps.keys, account, None).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Whether an account may act: `Some(true)` when it exists and is enabled, `Some(false)` when
/// disabled, `None` when it does not exist. One indexed lookup.
pub async fn active(deps: &Deps, user_id: i32) -> ApiResult<Option<bool>> {
    let db = &deps.db;
    Ok(store::user::disabled(db, user_id)
        .await?
        .map(|disabled| !disabled))
}
