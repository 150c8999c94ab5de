//! Stock on SQLite and PostgreSQL: `writeOffStock` (the NGO portal's WriteOffStock, verbatim)
//! takes kilograms out of a donation and never more than is on hand, keyed and audited;
//! planning respects write-offs; `stockStats` (StockOnHand, verbatim) answers what SQL answers
//! within the caller's scope; refusals change nothing; write-offs raced against planners never
//! take a gram twice.

use birlik_api::graphql::relay::{decode, encode};
use serde_json::{Value, json};

use crate::helpers::client::{Client, Gql};
use crate::helpers::sql::{int, ints, text, thousandths};
use crate::helpers::{TestApp, TestDb, ops, spawn_app_with_demo};

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

fn kg(grams: i64) -> String {
    format!("{}.{:03}", grams / 1000, grams % 1000)
}

fn id(kind: &str, row: i64) -> String {
    encode(kind, row as i32).0
}

fn write_off(donation: i64, kilograms: &str, reason: &str, key: &str) -> Value {
    json!({ "input": { "donationId": id("Donation", donation), "kilograms": kilograms,
        "reason": reason, "note": "намокло при разгрузке", "idempotencyKey": key } })
}

fn plan(donation: i64, kilograms: &str, key: &str) -> Value {
    json!({ "input": { "destinationRegionCode": "KZ-39",
        "items": [{ "donationId": id("Donation", donation), "kilograms": kilograms }],
        "vehicle": "ГАЗель, 777 KZ 02", "driverName": "Айдос Нурланов", "idempotencyKey": key } })
}

/// Untouched donations of the demo NGO (nothing shipped or written off), heaviest last.
async fn untouched(db: &sea_orm::DatabaseConnection, n: usize) -> Vec<i64> {
    let ids = ints(
        db,
        &format!(
            "SELECT id FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received' \
             AND written_off_grams = 0 AND grams >= 10000 ORDER BY id LIMIT {n}"
        ),
    )
    .await;
    assert_eq!(ids.len(), n);
    ids
}

async fn grams(db: &sea_orm::DatabaseConnection, column: &str, donation: i64) -> i64 {
    int(
        db,
        &format!("SELECT CAST({column} AS BIGINT) FROM donation WHERE id = {donation}"),
    )
    .await
}

/// Everything a write-off or a plan could change, as one comparable list.
async fn snapshot(db: &sea_orm::DatabaseConnection) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT CAST(COUNT(*) AS BIGINT) FROM write_off",
        "SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM write_off",
        "SELECT CAST(SUM(written_off_grams) AS BIGINT) FROM donation",
        "SELECT CAST(SUM(shipped_grams) AS BIGINT) FROM donation",
        "SELECT CAST(SUM(version) AS BIGINT) FROM donation",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_key",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM shipment",
    ] {
        out.push(int(db, sql).await);
    }
    out
}

fn current(gql: &Gql) -> &Value {
    gql.assert_code("CONFLICT");
    &gql.body["errors"][0]["extensions"]["current"]
}

