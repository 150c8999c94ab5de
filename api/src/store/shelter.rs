//! Shelters (evacuation centres) and their head counts: their order and filter, totals over a
//! list (one SUM over each shelter's copy of its latest count), opening, closing, and counting.
//! Counts are append-only rows; the shelter's copy of its latest count moves only forward in
//! time, in the same transaction as the row. Counts only: nothing here names a person.

use birlik_entity::{enums, shelter, shelter_count};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set,
};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{self, KeyValue, sort_fields};

sort_fields!(
    /// What shelters can be ordered by.
    SortField of shelter {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        Name => "NAME", Name, |r| KeyValue::Text(r.name.clone());
        Capacity => "CAPACITY", Capacity, |r| KeyValue::Int(r.capacity.into());
        Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// An ordering of shelters.
pub type Ordering = page::Ordering<SortField>;

/// Newest first.
pub fn newest_first() -> Ordering {
    page::Ordering(vec![(SortField::CreatedAt, true)])
}

/// One condition on a shelter.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
    /// Its id.
    Id(Cmp<i32>),
    /// Its name.
    Name(Text),
    /// Its address.
    Address(Text),
    /// Open or closed.
    Status(Cmp<enums::ShelterStatus>),
    /// Its capacity in people.
    Capacity(Cmp<i64>),
    /// People at its latest count.
    People(Cmp<i64>),
    /// Children at its latest count.
    Children(Cmp<i64>),
    /// When its latest count was taken.
    CountedAt(Cmp<DateTime<Utc>>),
    /// The ISO code of its region.
    RegionCode(Text),
    /// The running organization's id (`isNull`: opened by the ministry).
    OrganizationId(Cmp<i32>),
    /// When it was opened.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When it last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use shelter::Column as C;
        let c = |column: C| Expr::col((shelter::Entity, column));
        match self {
            Where::Id(f) => f.condition(c(C::Id)),
            Where::Name(f) => f.condition(c(C::Name), backend),
            Where::Address(f) => f.condition(c(C::Address), backend),
            Where::Status(f) => f.enum_condition(c(C::Status)),
            Where::Capacity(f) => f.condition(c(C::Capacity)),
            Where::People(f) => f.condition(c(C::People)),
            Where::Children(f) => f.condition(c(C::Children)),
            Where::CountedAt(f) => f.condition(c(C::CountedAt)),
            Where::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            Where::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            Where::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            Where::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}

/// Count, people, children and capacity of the shelters a condition selects, from each one's
/// latest count (a shelter not yet counted adds no people).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromQueryResult)]
pub struct Totals {
    pub count: i64,
    pub people: i64,
    pub children: i64,
    pub capacity: i64,
}

/// [`Totals`] of the shelters matching `condition`, in one statement.
pub async fn totals(db: &impl ConnectionTrait, condition: Condition) -> Result<Totals, DbErr> {
    let sum = |column: shelter::Column| {
        Expr::expr(Expr::col((shelter::Entity, column)).sum())
            .if_null(0)
            .cast_as("BIGINT")
    };
    let row = shelter::Entity::find()
        .select_only()
        .column_as(Expr::col(Asterisk).count().cast_as("BIGINT"), "count")
        .column_as(sum(shelter::Column::People), "people")
        .column_as(sum(shelter::Column::Children), "children")
        .column_as(sum(shelter::Column::Capacity), "capacity")
        .filter(condition)
        .into_model::<Totals>()
        .one(db)
        .await?;
    Ok(row.unwrap_or_default())
}

/// The shelter with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<shelter::Model>, DbErr> {
    shelter::Entity::find_by_id(id).one(db).await
}

/// The shelter with this id, its row held until the transaction ends (so that a count and a
/// closing of the same shelter take turns).
pub async fn lock(db: &impl ConnectionTrait, id: i32) -> Result<Option<shelter::Model>, DbErr> {
    shelter::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await
}

/// The shelters with these ids (those that exist). Shelters are public: no scope.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<shelter::Model>, DbErr> {
    crate::store::rows::by_ids::<shelter::Entity>(db, ids, Condition::all()).await
}

/// A shelter about to be opened.
#[derive(Clone, Debug)]
pub struct NewShelter {
    pub region_id: i32,
    pub organization_id: Option<i32>,
    pub name: String,
    pub address: String,
    pub capacity: i32,
    pub created_by: Option<i32>,
}

/// Inserts an open shelter with no count yet, at version 1.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewShelter,
    now: DateTime<Utc>,
) -> Result<shelter::Model, DbErr> {
    shelter::ActiveModel {
        region_id: Set(new.region_id),
        organization_id: Set(new.organization_id),
        name: Set(new.name),
        address: Set(new.address),
        capacity: Set(new.capacity),
        status: Set(enums::ShelterStatus::Open),
        closed_at: Set(None),
        people: Set(None),
        children: Set(None),
        counted_at: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Closes an open shelter at this version: one conditional UPDATE. False when it was closed or
/// at another version.
pub async fn close(
    db: &impl ConnectionTrait,
    id: i32,
    version: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = crate::store::touched(shelter::Entity::update_many(), now)
        .col_expr(
            shelter::Column::Status,
            Expr::val(enums::ShelterStatus::Closed.to_value()),
        )
        .col_expr(shelter::Column::ClosedAt, Expr::val(now))
        .filter(shelter::Column::Id.eq(id))
        .filter(shelter::Column::Version.eq(version))
        .filter(shelter::Column::Status.eq(enums::ShelterStatus::Open))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One head count about to be recorded.
#[derive(Clone, Debug)]
pub struct NewCount {
    pub shelter_id: i32,
    pub people: i32,
    pub children: i32,
    pub counted_at: DateTime<Utc>,
    pub reported_by: Option<i32>,
}

/// Appends a head count, and makes it the shelter's latest (in the same statement's transaction
/// as the caller's) unless the shelter holds a later one or is closed. True when it became the
/// latest.
pub async fn record_count(
    db: &impl ConnectionTrait,
    new: NewCount,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    shelter_count::ActiveModel {
        shelter_id: Set(new.shelter_id),
        people: Set(new.people),
        children: Set(new.children),
        counted_at: Set(new.counted_at),
        reported_by: Set(new.reported_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let result = crate::store::touched(shelter::Entity::update_many(), now)
        .col_expr(shelter::Column::People, Expr::val(new.people))
        .col_expr(shelter::Column::Children, Expr::val(new.children))
        .col_expr(shelter::Column::CountedAt, Expr::val(new.counted_at))
        .filter(shelter::Column::Id.eq(new.shelter_id))
        .filter(shelter::Column::Status.eq(enums::ShelterStatus::Open))
        .filter(
            Condition::any()
                .add(shelter::Column::CountedAt.is_null())
                .add(shelter::Column::CountedAt.lte(new.counted_at)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

// Bulk writes for the demo data.

/// Inserts shelters that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<shelter::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<shelter::ActiveModel>(db, rows).await
}

/// Inserts head counts that carry their ids (the demo data set), in batches.
pub async fn insert_counts(
    db: &impl ConnectionTrait,
    rows: Vec<shelter_count::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<shelter_count::ActiveModel>(db, rows).await
}
