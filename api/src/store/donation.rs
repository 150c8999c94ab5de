//! Donations: their order and filter, totals, and loading onto shipments.

use birlik_entity::{donation, enums};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{self, KeyValue, sort_fields};

sort_fields!(
    /// What donations can be ordered by.
    SortField of donation {
        ReceivedAt => "RECEIVED_AT", ReceivedAt, |r| KeyValue::Time(r.received_at);
        Kilograms => "KILOGRAMS", Grams, |r| KeyValue::Int(r.grams);
        ShippedKilograms => "SHIPPED_KILOGRAMS", ShippedGrams, |r| KeyValue::Int(r.shipped_grams);
        Category => "CATEGORY", Category, |r| KeyValue::Text(r.category.to_value());
        Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// An ordering of donations.
pub type Ordering = page::Ordering<SortField>;

/// Newest first.
pub fn newest_first() -> Ordering {
    page::Ordering(vec![(SortField::ReceivedAt, true)])
}

/// One condition on a donation.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
    /// Its id.
    Id(Cmp<i32>),
    /// Its category.
    Category(Cmp<enums::DonationCategory>),
    /// Its status.
    Status(Cmp<enums::DonationStatus>),
    /// Its mass in grams.
    Grams(Cmp<i64>),
    /// Grams shipped.
    ShippedGrams(Cmp<i64>),
    /// Number of items.
    ItemCount(Cmp<i64>),
    /// Description text.
    Description(Text),
    /// Donor's name.
    DonorName(Text),
    /// When it was received.
    ReceivedAt(Cmp<DateTime<Utc>>),
    /// When it was registered.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When it last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
    /// The ISO code of its region.
    RegionCode(Text),
    /// The receiving organization's id.
    OrganizationId(Cmp<i32>),
    /// The receiving collection point's id.
    CollectionPointId(Cmp<i32>),
}

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use donation::Column as C;
        let c = |column: C| Expr::col((donation::Entity, column));
        match self {
            Where::Id(f) => f.condition(c(C::Id)),
            Where::Category(f) => f.enum_condition(c(C::Category)),
            Where::Status(f) => f.enum_condition(c(C::Status)),
            Where::Grams(f) => f.condition(c(C::Grams)),
            Where::ShippedGrams(f) => f.condition(c(C::ShippedGrams)),
            Where::ItemCount(f) => f.condition(c(C::ItemCount)),
            Where::Description(f) => f.condition(c(C::Description), backend),
            Where::DonorName(f) => f.condition(c(C::DonorName), backend),
            Where::ReceivedAt(f) => f.condition(c(C::ReceivedAt)),
            Where::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            Where::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
            Where::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            Where::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            Where::CollectionPointId(f) => f.condition(c(C::CollectionPointId)),
        }
    }
}

/// Count and grams of the donations matching `condition`, in one statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromQueryResult)]
pub struct Totals {
    pub count: i64,
    pub grams: i64,
}

/// The aggregates of [`Totals`], named as its fields (each zero over no rows).
pub fn totals_columns() -> page::TotalsColumns {
    vec![
        ("count", Expr::col(Asterisk).count().cast_as("BIGINT")),
        (
            "grams",
            Expr::expr(Expr::col(donation::Column::Grams).sum())
                .if_null(0)
                .cast_as("BIGINT"),
        ),
    ]
}

/// [`Totals`] of the donations matching `condition`.
pub async fn totals(db: &impl ConnectionTrait, condition: Condition) -> Result<Totals, DbErr> {
    page::totals::<donation::Entity, Totals>(db, condition, totals_columns()).await
}

/// Loads `grams` of a donation onto a shipment: one conditional UPDATE that succeeds only if the
/// donation is not cancelled and has that much on hand (neither shipped nor written off). False
/// when it had not, or when the database's CHECK refused it (a race the condition lost).
pub async fn load_onto_shipment(
    db: &impl ConnectionTrait,
    id: i32,
    grams: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::ColumnTrait;
    let shipped = Expr::col(donation::Column::ShippedGrams).add(grams);
    let result = crate::store::touched(donation::Entity::update_many(), now)
        .col_expr(donation::Column::ShippedGrams, shipped.clone())
        .col_expr(
            donation::Column::Status,
            Expr::case(
                shipped.clone().eq(Expr::col(donation::Column::Grams)),
                "shipped",
            )
            .finally("partly_shipped")
            .into(),
        )
        .filter(donation::Column::Id.eq(id))
        .filter(donation::Column::Status.ne(birlik_entity::enums::DonationStatus::Cancelled))
        .filter(
            shipped
                .add(Expr::col(donation::Column::WrittenOffGrams))
                .lte(Expr::col(donation::Column::Grams)),
        )
        .exec(db)
        .await;
    stock_taken(result)
}

