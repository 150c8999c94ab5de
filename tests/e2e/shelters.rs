//! Shelters: OpenShelter, ReportShelterCount and Shelters verbatim, with their roles, checked
//! against SQL; closeShelter's expected version; refusals that write nothing; the statements a
//! Shelters page costs at two sizes.

use birlik_api::graphql::relay::{decode, encode};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::sql::{int, ints};
use crate::helpers::{TestApp, ops, spawn_app_with_demo};

const CLOSE: &str = "mutation($id: ID!, $v: Int!) { closeShelter(shelterId: $id, expectedVersion: $v) { shelter { id status version } } }";

/// The government body of a region (every demo region has one, verified) and a staff account
/// of it, made by the ministry.
async fn regional_staff(app: &TestApp, code: &str) -> (Client, i32) {
    let db = app.db.connect().await;
    let org = int(
        &db,
        &format!(
            "SELECT MIN(o.id) FROM organization o JOIN region r ON r.id = o.region_id \
             WHERE r.code = '{code}' AND o.kind = 'government_body'"
        ),
    )
    .await as i32;
    let email = format!("hq.{}@akimat.kz", code.to_lowercase());
    let create =
        "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }";
    app.as_demo_ministry()
        .await
        .gql(
            create,
            json!({ "i": { "organizationId": encode("Organization", org).0, "email": email,
                "displayName": "Штаб", "password": "long-enough-password" } }),
        )
        .await
        .data();
    (app.as_account(&email).await, org)
}

fn open_input(code: &str, name: &str, capacity: i32, key: &str) -> Value {
    json!({ "input": { "regionCode": code, "name": name, "address": "ул. Абая, 1",
        "capacity": capacity, "idempotencyKey": key } })
}

fn count_input(shelter: &Value, people: i32, children: i32, at: &str, key: &str) -> Value {
    json!({ "input": { "shelterId": shelter, "people": people, "children": children,
        "countedAt": at, "idempotencyKey": key } })
}

/// Shelters, counts, audit events and the sum of shelter versions: what a refusal must not move.
async fn written(db: &DatabaseConnection) -> Vec<i64> {
    let mut all = Vec::new();
    for sql in [
        "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter_count",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event",
        "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM shelter",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_key",
    ] {
        all.push(int(db, sql).await);
    }
    all
}

fn id(value: &Value) -> i32 {
    decode("Shelter", "id", value.as_str().expect("an id")).unwrap()
}

#[tokio::test]
async fn open_shelter_runs_verbatim_for_the_ministry_and_an_organization_working_there() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let ministry = app.as_demo_ministry().await;
    let (staff, org) = regional_staff(&app, "KZ-23").await;

    let gql = ministry
        .gql(
            ops::OPEN_SHELTER,
            open_input("KZ-23", "Школа №7", 300, "m-1"),
        )
        .await;
    let s = gql.data()["openShelter"]["shelter"].clone();
    assert_eq!(s["name"], "Школа №7");
    assert_eq!(s["status"], "OPEN");
    assert_eq!(s["capacity"], 300);
    assert_eq!(s["people"], Value::Null);
    assert_eq!(s["region"]["code"], "KZ-23");
    assert_eq!(s["organization"], Value::Null, "the ministry runs it");
    assert_eq!(s["version"], 1);
    let row = id(&s["id"]);
    assert_eq!(
        ints(&db, &format!("SELECT capacity FROM shelter WHERE id = {row} AND organization_id IS NULL AND status = 'open' AND people IS NULL AND region_id = (SELECT id FROM region WHERE code = 'KZ-23')")).await,
        [300]
    );
    assert_eq!(
        int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event WHERE entity = 'shelter' AND entity_id = {row} AND action = 'opened' AND role = 'ministry' AND to_status = 'open' AND idempotency_key = 'm-1'")).await,
        1
    );
    // The same key replays: the same shelter, nothing more written.
    let before = written(&db).await;
    let again = ministry
        .gql(
            ops::OPEN_SHELTER,
            open_input("KZ-23", "Школа №7", 300, "m-1"),
        )
        .await;
    assert_eq!(again.data()["openShelter"]["shelter"]["id"], s["id"]);
    assert_eq!(written(&db).await, before);

    let gql = staff
        .gql(
            ops::OPEN_SHELTER,
            open_input("KZ-23", "Спорткомплекс", 500, "s-1"),
        )
        .await;
    let s = &gql.data()["openShelter"]["shelter"];
    assert_eq!(s["organization"]["id"], encode("Organization", org).0);
    assert_eq!(
        int(
            &db,
            &format!(
                "SELECT organization_id FROM shelter WHERE id = {}",
                id(&s["id"])
            )
        )
        .await,
        i64::from(org)
    );
}

