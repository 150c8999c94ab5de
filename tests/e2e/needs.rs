//! Needs: the regional headquarters' RaiseNeed and CloseNeed, the NGO portal's NeedsBoard, the
//! ministry's NeedStats and the public WhatIsNeeded, each verbatim with its role, checked against
//! SQL; refusals that write nothing; what each costs in statements at two sizes.

use birlik_api::graphql::relay::encode;
use serde_json::{Value, json};

use crate::helpers::client::{Client, Gql};
use crate::helpers::sql::{int, ints, text, thousandths};
use crate::helpers::{TestApp, ops, spawn_app_with_demo};

/// Staff of a verified organization with a collection point in an affected region.
pub struct Hq {
    pub client: Client,
    pub org: i64,
    pub region: String,
}

pub const DEMO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

/// A staff account (made by the ministry) of the organization `org`.
pub async fn staff_of(app: &TestApp, org: i64, email: &str) -> Client {
    app.as_demo_ministry()
        .await
        .gql(
            "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }",
            json!({ "i": { "organizationId": encode("Organization", org as i32).0, "email": email,
                "displayName": "Штаб", "password": "correct horse battery" } }),
        )
        .await
        .data();
    app.as_account(email).await
}

/// The regional headquarters of the tests: a verified organization other than the demo one,
/// with a collection point in an affected region (the first such, by id).
pub async fn regional_hq(app: &TestApp) -> Hq {
    let db = app.db.connect().await;
    let pick = format!(
        "FROM collection_point cp JOIN region r ON r.id = cp.region_id \
         JOIN organization o ON o.id = cp.organization_id \
         WHERE r.affected AND o.verified_at IS NOT NULL AND o.id <> {DEMO_ORG} \
         ORDER BY o.id, r.id LIMIT 1"
    );
    let org = int(&db, &format!("SELECT o.id {pick}")).await;
    let region = text(&db, &format!("SELECT r.code {pick}")).await;
    let client = staff_of(app, org, "hq@needs.example").await;
    Hq {
        client,
        org,
        region,
    }
}

/// `neededBy` some hours from now.
pub fn hours(h: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(h)).to_rfc3339()
}

/// RaiseNeed's variables.
pub fn raise_input(
    region: &str,
    priority: &str,
    needed_by: &str,
    lines: Value,
    key: &str,
) -> Value {
    json!({ "input": { "regionCode": region, "place": "с. Аккайын", "priority": priority,
        "neededBy": needed_by, "contactPhone": "+7 701 555 12 34", "note": "через мост не проехать",
        "lines": lines, "idempotencyKey": key } })
}

