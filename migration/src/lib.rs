//! Birlik's schema history. Each migration is self-contained: it names its own tables and columns
//! with `DeriveIden` enums and never imports `birlik-entity`, so that later changes to the entities
//! cannot rewrite the past. Invariants live here as CHECK, FOREIGN KEY and UNIQUE constraints;
//! demo rows never do (they belong to `birlik demo-data`).

#![expect(
    elided_lifetimes_in_paths,
    reason = "MigrationTrait is declared with an elided `&SchemaManager`; naming its lifetime breaks the impl"
)]

pub use sea_orm_migration::prelude::*;

mod common;
mod m20261125_000001_create_region;
mod m20261125_000002_create_organization;
mod m20261125_000003_create_collection_point;
mod m20261125_000004_create_volunteer;
mod m20261125_000005_create_user_account;
mod m20261125_000006_create_donation;
mod m20261125_000007_create_shipment;
mod m20261125_000008_create_shipment_item;
mod m20261125_000009_create_task;
mod m20261125_000010_create_task_assignment;
mod m20261125_000011_create_session;
mod m20261125_000012_create_idempotency_key;
mod m20261125_000013_create_login_failure;
mod m20261125_000014_create_persisted_query;
mod m20261125_000015_create_audit_event;
mod m20261125_000016_index_donation_grams;
mod m20261125_000017_index_donation_region_category;
mod m20261202_000018_request_membership;
mod m20261202_000101_persisted_query_last_used;
mod m20261203_000201_create_shelter;
mod m20261203_000202_create_need;
mod m20261203_000203_shipment_item_need_line;
mod m20261203_000204_create_write_off;
mod m20261203_000205_audit_demand_side;
pub mod m20261204_000101_create_rollups;

/// The rollups' definitions, which `store::rollup` verifies and rebuilds from.
pub use m20261204_000101_create_rollups as rollups;
mod m20261204_000201_create_sync_clock;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_region::Migration),
            Box::new(m20261125_000002_create_organization::Migration),
            Box::new(m20261125_000003_create_collection_point::Migration),
            Box::new(m20261125_000004_create_volunteer::Migration),
            Box::new(m20261125_000005_create_user_account::Migration),
            Box::new(m20261125_000006_create_donation::Migration),
            Box::new(m20261125_000007_create_shipment::Migration),
            Box::new(m20261125_000008_create_shipment_item::Migration),
            Box::new(m20261125_000009_create_task::Migration),
            Box::new(m20261125_000010_create_task_assignment::Migration),
            Box::new(m20261125_000011_create_session::Migration),
            Box::new(m20261125_000012_create_idempotency_key::Migration),
            Box::new(m20261125_000013_create_login_failure::Migration),
            Box::new(m20261125_000014_create_persisted_query::Migration),
            Box::new(m20261125_000015_create_audit_event::Migration),
            Box::new(m20261125_000016_index_donation_grams::Migration),
            Box::new(m20261125_000017_index_donation_region_category::Migration),
            Box::new(m20261202_000018_request_membership::Migration),
            Box::new(m20261202_000101_persisted_query_last_used::Migration),
            Box::new(m20261203_000201_create_shelter::Migration),
            Box::new(m20261203_000202_create_need::Migration),
            Box::new(m20261203_000203_shipment_item_need_line::Migration),
            Box::new(m20261203_000204_create_write_off::Migration),
            Box::new(m20261203_000205_audit_demand_side::Migration),
            Box::new(m20261204_000101_create_rollups::Migration),
            Box::new(m20261204_000201_create_sync_clock::Migration),
        ]
    }
}