/// Takes `grams` of a donation out of stock without shipping them (a write-off): one conditional
/// UPDATE that succeeds only if the donation is not cancelled and has that much on hand. False
/// when it had not, or when the database's CHECK refused it.
pub async fn write_off(
    db: &impl ConnectionTrait,
    id: i32,
    grams: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::ColumnTrait;
    let written_off = Expr::col(donation::Column::WrittenOffGrams).add(grams);
    let result = crate::store::touched(donation::Entity::update_many(), now)
        .col_expr(donation::Column::WrittenOffGrams, written_off.clone())
        .filter(donation::Column::Id.eq(id))
        .filter(donation::Column::Status.ne(birlik_entity::enums::DonationStatus::Cancelled))
        .filter(
            written_off
                .add(Expr::col(donation::Column::ShippedGrams))
                .lte(Expr::col(donation::Column::Grams)),
        )
        .exec(db)
        .await;
    stock_taken(result)
}

/// Whether a stock update took its grams: one row changed; none, or a refusal by the donation's
/// stock CHECKs, is false; any other error stays an error.
fn stock_taken(result: Result<sea_orm::UpdateResult, DbErr>) -> Result<bool, DbErr> {
    match result {
        Ok(done) => Ok(done.rows_affected == 1),
        Err(err) if stock_check_refused(&err) => Ok(false),
        Err(err) => Err(err),
    }
}

/// The donation CHECKs that keep stock whole, by name: nothing shipped beyond the donation's
/// grams, a status that matches what was shipped, and nothing shipped or written off beyond its
/// grams (a column CHECK over several columns, which PostgreSQL names after its table and SQLite
/// reports by its expression).
const STOCK_CHECKS: [&str; 3] = [
    "donation_shipped_within_grams",
    "donation_status_matches_shipped",
    "donation_check",
];

/// How SQLite names that last CHECK: its expression, which mentions written-off grams.
const WRITTEN_OFF_CHECK: &str = "written_off_grams";

/// True when the database refused a write with one of the donation's stock CHECKs: the
/// conditional UPDATEs above lost a race their condition did not see, which is a CONFLICT to the
/// client (no kilogram left), never an internal error.
pub fn stock_check_refused(err: &DbErr) -> bool {
    use sea_orm::sqlx::error::ErrorKind;
    let (DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
    | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(db) = e.as_ref() else {
        return false;
    };
    if db.kind() != ErrorKind::CheckViolation {
        return false;
    }
    match db.constraint() {
        Some(name) => STOCK_CHECKS.contains(&name),
        None => {
            let message = db.message();
            message.contains(WRITTEN_OFF_CHECK)
                || STOCK_CHECKS.iter().any(|name| message.ends_with(name))
        }
    }
}

/// Takes `grams` of the donation back off a cancelled shipment: they are in stock again, and its
/// status follows (received when nothing is shipped any more, else partly shipped).
pub async fn unload_from_shipment(
    db: &impl ConnectionTrait,
    id: i32,
    grams: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    use sea_orm::ColumnTrait;
    let shipped = Expr::col(donation::Column::ShippedGrams).sub(grams);
    crate::store::touched(donation::Entity::update_many(), now)
        .col_expr(donation::Column::ShippedGrams, shipped.clone())
        .col_expr(
            donation::Column::Status,
            Expr::case(shipped.eq(0), "received")
                .finally("partly_shipped")
                .into(),
        )
        .filter(donation::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The donation with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<donation::Model>, DbErr> {
    donation::Entity::find_by_id(id).one(db).await
}

/// The donations with these ids (those that exist).
pub async fn with_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<Vec<donation::Model>, DbErr> {
    use sea_orm::ColumnTrait;
    donation::Entity::find()
        .filter(donation::Column::Id.is_in(ids))
        .all(db)
        .await
}

/// Rows matching both conditions: a scope and a filter.
pub fn within(scope: Condition, filter: Condition) -> Condition {
    Condition::all().add(scope).add(filter)
}

/// A donation about to be registered.
#[derive(Clone, Debug)]
pub struct NewDonation {
    pub collection_point_id: i32,
    pub organization_id: i32,
    pub region_id: i32,
    pub category: birlik_entity::enums::DonationCategory,
    pub grams: i64,
    pub item_count: Option<i32>,
    pub description: String,
    pub donor_name: Option<String>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub registered_by: Option<i32>,
}

impl NewDonation {
    /// The row of a received donation with nothing shipped or written off, at version 1.
    pub(crate) fn into_row(self, now: chrono::DateTime<chrono::Utc>) -> donation::ActiveModel {
        use sea_orm::Set;
        donation::ActiveModel {
            collection_point_id: Set(self.collection_point_id),
            organization_id: Set(self.organization_id),
            region_id: Set(self.region_id),
            category: Set(self.category),
            grams: Set(self.grams),
            shipped_grams: Set(0),
            written_off_grams: Set(0),
            item_count: Set(self.item_count),
            description: Set(self.description),
            donor_name: Set(self.donor_name),
            received_at: Set(self.received_at),
            registered_by: Set(self.registered_by),
            status: Set(birlik_entity::enums::DonationStatus::Received),
            cancelled_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
    }
}

/// Inserts a received donation with nothing shipped, at version 1.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewDonation,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<donation::Model, DbErr> {
    use sea_orm::ActiveModelTrait;
    new.into_row(now).insert(db).await
}

// Bulk writes for the demo data.

/// Inserts donations that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::donation::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::donation::ActiveModel>(db, rows).await
}
