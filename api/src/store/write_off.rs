//! Write-offs: append-only rows of kilograms taken out of a donation's stock. The donation's own
//! sum (`written_off_grams`) is moved by `store::donation::write_off` in the same transaction.

use birlik_entity::enums::WriteOffReason;
use birlik_entity::write_off;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// A write-off about to be recorded: the donation it takes from (with the donation's
/// organization and region, which the composite foreign key holds equal to the donation's).
#[derive(Clone, Debug)]
pub struct NewWriteOff {
    pub donation_id: i32,
    pub organization_id: i32,
    pub region_id: i32,
    pub grams: i64,
    pub reason: WriteOffReason,
    pub note: Option<String>,
    pub created_by: Option<i32>,
}

/// Records a write-off.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewWriteOff,
    now: DateTime<Utc>,
) -> Result<write_off::Model, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    write_off::ActiveModel {
        donation_id: Set(new.donation_id),
        organization_id: Set(new.organization_id),
        region_id: Set(new.region_id),
        grams: Set(new.grams),
        reason: Set(new.reason),
        note: Set(new.note),
        created_by: Set(new.created_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The write-off with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<write_off::Model>, DbErr> {
    write_off::Entity::find_by_id(id).one(db).await
}