#[tokio::test]
async fn open_shelter_refusals_write_nothing() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let (staff, _) = regional_staff(&app, "KZ-23").await;
    let ministry = app.as_demo_ministry().await;
    let ngo = app.as_demo_ngo().await;
    let (anonymous, volunteer) = (app.anonymous(), app.as_demo_volunteer().await);
    let before = written(&db).await;
    let cases: Vec<(&Client, Value, &str)> = vec![
        (
            &anonymous,
            open_input("KZ-23", "A", 10, "a"),
            "UNAUTHENTICATED",
        ),
        (&volunteer, open_input("KZ-23", "A", 10, "v"), "FORBIDDEN"),
        // The demo organization works in Astana only.
        (&ngo, open_input("KZ-23", "A", 10, "n"), "FORBIDDEN"),
        // Astana is not affected.
        (&ngo, open_input("KZ-71", "A", 10, "n2"), "BAD_USER_INPUT"),
        (
            &ministry,
            open_input("KZ-71", "A", 10, "m"),
            "BAD_USER_INPUT",
        ),
        (
            &ministry,
            open_input("KZ-99", "A", 10, "m2"),
            "BAD_USER_INPUT",
        ),
        (
            &ministry,
            open_input("KZ-23", "  ", 10, "m3"),
            "BAD_USER_INPUT",
        ),
        (
            &ministry,
            open_input("KZ-23", "A", 0, "m4"),
            "BAD_USER_INPUT",
        ),
        // Atyrau's akimat does not work in Kostanay region.
        (&staff, open_input("KZ-39", "A", 10, "s"), "FORBIDDEN"),
    ];
    for (client, input, code) in cases {
        client
            .gql(ops::OPEN_SHELTER, input.clone())
            .await
            .assert_code(code);
        assert_eq!(written(&db).await, before, "{input} ({code}) wrote");
    }
}

