//! Volunteer records: the analysts' list's order and filter, reading one by id or by contact,
//! and inserting one at sign-up. (Requests to join an organization: `store::membership`.)

use birlik_entity::volunteer;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    QueryFilter, Set,
};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{KeyValue, Ordering, sort_fields};

sort_fields!(
    /// What volunteers can be ordered by.
    SortField of volunteer {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        FullName => "FULL_NAME", FullName, |r| KeyValue::Text(r.full_name.clone());
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// The analysts' list's default order: newest first.
pub fn newest_first() -> Ordering<SortField> {
    Ordering(vec![(SortField::CreatedAt, true)])
}

/// One condition on a volunteer.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
    /// Their id.
    Id(Cmp<i32>),
    /// Their full name.
    FullName(Text),
    /// The ISO code of their headquarters' region.
    RegionCode(Text),
    /// Their organization's id.
    OrganizationId(Cmp<i32>),
    /// Ready to take tasks.
    Available(Cmp<bool>),
    /// When they joined.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When their record last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use volunteer::Column as C;
        let c = |column: C| Expr::col((volunteer::Entity, column));
        match self {
            Where::Id(f) => f.condition(c(C::Id)),
            Where::FullName(f) => f.condition(c(C::FullName), backend),
            Where::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            Where::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            Where::Available(f) => f.condition(c(C::Available)),
            Where::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            Where::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}

/// The volunteer with this id, if any.
pub async fn get(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
) -> Result<Option<volunteer::Model>, DbErr> {
    volunteer::Entity::find_by_id(volunteer_id).one(db).await
}

/// The volunteer with this phone (E.164), if any.
pub async fn get_by_phone(
    db: &impl ConnectionTrait,
    phone: &str,
) -> Result<Option<volunteer::Model>, DbErr> {
    volunteer::Entity::find()
        .filter(volunteer::Column::Phone.eq(phone))
        .one(db)
        .await
}

/// A volunteer with this phone, or with this email when one is given, if any.
pub async fn get_by_phone_or_email(
    db: &impl ConnectionTrait,
    phone: &str,
    email: Option<&str>,
) -> Result<Option<volunteer::Model>, DbErr> {
    let mut records = Condition::any().add(volunteer::Column::Phone.eq(phone));
    if let Some(email) = email {
        records = records.add(volunteer::Column::Email.eq(email));
    }
    volunteer::Entity::find().filter(records).one(db).await
}

/// A new volunteer record, as sign-up makes it.
#[derive(Clone, Debug)]
pub struct NewVolunteer {
    pub full_name: String,
    pub phone: String,
    pub email: Option<String>,
    pub region_id: i32,
    /// The organization they ask to join, if any (asked at `now`).
    pub requested_organization_id: Option<i32>,
    pub skills: serde_json::Value,
}

/// Inserts an available volunteer with no organization, created at `now`, at version 1.
pub async fn insert(
    db: &impl ConnectionTrait,
    record: NewVolunteer,
    now: DateTime<Utc>,
) -> Result<volunteer::Model, DbErr> {
    volunteer::ActiveModel {
        full_name: Set(record.full_name),
        phone: Set(record.phone),
        email: Set(record.email),
        region_id: Set(record.region_id),
        organization_id: Set(None),
        requested_organization_id: Set(record.requested_organization_id),
        requested_at: Set(record.requested_organization_id.map(|_| now)),
        skills: Set(record.skills),
        available: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Inserts volunteer records that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<volunteer::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<volunteer::ActiveModel>(db, rows).await
}