#[tokio::test]
async fn write_off_stock_takes_kilograms_out_of_a_donation_once_per_key() {
    let app = spawn_app_with_demo().await;
    let (ngo, ministry) = (app.as_demo_ngo().await, app.as_demo_ministry().await);
    let db = app.db.connect().await;
    let d = untouched(&db, 1).await[0];
    let total = grams(&db, "grams", d).await;
    let version = grams(&db, "version", d).await;

    let gql = ngo
        .gql(ops::WRITE_OFF_STOCK, write_off(d, "2.5", "DAMAGED", "w1"))
        .await;
    let w = gql.data()["writeOffStock"]["writeOff"].clone();
    assert_eq!(w["reason"], "DAMAGED");
    assert_eq!(thousandths(w["kilograms"].as_str().unwrap()), 2500);
    assert_eq!(w["donation"]["id"], id("Donation", d));
    assert_eq!(
        w["donation"]["status"], "RECEIVED",
        "status is about shipping only"
    );
    assert_eq!(w["donation"]["version"], version + 1);
    assert_eq!(
        thousandths(w["donation"]["writtenOffKilograms"].as_str().unwrap()),
        2500
    );
    assert_eq!(
        thousandths(w["donation"]["remainingKilograms"].as_str().unwrap()),
        total - 2500
    );
    let row = decode("WriteOff", "id", w["id"].as_str().unwrap()).unwrap();
    assert_eq!(grams(&db, "written_off_grams", d).await, 2500);
    assert_eq!(grams(&db, "version", d).await, version + 1);
    let stored = text(
        &db,
        &format!(
            "SELECT reason || '/' || CAST(grams AS TEXT) || '/' || note || '/' || \
             CAST(organization_id AS TEXT) || '/' || CAST(region_id AS TEXT) || '/' || \
             CAST(created_by AS TEXT) FROM write_off WHERE id = {row} AND donation_id = {d}"
        ),
    )
    .await;
    let expected = format!(
        "damaged/2500/намокло при разгрузке/{}/{}/{}",
        int(&db, &format!("SELECT {NGO_ORG}")).await,
        grams(&db, "region_id", d).await,
        int(
            &db,
            "SELECT id FROM user_account WHERE email = 'ngo@demo.birlik.kz'"
        )
        .await
    );
    assert_eq!(stored, expected);

    // A retry with the key replays the first answer and writes nothing.
    let before = snapshot(&db).await;
    let again = ngo
        .gql(ops::WRITE_OFF_STOCK, write_off(d, "2.5", "DAMAGED", "w1"))
        .await;
    assert_eq!(again.data()["writeOffStock"]["writeOff"]["id"], w["id"]);
    assert_eq!(snapshot(&db).await, before);

    // On the trail once, with its key, and found by the write-off's global id.
    let audited = int(
        &db,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event WHERE entity = 'write_off' \
             AND entity_id = {row} AND action = 'written_off' AND role = 'ngo' AND idempotency_key = 'w1'"
        ),
    )
    .await;
    assert_eq!(audited, 1);
    let trail = ministry
        .gql(
            "query($id: ID!) { auditTrail(first: 5, filter: { subjectId: { eq: $id } }) { totalCount edges { node { action entity subjectId } } } }",
            json!({ "id": w["id"] }),
        )
        .await;
    let trail = &trail.data()["auditTrail"];
    assert_eq!(trail["totalCount"], 1);
    assert_eq!(trail["edges"][0]["node"]["action"], "WRITTEN_OFF");
    assert_eq!(trail["edges"][0]["node"]["entity"], "WRITE_OFF");

    // The ministry writes off any organization's stock.
    let other = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM donation WHERE organization_id <> {NGO_ORG} AND status = 'received'"
        ),
    )
    .await;
    let gql = ministry
        .gql(
            ops::WRITE_OFF_STOCK,
            write_off(other, "1", "RETURNED_TO_DONOR", "m1"),
        )
        .await;
    assert_eq!(
        gql.data()["writeOffStock"]["writeOff"]["reason"],
        "RETURNED_TO_DONOR"
    );
    assert_eq!(grams(&db, "written_off_grams", other).await, 1000);
    // Each reads the write-off like its donation.
    let node =
        "query($id: ID!) { node(id: $id) { ... on WriteOff { kilograms note donation { id } } } }";
    let theirs = gql.data()["writeOffStock"]["writeOff"]["id"].clone();
    ngo.gql(node, json!({ "id": theirs }))
        .await
        .assert_code("NOT_FOUND");
    let own = ngo.gql(node, json!({ "id": w["id"] })).await;
    assert_eq!(own.data()["node"]["note"], "намокло при разгрузке");
    assert_eq!(own.data()["node"]["donation"]["id"], id("Donation", d));
}

