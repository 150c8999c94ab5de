//! The demo data: the campaign's figures, its shape, its internal consistency, and loading rules.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::TestDb;

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
}

async fn int(db: &DatabaseConnection, sql: &str) -> i64 {
    rows(db, sql).await[0].try_get_by_index::<i64>(0).unwrap()
}

async fn strings(db: &DatabaseConnection, sql: &str) -> BTreeSet<String> {
    rows(db, sql)
        .await
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

#[tokio::test]
async fn the_demo_data_sums_to_the_articles_tonnes() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let collected = int(
        &db,
        "SELECT CAST(SUM(grams) AS BIGINT) FROM donation WHERE status <> 'cancelled'",
    )
    .await;
    assert_eq!(collected, 10_520_000_000_000 / 1000, "10,520 t in grams");
    let delivered = int(&db, "SELECT CAST(SUM(i.grams) AS BIGINT) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE s.status = 'delivered'").await;
    assert_eq!(delivered, 8_905_000_000);
    let in_transit = int(&db, "SELECT CAST(COALESCE(SUM(i.grams), 0) AS BIGINT) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE s.status = 'dispatched'").await;
    let planned = int(&db, "SELECT CAST(COALESCE(SUM(i.grams), 0) AS BIGINT) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE s.status = 'planned'").await;
    let in_stock = int(&db, "SELECT CAST(SUM(grams - shipped_grams) AS BIGINT) FROM donation WHERE status <> 'cancelled'").await;
    assert!(
        in_transit > 0 && planned > 0 && in_stock > 0,
        "pending has all three parts"
    );
    assert_eq!(
        delivered + in_transit + planned + in_stock,
        collected,
        "collected = delivered + in transit + planned + unshipped"
    );
    assert_eq!(collected - delivered, 1_615_000_000);
}

