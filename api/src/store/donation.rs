//! Donations: pages, totals and grouped statistics.

use birlik_entity::donation;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveEnum, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect,
};

use crate::store::page::{self, KeyValue};

/// What donations can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortField {
    ReceivedAt,
    Kilograms,
    ShippedKilograms,
    Category,
    Status,
    CreatedAt,
    UpdatedAt,
    Id,
}

impl page::Field for SortField {
    type Model = donation::Model;
    const ID: Self = SortField::Id;

    fn name(self) -> &'static str {
        match self {
            SortField::ReceivedAt => "RECEIVED_AT",
            SortField::Kilograms => "KILOGRAMS",
            SortField::ShippedKilograms => "SHIPPED_KILOGRAMS",
            SortField::Category => "CATEGORY",
            SortField::Status => "STATUS",
            SortField::CreatedAt => "CREATED_AT",
            SortField::UpdatedAt => "UPDATED_AT",
            SortField::Id => "ID",
        }
    }

    fn column(self) -> SimpleExpr {
        column(match self {
            SortField::ReceivedAt => donation::Column::ReceivedAt,
            SortField::Kilograms => donation::Column::Grams,
            SortField::ShippedKilograms => donation::Column::ShippedGrams,
            SortField::Category => donation::Column::Category,
            SortField::Status => donation::Column::Status,
            SortField::CreatedAt => donation::Column::CreatedAt,
            SortField::UpdatedAt => donation::Column::UpdatedAt,
            SortField::Id => donation::Column::Id,
        })
    }

    fn value(self, row: &donation::Model) -> KeyValue {
        match self {
            SortField::ReceivedAt => KeyValue::Time(row.received_at),
            SortField::Kilograms => KeyValue::Int(row.grams),
            SortField::ShippedKilograms => KeyValue::Int(row.shipped_grams),
            SortField::Category => KeyValue::Text(row.category.to_value()),
            SortField::Status => KeyValue::Text(row.status.to_value()),
            SortField::CreatedAt => KeyValue::Time(row.created_at),
            SortField::UpdatedAt => KeyValue::Time(row.updated_at),
            SortField::Id => KeyValue::Int(row.id.into()),
        }
    }
}

/// An ordering of donations.
pub type Ordering = page::Ordering<SortField>;

/// Newest first.
pub fn newest_first() -> Ordering {
    page::Ordering(vec![(SortField::ReceivedAt, true)])
}

/// A donation column, qualified with its table.
pub fn column(c: donation::Column) -> SimpleExpr {
    Expr::col((donation::Entity, c))
}

/// Count and grams of the donations matching `condition`, in one statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromQueryResult)]
pub struct Totals {
    pub count: i64,
    pub grams: i64,
}

/// [`Totals`] of the donations matching `condition`.
pub async fn totals(db: &impl ConnectionTrait, condition: Condition) -> Result<Totals, DbErr> {
    let row = donation::Entity::find()
        .select_only()
        .column_as(Expr::col(Asterisk).count().cast_as("BIGINT"), "count")
        .column_as(
            Expr::expr(Expr::col(donation::Column::Grams).sum())
                .if_null(0)
                .cast_as("BIGINT"),
            "grams",
        )
        .filter(condition)
        .into_model::<Totals>()
        .one(db)
        .await?;
    Ok(row.unwrap_or_default())
}

/// Loads `grams` of a donation onto a shipment: one conditional UPDATE that succeeds only if the
/// donation is not cancelled and has that much left. False when it had not.
pub async fn load_onto_shipment(
    db: &impl ConnectionTrait,
    id: i32,
    grams: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::ColumnTrait;
    let shipped = Expr::col(donation::Column::ShippedGrams).add(grams);
    let result = donation::Entity::update_many()
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
        .col_expr(
            donation::Column::Version,
            Expr::col(donation::Column::Version).add(1),
        )
        .col_expr(donation::Column::UpdatedAt, Expr::val(now))
        .filter(donation::Column::Id.eq(id))
        .filter(donation::Column::Status.ne(birlik_entity::enums::DonationStatus::Cancelled))
        .filter(shipped.lte(Expr::col(donation::Column::Grams)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

// Bulk writes for the demo data.

/// Inserts donations that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::donation::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::donation::ActiveModel>(db, rows).await
}