#[tokio::test]
async fn refused_write_offs_change_nothing() {
    let app = spawn_app_with_demo().await;
    let (ngo, ministry) = (app.as_demo_ngo().await, app.as_demo_ministry().await);
    let db = app.db.connect().await;
    let d = untouched(&db, 1).await[0];
    ngo.gql(ops::WRITE_OFF_STOCK, write_off(d, "1", "EXPIRED", "first"))
        .await
        .data();
    let total = grams(&db, "grams", d).await;
    let left = total - 1000;

    // An organization that the ministry has not verified, with a collection point (the demo
    // gives none to such organizations; no mutation opens one), staff, and a donation there.
    let unverified_org = int(
        &db,
        "SELECT MIN(id) FROM organization WHERE verified_at IS NULL",
    )
    .await;
    let point = int(&db, "SELECT MAX(id) + 1 FROM collection_point").await;
    birlik_api::store::collection_point::insert_many(
        &db,
        vec![birlik_entity::collection_point::Model {
            id: point as i32,
            region_id: int(&db, "SELECT id FROM region WHERE code = 'KZ-39'").await as i32,
            organization_id: unverified_org as i32,
            name: "Пункт сбора".into(),
            address: "Костанай, ул. Баймагамбетова, 1".into(),
            opening_hours: "9:00–18:00".into(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            version: 1,
        }],
    )
    .await
    .unwrap();
    let registered = ministry
        .gql(
            ops::REGISTER_DONATION,
            json!({ "input": { "collectionPointId": id("CollectionPoint", point), "category": "FOOD",
                "kilograms": 10, "idempotencyKey": "unverified" } }),
        )
        .await;
    let unverified_donation = decode(
        "Donation",
        "id",
        registered.data()["registerDonation"]["donation"]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap() as i64;
    ministry
        .gql(
            "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }",
            json!({ "i": { "organizationId": id("Organization", unverified_org), "email": "new@org.kz",
                "displayName": "Staff", "password": "long-enough" } }),
        )
        .await
        .data();
    let unverified = app.as_account("new@org.kz").await;
    let cancelled = int(
        &db,
        "SELECT MIN(id) FROM donation WHERE status = 'cancelled'",
    )
    .await;
    let others = int(
        &db,
        &format!("SELECT MIN(id) FROM donation WHERE organization_id <> {NGO_ORG}"),
    )
    .await;

    let before = snapshot(&db).await;
    let over = ngo
        .gql(
            ops::WRITE_OFF_STOCK,
            write_off(d, &kg(left + 1), "LOST", "over"),
        )
        .await;
    let figures = current(&over);
    assert_eq!(figures["donationId"], id("Donation", d));
    assert_eq!(thousandths(figures["kilograms"].as_str().unwrap()), total);
    assert_eq!(
        thousandths(figures["shippedKilograms"].as_str().unwrap()),
        0
    );
    assert_eq!(
        thousandths(figures["writtenOffKilograms"].as_str().unwrap()),
        1000
    );
    assert_eq!(
        thousandths(figures["remainingKilograms"].as_str().unwrap()),
        left
    );
    assert_eq!(figures["version"], grams(&db, "version", d).await);
    let gone = current(
        &ministry
            .gql(ops::WRITE_OFF_STOCK, write_off(cancelled, "1", "LOST", "c"))
            .await,
    )
    .clone();
    assert_eq!(gone["remainingKilograms"], "0");
    let (anonymous, volunteer) = (app.anonymous(), app.as_demo_volunteer().await);
    let cases: Vec<(&Client, Value, &str)> = vec![
        (
            &anonymous,
            write_off(d, "1", "LOST", "a"),
            "UNAUTHENTICATED",
        ),
        (&volunteer, write_off(d, "1", "LOST", "v"), "FORBIDDEN"),
        (&ngo, write_off(others, "1", "LOST", "o"), "NOT_FOUND"),
        (&ngo, write_off(999_999, "1", "LOST", "n"), "NOT_FOUND"),
        (
            &unverified,
            write_off(unverified_donation, "1", "LOST", "u"),
            "FORBIDDEN",
        ),
        (&ngo, write_off(d, "0", "LOST", "z"), "BAD_USER_INPUT"),
        (&ngo, write_off(d, "-1", "LOST", "m"), "BAD_USER_INPUT"),
        (&ngo, write_off(d, "0.0001", "LOST", "f"), "BAD_USER_INPUT"),
        (&ngo, write_off(d, "1000001", "LOST", "b"), "BAD_USER_INPUT"),
        // The key of the first write-off, for another request.
        (&ngo, write_off(d, "2", "EXPIRED", "first"), "CONFLICT"),
        (
            &ngo,
            json!({ "input": { "donationId": id("Shipment", 1), "kilograms": 1, "reason": "LOST", "idempotencyKey": "s" } }),
            "BAD_USER_INPUT",
        ),
        (
            &ngo,
            json!({ "input": { "donationId": id("Donation", d), "kilograms": 1, "reason": "LOST",
                "note": "x".repeat(2001), "idempotencyKey": "long" } }),
            "BAD_USER_INPUT",
        ),
    ];
    for (client, input, code) in cases {
        let gql = client.gql(ops::WRITE_OFF_STOCK, input.clone()).await;
        gql.assert_code(code);
        assert!(
            gql.body["data"].is_null() || gql.body["data"]["writeOffStock"].is_null(),
            "{input}: {}",
            gql.body
        );
    }
    assert_eq!(snapshot(&db).await, before, "a refusal writes nothing");
    // What was left can still be written off, to the gram, and then nothing more.
    ngo.gql(
        ops::WRITE_OFF_STOCK,
        write_off(d, &kg(left), "DISTRIBUTED_LOCALLY", "rest"),
    )
    .await
    .data();
    let empty = ngo
        .gql(ops::WRITE_OFF_STOCK, write_off(d, "0.001", "LOST", "more"))
        .await;
    assert_eq!(current(&empty)["remainingKilograms"], "0");
    assert_eq!(grams(&db, "written_off_grams", d).await, total);
}

#[tokio::test]
async fn planning_loads_only_what_was_not_written_off() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let d = untouched(&db, 1).await[0];
    let total = grams(&db, "grams", d).await;
    ngo.gql(
        ops::WRITE_OFF_STOCK,
        write_off(d, &kg(total - 1000), "DAMAGED", "most"),
    )
    .await
    .data();
    let before = snapshot(&db).await;
    let refused = ngo.gql(ops::PLAN_SHIPMENT, plan(d, "1.001", "p1")).await;
    refused.assert_code("CONFLICT");
    assert!(
        refused.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("only 1 kg"),
        "{}",
        refused.body
    );
    assert_eq!(snapshot(&db).await, before);
    ngo.gql(ops::PLAN_SHIPMENT, plan(d, "1", "p2")).await.data();
    assert_eq!(grams(&db, "shipped_grams", d).await, 1000);
    assert_eq!(
        text(&db, &format!("SELECT status FROM donation WHERE id = {d}")).await,
        "partly_shipped"
    );
    let stock = ngo
        .gql(
            ops::STOCK_ON_HAND,
            json!({ "groupBy": [], "filter": { "id": { "eq": id("Donation", d) } } }),
        )
        .await;
    let row = &stock.data()["stockStats"][0];
    assert_eq!(row["onHandKilograms"], "0");
    assert_eq!(
        thousandths(row["receivedKilograms"].as_str().unwrap()),
        total
    );
    assert_eq!(thousandths(row["shippedKilograms"].as_str().unwrap()), 1000);
    ngo.gql(ops::PLAN_SHIPMENT, plan(d, "0.001", "p3"))
        .await
        .assert_code("CONFLICT");
}

/// The figures of one stock group, from the donations table.
async fn group_in_sql(db: &sea_orm::DatabaseConnection, condition: &str) -> [i64; 4] {
    let figures = text(
        db,
        &format!(
            "SELECT CAST(COALESCE(SUM(grams), 0) AS TEXT) || '/' || CAST(COALESCE(SUM(shipped_grams), 0) AS TEXT) \
             || '/' || CAST(COALESCE(SUM(written_off_grams), 0) AS TEXT) FROM donation \
             WHERE status <> 'cancelled' AND {condition}"
        ),
    )
    .await;
    let n: Vec<i64> = figures.split('/').map(|n| n.parse().unwrap()).collect();
    [n[0], n[1], n[2], n[0] - n[1] - n[2]]
}

/// Checks every row of a StockOnHand answer against SQL, and that the rows cover every group.
async fn check_rows(
    db: &sea_orm::DatabaseConnection,
    rows: &[Value],
    scope: &str,
    grouped: &[&str],
    shows_write_offs: bool,
) {
    let groups = int(
        db,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT DISTINCT {} FROM donation \
             WHERE status <> 'cancelled' AND {scope}) t",
            if grouped.is_empty() {
                "1".to_owned()
            } else {
                grouped.join(", ")
            }
        ),
    )
    .await;
    assert_eq!(rows.len() as i64, groups.max(1), "one row per group");
    let mut written_off = 0;
    for row in rows {
        let mut condition = vec![scope.to_owned()];
        for column in grouped {
            condition.push(match *column {
                "collection_point_id" => format!(
                    "collection_point_id = {}",
                    decode(
                        "CollectionPoint",
                        "id",
                        row["collectionPoint"]["id"].as_str().unwrap()
                    )
                    .unwrap()
                ),
                "category" => format!(
                    "category = '{}'",
                    row["category"].as_str().unwrap().to_lowercase()
                ),
                "region_id" => format!(
                    "region_id = (SELECT id FROM region WHERE code = '{}')",
                    row["region"]["code"].as_str().unwrap()
                ),
                "organization_id" => format!(
                    "organization_id = {}",
                    decode(
                        "Organization",
                        "id",
                        row["organization"]["id"].as_str().unwrap()
                    )
                    .unwrap()
                ),
                other => panic!("{other}"),
            });
        }
        for (field, column) in [
            ("collectionPoint", "collection_point_id"),
            ("category", "category"),
            ("region", "region_id"),
            ("organization", "organization_id"),
        ] {
            assert_eq!(row[field].is_null(), !grouped.contains(&column), "{row}");
        }
        let expected = group_in_sql(db, &condition.join(" AND ")).await;
        let got = [
            "receivedKilograms",
            "shippedKilograms",
            "writtenOffKilograms",
            "onHandKilograms",
        ]
        .map(|f| thousandths(row[f].as_str().unwrap()));
        assert_eq!(got, expected, "{row}");
        written_off += got[2];
    }
    assert!(
        written_off > 0 || !shows_write_offs,
        "the answer shows the write-offs"
    );
}

