//! Bulk import of donations: `POST /imports/donations` (a CSV file), the `importDonations`
//! mutation and `birlik import donations FILE`, on the demo data. A good file is imported whole
//! and once; a file with bad rows is refused whole with every bad row named, and writes nothing.

use std::time::Instant;

use birlik_api::graphql::relay::encode;
use serde_json::{Value, json};

use crate::helpers::app::{TestApp, spawn_with};
use crate::helpers::sql::{int, text, thousandths};
use crate::helpers::{TestDb, spawn_app_with_demo};

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

const TOTALS: &str = "{ donations(first: 1) { totalCount totalKilograms } }";

/// The demo NGO's first collection point whose name none of its other points has: (id, global
/// id, name).
async fn ngo_point(app: &TestApp) -> (i64, String, String) {
    let db = app.db.connect().await;
    let unique = format!(
        "organization_id = {NGO_ORG} AND name IN \
         (SELECT name FROM collection_point WHERE organization_id = {NGO_ORG} \
         GROUP BY name HAVING COUNT(*) = 1)"
    );
    let id = int(
        &db,
        &format!("SELECT MIN(id) FROM collection_point WHERE {unique}"),
    )
    .await;
    let name = text(
        &db,
        &format!("SELECT name FROM collection_point WHERE id = {id}"),
    )
    .await;
    (id, encode("CollectionPoint", id as i32).0.to_string(), name)
}

/// Another organization's collection point, by global id.
async fn other_point(app: &TestApp) -> String {
    let db = app.db.connect().await;
    let id = int(
        &db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id <> {NGO_ORG}"),
    )
    .await;
    encode("CollectionPoint", id as i32).0.to_string()
}

/// POSTs a file as `text/csv` with the token (if any): (status, JSON body).
async fn send(app: &TestApp, token: Option<&str>, file: &str) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/imports/donations", app.base))
        .header("content-type", "text/csv")
        .body(file.to_owned());
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn donation_count(app: &TestApp) -> i64 {
    int(
        &app.db.connect().await,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM donation",
    )
    .await
}