#[tokio::test]
async fn counts_are_appended_the_latest_moves_forward_only_and_over_capacity_is_flagged() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let (staff, _) = regional_staff(&app, "KZ-23").await;
    let (other, _) = regional_staff(&app, "KZ-15").await;
    let ministry = app.as_demo_ministry().await;
    let gql = staff
        .gql(ops::OPEN_SHELTER, open_input("KZ-23", "Колледж", 100, "o"))
        .await;
    let shelter = gql.data()["openShelter"]["shelter"]["id"].clone();
    let row = id(&shelter);

    let gql = staff
        .gql(
            ops::REPORT_SHELTER_COUNT,
            count_input(&shelter, 80, 30, "2024-04-07T10:00:00Z", "c1"),
        )
        .await;
    let s = &gql.data()["reportShelterCount"]["shelter"];
    assert_eq!(
        (
            s["people"].clone(),
            s["children"].clone(),
            s["overCapacity"].clone(),
            s["version"].clone()
        ),
        (json!(80), json!(30), json!(false), json!(2))
    );
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(s["countedAt"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339("2024-04-07T10:00:00Z").unwrap()
    );
    // Above capacity: recorded and flagged, never refused (the ministry may count too).
    let gql = ministry
        .gql(
            ops::REPORT_SHELTER_COUNT,
            count_input(&shelter, 120, 50, "2024-04-08T10:00:00Z", "c2"),
        )
        .await;
    let s = &gql.data()["reportShelterCount"]["shelter"];
    assert_eq!(
        (s["people"].clone(), s["overCapacity"].clone()),
        (json!(120), json!(true))
    );
    assert_eq!(s["status"], "OPEN");
    // An older count joins the history but is not the latest.
    let gql = staff
        .gql(
            ops::REPORT_SHELTER_COUNT,
            count_input(&shelter, 10, 5, "2024-04-06T10:00:00Z", "c3"),
        )
        .await;
    let s = &gql.data()["reportShelterCount"]["shelter"];
    assert_eq!(
        (
            s["people"].clone(),
            s["children"].clone(),
            s["version"].clone()
        ),
        (json!(120), json!(50), json!(3))
    );
    assert_eq!(
        ints(
            &db,
            &format!(
                "SELECT people FROM shelter_count WHERE shelter_id = {row} ORDER BY counted_at"
            )
        )
        .await,
        [10, 80, 120]
    );
    assert_eq!(
        ints(
            &db,
            &format!(
                "SELECT people FROM shelter WHERE id = {row} AND children = 50 AND version = 3"
            )
        )
        .await,
        [120]
    );
    assert_eq!(
        int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event WHERE entity = 'shelter' AND entity_id = {row} AND action = 'counted'")).await,
        3
    );

    // Refusals: nothing written.
    let (anonymous, volunteer, ngo) = (
        app.anonymous(),
        app.as_demo_volunteer().await,
        app.as_demo_ngo().await,
    );
    let before = written(&db).await;
    let refusals: Vec<(&Client, Value, &str)> = vec![
        (
            &staff,
            count_input(&shelter, 10, 11, "2024-04-08T11:00:00Z", "r1"),
            "BAD_USER_INPUT",
        ),
        (
            &staff,
            count_input(&shelter, -1, 0, "2024-04-08T11:00:00Z", "r2"),
            "BAD_USER_INPUT",
        ),
        (
            &staff,
            count_input(&shelter, 5, 0, "2099-01-01T00:00:00Z", "r3"),
            "BAD_USER_INPUT",
        ),
        (
            &other,
            count_input(&shelter, 5, 0, "2024-04-08T11:00:00Z", "r4"),
            "FORBIDDEN",
        ),
        (
            &ngo,
            count_input(&shelter, 5, 0, "2024-04-08T11:00:00Z", "r5"),
            "FORBIDDEN",
        ),
        (
            &volunteer,
            count_input(&shelter, 5, 0, "2024-04-08T11:00:00Z", "r6"),
            "FORBIDDEN",
        ),
        (
            &anonymous,
            count_input(&shelter, 5, 0, "2024-04-08T11:00:00Z", "r7"),
            "UNAUTHENTICATED",
        ),
        (
            &staff,
            count_input(
                &json!(encode("Shelter", 999_999).0),
                5,
                0,
                "2024-04-08T11:00:00Z",
                "r8",
            ),
            "NOT_FOUND",
        ),
        // A key already used for another count.
        (
            &staff,
            count_input(&shelter, 81, 30, "2024-04-07T10:00:00Z", "c1"),
            "CONFLICT",
        ),
    ];
    for (client, input, code) in refusals {
        client
            .gql(ops::REPORT_SHELTER_COUNT, input.clone())
            .await
            .assert_code(code);
        assert_eq!(written(&db).await, before, "{input} ({code}) wrote");
    }
    // The same key and count replays.
    let again = staff
        .gql(
            ops::REPORT_SHELTER_COUNT,
            count_input(&shelter, 80, 30, "2024-04-07T10:00:00Z", "c1"),
        )
        .await;
    assert_eq!(again.data()["reportShelterCount"]["shelter"]["people"], 120);
    assert_eq!(written(&db).await, before);
}