#[tokio::test]
async fn stock_on_hand_answers_what_sql_answers_within_the_callers_scope() {
    let app = spawn_app_with_demo().await;
    let (ngo, ministry) = (app.as_demo_ngo().await, app.as_demo_ministry().await);
    let db = app.db.connect().await;
    for (n, d) in untouched(&db, 3).await.into_iter().enumerate() {
        ngo.gql(
            ops::WRITE_OFF_STOCK,
            write_off(d, "3.25", "EXPIRED", &format!("k{n}")),
        )
        .await
        .data();
    }
    let other = int(
        &db,
        &format!("SELECT MIN(id) FROM donation WHERE organization_id <> {NGO_ORG} AND status = 'received'"),
    )
    .await;
    ministry
        .gql(ops::WRITE_OFF_STOCK, write_off(other, "7", "LOST", "m"))
        .await
        .data();
    let own = format!("organization_id = {NGO_ORG}");

    let gql = ngo
        .gql(
            ops::STOCK_ON_HAND,
            json!({ "groupBy": ["COLLECTION_POINT", "CATEGORY"] }),
        )
        .await;
    let rows = gql.data()["stockStats"].as_array().unwrap();
    check_rows(&db, rows, &own, &["collection_point_id", "category"], true).await;
    // The organization's whole stock, in one row: its write-offs, not the other's.
    let gql = ngo.gql(ops::STOCK_ON_HAND, json!({ "groupBy": [] })).await;
    let rows = gql.data()["stockStats"].as_array().unwrap();
    check_rows(&db, rows, &own, &[], true).await;
    assert_eq!(rows[0]["writtenOffKilograms"], "9.75");
    // A filter cannot reach another organization's stock.
    let theirs = ngo
        .gql(
            ops::STOCK_ON_HAND,
            json!({ "groupBy": ["ORGANIZATION"], "filter": { "id": { "eq": id("Donation", other) } } }),
        )
        .await;
    assert_eq!(theirs.data()["stockStats"], json!([]));

    let gql = ministry
        .gql(
            ops::STOCK_ON_HAND,
            json!({ "groupBy": ["REGION", "ORGANIZATION"] }),
        )
        .await;
    let rows = gql.data()["stockStats"].as_array().unwrap();
    check_rows(&db, rows, "1 = 1", &["region_id", "organization_id"], true).await;
    let filter = json!({ "category": { "in": ["FOOD", "DRINKING_WATER", "MEDICINE"] } });
    let gql = ministry
        .gql(
            ops::STOCK_ON_HAND,
            json!({ "groupBy": ["REGION", "ORGANIZATION", "CATEGORY"], "filter": filter }),
        )
        .await;
    let rows = gql.data()["stockStats"].as_array().unwrap();
    let scope = "category IN ('food', 'drinking_water', 'medicine')";
    check_rows(
        &db,
        rows,
        scope,
        &["region_id", "organization_id", "category"],
        false,
    )
    .await;
    let gql = ministry
        .gql(
            ops::STOCK_ON_HAND,
            json!({ "groupBy": ["COLLECTION_POINT", "CATEGORY", "REGION", "ORGANIZATION"],
                "filter": { "regionCode": { "eq": "KZ-39" } } }),
        )
        .await;
    let rows = gql.data()["stockStats"].as_array().unwrap();
    let kz39 = "region_id = (SELECT id FROM region WHERE code = 'KZ-39')";
    let all = [
        "collection_point_id",
        "category",
        "region_id",
        "organization_id",
    ];
    check_rows(&db, rows, kz39, &all, false).await;

    app.anonymous()
        .gql(ops::STOCK_ON_HAND, json!({ "groupBy": ["REGION"] }))
        .await
        .assert_code("UNAUTHENTICATED");
    app.as_demo_volunteer()
        .await
        .gql(ops::STOCK_ON_HAND, json!({ "groupBy": ["REGION"] }))
        .await
        .assert_code("FORBIDDEN");
}