/// Raises a need through RaiseNeed, verbatim; its global id and row id.
pub async fn raise(client: &Client, input: Value) -> (String, i64) {
    let gql = client.gql(ops::RAISE_NEED, input).await;
    let id = gql.data()["raiseNeed"]["need"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let row = birlik_api::graphql::relay::decode("Need", "id", &id).unwrap();
    (id, row.into())
}

/// Sets a line's figures in SQL (as allocation through shipments would) and the sums its need
/// keeps of its lines.
pub async fn set_line(
    db: &sea_orm::DatabaseConnection,
    line: i64,
    allocated: i64,
    dispatched: i64,
    delivered: i64,
) {
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(&format!(
        "UPDATE need_line SET allocated_grams = {allocated}, dispatched_grams = {dispatched}, \
         delivered_grams = {delivered} WHERE id = {line}"
    ))
    .await
    .unwrap();
    let sum = |c: &str| format!("(SELECT SUM({c}) FROM need_line l WHERE l.need_id = need.id)");
    db.execute_unprepared(&format!(
        "UPDATE need SET allocated_grams = {}, dispatched_grams = {}, delivered_grams = {}, \
         complete_lines = (SELECT COUNT(*) FROM need_line l WHERE l.need_id = need.id \
         AND l.delivered_grams = l.requested_grams) \
         WHERE id = (SELECT need_id FROM need_line WHERE id = {line})",
        sum("allocated_grams"),
        sum("dispatched_grams"),
        sum("delivered_grams")
    ))
    .await
    .unwrap();
}

fn grams(v: &Value) -> i64 {
    thousandths(v.as_str().unwrap_or_else(|| panic!("a mass: {v}")))
}

fn codes(gql: &Gql) -> Vec<String> {
    gql.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["extensions"]["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn raise_need_runs_verbatim_and_writes_what_it_answers() {
    let app = spawn_app_with_demo().await;
    without_demo_needs(&app).await;
    let hq = regional_hq(&app).await;
    let db = app.db.connect().await;
    let lines = json!([{ "category": "DRINKING_WATER", "kilograms": "500000" },
        { "category": "FOOD", "kilograms": 1250.5 }]);
    let input = raise_input(&hq.region, "URGENT", &hours(48), lines, "raise-1");
    let gql = hq.client.gql(ops::RAISE_NEED, input.clone()).await;
    let need = &gql.data()["raiseNeed"]["need"];
    let id =
        birlik_api::graphql::relay::decode("Need", "id", need["id"].as_str().unwrap()).unwrap();
    assert_eq!(need["status"], "OPEN");
    assert_eq!(need["priority"], "URGENT");
    assert_eq!(need["fulfilment"], "NONE");
    assert_eq!(need["place"], "с. Аккайын");
    assert_eq!(need["region"]["code"], hq.region.as_str());
    assert!(need["shelter"].is_null());
    assert_eq!(need["version"], 1);
    let lines = need["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["category"], "DRINKING_WATER");
    assert_eq!(grams(&lines[0]["requestedKilograms"]), 500_000_000);
    assert_eq!(grams(&lines[0]["outstandingKilograms"]), 500_000_000);
    assert_eq!(grams(&lines[1]["requestedKilograms"]), 1_250_500);
    assert_eq!(grams(&lines[1]["allocatedKilograms"]), 0);
    assert_eq!(grams(&lines[1]["deliveredKilograms"]), 0);
    assert_eq!(lines[1]["fulfilment"], "NONE");

    // What it answered is what it wrote.
    let row = |c: &str| format!("SELECT CAST({c} AS BIGINT) FROM need WHERE id = {id}");
    assert_eq!(int(&db, &row("organization_id")).await, hq.org);
    assert_eq!(int(&db, &row("requested_grams")).await, 501_250_500);
    assert_eq!(int(&db, &row("line_count")).await, 2);
    assert_eq!(int(&db, &row("priority")).await, 1);
    assert_eq!(
        text(
            &db,
            &format!("SELECT contact_phone FROM need WHERE id = {id}")
        )
        .await,
        "+77015551234"
    );
    let line_ids = ints(
        &db,
        &format!("SELECT id FROM need_line WHERE need_id = {id} ORDER BY id"),
    )
    .await;
    let answered: Vec<i64> = lines
        .iter()
        .map(|l| {
            birlik_api::graphql::relay::decode("NeedLine", "id", l["id"].as_str().unwrap())
                .unwrap()
                .into()
        })
        .collect();
    assert_eq!(answered, line_ids);
    assert_eq!(
        int(
            &db,
            &format!(
                "SELECT COUNT(*) FROM audit_event WHERE entity = 'need' AND entity_id = {id} \
                 AND action = 'raised' AND to_status = 'open' AND idempotency_key = 'raise-1'"
            )
        )
        .await,
        1
    );

    // A retry replays; the same key with other input is a conflict; nothing more is written.
    let again = hq.client.gql(ops::RAISE_NEED, input.clone()).await;
    assert_eq!(again.data()["raiseNeed"]["need"]["id"], need["id"]);
    let mut other = input.clone();
    other["input"]["priority"] = json!("LOW");
    hq.client
        .gql(ops::RAISE_NEED, other)
        .await
        .assert_code("CONFLICT");
    assert_eq!(int(&db, "SELECT COUNT(*) FROM need").await, 1);
    assert_eq!(int(&db, "SELECT COUNT(*) FROM need_line").await, 2);
    assert_eq!(
        int(
            &db,
            "SELECT COUNT(*) FROM audit_event WHERE entity = 'need'"
        )
        .await,
        1
    );

    // The ministry raises anywhere affected; its need has no organization.
    let (_, by_ministry) = raise(
        &app.as_demo_ministry().await,
        raise_input(
            &hq.region,
            "LOW",
            &hours(200),
            json!([{ "category": "BEDDING", "kilograms": 10 }]),
            "m-1",
        ),
    )
    .await;
    assert_eq!(
        int(
            &db,
            &format!(
                "SELECT COUNT(*) FROM need WHERE id = {by_ministry} AND organization_id IS NULL"
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn raise_need_is_refused_with_nothing_written() {
    let app = spawn_app_with_demo().await;
    without_demo_needs(&app).await;
    let hq = regional_hq(&app).await;
    let db = app.db.connect().await;
    let ministry = app.as_demo_ministry().await;
    let water = json!([{ "category": "DRINKING_WATER", "kilograms": 100 }]);
    let calm = text(
        &db,
        "SELECT code FROM region WHERE NOT affected ORDER BY id LIMIT 1",
    )
    .await;
    let elsewhere = text(
        &db,
        &format!(
            "SELECT code FROM region WHERE affected AND id NOT IN \
             (SELECT region_id FROM collection_point WHERE organization_id = {org}) \
             AND id <> (SELECT region_id FROM organization WHERE id = {org}) ORDER BY id LIMIT 1",
            org = hq.org
        ),
    )
    .await;
    // A second organization working in an affected region, not yet verified (as the ministry
    // leaves one until it verifies it).
    let pick = format!(
        "FROM collection_point cp JOIN region r ON r.id = cp.region_id \
         WHERE r.affected AND cp.organization_id NOT IN ({}, {DEMO_ORG}) \
         ORDER BY cp.organization_id, r.id LIMIT 1",
        hq.org
    );
    let unverified = int(&db, &format!("SELECT cp.organization_id {pick}")).await;
    let unverified_region = text(&db, &format!("SELECT r.code {pick}")).await;
    {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared(&format!(
            "UPDATE organization SET verified_at = NULL WHERE id = {unverified}"
        ))
        .await
        .unwrap();
    }
    let unverified_staff = staff_of(&app, unverified, "unverified@needs.example").await;
    let before = int(&db, "SELECT COUNT(*) FROM audit_event").await;
    let cases: Vec<(&str, &Client, Value, &str)> = vec![
        (
            "a region not affected",
            &ministry,
            raise_input(&calm, "HIGH", &hours(5), water.clone(), "r1"),
            "BAD_USER_INPUT",
        ),
        (
            "an unknown region",
            &ministry,
            raise_input("KZ-00", "HIGH", &hours(5), water.clone(), "r2"),
            "BAD_USER_INPUT",
        ),
        (
            "a category twice",
            &hq.client,
            raise_input(
                &hq.region,
                "HIGH",
                &hours(5),
                json!([{ "category": "FOOD", "kilograms": 1 }, { "category": "FOOD", "kilograms": 2 }]),
                "r3",
            ),
            "BAD_USER_INPUT",
        ),
        (
            "no kilograms",
            &hq.client,
            raise_input(
                &hq.region,
                "HIGH",
                &hours(5),
                json!([{ "category": "FOOD", "kilograms": 0 }]),
                "r4",
            ),
            "BAD_USER_INPUT",
        ),
        (
            "negative kilograms",
            &hq.client,
            raise_input(
                &hq.region,
                "HIGH",
                &hours(5),
                json!([{ "category": "FOOD", "kilograms": "-5" }]),
                "r5",
            ),
            "BAD_USER_INPUT",
        ),
        (
            "no lines",
            &hq.client,
            raise_input(&hq.region, "HIGH", &hours(5), json!([]), "r6"),
            "BAD_USER_INPUT",
        ),
        (
            "a region it does not work in",
            &hq.client,
            raise_input(&elsewhere, "HIGH", &hours(5), water.clone(), "r7"),
            "FORBIDDEN",
        ),
        (
            "an unverified organization",
            &unverified_staff,
            raise_input(&unverified_region, "HIGH", &hours(5), water.clone(), "r8"),
            "FORBIDDEN",
        ),
    ];
    for (what, client, input, code) in cases {
        let gql = client.gql(ops::RAISE_NEED, input).await;
        assert_eq!(
            codes(&gql).first().map(String::as_str),
            Some(code),
            "{what}: {}",
            gql.body
        );
    }
    let volunteer = app.as_demo_volunteer().await;
    volunteer
        .gql(
            ops::RAISE_NEED,
            raise_input(&hq.region, "HIGH", &hours(5), water.clone(), "r9"),
        )
        .await
        .assert_code("FORBIDDEN");
    app.anonymous()
        .gql(
            ops::RAISE_NEED,
            raise_input(&hq.region, "HIGH", &hours(5), water, "r10"),
        )
        .await
        .assert_code("UNAUTHENTICATED");
    assert_eq!(int(&db, "SELECT COUNT(*) FROM need").await, 0);
    assert_eq!(int(&db, "SELECT COUNT(*) FROM need_line").await, 0);
    assert_eq!(int(&db, "SELECT COUNT(*) FROM audit_event").await, before);
    assert_eq!(
        int(
            &db,
            "SELECT COUNT(*) FROM idempotency_key WHERE operation = 'raiseNeed'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn close_need_runs_verbatim_at_the_version_the_client_saw() {
    let app = spawn_app_with_demo().await;
    let hq = regional_hq(&app).await;
    let db = app.db.connect().await;
    let lines = json!([{ "category": "FOOD", "kilograms": 100 }, { "category": "HYGIENE", "kilograms": 50 }]);
    let (need, id) = raise(
        &hq.client,
        raise_input(&hq.region, "HIGH", &hours(24), lines, "c-1"),
    )
    .await;
    let food = int(
        &db,
        &format!("SELECT MIN(id) FROM need_line WHERE need_id = {id}"),
    )
    .await;
    // Shipments cover the food and deliver half of it (as allocation would).
    set_line(&db, food, 100_000, 100_000, 50_000).await;
    let version = int(
        &db,
        &format!("SELECT CAST(version AS BIGINT) FROM need WHERE id = {id}"),
    )
    .await;

    // Another organization may not close it; the volunteer and the public neither.
    let other = staff_of(
        &app,
        int(
            &db,
            &format!(
                "SELECT MIN(id) FROM organization WHERE id <> {} AND verified_at IS NOT NULL",
                hq.org
            ),
        )
        .await,
        "other@needs.example",
    )
    .await;
    let close = |v: i64| json!({ "needId": need, "reason": "MET", "expectedVersion": v });
    other
        .gql(ops::CLOSE_NEED, close(version))
        .await
        .assert_code("FORBIDDEN");
    app.as_demo_volunteer()
        .await
        .gql(ops::CLOSE_NEED, close(version))
        .await
        .assert_code("FORBIDDEN");
    app.anonymous()
        .gql(ops::CLOSE_NEED, close(version))
        .await
        .assert_code("UNAUTHENTICATED");
    // A stale version is a conflict carrying the need as it is.
    let stale = hq.client.gql(ops::CLOSE_NEED, close(version - 1)).await;
    stale.assert_code("CONFLICT");
    let current = &stale.body["errors"][0]["extensions"]["current"];
    assert_eq!(current["id"], need.as_str());
    assert_eq!(current["version"], version);
    assert_eq!(current["status"], "OPEN");
    assert_eq!(
        text(&db, &format!("SELECT status FROM need WHERE id = {id}")).await,
        "open"
    );

    let gql = hq.client.gql(ops::CLOSE_NEED, close(version)).await;
    let closed = &gql.data()["closeNeed"]["need"];
    assert_eq!(closed["status"], "CLOSED");
    assert_eq!(closed["fulfilment"], "PARTIAL");
    assert_eq!(closed["version"], version + 1);
    assert_eq!(
        text(
            &db,
            &format!("SELECT close_reason FROM need WHERE id = {id}")
        )
        .await,
        "met"
    );
    assert_eq!(
        int(&db, &format!("SELECT COUNT(*) FROM audit_event WHERE entity = 'need' AND entity_id = {id} AND action = 'closed' AND from_status = 'open' AND to_status = 'closed'")).await,
        1
    );
    // Once closed, nothing is outstanding; closing again is a conflict.
    let read = app
        .anonymous()
        .gql("query($id: ID!) { node(id: $id) { ... on Need { outstandingKilograms lines { outstandingKilograms allocatedKilograms } } } }", json!({ "id": need }))
        .await;
    let node = &read.data()["node"];
    assert_eq!(grams(&node["outstandingKilograms"]), 0);
    assert_eq!(grams(&node["lines"][0]["allocatedKilograms"]), 100_000);
    assert!(
        node["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| grams(&l["outstandingKilograms"]) == 0)
    );
    hq.client
        .gql(ops::CLOSE_NEED, close(version + 1))
        .await
        .assert_code("CONFLICT");

    // The ministry cancels an organization's need; the organization cancels its own.
    let cancel = "mutation($id: ID!, $v: Int!) { cancelNeed(needId: $id, expectedVersion: $v) { need { status version } } }";
    for (client, key) in [(&app.as_demo_ministry().await, "c-2"), (&hq.client, "c-3")] {
        let (need, id) = raise(
            &hq.client,
            raise_input(
                &hq.region,
                "LOW",
                &hours(24),
                json!([{ "category": "OTHER", "kilograms": 1 }]),
                key,
            ),
        )
        .await;
        let gql = client.gql(cancel, json!({ "id": need, "v": 1 })).await;
        assert_eq!(gql.data()["cancelNeed"]["need"]["status"], "CANCELLED");
        assert_eq!(
            int(&db, &format!("SELECT COUNT(*) FROM audit_event WHERE entity = 'need' AND entity_id = {id} AND action = 'cancelled' AND to_status = 'cancelled'")).await,
            1
        );
    }
}

/// A spread of needs: three organizations' and the ministry's, of every priority, some met, some
/// partly, some not at all, one closed and one cancelled. Returns the regional HQ.
/// Takes the demo's needs away (and their shipment items' links to them), so that a test counts
/// only the needs it raises itself; the demo's own needs are checked in `allocation.rs`.
pub async fn without_demo_needs(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let db = app.db.connect().await;
    for sql in [
        "UPDATE shipment_item SET need_line_id = NULL WHERE need_line_id IS NOT NULL",
        "DELETE FROM need_line",
        "DELETE FROM need",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
}

pub async fn spread(app: &TestApp, n: usize) -> Hq {
    without_demo_needs(app).await;
    let hq = regional_hq(app).await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let affected = {
        let codes = ints(&db, "SELECT id FROM region WHERE affected ORDER BY id").await;
        let mut out = Vec::new();
        for id in codes {
            out.push(text(&db, &format!("SELECT code FROM region WHERE id = {id}")).await);
        }
        out
    };
    let priorities = ["LOW", "URGENT", "MEDIUM", "HIGH"];
    let categories = [
        "DRINKING_WATER",
        "FOOD",
        "HYGIENE",
        "BEDDING",
        "MEDICINE",
        "BABY_SUPPLIES",
    ];
    for i in 0..n {
        let (client, region) = if i % 3 == 0 {
            (&hq.client, hq.region.clone())
        } else {
            (&ministry, affected[i % affected.len()].clone())
        };
        let lines: Vec<Value> = (0..1 + i % 3)
            .map(|k| json!({ "category": categories[(i + k) % categories.len()], "kilograms": 100 * (i + 1) + k }))
            .collect();
        let (_, id) = raise(
            client,
            raise_input(
                &region,
                priorities[i % 4],
                &hours(10 + (i as i64 * 7) % 50),
                json!(lines),
                &format!("spread-{i}"),
            ),
        )
        .await;
        let line_ids = ints(
            &db,
            &format!("SELECT id FROM need_line WHERE need_id = {id} ORDER BY id"),
        )
        .await;
        let dbr = &db;
        let requested = |l: i64| async move {
            int(
                dbr,
                &format!("SELECT requested_grams FROM need_line WHERE id = {l}"),
            )
            .await
        };
        match i % 5 {
            // Met.
            1 => {
                for l in &line_ids {
                    let r = requested(*l).await;
                    set_line(&db, *l, r, r, r).await;
                }
            }
            // Partly: the first line covered, half of it delivered.
            2 => {
                let r = requested(line_ids[0]).await;
                set_line(&db, line_ids[0], r, r, r / 2000 * 1000).await;
            }
            // Allocated, nothing delivered yet.
            3 => {
                let r = requested(line_ids[0]).await;
                set_line(&db, line_ids[0], r / 2000 * 1000, 0, 0).await;
            }
            _ => {}
        }
    }
    use sea_orm::ConnectionTrait;
    // One closed and one cancelled, as the mutations leave them.
    db.execute_unprepared(
        "UPDATE need SET status = 'closed', close_reason = 'no_longer_needed', closed_at = created_at \
         WHERE id = (SELECT MIN(id) FROM need WHERE allocated_grams > 0)",
    )
    .await
    .unwrap();
    db.execute_unprepared(
        "UPDATE need SET status = 'cancelled', closed_at = created_at WHERE id = (SELECT MAX(id) FROM need)",
    )
    .await
    .unwrap();
    hq
}

/// SQL of each NeedFilter below, for comparison.
fn filters(hq: &Hq) -> Vec<(Value, String)> {
    let region = format!("(SELECT id FROM region WHERE code = '{}')", hq.region);
    let fulfilment = "(CASE WHEN complete_lines = line_count THEN 'complete' WHEN delivered_grams = 0 THEN 'none' ELSE 'partial' END)";
    let soon = hours(30);
    vec![
        (json!({}), "1 = 1".into()),
        (
            json!({ "regionCode": { "eq": hq.region } }),
            format!("region_id = {region}"),
        ),
        (
            json!({ "category": { "eq": "FOOD" } }),
            "id IN (SELECT need_id FROM need_line WHERE category = 'food')".into(),
        ),
        (
            json!({ "category": { "in": ["BEDDING", "MEDICINE"] } }),
            "id IN (SELECT need_id FROM need_line WHERE category IN ('bedding', 'medicine'))"
                .into(),
        ),
        (
            json!({ "priority": { "eq": "URGENT" } }),
            "priority = 1".into(),
        ),
        (
            json!({ "priority": { "in": ["HIGH", "LOW"] } }),
            "priority IN (2, 4)".into(),
        ),
        (
            json!({ "status": { "eq": "OPEN" } }),
            "status = 'open'".into(),
        ),
        (
            json!({ "status": { "ne": "OPEN" } }),
            "status <> 'open'".into(),
        ),
        (
            json!({ "fulfilment": { "eq": "COMPLETE" } }),
            format!("{fulfilment} = 'complete'"),
        ),
        (
            json!({ "fulfilment": { "eq": "PARTIAL" } }),
            format!("{fulfilment} = 'partial'"),
        ),
        (
            json!({ "fulfilment": { "in": ["NONE"] } }),
            format!("{fulfilment} = 'none'"),
        ),
        (
            json!({ "organizationId": { "eq": encode("Organization", hq.org as i32) } }),
            format!("organization_id = {}", hq.org),
        ),
        (
            json!({ "neededBy": { "lt": soon } }),
            format!("needed_by < '{soon}'"),
        ),
        (
            json!({ "or": [{ "priority": { "eq": "URGENT" } }, { "fulfilment": { "eq": "COMPLETE" } }], "status": { "eq": "OPEN" } }),
            format!("(priority = 1 OR {fulfilment} = 'complete') AND status = 'open'"),
        ),
    ]
}

const OUTSTANDING_SQL: &str = "CAST(COALESCE(SUM(CASE WHEN status = 'open' THEN requested_grams - allocated_grams ELSE 0 END), 0) AS BIGINT)";

#[tokio::test]
async fn needs_board_runs_verbatim_and_answers_what_sql_answers() {
    let app = spawn_app_with_demo().await;
    let hq = spread(&app, 24).await;
    let db = app.db.connect().await;
    let board = |filter: Value, first: i64| json!({ "filter": filter, "first": first });
    // Every caller sees the same needs.
    let mut seen: Option<Vec<Value>> = None;
    for client in [
        app.anonymous(),
        app.as_demo_volunteer().await,
        app.as_demo_ngo().await,
        hq.client.clone(),
        app.as_demo_ministry().await,
    ] {
        let gql = client.gql(ops::NEEDS_BOARD, board(json!({}), 100)).await;
        let ids: Vec<Value> = gql.body["data"]["needs"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].clone())
            .collect();
        assert_eq!(ids.len(), 24);
        if let Some(seen) = &seen {
            assert_eq!(&ids, seen);
        }
        seen = Some(ids);
    }
    // Most urgent first, then the soonest.
    let order = ints(&db, "SELECT id FROM need ORDER BY priority, needed_by, id").await;
    let got: Vec<i64> = seen
        .unwrap()
        .iter()
        .map(|id| {
            birlik_api::graphql::relay::decode("Need", "id", id.as_str().unwrap())
                .unwrap()
                .into()
        })
        .collect();
    assert_eq!(got, order);

    let ministry = app.as_demo_ministry().await;
    for (filter, sql) in filters(&hq) {
        let gql = ministry
            .gql(ops::NEEDS_BOARD, board(filter.clone(), 100))
            .await;
        let needs = &gql.data()["needs"];
        let count = int(&db, &format!("SELECT COUNT(*) FROM need WHERE {sql}")).await;
        assert_eq!(needs["totalCount"], count, "{filter}");
        assert_eq!(
            grams(&needs["outstandingKilograms"]),
            int(
                &db,
                &format!("SELECT {OUTSTANDING_SQL} FROM need WHERE {sql}")
            )
            .await,
            "{filter}"
        );
        let ids = ints(
            &db,
            &format!("SELECT id FROM need WHERE {sql} ORDER BY priority, needed_by, id"),
        )
        .await;
        let edges = needs["edges"].as_array().unwrap();
        let got: Vec<i64> = edges
            .iter()
            .map(|e| {
                birlik_api::graphql::relay::decode("Need", "id", e["node"]["id"].as_str().unwrap())
                    .unwrap()
                    .into()
            })
            .collect();
        assert_eq!(got, ids, "{filter}");
        // Each need's figures and lines are its rows'.
        for edge in edges {
            let node = &edge["node"];
            let id = birlik_api::graphql::relay::decode("Need", "id", node["id"].as_str().unwrap())
                .unwrap();
            let row = |c: &str| format!("SELECT CAST({c} AS BIGINT) FROM need WHERE id = {id}");
            let fulfilment = text(&db, &format!("SELECT (CASE WHEN complete_lines = line_count THEN 'COMPLETE' WHEN delivered_grams = 0 THEN 'NONE' ELSE 'PARTIAL' END) FROM need WHERE id = {id}")).await;
            assert_eq!(node["fulfilment"], fulfilment.as_str());
            let lines = node["lines"].as_array().unwrap();
            assert_eq!(lines.len() as i64, int(&db, &row("line_count")).await);
            let open = node["status"] == "OPEN";
            for line in lines {
                let l = birlik_api::graphql::relay::decode(
                    "NeedLine",
                    "id",
                    line["id"].as_str().unwrap(),
                )
                .unwrap();
                let lrow = |c: &str| {
                    format!(
                        "SELECT CAST({c} AS BIGINT) FROM need_line WHERE id = {l} AND need_id = {id}"
                    )
                };
                let (r, a, d, x) = (
                    int(&db, &lrow("requested_grams")).await,
                    int(&db, &lrow("allocated_grams")).await,
                    int(&db, &lrow("dispatched_grams")).await,
                    int(&db, &lrow("delivered_grams")).await,
                );
                assert_eq!(grams(&line["requestedKilograms"]), r);
                assert_eq!(grams(&line["allocatedKilograms"]), a);
                assert_eq!(grams(&line["dispatchedKilograms"]), d);
                assert_eq!(grams(&line["deliveredKilograms"]), x);
                assert_eq!(
                    grams(&line["outstandingKilograms"]),
                    if open { r - a } else { 0 }
                );
                let expected = if x == 0 {
                    "NONE"
                } else if x >= r {
                    "COMPLETE"
                } else {
                    "PARTIAL"
                };
                assert_eq!(line["fulfilment"], expected);
                assert!(!line["categoryLabel"].as_str().unwrap().is_empty());
            }
        }
    }

    // Pages follow one another without gaps or repeats.
    let mut after: Option<String> = None;
    let mut walked = Vec::new();
    loop {
        let gql = ministry
            .gql(ops::NEEDS_BOARD, json!({ "first": 5, "after": after }))
            .await;
        let needs = &gql.data()["needs"];
        for e in needs["edges"].as_array().unwrap() {
            walked.push(
                birlik_api::graphql::relay::decode("Need", "id", e["node"]["id"].as_str().unwrap())
                    .unwrap() as i64,
            );
        }
        if needs["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = needs["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(walked, order);
}

#[tokio::test]
async fn the_requesters_phone_is_for_the_raising_organization_and_the_ministry() {
    let app = spawn_app_with_demo().await;
    let hq = spread(&app, 6).await;
    let db = app.db.connect().await;
    let mine = ints(
        &db,
        &format!(
            "SELECT id FROM need WHERE organization_id = {} ORDER BY id",
            hq.org
        ),
    )
    .await;
    for (client, sees_own, sees_all) in [
        (app.anonymous(), false, false),
        (app.as_demo_volunteer().await, false, false),
        (app.as_demo_ngo().await, false, false),
        (hq.client.clone(), true, false),
        (app.as_demo_ministry().await, true, true),
    ] {
        let gql = client.gql(ops::NEEDS_BOARD, json!({ "first": 100 })).await;
        let edges = gql.body["data"]["needs"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", gql.body));
        assert_eq!(edges.len(), 6);
        let mut withheld = 0;
        for (i, e) in edges.iter().enumerate() {
            let id =
                birlik_api::graphql::relay::decode("Need", "id", e["node"]["id"].as_str().unwrap())
                    .unwrap() as i64;
            let visible = sees_all || (sees_own && mine.contains(&id));
            let phone = &e["node"]["contactPhone"];
            if visible {
                assert_eq!(phone, "+77015551234");
            } else {
                assert!(phone.is_null());
                withheld += 1;
                let path = json!(["needs", "edges", i, "node", "contactPhone"]);
                assert!(
                    gql.body["errors"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|err| err["path"] == path && err["extensions"]["code"] == "FORBIDDEN"),
                    "no FORBIDDEN at {path}: {}",
                    gql.body
                );
            }
            // The rest of the answer is intact.
            assert!(!e["node"]["lines"].as_array().unwrap().is_empty());
        }
        assert_eq!(codes(&gql).len(), withheld);
    }
}

#[tokio::test]
async fn need_stats_runs_verbatim_and_adds_up_what_sql_adds_up() {
    let app = spawn_app_with_demo().await;
    let hq = spread(&app, 20).await;
    let db = app.db.connect().await;
    let ministry = app.as_demo_ministry().await;
    let line_fulfilment = "(CASE WHEN l.delivered_grams = 0 THEN 'NONE' WHEN l.delivered_grams >= l.requested_grams THEN 'COMPLETE' ELSE 'PARTIAL' END)";
    let sums = "CAST(COUNT(*) AS BIGINT), CAST(SUM(l.requested_grams) AS BIGINT), CAST(SUM(l.allocated_grams) AS BIGINT), \
                CAST(SUM(l.delivered_grams) AS BIGINT), CAST(SUM(CASE WHEN n.status = 'open' THEN l.requested_grams - l.allocated_grams ELSE 0 END) AS BIGINT)";
    for (dims, key, key_sql) in [
        (
            json!(["REGION"]),
            "region",
            "(SELECT code FROM region WHERE id = n.region_id)",
        ),
        (json!(["CATEGORY"]), "category", "UPPER(l.category)"),
        (
            json!(["PRIORITY"]),
            "priority",
            "(CASE n.priority WHEN 1 THEN 'URGENT' WHEN 2 THEN 'HIGH' WHEN 3 THEN 'MEDIUM' ELSE 'LOW' END)",
        ),
        (json!(["FULFILMENT"]), "fulfilment", line_fulfilment),
        (
            json!(["ORGANIZATION"]),
            "organization",
            "COALESCE(CAST(n.organization_id AS VARCHAR(20)), 'ministry')",
        ),
    ] {
        let gql = ministry
            .gql(ops::NEED_STATS, json!({ "groupBy": dims }))
            .await;
        let rows = gql.data()["needStats"].as_array().unwrap().clone();
        let groups = db_rows(&db, &format!("SELECT {key_sql} AS k, {sums} FROM need_line l JOIN need n ON n.id = l.need_id GROUP BY {key_sql}")).await;
        assert_eq!(rows.len(), groups.len(), "{dims}");
        for row in &rows {
            let k = match key {
                "region" => row["region"]["code"].as_str().unwrap().to_owned(),
                "organization" => {
                    row["organization"]["id"]
                        .as_str()
                        .map_or("ministry".to_owned(), |id| {
                            birlik_api::graphql::relay::decode("Organization", "id", id)
                                .unwrap()
                                .to_string()
                        })
                }
                k => row[k].as_str().unwrap().to_owned(),
            };
            let (_, figures) = groups
                .iter()
                .find(|(g, _)| *g == k)
                .unwrap_or_else(|| panic!("{k} in {dims}"));
            let got = [
                row["lineCount"].as_i64().unwrap(),
                grams(&row["requestedKilograms"]),
                grams(&row["allocatedKilograms"]),
                grams(&row["deliveredKilograms"]),
                grams(&row["outstandingKilograms"]),
            ];
            assert_eq!(&got[..], &figures[..], "{dims} {k}");
            // Tonnes are the same grams: thousandths of a tonne are kilograms.
            assert_eq!(
                thousandths(row["requestedTonnes"].as_str().unwrap()),
                got[1] / 1000
            );
            assert_eq!(
                thousandths(row["deliveredTonnes"].as_str().unwrap()),
                got[3] / 1000
            );
        }
    }
    // Without a filter: the same needs as the board; with one, the same as the board's.
    for (filter, _) in filters(&hq) {
        let stats = ministry
            .gql(ops::NEED_STATS, json!({ "groupBy": [], "filter": filter }))
            .await;
        let board = ministry
            .gql(ops::NEEDS_BOARD, json!({ "filter": filter, "first": 1 }))
            .await;
        let rows = stats.data()["needStats"].as_array().unwrap();
        let outstanding: i64 = rows.iter().map(|r| grams(&r["outstandingKilograms"])).sum();
        assert_eq!(
            outstanding,
            grams(&board.data()["needs"]["outstandingKilograms"]),
            "{filter}"
        );
    }
    // Public, like the board.
    let public = app
        .anonymous()
        .gql(
            ops::NEED_STATS,
            json!({ "groupBy": ["CATEGORY", "PRIORITY"] }),
        )
        .await;
    assert!(!public.data()["needStats"].as_array().unwrap().is_empty());
}

/// Rows of (text key, five integers).
async fn db_rows(db: &sea_orm::DatabaseConnection, sql: &str) -> Vec<(String, Vec<i64>)> {
    use sea_orm::{ConnectionTrait, Statement};
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .iter()
        .map(|r| {
            let key = r.try_get_by_index::<String>(0).unwrap();
            let ints = (1..6)
                .map(|i| r.try_get_by_index::<i64>(i).unwrap())
                .collect();
            (key, ints)
        })
        .collect()
}

#[tokio::test]
async fn what_is_needed_runs_verbatim_is_public_and_cacheable() {
    let app = spawn_app_with_demo().await;
    let hq = spread(&app, 24).await;
    let db = app.db.connect().await;
    for region in [None, Some(hq.region.clone())] {
        let gql = app
            .anonymous()
            .gql(ops::WHAT_IS_NEEDED, json!({ "regionCode": region }))
            .await;
        let categories = gql.data()["neededCategories"].as_array().unwrap();
        let only = region.as_ref().map_or(String::new(), |c| {
            format!("AND n.region_id = (SELECT id FROM region WHERE code = '{c}')")
        });
        let open = format!(
            "FROM need_line l JOIN need n ON n.id = l.need_id WHERE n.status = 'open' AND l.requested_grams > l.allocated_grams {only}"
        );
        let expected = db_rows(&db, &format!(
            "SELECT UPPER(l.category), CAST(MIN(n.priority) AS BIGINT), CAST(SUM(l.requested_grams - l.allocated_grams) AS BIGINT), \
             CAST(COUNT(DISTINCT n.region_id) AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT) {open} GROUP BY l.category \
             ORDER BY MIN(n.priority), SUM(l.requested_grams - l.allocated_grams) DESC, l.category"
        )).await;
        assert!(!expected.is_empty());
        let got: Vec<(String, Vec<i64>)> = categories
            .iter()
            .map(|c| {
                let priority = ["URGENT", "HIGH", "MEDIUM", "LOW"]
                    .iter()
                    .position(|p| *p == c["highestPriority"])
                    .unwrap() as i64
                    + 1;
                let tonnes = thousandths(c["outstandingTonnes"].as_str().unwrap());
                (
                    c["category"].as_str().unwrap().to_owned(),
                    vec![
                        priority,
                        tonnes,
                        c["regions"].as_array().unwrap().len() as i64,
                        0,
                        0,
                    ],
                )
            })
            .collect();
        let expected: Vec<(String, Vec<i64>)> = expected
            .into_iter()
            .map(|(k, v)| (k, vec![v[0], v[1] / 1000, v[2], 0, 0]))
            .collect();
        assert_eq!(got, expected, "{region:?}");
        for c in categories {
            assert!(!c["categoryLabel"].as_str().unwrap().is_empty());
            for r in c["regions"].as_array().unwrap() {
                assert!(region.is_none() || r["code"] == region.as_deref().unwrap());
            }
        }
    }
    let resp = reqwest::Client::new()
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": ops::WHAT_IS_NEEDED, "variables": { "regionCode": hq.region } }))
        .send()
        .await
        .unwrap();
    let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(
        cache.contains("public") && cache.contains("max-age=30"),
        "{cache}"
    );
    app.anonymous()
        .gql(ops::WHAT_IS_NEEDED, json!({ "regionCode": "KZ-00" }))
        .await
        .assert_code("BAD_USER_INPUT");
}

/// Statements one operation costs; it must answer (a withheld personal field aside).
async fn cost(app: &TestApp, client: &Client, op: &str, variables: Value) -> u64 {
    let before = app.statements().await;
    let gql = client.gql(op, variables).await;
    assert!(
        gql.body["data"]
            .as_object()
            .is_some_and(|d| d.values().all(|v| !v.is_null())),
        "{}",
        gql.body
    );
    assert!(codes(&gql).iter().all(|c| c == "FORBIDDEN"), "{}", gql.body);
    app.statements().await - before
}

#[tokio::test]
async fn needs_operations_cost_a_fixed_number_of_statements() {
    let app = spawn_app_with_demo().await;
    let hq = spread(&app, 30).await;
    let (anonymous, ministry) = (app.anonymous(), app.as_demo_ministry().await);
    // page with its totals (issue 17: were a statement of their own), lines, organizations (the
    // signed-in: and the account); the pages hold needs of an organization, so that the
    // organizations are read
    let theirs = json!({ "organizationId": { "eq": encode("Organization", hq.org as i32) } });
    for (client, account) in [(&anonymous, 0), (&ministry, 1)] {
        for first in [1, 100] {
            assert_eq!(
                cost(
                    &app,
                    client,
                    ops::NEEDS_BOARD,
                    json!({ "filter": theirs, "first": first })
                )
                .await,
                3 + account,
                "NeedsBoard, first {first}"
            );
        }
    }
    // account; the GROUP BY, and the organizations of its rows; regions from memory
    assert_eq!(
        cost(
            &app,
            &ministry,
            ops::NEED_STATS,
            json!({ "groupBy": ["ORGANIZATION"] })
        )
        .await,
        3
    );
    assert_eq!(
        cost(
            &app,
            &ministry,
            ops::NEED_STATS,
            json!({ "groupBy": ["REGION", "CATEGORY", "PRIORITY", "FULFILMENT", "ORGANIZATION"] })
        )
        .await,
        3
    );
    assert_eq!(
        cost(
            &app,
            &ministry,
            ops::NEED_STATS,
            json!({ "groupBy": ["REGION"] })
        )
        .await,
        2
    );
    // one GROUP BY
    assert_eq!(
        cost(
            &app,
            &anonymous,
            ops::WHAT_IS_NEEDED,
            json!({ "regionCode": hq.region })
        )
        .await,
        1
    );
    assert_eq!(
        cost(&app, &anonymous, ops::WHAT_IS_NEEDED, json!({})).await,
        1
    );
    // account; replay check, organization, its points (unless its headquarters are in the
    // region), insert need, insert lines, key, audit; then the lines
    let one = json!([{ "category": "FOOD", "kilograms": 1 }]);
    let ten: Vec<Value> = [
        "FOOD",
        "DRINKING_WATER",
        "CLOTHING",
        "HYGIENE",
        "MEDICINE",
        "BEDDING",
        "BABY_SUPPLIES",
        "ANIMAL_FEED",
        "BUILDING_MATERIALS",
        "OTHER",
    ]
    .iter()
    .map(|c| json!({ "category": c, "kilograms": 1 }))
    .collect();
    let small = cost(
        &app,
        &hq.client,
        ops::RAISE_NEED,
        raise_input(&hq.region, "HIGH", &hours(3), one, "cost-1"),
    )
    .await;
    let large = cost(
        &app,
        &hq.client,
        ops::RAISE_NEED,
        raise_input(&hq.region, "HIGH", &hours(3), json!(ten), "cost-2"),
    )
    .await;
    assert_eq!(small, large);
    let db = app.db.connect().await;
    // its points are read only when its headquarters are elsewhere
    let hq_there = int(
        &db,
        &format!(
            "SELECT COUNT(*) FROM organization WHERE id = {} AND region_id = (SELECT id FROM region WHERE code = '{}')",
            hq.org, hq.region
        ),
    )
    .await;
    assert_eq!(small, 9 - hq_there as u64);
    let need = int(&db, "SELECT MAX(id) FROM need").await;
    // account; read, update, read back, audit
    assert_eq!(
        cost(&app, &hq.client, ops::CLOSE_NEED, json!({ "needId": encode("Need", need as i32), "reason": "NO_LONGER_NEEDED", "expectedVersion": 1 })).await,
        5
    );
}

#[tokio::test]
async fn a_need_may_name_an_open_shelter_of_its_region() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app_with_demo().await;
    without_demo_needs(&app).await;
    let hq = regional_hq(&app).await;
    let db = app.db.connect().await;
    let demo_shelters = int(&db, "SELECT COALESCE(MAX(id), 0) FROM shelter").await;
    // Shelters as the shelters' own mutations leave them (open in the region, open elsewhere,
    // closed in the region).
    for (region, status, closed) in [
        (format!("= '{}'", hq.region), "open", "NULL"),
        (format!("<> '{}'", hq.region), "open", "NULL"),
        (format!("= '{}'", hq.region), "closed", "o.created_at"),
    ] {
        db.execute_unprepared(&format!(
            "INSERT INTO shelter (region_id, name, address, capacity, status, closed_at, created_at, updated_at, version) \
             SELECT MIN(r.id), 'Школа №5', 'ул. Абая, 1', 300, '{status}', {closed}, o.created_at, o.created_at, 1 \
             FROM region r, organization o WHERE r.affected AND r.code {region} AND o.id = {} GROUP BY o.created_at",
            hq.org
        ))
        .await
        .unwrap();
    }
    let shelters = ints(
        &db,
        &format!("SELECT id FROM shelter WHERE id > {demo_shelters} ORDER BY id"),
    )
    .await;
    let with = |shelter: i64, key: &str| {
        let mut input = raise_input(
            &hq.region,
            "URGENT",
            &hours(6),
            json!([{ "category": "BABY_SUPPLIES", "kilograms": 40 }]),
            key,
        );
        input["input"]["shelterId"] = json!(encode("Shelter", shelter as i32));
        input
    };
    let gql = hq
        .client
        .gql(ops::RAISE_NEED, with(shelters[0], "s-1"))
        .await;
    let need = &gql.data()["raiseNeed"]["need"];
    assert_eq!(
        need["shelter"]["id"],
        encode("Shelter", shelters[0] as i32).0.as_str()
    );
    assert_eq!(need["shelter"]["name"], "Школа №5");
    hq.client
        .gql(ops::RAISE_NEED, with(shelters[1], "s-2"))
        .await
        .assert_code("BAD_USER_INPUT");
    hq.client
        .gql(ops::RAISE_NEED, with(shelters[2], "s-3"))
        .await
        .assert_code("BAD_USER_INPUT");
    hq.client
        .gql(ops::RAISE_NEED, with(shelters[2] + 100, "s-4"))
        .await
        .assert_code("NOT_FOUND");
    assert_eq!(int(&db, "SELECT COUNT(*) FROM need").await, 1);
    assert_eq!(
        int(
            &db,
            &format!(
                "SELECT COUNT(*) FROM need WHERE shelter_id = {}",
                shelters[0]
            )
        )
        .await,
        1
    );
    // The board filters by shelter.
    let board = app
        .anonymous()
        .gql(
            ops::NEEDS_BOARD,
            json!({ "filter": { "shelterId": { "eq": encode("Shelter", shelters[0] as i32) } } }),
        )
        .await;
    assert_eq!(board.body["data"]["needs"]["totalCount"], 1);
}