#[tokio::test]
async fn close_shelter_takes_the_expected_version_and_ends_counting() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let (staff, _) = regional_staff(&app, "KZ-23").await;
    let (other, _) = regional_staff(&app, "KZ-15").await;
    let ministry = app.as_demo_ministry().await;
    let gql = staff
        .gql(ops::OPEN_SHELTER, open_input("KZ-23", "Гимназия", 200, "o"))
        .await;
    let shelter = gql.data()["openShelter"]["shelter"]["id"].clone();
    let ministry_run = ministry
        .gql(ops::OPEN_SHELTER, open_input("KZ-23", "Дворец", 200, "m"))
        .await
        .data()["openShelter"]["shelter"]["id"]
        .clone();

    let before = written(&db).await;
    let stale = staff.gql(CLOSE, json!({ "id": shelter, "v": 7 })).await;
    stale.assert_code("CONFLICT");
    let current = &stale.body["errors"][0]["extensions"]["current"];
    assert_eq!(
        (
            current["id"].clone(),
            current["status"].clone(),
            current["version"].clone()
        ),
        (shelter.clone(), json!("OPEN"), json!(1))
    );
    other
        .gql(CLOSE, json!({ "id": shelter, "v": 1 }))
        .await
        .assert_code("FORBIDDEN");
    app.as_demo_volunteer()
        .await
        .gql(CLOSE, json!({ "id": shelter, "v": 1 }))
        .await
        .assert_code("FORBIDDEN");
    app.anonymous()
        .gql(CLOSE, json!({ "id": shelter, "v": 1 }))
        .await
        .assert_code("UNAUTHENTICATED");
    // A shelter the ministry opened is closed by the ministry only.
    staff
        .gql(CLOSE, json!({ "id": ministry_run, "v": 1 }))
        .await
        .assert_code("FORBIDDEN");
    assert_eq!(written(&db).await, before);

    let closed = staff.gql(CLOSE, json!({ "id": shelter, "v": 1 })).await;
    assert_eq!(
        closed.data()["closeShelter"]["shelter"],
        json!({ "id": shelter, "status": "CLOSED", "version": 2 })
    );
    let row = id(&shelter);
    assert_eq!(
        int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM shelter WHERE id = {row} AND status = 'closed' AND closed_at IS NOT NULL")).await,
        1
    );
    assert_eq!(
        int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event WHERE entity = 'shelter' AND entity_id = {row} AND action = 'closed' AND from_status = 'open' AND to_status = 'closed'")).await,
        1
    );
    ministry
        .gql(CLOSE, json!({ "id": ministry_run, "v": 1 }))
        .await
        .data();

    // Closed: no more counts, no second closing.
    let before = written(&db).await;
    staff
        .gql(
            ops::REPORT_SHELTER_COUNT,
            count_input(&shelter, 5, 1, "2024-04-09T10:00:00Z", "late"),
        )
        .await
        .assert_code("CONFLICT");
    staff
        .gql(CLOSE, json!({ "id": shelter, "v": 2 }))
        .await
        .assert_code("CONFLICT");
    assert_eq!(written(&db).await, before);
}

/// The Shelters answer for `filter`, all pages walked at `size`, with the totals of the first.
async fn walk(client: &Client, filter: Value, size: i32) -> (Vec<Value>, Value) {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    let mut first_answer = Value::Null;
    loop {
        let gql = client
            .gql(
                ops::SHELTERS,
                json!({ "filter": filter, "first": size, "after": after }),
            )
            .await;
        let page = gql.data()["shelters"].clone();
        if first_answer.is_null() {
            first_answer = page.clone();
        }
        nodes.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    (nodes, first_answer)
}

#[tokio::test]
async fn shelters_are_public_with_totals_over_the_filter_from_latest_counts() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let anonymous = app.anonymous();

    // Every shelter: the bulletin's figures (closed shelters' last counts are 0).
    let (nodes, all) = walk(&anonymous, Value::Null, 100).await;
    assert_eq!(all["totalPeople"], 14_460);
    assert_eq!(all["totalChildren"], 7_269);
    assert_eq!(
        all["totalCount"],
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter").await
    );
    assert_eq!(nodes.len() as i64, all["totalCount"].as_i64().unwrap());
    assert_eq!(
        all["totalCapacity"],
        int(&db, "SELECT CAST(SUM(capacity) AS BIGINT) FROM shelter").await
    );

    // One region's open shelters, walked in small pages: each node as its row, totals as SQL.
    let filter = json!({ "regionCode": { "eq": "KZ-23" }, "status": { "eq": "OPEN" } });
    let (nodes, page) = walk(&anonymous, filter.clone(), 3).await;
    let sql = "FROM shelter WHERE status = 'open' AND region_id = (SELECT id FROM region WHERE code = 'KZ-23')";
    for (field, expr) in [
        ("totalCount", "COUNT(*)"),
        ("totalPeople", "SUM(people)"),
        ("totalChildren", "SUM(children)"),
        ("totalCapacity", "SUM(capacity)"),
    ] {
        assert_eq!(
            page[field],
            int(&db, &format!("SELECT CAST({expr} AS BIGINT) {sql}")).await,
            "{field}"
        );
    }
    let mut ids: Vec<i64> = nodes.iter().map(|n| i64::from(id(&n["id"]))).collect();
    ids.sort();
    assert_eq!(
        ids,
        ints(&db, &format!("SELECT id {sql} ORDER BY id")).await
    );
    for n in &nodes {
        let row = id(&n["id"]);
        let (people, capacity) = (
            n["people"].as_i64().unwrap(),
            n["capacity"].as_i64().unwrap(),
        );
        assert_eq!(
            ints(&db, &format!("SELECT people FROM shelter WHERE id = {row} AND children = {} AND capacity = {capacity}", n["children"])).await,
            [people]
        );
        assert_eq!(n["overCapacity"], people > capacity);
        assert_eq!(n["region"]["code"], "KZ-23");
        assert_eq!(n["status"], "OPEN");
    }
    // Some demo shelters are over capacity; a filter on it by people works in SQL too.
    let over = int(
        &db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM shelter WHERE people > capacity",
    )
    .await;
    let flagged = walk(&anonymous, Value::Null, 100)
        .await
        .0
        .iter()
        .filter(|n| n["overCapacity"] == true)
        .count();
    assert_eq!(flagged as i64, over);

    // Every caller sees the same.
    for client in [
        app.as_demo_volunteer().await,
        app.as_demo_ngo().await,
        app.as_demo_ministry().await,
    ] {
        let (_, same) = walk(&client, filter.clone(), 3).await;
        assert_eq!(same["totalPeople"], page["totalPeople"]);
        assert_eq!(same["edges"], page["edges"]);
    }
}

