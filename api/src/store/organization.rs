//! Organizations: the analysts' list's order and filter, reading one, verifying it.

use birlik_entity::{enums, organization};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{KeyValue, Ordering, sort_fields};

sort_fields!(
    /// What organizations can be ordered by.
    SortField of organization {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        Name => "NAME", Name, |r| KeyValue::Text(r.name.clone());
        Kind => "KIND", Kind, |r| KeyValue::Text(r.kind.to_value());
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// The analysts' list's default order: newest first.
pub fn newest_first() -> Ordering<SortField> {
    Ordering(vec![(SortField::CreatedAt, true)])
}

/// One condition on an organization.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
    /// Its id.
    Id(Cmp<i32>),
    /// Its name.
    Name(Text),
    /// Its kind.
    Kind(Cmp<enums::OrganizationKind>),
    /// The ISO code of its headquarters' region.
    RegionCode(Text),
    /// Verified by the ministry (`eq` and `ne` only): its `verified_at` is set.
    Verified(Cmp<bool>),
    /// When it was verified.
    VerifiedAt(Cmp<DateTime<Utc>>),
    /// When it was registered.
    CreatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use organization::Column as C;
        let c = |column: C| Expr::col((organization::Entity, column));
        match self {
            Where::Id(f) => f.condition(c(C::Id)),
            Where::Name(f) => f.condition(c(C::Name), backend),
            Where::Kind(f) => f.enum_condition(c(C::Kind)),
            Where::RegionCode(f) => region_code(c(C::RegionId), f, backend),
            Where::Verified(f) => {
                let verified = |v: bool| -> SimpleExpr {
                    if v {
                        Expr::expr(c(C::VerifiedAt)).is_not_null()
                    } else {
                        Expr::expr(c(C::VerifiedAt)).is_null()
                    }
                };
                let mut all = Condition::all();
                if let Some(v) = f.eq {
                    all = all.add(verified(v));
                }
                if let Some(v) = f.ne {
                    all = all.add(verified(!v));
                }
                all
            }
            Where::VerifiedAt(f) => f.condition(c(C::VerifiedAt)),
            Where::CreatedAt(f) => f.condition(c(C::CreatedAt)),
        }
    }
}

/// The organization with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<organization::Model>, DbErr> {
    organization::Entity::find_by_id(id).one(db).await
}

/// Marks the organization verified at `now` and bumps its version, unless it already is. False
/// when it was.
pub async fn verify(
    db: &impl ConnectionTrait,
    id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let verified = crate::store::touched(organization::Entity::update_many(), now)
        .col_expr(organization::Column::VerifiedAt, Expr::val(now))
        .filter(organization::Column::Id.eq(id))
        .filter(organization::Column::VerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(verified.rows_affected == 1)
}

/// Inserts organizations that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<organization::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<organization::ActiveModel>(db, rows).await
}
