//! Migrations run forward on an empty database and back down cleanly, and forward again.

use birlik_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::TestDb;
use crate::helpers::db::on_postgres;

const TABLES: [&str; 33] = [
    "sync_clock",
    "donation_rollup",
    "donation_rollup_delta",
    "donation_day_rollup",
    "donation_day_rollup_delta",
    "shipment_rollup",
    "shipment_rollup_delta",
    "region_rollup",
    "region_rollup_delta",
    "organization_rollup",
    "organization_rollup_delta",
    "need_rollup",
    "need_rollup_delta",
    "write_off",
    "need_line",
    "need",
    "shelter_count",
    "shelter",
    "audit_event",
    "persisted_query",
    "login_failure",
    "session",
    "idempotency_key",
    "region",
    "organization",
    "collection_point",
    "volunteer",
    "user_account",
    "donation",
    "shipment",
    "shipment_item",
    "task",
    "task_assignment",
];

async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = if on_postgres() {
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let test_db = TestDb::blank().await;
    let db = test_db.connect().await;
    assert!(tables(&db).await.is_empty());

    Migrator::up(&db, None).await.expect("up from empty");
    let mut expected: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    expected.push("seaql_migrations".into());
    expected.sort();
    assert_eq!(tables(&db).await, expected);
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    let regions = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM region",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(regions, 20, "the reference regions come with the migration");

    Migrator::down(&db, None).await.expect("down to empty");
    assert_eq!(tables(&db).await, ["seaql_migrations"]);

    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(tables(&db).await, expected);
}