#[tokio::test]
async fn a_shelters_page_costs_the_same_statements_whatever_its_size() {
    let app = spawn_app_with_demo().await;
    let anonymous = app.anonymous();
    for first in [1, 50] {
        let before = app.statements().await;
        anonymous
            .gql(ops::SHELTERS, json!({ "first": first }))
            .await
            .data();
        // the totals and the page; regions from memory
        assert_eq!(app.statements().await - before, 2, "first: {first}");
    }
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let runner = int(&db, "SELECT MIN(organization_id) FROM shelter").await as i32;
    let filter = json!({ "organizationId": { "eq": encode("Organization", runner).0 } });
    for first in [1, 50] {
        let before = app.statements().await;
        let q = "query($first: Int, $filter: ShelterFilter) { shelters(first: $first, filter: $filter) { totalCount edges { node { id organization { id name } region { code } } } } }";
        let gql = ministry
            .gql(q, json!({ "first": first, "filter": filter }))
            .await;
        assert!(
            !gql.data()["shelters"]["edges"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        // the account, the totals, the page, the organizations
        assert_eq!(app.statements().await - before, 4, "first: {first}");
    }
}

#[tokio::test]
async fn counts_raced_against_each_other_leave_the_latest_in_time_as_the_shelters() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let (staff, _) = regional_staff(&app, "KZ-23").await;
    let ministry = app.as_demo_ministry().await;
    let gql = staff
        .gql(ops::OPEN_SHELTER, open_input("KZ-23", "Школа", 400, "o"))
        .await;
    let shelter = gql.data()["openShelter"]["shelter"]["id"].clone();
    let row = id(&shelter);
    // Twenty counts at once, by two callers, their times in no particular order.
    let answers = futures_util::future::join_all((0..20).map(|i: i32| {
        let client = if i % 2 == 0 { &staff } else { &ministry };
        let hour = (i * 7) % 20;
        let input = count_input(
            &shelter,
            100 + hour,
            hour,
            &format!("2024-04-08T{hour:02}:00:00Z"),
            &format!("race-{i}"),
        );
        async move { client.gql(ops::REPORT_SHELTER_COUNT, input).await }
    }))
    .await;
    for answer in &answers {
        answer.data();
    }
    assert_eq!(
        int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM shelter_count WHERE shelter_id = {row}")
        )
        .await,
        20
    );
    // The latest in time (19:00, 119 people) is the shelter's, whatever order they committed in.
    assert_eq!(
        ints(
            &db,
            &format!("SELECT people FROM shelter WHERE id = {row} AND children = 19")
        )
        .await,
        [119]
    );
    assert_eq!(
        int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event WHERE entity = 'shelter' AND entity_id = {row} AND action = 'counted'")).await,
        20
    );
}
