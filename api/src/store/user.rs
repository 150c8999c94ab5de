//! User accounts: reading one by id or by login, inserting, and the updates of its password and
//! its disabled state. Nothing here deletes an account.

use birlik_entity::enums::Role;
use birlik_entity::user_account;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set,
};

/// Whether the account is disabled; `None` when it does not exist.
pub async fn disabled(db: &impl ConnectionTrait, user_id: i32) -> Result<Option<bool>, DbErr> {
    let row: Option<Option<chrono::DateTime<chrono::Utc>>> = user_account::Entity::find()
        .select_only()
        .column(user_account::Column::DisabledAt)
        .filter(user_account::Column::Id.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map(|at| at.is_some()))
}

/// The account with this id, if any.
pub async fn get(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<user_account::Model>, DbErr> {
    user_account::Entity::find_by_id(user_id).one(db).await
}

/// The account whose login email is `email` (as stored: lower-cased), if any.
pub async fn get_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user_account::Model>, DbErr> {
    user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .one(db)
        .await
}

/// The account whose login phone is `phone` (as stored: E.164), if any.
pub async fn get_by_phone(
    db: &impl ConnectionTrait,
    phone: &str,
) -> Result<Option<user_account::Model>, DbErr> {
    user_account::Entity::find()
        .filter(user_account::Column::Phone.eq(phone))
        .one(db)
        .await
}

/// An account with this phone, or with this email when one is given, if any.
pub async fn get_by_phone_or_email(
    db: &impl ConnectionTrait,
    phone: &str,
    email: Option<&str>,
) -> Result<Option<user_account::Model>, DbErr> {
    let mut logins = Condition::any().add(user_account::Column::Phone.eq(phone));
    if let Some(email) = email {
        logins = logins.add(user_account::Column::Email.eq(email));
    }
    user_account::Entity::find().filter(logins).one(db).await
}

/// A new account: its logins, its password's hash, its role and whom it acts for.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub display_name: String,
    pub volunteer_id: Option<i32>,
    pub organization_id: Option<i32>,
}

/// Inserts an enabled account created at `now`, at version 1.
pub async fn insert(
    db: &impl ConnectionTrait,
    user: NewUser,
    now: DateTime<Utc>,
) -> Result<user_account::Model, DbErr> {
    user_account::ActiveModel {
        email: Set(user.email),
        phone: Set(user.phone),
        password_hash: Set(user.password_hash),
        role: Set(user.role),
        display_name: Set(user.display_name),
        volunteer_id: Set(user.volunteer_id),
        organization_id: Set(user.organization_id),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Sets when an account was disabled (`None`: enabled), bumping its version.
pub async fn update_disabled(
    db: &impl ConnectionTrait,
    user_id: i32,
    disabled_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    crate::store::touched(user_account::Entity::update_many(), now)
        .col_expr(user_account::Column::DisabledAt, Expr::val(disabled_at))
        .filter(user_account::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Replaces an account's password hash, bumping its version.
pub async fn update_password(
    db: &impl ConnectionTrait,
    user_id: i32,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    crate::store::touched(user_account::Entity::update_many(), now)
        .col_expr(user_account::Column::PasswordHash, Expr::val(password_hash))
        .filter(user_account::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

// Bulk writes for the demo data.

/// Inserts accounts that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::user_account::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::user_account::ActiveModel>(db, rows)
        .await
}

/// True when an account whose login ends with `suffix` exists and is not disabled.
pub async fn any_enabled_with_login_ending(
    db: &impl ConnectionTrait,
    suffix: &str,
) -> Result<bool, DbErr> {
    Ok(user_account::Entity::find()
        .filter(user_account::Column::Email.like(format!("%{suffix}")))
        .filter(user_account::Column::DisabledAt.is_null())
        .one(db)
        .await?
        .is_some())
}