/// (line, column) of every error of a report.
fn places(body: &Value) -> Vec<(u64, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_good_file_is_imported_whole_and_once_per_caller() {
    let app = spawn_app_with_demo().await;
    let ngo = app.token_of("ngo@demo.birlik.kz").await;
    let (point_id, point, name) = ngo_point(&app).await;
    // Codes and labels in the three languages, the point by global id and by name, any column
    // order, a BOM, a decimal comma, a date and a time.
    let file = format!(
        "\u{feff}kilograms,category,collectionPointId,description,donorName,itemCount,receivedAt\n\
         12.5,FOOD,{point},flour,Aigerim,5,2024-04-08\n\
         \"3,25\",Питьевая вода,{name},water,,,2024-04-09T10:30:00+05:00\n\
         7,киім,{point},coats,,2,\n\
         1.001,baby supplies,{name},,,,\n"
    );
    let before = app.as_demo_ngo().await.gql(TOTALS, json!({})).await;
    let before = &before.data()["donations"];
    let (status, body) = send(&app, Some(&ngo), &file).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["imported"], 4);
    assert_eq!(body["kilograms"], "23.751");
    assert_eq!(body["replayed"], false);

    // The rows in the database are the file's, and the totals through GraphQL moved by them.
    let db = app.db.connect().await;
    let first = birlik_api::graphql::relay::decode(
        "Donation",
        "id",
        body["firstDonationId"].as_str().unwrap(),
    )
    .unwrap();
    let mine = format!("FROM donation WHERE id >= {first} AND organization_id = {NGO_ORG}");
    assert_eq!(
        int(&db, &format!("SELECT CAST(SUM(grams) AS BIGINT) {mine}")).await,
        23_751
    );
    assert_eq!(
        int(
            &db,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) {mine} AND collection_point_id = {point_id} \
                 AND status = 'received' AND registered_by IS NOT NULL"
            )
        )
        .await,
        4
    );
    let grams = crate::helpers::sql::ints(&db, &format!("SELECT grams {mine} ORDER BY id")).await;
    assert_eq!(grams, [12_500, 3_250, 7_000, 1_001]);
    let categories = crate::helpers::sql::ints(
        &db,
        &format!(
            "SELECT CAST(CASE category WHEN 'food' THEN 1 WHEN 'drinking_water' THEN 2 \
             WHEN 'clothing' THEN 3 WHEN 'baby_supplies' THEN 4 ELSE 0 END AS BIGINT) {mine} ORDER BY id"
        ),
    )
    .await;
    assert_eq!(categories, [1, 2, 3, 4]);
    assert_eq!(
        text(
            &db,
            &format!("SELECT donor_name {mine} AND donor_name IS NOT NULL")
        )
        .await,
        "Aigerim"
    );
    assert_eq!(
        int(
            &db,
            &format!("SELECT CAST(SUM(item_count) AS BIGINT) {mine}")
        )
        .await,
        7
    );
    let after = app.as_demo_ngo().await.gql(TOTALS, json!({})).await;
    let after = &after.data()["donations"];
    assert_eq!(
        after["totalCount"].as_i64().unwrap() - before["totalCount"].as_i64().unwrap(),
        4
    );
    assert_eq!(
        thousandths(after["totalKilograms"].as_str().unwrap())
            - thousandths(before["totalKilograms"].as_str().unwrap()),
        23_751
    );
    // One audit event per donation, under the import's key.
    let key = body["importKey"].as_str().unwrap();
    assert_eq!(
        int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event WHERE idempotency_key = '{key}' AND entity = 'donation'")
        )
        .await,
        4
    );

    // The same file again: the first import's answer, nothing written.
    let count = donation_count(&app).await;
    let (status, again) = send(&app, Some(&ngo), &file).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["imported"], 4);
    assert_eq!(again["kilograms"], "23.751");
    assert_eq!(again["firstDonationId"], body["firstDonationId"]);
    assert_eq!(donation_count(&app).await, count);

    // Another caller sending the same file imports it for themselves (by global ids: a name
    // need not be unique among all the points the ministry may use).
    let by_id = format!("collectionPointId,category,kilograms\n{point},FOOD,1\n{point},Other,2\n");
    let (status, _) = send(&app, Some(&ngo), &by_id).await;
    assert_eq!(status, 201);
    let ministry = app.token_of("ministry@demo.birlik.kz").await;
    let (status, theirs) = send(&app, Some(&ministry), &by_id).await;
    assert_eq!(status, 201, "{theirs}");
    assert_eq!(theirs["replayed"], false);
    assert_eq!(theirs["imported"], 2);
    assert_eq!(donation_count(&app).await, count + 4);
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_with_every_bad_row() {
    let app = spawn_app_with_demo().await;
    let ngo = app.token_of("ngo@demo.birlik.kz").await;
    let (_, point, _) = ngo_point(&app).await;
    let theirs = other_point(&app).await;
    let unknown = encode("CollectionPoint", 999_999).0;
    let file = format!(
        "collectionPointId,category,kilograms,receivedAt\n\
         {point},FOOD,10,\n\
         {point},toys,10,\n\
         {point},FOOD,-4,\n\
         {unknown},FOOD,1,\n\
         {theirs},FOOD,1,\n\
         {point},FOOD,1,yesterday\n\
         {point},FOOD\n\
         {point},FOOD,1,,surplus\n\
         {point},FOOD,1,2999-01-01\n\
         Nowhere at all,Other,0.0001,\n\
         {point},FOOD,2,\n"
    );
    let count = donation_count(&app).await;
    let trail = int(
        &app.db.connect().await,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event",
    )
    .await;
    let (status, body) = send(&app, Some(&ngo), &file).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "BAD_USER_INPUT");
    let expected: Vec<(u64, String)> = [
        (3, "category"),
        (4, "kilograms"),
        (5, "collectionPointId"),
        (6, "collectionPointId"),
        (7, "receivedAt"),
        (8, "kilograms"),
        (9, ""),
        (10, "receivedAt"),
        (11, "kilograms"),
        (11, "collectionPointId"),
    ]
    .iter()
    .map(|(l, c)| (*l, (*c).to_owned()))
    .collect();
    let mut got = places(&body);
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want, "{body}");
    for e in body["errors"].as_array().unwrap() {
        assert!(!e["reason"].as_str().unwrap().is_empty());
    }
    let reason = |line: u64| {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["line"] == line)
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        reason(6).contains("not one of your organization's"),
        "{body}"
    );
    assert!(reason(5).contains("no collection point"), "{body}");
    assert!(reason(10).contains("future"), "{body}");
    assert!(reason(8).contains("missing"), "{body}");
    assert!(reason(9).contains("5 fields"), "{body}");
    assert_eq!(donation_count(&app).await, count, "nothing written");
    assert_eq!(
        int(
            &app.db.connect().await,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_event",
        )
        .await,
        trail
    );

    // Header errors: an unknown column and a missing one, on line 1.
    let (status, body) = send(
        &app,
        Some(&ngo),
        "collectionPointId,kg,category\nx,1,FOOD\n",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        places(&body),
        [(1, "kg".to_owned()), (1, "kilograms".to_owned())]
    );
    // A file of nothing but its header.
    let (status, body) = send(&app, Some(&ngo), "collectionPointId,category,kilograms\n").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("BAD_USER_INPUT"))
    );
    assert_eq!(donation_count(&app).await, count);
}