#[tokio::test]
async fn the_demo_shelters_reproduce_the_bulletin_of_8_april_2024() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let open = "FROM shelter WHERE status = 'open'";
    assert_eq!(
        int(&db, &format!("SELECT CAST(SUM(people) AS BIGINT) {open}")).await,
        14_460
    );
    assert_eq!(
        int(&db, &format!("SELECT CAST(SUM(children) AS BIGINT) {open}")).await,
        7_269
    );
    // Every shelter is in an affected region, every open one counted, closed ones emptied.
    assert_eq!(int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter s JOIN region r ON r.id = s.region_id WHERE NOT r.affected").await, 0);
    assert_eq!(
        int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) {open} AND people IS NULL")
        )
        .await,
        0
    );
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter WHERE status = 'closed' AND people <> 0"
        )
        .await,
        0
    );
    assert!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter WHERE status = 'closed'"
        )
        .await
            > 0
    );
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(DISTINCT region_id) AS BIGINT) FROM shelter"
        )
        .await,
        10
    );
    // A history: more counts than shelters, and each shelter's copy is its latest count.
    assert!(
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter_count").await
            > 2 * int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter").await
    );
    let mismatched = "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter s WHERE NOT EXISTS (\
        SELECT 1 FROM shelter_count c WHERE c.shelter_id = s.id AND c.people = s.people \
        AND c.children = s.children AND c.counted_at = s.counted_at \
        AND NOT EXISTS (SELECT 1 FROM shelter_count l WHERE l.shelter_id = s.id AND l.counted_at > c.counted_at))";
    assert_eq!(int(&db, mismatched).await, 0);
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter_count WHERE children > people"
        )
        .await,
        0
    );
    // The article's tonnes stand: no write-offs.
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COALESCE(SUM(written_off_grams), 0) AS BIGINT) FROM donation"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_demo_data_has_the_campaigns_shape() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    assert!(int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM volunteer").await > 50_000);
    assert!(int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM organization").await >= 150);
    let kinds = strings(&db, "SELECT DISTINCT kind FROM organization").await;
    assert_eq!(kinds.len(), 8, "every kind of organization: {kinds:?}");
    let verified = int(
        &db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM organization WHERE verified_at IS NOT NULL",
    )
    .await;
    let all = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM organization").await;
    assert!(
        verified * 2 > all && verified < all,
        "most but not all verified: {verified}/{all}"
    );

    // Collection points in exactly the 16 collecting regions, several in each.
    let point_regions = strings(
        &db,
        "SELECT DISTINCT r.code FROM collection_point c JOIN region r ON r.id = c.region_id",
    )
    .await;
    let collecting = strings(&db, "SELECT code FROM region WHERE collects").await;
    assert_eq!(point_regions, collecting);
    assert_eq!(collecting.len(), 16);
    assert!(int(&db, "SELECT CAST(MIN(n) AS BIGINT) FROM (SELECT COUNT(*) AS n FROM collection_point GROUP BY region_id) t").await >= 3);
    // Only verified organizations run collection points.
    assert_eq!(int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM collection_point c JOIN organization o ON o.id = c.organization_id WHERE o.verified_at IS NULL").await, 0);

    // Donations: every category, March to May 2024, about a third with a donor, no dominant organization.
    assert_eq!(
        strings(&db, "SELECT DISTINCT category FROM donation")
            .await
            .len(),
        10
    );
    let donations = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await;
    let named = int(
        &db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE donor_name IS NOT NULL",
    )
    .await;
    assert!(
        (donations / 4..donations * 4 / 10).contains(&named),
        "{named} of {donations} name a donor"
    );
    let outside = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE received_at < '2024-03-01' OR received_at >= '2024-06-01'").await;
    assert_eq!(outside, 0, "all donations in March–May 2024");
    let top = int(&db, "SELECT CAST(MAX(n) AS BIGINT) FROM (SELECT COUNT(*) AS n FROM donation GROUP BY organization_id) t").await;
    assert!(
        top * 10 < donations,
        "one organization holds {top} of {donations}"
    );
    assert!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE status = 'cancelled'"
        )
        .await
            > 0
    );
    assert_eq!(
        strings(&db, "SELECT DISTINCT status FROM donation")
            .await
            .len(),
        4
    );

    // Shipments go from collecting regions to affected ones, in every status.
    assert_eq!(
        strings(&db, "SELECT DISTINCT status FROM shipment")
            .await
            .len(),
        4
    );
    assert_eq!(int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shipment s JOIN region r ON r.id = s.destination_region_id WHERE NOT r.affected").await, 0);
    assert_eq!(int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shipment s JOIN region r ON r.id = s.origin_region_id WHERE NOT r.collects").await, 0);

    // Tasks of every kind and status; the finished ones in spring 2024, the open ones ahead of now.
    assert_eq!(
        strings(&db, "SELECT DISTINCT kind FROM task").await.len(),
        7
    );
    assert_eq!(
        strings(&db, "SELECT DISTINCT status FROM task").await.len(),
        5
    );
    assert_eq!(int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM task WHERE status = 'done' AND (starts_at < '2024-03-01' OR starts_at >= '2024-06-01')").await, 0);
    let now = chrono::Utc::now();
    let open = rows(
        &db,
        "SELECT starts_at FROM task WHERE status IN ('open', 'assigned')",
    )
    .await;
    assert!(open.len() > 100);
    for row in open {
        let starts: chrono::DateTime<chrono::Utc> = row.try_get_by_index(0).unwrap();
        assert!(starts > now, "an open task starts in the past: {starts}");
    }
}

#[tokio::test]
async fn every_shipped_gram_is_on_a_shipment_and_statuses_follow_the_figures() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let mismatched = int(&db, "
        SELECT CAST(COUNT(*) AS BIGINT) FROM donation d
        WHERE d.shipped_grams <> COALESCE((SELECT SUM(i.grams) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id
                                           WHERE i.donation_id = d.id AND s.status <> 'cancelled'), 0)").await;
    assert_eq!(mismatched, 0);
    let wrong_region = int(&db, "
        SELECT CAST(COUNT(*) AS BIGINT) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id
        JOIN donation d ON d.id = i.donation_id WHERE d.region_id <> s.origin_region_id OR d.organization_id <> s.organization_id").await;
    assert_eq!(wrong_region, 0);
    let live_claims_off = int(&db, "
        SELECT CAST(COUNT(*) AS BIGINT) FROM task t
        WHERE t.volunteers_assigned <> (SELECT COUNT(*) FROM task_assignment a WHERE a.task_id = t.id AND a.status <> 'released')").await;
    assert_eq!(live_claims_off, 0);
    let foreign_claims = int(
        &db,
        "
        SELECT CAST(COUNT(*) AS BIGINT) FROM task_assignment a JOIN task t ON t.id = a.task_id
        JOIN volunteer v ON v.id = a.volunteer_id WHERE v.region_id <> t.region_id",
    )
    .await;
    assert_eq!(foreign_claims, 0);
}

#[tokio::test]
async fn the_demo_accounts_fit_their_roles() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let accounts = rows(
        &db,
        "SELECT email, role, password_hash FROM user_account ORDER BY id",
    )
    .await;
    let got: Vec<(String, String)> = accounts
        .iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("ministry@demo.birlik.kz", "ministry"),
            ("ngo@demo.birlik.kz", "ngo"),
            ("volunteer@demo.birlik.kz", "volunteer")
        ]
        .map(|(e, r)| (e.to_owned(), r.to_owned()))
    );
    for row in &accounts {
        let hash: String = row.try_get_by_index(2).unwrap();
        assert!(birlik_api::auth::password::verify("demo-password", &hash));
    }
    // The NGO: verified, runs collection points, has donations and shipments.
    let ngo = "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";
    assert_eq!(int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM organization WHERE id = {ngo} AND verified_at IS NOT NULL")).await, 1);
    for table in ["collection_point", "donation", "shipment"] {
        let n = int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE organization_id = {ngo}"),
        )
        .await;
        assert!(n > 0, "the demo NGO has no {table}");
    }
    // The volunteer: in an affected region that has open tasks, holding some of them.
    let vol = "(SELECT volunteer_id FROM user_account WHERE email = 'volunteer@demo.birlik.kz')";
    let region = format!("(SELECT region_id FROM volunteer WHERE id = {vol})");
    assert_eq!(
        int(
            &db,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM region WHERE id = {region} AND affected"
            )
        )
        .await,
        1
    );
    assert!(int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM task WHERE region_id = {region} AND status = 'open'")).await >= 5);
    assert!(
        int(
            &db,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM task_assignment WHERE volunteer_id = {vol}"
            )
        )
        .await
            >= 3
    );
}

#[tokio::test]
async fn loading_the_demo_into_a_database_with_data_is_refused_and_changes_nothing() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let before = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await;
    let err = birlik_api::demo::load(&db)
        .await
        .expect_err("a second load is refused");
    assert!(err.to_string().contains("already holds data"), "{err}");
    assert_eq!(
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await,
        before
    );
}

#[tokio::test]
async fn the_generator_is_deterministic() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    let regions = birlik_api::store::region::list(&db).await.unwrap();
    let now = chrono::Utc::now();
    let hashes = || ["h".to_owned(), "h".to_owned(), "h".to_owned()];
    let a = birlik_api::demo::generate::generate(&regions, now, hashes());
    let b = birlik_api::demo::generate::generate(&regions, now, hashes());
    assert_eq!(a.donations, b.donations);
    assert_eq!(a.volunteers, b.volunteers);
    assert_eq!(a.tasks, b.tasks);
    assert_eq!(a.items, b.items);
    assert_eq!(a.needs, b.needs);
    assert_eq!(a.need_lines, b.need_lines);
}