/// Runs every request at once and waits for all.
async fn all_at_once(requests: Vec<(Client, &'static str, Value)>) -> Vec<Gql> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(client, op, input)| tokio::spawn(async move { client.gql(op, input).await }))
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

#[tokio::test]
async fn write_offs_raced_against_planners_never_take_a_gram_twice() {
    let app = spawn_app_with_demo().await;
    let (ngo, ministry) = (app.as_demo_ngo().await, app.as_demo_ministry().await);
    let db = app.db.connect().await;
    for (round, d) in untouched(&db, 3).await.into_iter().enumerate() {
        let total = grams(&db, "grams", d).await;
        // Each asks for 30 %: three fit, a fourth never does.
        let share = total * 3 / 10;
        let mut requests = Vec::new();
        for n in 0..8 {
            let key = format!("r{round}-{n}");
            let writer = if n % 2 == 0 { &ngo } else { &ministry };
            requests.push((
                writer.clone(),
                ops::WRITE_OFF_STOCK,
                write_off(d, &kg(share), "LOST", &key),
            ));
            requests.push((ngo.clone(), ops::PLAN_SHIPMENT, plan(d, &kg(share), &key)));
        }
        let results = all_at_once(requests).await;
        let (mut written, mut shipped) = (0, 0);
        for (n, gql) in results.iter().enumerate() {
            if gql.body.get("errors").is_some() {
                gql.assert_code("CONFLICT");
            } else if n % 2 == 0 {
                written += share;
            } else {
                shipped += share;
            }
        }
        assert_eq!(
            written + shipped,
            3 * share,
            "round {round}: exactly three fit"
        );
        assert_eq!(grams(&db, "written_off_grams", d).await, written);
        assert_eq!(grams(&db, "shipped_grams", d).await, shipped);
        assert!(grams(&db, "shipped_grams + written_off_grams", d).await <= total);
        // The rows behind the sums, and one event on the trail for each write-off.
        let rows = int(
            &db,
            &format!("SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM write_off WHERE donation_id = {d}"),
        )
        .await;
        assert_eq!(rows, written);
        let items = int(
            &db,
            &format!(
                "SELECT CAST(COALESCE(SUM(i.grams), 0) AS BIGINT) FROM shipment_item i \
                 JOIN shipment s ON s.id = i.shipment_id WHERE i.donation_id = {d} AND s.status <> 'cancelled'"
            ),
        )
        .await;
        assert_eq!(items, shipped);
        let events = int(
            &db,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event WHERE entity = 'write_off' \
                 AND action = 'written_off' AND entity_id IN (SELECT id FROM write_off WHERE donation_id = {d})"
            ),
        )
        .await;
        assert_eq!(events * share, written, "every write-off is on the trail");
    }
    let over = int(
        &db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE shipped_grams + written_off_grams > grams \
         OR written_off_grams <> (SELECT COALESCE(SUM(w.grams), 0) FROM write_off w WHERE w.donation_id = donation.id)",
    )
    .await;
    assert_eq!(
        over, 0,
        "every donation's written-off grams are its write-offs'"
    );
}

async fn cost(app: &TestApp, client: &Client, op: &str, variables: Value) -> u64 {
    let before = app.statements().await;
    client.gql(op, variables).await.data();
    app.statements().await - before
}

#[tokio::test]
async fn stock_operations_cost_a_fixed_number_of_statements() {
    let app = spawn_app_with_demo().await;
    let (ngo, ministry) = (app.as_demo_ngo().await, app.as_demo_ministry().await);
    let db = app.db.connect().await;
    let d = untouched(&db, 1).await[0];
    // account, replay check, donation, organization verified, update, insert, key, audit; then
    // the donation for the answer
    let first = write_off(d, "1", "DAMAGED", "s1");
    assert_eq!(
        cost(&app, &ngo, ops::WRITE_OFF_STOCK, first.clone()).await,
        9
    );
    // a replay: account, key, write-off; then the donation
    assert_eq!(cost(&app, &ngo, ops::WRITE_OFF_STOCK, first).await, 4);
    // the ministry is verified by definition
    let second = write_off(d, "1", "DAMAGED", "s2");
    assert_eq!(cost(&app, &ministry, ops::WRITE_OFF_STOCK, second).await, 8);

    // (client, a small answer, a large one, statements): the account, the GROUP BY, and one
    // statement per relation grouped by (collection points, organizations); regions from memory.
    let cases: [(&Client, Value, Value, u64); 4] = [
        (
            &ngo,
            json!({ "groupBy": ["CATEGORY"], "filter": { "category": { "eq": "FOOD" } } }),
            json!({ "groupBy": ["CATEGORY", "REGION"] }),
            2,
        ),
        (
            &ngo,
            json!({ "groupBy": ["COLLECTION_POINT", "ORGANIZATION"] }),
            json!({ "groupBy": ["COLLECTION_POINT", "CATEGORY", "ORGANIZATION"] }),
            4,
        ),
        (
            &ministry,
            json!({ "groupBy": ["ORGANIZATION"], "filter": { "regionCode": { "eq": "KZ-39" } } }),
            json!({ "groupBy": ["ORGANIZATION", "CATEGORY", "REGION"] }),
            3,
        ),
        (
            &ministry,
            json!({ "groupBy": ["COLLECTION_POINT", "ORGANIZATION"], "filter": { "category": { "eq": "FOOD" } } }),
            json!({ "groupBy": ["COLLECTION_POINT", "CATEGORY", "REGION", "ORGANIZATION"] }),
            4,
        ),
    ];
    for (client, small, large, expected) in cases {
        let rows = |gql: Gql| gql.data()["stockStats"].as_array().unwrap().len();
        let (few, many) = (
            rows(client.gql(ops::STOCK_ON_HAND, small.clone()).await),
            rows(client.gql(ops::STOCK_ON_HAND, large.clone()).await),
        );
        assert!(few < many, "{small} gives fewer rows than {large}");
        assert_eq!(
            cost(&app, client, ops::STOCK_ON_HAND, small.clone()).await,
            expected,
            "{small}"
        );
        assert_eq!(
            cost(&app, client, ops::STOCK_ON_HAND, large.clone()).await,
            expected,
            "{large}"
        );
    }
}

#[tokio::test]
async fn the_databases_stock_check_is_a_conflict_not_an_internal_error() {
    use sea_orm::{ConnectionTrait, Statement};
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let d = int(
        &db,
        "SELECT MIN(id) FROM donation WHERE status = 'received'",
    )
    .await;
    let run = |sql: String| {
        let db = db.clone();
        async move {
            db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect_err("the database refuses it")
        }
    };
    // Past the donation's kilograms, by writing off or by shipping on top of a write-off.
    let over = run(format!(
        "UPDATE donation SET written_off_grams = grams + 1 WHERE id = {d}"
    ))
    .await;
    assert!(
        birlik_api::store::donation::stock_check_refused(&over),
        "{over}"
    );
    let both = run(format!(
        "UPDATE donation SET written_off_grams = grams, shipped_grams = 1, status = 'partly_shipped' WHERE id = {d}"
    ))
    .await;
    assert!(
        birlik_api::store::donation::stock_check_refused(&both),
        "{both}"
    );
    // Other refusals stay what they are.
    let mass = run(format!("UPDATE donation SET grams = 0 WHERE id = {d}")).await;
    assert!(
        !birlik_api::store::donation::stock_check_refused(&mass),
        "{mass}"
    );
    let count = run(format!("UPDATE donation SET item_count = 0 WHERE id = {d}")).await;
    assert!(
        !birlik_api::store::donation::stock_check_refused(&count),
        "{count}"
    );
}