#[tokio::test]
async fn only_organizations_and_the_ministry_import() {
    let app = spawn_app_with_demo().await;
    let (_, point, _) = ngo_point(&app).await;
    let file = format!("collectionPointId,category,kilograms\n{point},FOOD,1\n");
    let (status, body) = send(&app, None, &file).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    let volunteer = app.token_of("volunteer@demo.birlik.kz").await;
    let (status, body) = send(&app, Some(&volunteer), &file).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));
    let (status, body) = send(&app, Some("not-a-token"), &file).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    // Not declared CSV.
    let ngo = app.token_of("ngo@demo.birlik.kz").await;
    let resp = reqwest::Client::new()
        .post(format!("{}/imports/donations", app.base))
        .header("authorization", format!("Bearer {ngo}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
}

#[tokio::test]
async fn a_file_over_the_limits_is_refused_before_any_sql() {
    let app = spawn_with(TestDb::demo().await, |c| {
        c.import_max_rows = 3;
        c.import_max_bytes = 4096;
    })
    .await;
    let ngo = app.token_of("ngo@demo.birlik.kz").await;
    let (_, point, _) = ngo_point(&app).await;
    let row = format!("{point},FOOD,1\n");
    let count = donation_count(&app).await;
    let statements = app.statements().await;
    let four = format!("collectionPointId,category,kilograms\n{}", row.repeat(4));
    let (status, body) = send(&app, Some(&ngo), &four).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("at most 3 rows"),
        "{body}"
    );
    let large = format!("collectionPointId,category,kilograms\n{}", " ".repeat(5000));
    let (status, body) = send(&app, Some(&ngo), &large).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(
        app.statements().await,
        statements,
        "no SQL for a refused file"
    );
    assert_eq!(donation_count(&app).await, count);
    let three = format!("collectionPointId,category,kilograms\n{}", row.repeat(3));
    let (status, body) = send(&app, Some(&ngo), &three).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn ten_thousand_rows_import_in_seconds() {
    let app = spawn_app_with_demo().await;
    let ngo = app.token_of("ngo@demo.birlik.kz").await;
    let (_, point, name) = ngo_point(&app).await;
    let mut file =
        String::from("collectionPointId,category,kilograms,itemCount,description,receivedAt\n");
    for i in 0..10_000 {
        let at = if i % 2 == 0 { &point } else { &name };
        file.push_str(&format!(
            "{at},{},{}.{:03},{},row {i},2024-04-{:02}\n",
            ["FOOD", "Одежда", "Hygiene", "Дәрі-дәрмек"][i % 4],
            1 + i % 50,
            i % 1000,
            1 + i % 9,
            1 + i % 28
        ));
    }
    let count = donation_count(&app).await;
    let started = Instant::now();
    let (status, body) = send(&app, Some(&ngo), &file).await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "10,000 rows ({} KiB) imported in {seconds:.2} s on {}",
        file.len() / 1024,
        if crate::helpers::db::on_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["imported"], 10_000);
    assert_eq!(donation_count(&app).await, count + 10_000);
    assert!(seconds < 120.0, "10,000 rows took {seconds:.1} s");
}

