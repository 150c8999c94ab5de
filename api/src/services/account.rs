//! Accounts the ministry manages (NGO staff, disabling, enabling) and a user's own password.

use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole, Role};
use birlik_entity::{session, user_account};
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::auth::password;
use crate::context::{Actor, AppState, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::session::Tokens;
use crate::services::{audit, validate};

/// An account's state on the audit trail: it may log in.
const ENABLED: &str = "enabled";
/// An account's state on the audit trail: it may not log in.
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

fn check_password(field: &'static str, secret: &str) -> ApiResult<()> {
    crate::services::session::check_new_password(field, secret)
}

async fn hash(secret: &str) -> ApiResult<String> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::Internal)
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
    state: &AppState,
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
    check_password("input.password", &input.password)?;
    let hash = hash(&input.password).await?;
    let tx = crate::db::begin_write(&state.db).await?;
    birlik_entity::organization::Entity::find_by_id(input.organization_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound {
            entity: "organization",
        })?;
    let now = Utc::now();
    let account = user_account::ActiveModel {
        email: Set(Some(email)),
        phone: Set(phone),
        password_hash: Set(hash),
        role: Set(Role::Ngo),
        display_name: Set(display_name),
        volunteer_id: Set(None),
        organization_id: Set(Some(input.organization_id)),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&tx)
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
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::val(Utc::now()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Disables (or enables again) an account (the ministry). Disabling ends its sessions, and its
/// access tokens stop working at once.
pub async fn set_disabled(
    rc: &RequestCtx,
    state: &AppState,
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
    let tx = crate::db::begin_write(&state.db).await?;
    let before = user_account::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound { entity: "user" })?;
    let now = Utc::now();
    user_account::Entity::update_many()
        .col_expr(
            user_account::Column::DisabledAt,
            Expr::val(disabled.then_some(now)),
        )
        .col_expr(user_account::Column::UpdatedAt, Expr::val(now))
        .col_expr(
            user_account::Column::Version,
            Expr::col(user_account::Column::Version).add(1),
        )
        .filter(user_account::Column::Id.eq(user_id))
        .exec(&tx)
        .await?;
    if disabled {
        revoke_sessions(&tx, user_id).await?;
    }
    let account = user_account::Entity::find_by_id(user_id)
        .one(&tx)
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
        state.events.account_disabled(user_id);
    }
    Ok(account)
}

/// Changes the caller's password: every session of the account ends, and a new one starts.
pub async fn change_password(
    rc: &RequestCtx,
    state: &AppState,
    current: &str,
    new: &str,
) -> ApiResult<Tokens> {
    use crate::services::lockout::{Attempt, account_key, address_key};
    use crate::services::session::ensure_password_length;
    let user_id = rc.actor.user_id().ok_or(ApiError::Unauthenticated)?;
    ensure_password_length("currentPassword", current)?;
    check_password("newPassword", new)?;
    crate::services::lockout::ensure_password_budget(state, rc)?;
    let account = user_account::Entity::find_by_id(user_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    // A wrong current password counts as a failed login of the account, and the same locks
    // refuse it, before any hashing.
    let attempt = Attempt::begin(state, account_key(user_id), address_key(rc)).await?;
    let (stored, secret) = (account.password_hash.clone(), current.to_owned());
    let matches = tokio::task::spawn_blocking(move || password::verify(&secret, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    if !matches {
        attempt.failed().await;
        return Err(ApiError::bad_input(
            "currentPassword",
            "the current password is wrong",
        ));
    }
    let hash = hash(new).await?;
    let tx = crate::db::begin_write(&state.db).await?;
    let now = Utc::now();
    user_account::Entity::update_many()
        .col_expr(user_account::Column::PasswordHash, Expr::val(hash))
        .col_expr(user_account::Column::UpdatedAt, Expr::val(now))
        .col_expr(
            user_account::Column::Version,
            Expr::col(user_account::Column::Version).add(1),
        )
        .filter(user_account::Column::Id.eq(user_id))
        .exec(&tx)
        .await?;
    revoke_sessions(&tx, user_id).await?;
    attempt.succeeded(&tx).await?;
    let account = user_account::Entity::find_by_id(user_id)
        .one(&tx)
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
    let tokens = crate::services::session::issue(&tx, &state.keys, account, None).await?;
    tx.commit().await?;
    Ok(tokens)
}