const IMPORT: &str = "mutation($input: ImportDonationsInput!) { importDonations(input: $input) { imported kilograms replayed firstDonationId } }";

#[tokio::test]
async fn the_import_mutation_refuses_bad_rows_and_replays() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let (_, point, _) = ngo_point(&app).await;
    let theirs = other_point(&app).await;
    let count = donation_count(&app).await;
    let bad = json!({ "input": { "rows": [
        { "collectionPointId": point, "category": "FOOD", "kilograms": "2" },
        { "collectionPointId": point, "category": "FOOD", "kilograms": "-1" },
        { "collectionPointId": theirs, "category": "CLOTHING", "kilograms": "1" },
        { "collectionPointId": "bm90IGFuIGlk", "category": "CLOTHING", "kilograms": "1", "receivedAt": "2999-01-01T00:00:00Z" },
    ] } });
    let gql = ngo.gql(IMPORT, bad).await;
    gql.assert_code("BAD_USER_INPUT");
    let errors: Vec<(u64, String)> = gql.body["errors"][0]["extensions"]["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", gql.body))
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (1, "kilograms".to_owned()),
            (2, "collectionPointId".to_owned()),
            (3, "collectionPointId".to_owned()),
            (3, "receivedAt".to_owned()),
        ],
        "{}",
        gql.body
    );
    assert_eq!(donation_count(&app).await, count);

    let good = json!({ "input": { "rows": [
        { "collectionPointId": point, "category": "FOOD", "kilograms": "2", "description": "rice" },
        { "collectionPointId": point, "category": "MEDICINE", "kilograms": 0.5, "itemCount": 3 },
    ] } });
    let first = ngo.gql(IMPORT, good.clone()).await;
    let first = first.data()["importDonations"].clone();
    assert_eq!(first["imported"], 2);
    assert_eq!(first["kilograms"], "2.5");
    assert_eq!(first["replayed"], false);
    let again = ngo.gql(IMPORT, good).await;
    let again = &again.data()["importDonations"];
    assert_eq!(again["replayed"], true);
    assert_eq!(again["firstDonationId"], first["firstDonationId"]);
    assert_eq!(donation_count(&app).await, count + 2);

    let many: Vec<Value> = (0..501)
        .map(|_| json!({ "collectionPointId": point, "category": "FOOD", "kilograms": "1" }))
        .collect();
    let gql = ngo.gql(IMPORT, json!({ "input": { "rows": many } })).await;
    gql.assert_code("BAD_USER_INPUT");
    assert_eq!(donation_count(&app).await, count + 2);
}

#[tokio::test]
async fn birlik_import_donations_sends_a_file_and_prints_a_summary() {
    let app = spawn_app_with_demo().await;
    let ngo = app.token_of("ngo@demo.birlik.kz").await;
    let (_, point, name) = ngo_point(&app).await;
    let dir = tempfile::TempDir::new().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!("collectionPointId,category,kilograms\n{point},FOOD,1.5\n{name},Одежда,2\n"),
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("collectionPointId,category,kilograms\n{point},FOOD,1\n{point},toys,-2\n"),
    )
    .unwrap();
    let run = |file: std::path::PathBuf| {
        let (base, token) = (app.base.clone(), ngo.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_birlik"))
                .args(["import", "donations"])
                .arg(file)
                .args(["--url", &base])
                .env("BIRLIK_TOKEN", token)
                .env("RUST_LOG", "warn")
                .output()
                .unwrap()
        })
    };
    let count = donation_count(&app).await;
    let out = run(good.clone()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("imported 2 donations (3.5 kg)"), "{stdout}");
    assert_eq!(donation_count(&app).await, count + 2);

    let out = run(good).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("already imported"), "{stdout}");

    let out = run(bad).await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("line 3, category"), "{stderr}");
    assert!(stderr.contains("line 3, kilograms"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(donation_count(&app).await, count + 2);
}
