//! Bounds on what one request may cost and leave behind (issue 13): a region's collection
//! points load in one batch for every region; filters have widths, sizes and text lengths
//! checked before any SQL; a client's kilograms never overflow; persisted queries are stored
//! only once valid, in a store with a cap; the tables that grow with traffic are pruned.

use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::app::spawn_with;
use crate::helpers::db::{TestDb, on_postgres};
use crate::helpers::ops::sha256_hex;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::{int, ints};

#[tokio::test]
async fn collection_points_of_every_region_load_in_one_batch_and_page_like_sql() {
    let app = spawn_app_with_demo().await;
    let anonymous = app.anonymous();
    let db = app.db.connect().await;
    let query = "query($first: Int, $last: Int) { regions { code collectionPoints(first: $first, last: $last) \
        { totalCount pageInfo { hasNextPage hasPreviousPage } nodes { id name organization { name } } } } }";
    for variables in [
        json!({ "first": 2 }),
        // More than any region has (a page of 100 for 20 regions is over the complexity limit).
        json!({ "first": 30 }),
        json!({ "last": 3 }),
        json!({}),
    ] {
        let before = app.statements().await;
        let answer = anonymous.gql(query, variables.clone()).await;
        let regions = answer.data()["regions"].as_array().unwrap().clone();
        // The pages, the counts, the organizations: whatever the page and the 20 regions.
        assert_eq!(app.statements().await - before, 3, "{variables}");
        assert_eq!(regions.len(), 20);
        for region in &regions {
            let code = region["code"].as_str().unwrap();
            let of_region = format!(
                "SELECT id FROM collection_point WHERE region_id = \
                 (SELECT id FROM region WHERE code = '{code}') ORDER BY id"
            );
            let all = ints(&db, &of_region).await;
            let points = &region["collectionPoints"];
            assert_eq!(points["totalCount"], all.len(), "{code}");
            let ids: Vec<i64> = points["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    let id = n["id"].as_str().unwrap();
                    birlik_api::graphql::relay::decode("CollectionPoint", "id", id).unwrap() as i64
                })
                .collect();
            let expected: Vec<i64> = match (variables["first"].as_u64(), variables["last"].as_u64())
            {
                (_, Some(last)) => all[all.len().saturating_sub(last as usize)..].to_vec(),
                (first, None) => all
                    .iter()
                    .copied()
                    .take(first.unwrap_or(20) as usize)
                    .collect(),
            };
            assert_eq!(ids, expected, "{code} {variables}");
            let more = all.len() > expected.len();
            let (next, previous) = if variables["last"].is_null() {
                (more, false)
            } else {
                (false, more)
            };
            assert_eq!(points["pageInfo"]["hasNextPage"], next, "{code}");
            assert_eq!(points["pageInfo"]["hasPreviousPage"], previous, "{code}");
        }
    }
    // The next page of every region from a cursor, still one batch.
    let first = anonymous
        .gql(
            "{ regions { code collectionPoints(first: 1) { pageInfo { endCursor } } } }",
            json!({}),
        )
        .await;
    let kz71 = first.data()["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "KZ-71")
        .unwrap()["collectionPoints"]["pageInfo"]["endCursor"]
        .clone();
    let next = anonymous
        .gql(
            "query($after: String) { region(code: \"KZ-71\") { collectionPoints(first: 1, after: $after) { nodes { id } } } }",
            json!({ "after": kz71 }),
        )
        .await;
    let second = ints(
        &db,
        "SELECT id FROM collection_point WHERE region_id = (SELECT id FROM region WHERE code = 'KZ-71') ORDER BY id LIMIT 1 OFFSET 1",
    )
    .await;
    assert_eq!(
        next.data()["region"]["collectionPoints"]["nodes"][0]["id"],
        birlik_api::graphql::relay::encode("CollectionPoint", second[0] as i32).0
    );
}

#[tokio::test]
async fn collection_points_under_thousands_of_rows_still_load_in_one_batch() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    // Thousands of rows (a day and an organization each), each with its region's points.
    let query = "{ donationStats(groupBy: [REGION, DAY, ORGANIZATION]) { region { code \
        collectionPoints(first: 5) { totalCount nodes { id } } } } }";
    // The account and the GROUP BY; then the pages, and the counts.
    for (q, expected) in [
        ("{ region { code } }", 2),
        (
            "{ region { collectionPoints(first: 5) { totalCount } } }",
            4,
        ),
        (
            "{ region { collectionPoints(last: 2) { nodes { id } } } }",
            3,
        ),
    ] {
        let q = format!("{{ donationStats(groupBy: [REGION, DAY, ORGANIZATION]) {q} }}");
        let before = app.statements().await;
        ministry.gql(&q, json!({})).await.data();
        assert_eq!(app.statements().await - before, expected, "{q}");
    }
    let before = app.statements().await;
    let answer = ministry.gql(query, json!({})).await;
    let rows = answer.data()["donationStats"].as_array().unwrap().len();
    assert!(rows > 1000, "{rows} rows");
    // The account, the GROUP BY, the pages, the counts.
    assert_eq!(app.statements().await - before, 4);
}

/// Sends a query and checks it is refused with BAD_USER_INPUT naming `field`, before any SQL.
async fn refused_before_sql(
    app: &crate::helpers::TestApp,
    client: &crate::helpers::client::Client,
    query: &str,
    variables: Value,
    field: &str,
) {
    let before = app.statements().await;
    let refused = client.gql(query, variables).await;
    refused.assert_code("BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"], field,
        "{}",
        refused.body
    );
    // Only the account check of a signed-in caller.
    assert!(app.statements().await - before <= 1, "no SQL for {field}");
}

#[tokio::test]
async fn filters_wider_or_larger_than_the_limits_are_refused_naming_the_argument() {
    use birlik_api::graphql::filters::{MAX_FILTER_TERMS, MAX_FILTER_TEXT, MAX_FILTER_WIDTH};
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let donations =
        "query($filter: DonationFilter) { donations(filter: $filter, first: 1) { totalCount } }";
    let contains = |i: usize| json!({ "description": { "contains": format!("x{i}") } });
    let wide_or: Vec<Value> = (0..=MAX_FILTER_WIDTH).map(contains).collect();
    refused_before_sql(
        &app,
        &ministry,
        donations,
        json!({ "filter": { "or": wide_or } }),
        "filter.or",
    )
    .await;
    let wide_in: Vec<Value> = (0..=MAX_FILTER_WIDTH).map(|i| json!(i)).collect();
    refused_before_sql(
        &app,
        &ministry,
        donations,
        json!({ "filter": { "and": [{ "itemCount": { "notIn": wide_in } }] } }),
        "filter.and[0].itemCount.notIn",
    )
    .await;
    // Narrow lists that hold too many values together.
    let narrow = |n: usize| {
        (0..n)
            .map(|i| json!({ "itemCount": { "in": [i, i + 1, i + 2] } }))
            .collect::<Vec<_>>()
    };
    let terms = MAX_FILTER_TERMS / 3 + 1;
    refused_before_sql(
        &app,
        &ministry,
        donations,
        json!({ "filter": { "or": narrow(terms) } }),
        "filter",
    )
    .await;
    let long = "я".repeat(MAX_FILTER_TEXT + 1);
    refused_before_sql(
        &app,
        &ministry,
        donations,
        json!({ "filter": { "description": { "contains": long } } }),
        "filter.description.contains",
    )
    .await;
    // Literals and variable defaults are read alike.
    let literal = format!(
        "{{ donations(filter: {{ or: [{}] }}) {{ totalCount }} }}",
        (0..=MAX_FILTER_WIDTH)
            .map(|i| format!("{{ itemCount: {{ eq: {i} }} }}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let tokens_allowed = birlik_api::graphql::limits::count_tokens(&literal, 100_000);
    let app_big = spawn_with(TestDb::demo().await, |c| {
        c.max_tokens = tokens_allowed as u64 + 10
    })
    .await;
    let ministry_big = app_big.as_demo_ministry().await;
    refused_before_sql(&app_big, &ministry_big, &literal, json!({}), "filter.or").await;
    let defaulted = format!(
        "query($s: [DonationStatus!] = [{}]) {{ donations(filter: {{ status: {{ in: $s }} }}) {{ totalCount }} }}",
        vec!["RECEIVED"; MAX_FILTER_WIDTH + 1].join(", ")
    );
    refused_before_sql(
        &app_big,
        &ministry_big,
        &defaulted,
        json!({}),
        "filter.status.in",
    )
    .await;
    // Another list argument of a query is bounded alike.
    let flows = "query($s: [ShipmentStatus!]) { shipmentFlows(status: $s) { shipmentCount } }";
    refused_before_sql(
        &app,
        &ministry,
        flows,
        json!({ "s": vec!["DELIVERED"; MAX_FILTER_WIDTH + 1] }),
        "status",
    )
    .await;

    // At the limits, the filter runs.
    let widest: Vec<Value> = (0..MAX_FILTER_WIDTH).map(contains).collect();
    let ok = ministry
        .gql(donations, json!({ "filter": { "or": widest } }))
        .await;
    assert_eq!(ok.data()["donations"]["totalCount"], 0);
}

#[tokio::test]
async fn kilograms_near_the_decimal_maximum_are_refused_not_a_panic() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let query =
        "query($filter: DonationFilter) { donations(filter: $filter, first: 1) { totalCount } }";
    for kilograms in [
        json!("79228162514264337593543950335"),
        json!("-79228162514264337593543950335"),
        json!(7.9e28),
        json!("9223372036854775.808"),
        json!("0.0001"),
    ] {
        for op in ["eq", "gt", "in"] {
            let value = if op == "in" {
                json!([kilograms])
            } else {
                kilograms.clone()
            };
            let mut compare = serde_json::Map::new();
            compare.insert(op.to_owned(), value);
            let refused = ministry
                .gql(query, json!({ "filter": { "kilograms": compare } }))
                .await;
            refused.assert_code("BAD_USER_INPUT");
            assert_eq!(
                refused.body["errors"][0]["extensions"]["field"], "filter.kilograms",
                "{kilograms} {op}: {}",
                refused.body
            );
        }
    }
    let literal = ministry
        .gql(
            "{ donations(filter: { shippedKilograms: { lt: \"79228162514264337593543950335\" } }) { totalCount } }",
            json!({}),
        )
        .await;
    literal.assert_code("BAD_USER_INPUT");
    // The server still serves.
    let ok = ministry
        .gql(
            query,
            json!({ "filter": { "kilograms": { "gt": "1000000" } } }),
        )
        .await;
    assert_eq!(ok.data()["donations"]["totalCount"], 0);
}

/// Posts a body to `/graphql`.
async fn post(app: &crate::helpers::TestApp, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/graphql", app.base))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn persisted(query: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(query) } })
}

async fn stored(app: &crate::helpers::TestApp) -> i64 {
    int(
        &app.db.connect().await,
        "SELECT count(*) FROM persisted_query",
    )
    .await
}

#[tokio::test]
async fn only_documents_that_validate_become_persisted_queries() {
    let app = spawn_app_with_demo().await;
    // Does not parse; does not validate; over a limit: each is refused and nothing is stored.
    let deep = format!(
        "{{ regions {{ {} }} }}",
        "collectionPoints { nodes { region { ".repeat(4) + "code" + &" } } }".repeat(4)
    );
    let over = format!(
        "{{ {} }}",
        (0..11)
            .map(|i| format!("r{i}: reliefSummary {{ asOf }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (query, code) in [
        ("{ regions { code ", "BAD_USER_INPUT"),
        ("{ regions { noSuchField } }", "BAD_USER_INPUT"),
        ("{ regions(first: 1) { code } }", "BAD_USER_INPUT"),
        (deep.as_str(), "BAD_USER_INPUT"),
        (over.as_str(), "BAD_USER_INPUT"),
    ] {
        let refused = post(
            &app,
            json!({ "query": query, "extensions": persisted(query) }),
        )
        .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], code,
            "{query}: {refused}"
        );
        let miss = post(&app, json!({ "extensions": persisted(query) })).await;
        assert_eq!(
            miss["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
            "{query}: {miss}"
        );
    }
    assert_eq!(stored(&app).await, 0);
    // A valid one is stored, and later sent by its hash alone.
    let query = "{ regions { code } }";
    let first = post(
        &app,
        json!({ "query": query, "extensions": persisted(query) }),
    )
    .await;
    assert_eq!(first["data"]["regions"].as_array().unwrap().len(), 20);
    let hit = post(&app, json!({ "extensions": persisted(query) })).await;
    assert_eq!(
        hit["data"]["regions"].as_array().unwrap().len(),
        20,
        "{hit}"
    );
    assert_eq!(stored(&app).await, 1);
}

#[tokio::test]
async fn the_persisted_query_store_keeps_the_most_recently_used_up_to_its_cap() {
    let app = spawn_with(TestDb::demo().await, |c| c.persisted_query_max = 2).await;
    let db = app.db.connect().await;
    let queries = [
        "{ regions { code } }",
        "{ regions { name } }",
        "{ regions { kind } }",
    ];
    let register = |q: &'static str| {
        let app = &app;
        async move {
            let answer = post(app, json!({ "query": q, "extensions": persisted(q) })).await;
            assert!(answer["errors"].is_null(), "{answer}");
        }
    };
    let known = |q: &'static str| {
        let app = &app;
        async move {
            let answer = post(app, json!({ "extensions": persisted(q) })).await;
            answer["errors"].is_null()
        }
    };
    register(queries[0]).await;
    register(queries[1]).await;
    // The first was used long ago (as if two hours passed); being asked for marks it used now.
    let back = if on_postgres() {
        "UPDATE persisted_query SET last_used_at = last_used_at - INTERVAL '2 hours', created_at = created_at - INTERVAL '2 hours'"
    } else {
        "UPDATE persisted_query SET last_used_at = datetime(last_used_at, '-2 hours'), created_at = datetime(created_at, '-2 hours')"
    };
    db.execute_unprepared(&format!("{back} WHERE query = '{}'", queries[0]))
        .await
        .unwrap();
    db.execute_unprepared(&format!("{back} WHERE query = '{}'", queries[1]))
        .await
        .unwrap();
    assert!(known(queries[0]).await);
    // A third evicts the least recently used: the second.
    register(queries[2]).await;
    assert_eq!(stored(&app).await, 2);
    assert!(known(queries[0]).await, "used most recently");
    assert!(!known(queries[1]).await, "evicted");
    assert!(known(queries[2]).await);
}

#[tokio::test]
async fn the_growing_tables_are_pruned_on_schedule_and_live_rows_kept() {
    let app = spawn_with(TestDb::demo().await, |c| {
        c.prune_interval_s = 1;
        c.idempotency_retention_s = 3600;
        c.persisted_query_retention_s = 3600;
    })
    .await;
    let db = app.db.connect().await;
    let count = |table: &'static str| {
        let db = db.clone();
        async move { int(&db, &format!("SELECT count(*) FROM {table}")).await }
    };
    // Two sessions, two failed logins, two idempotency keys, two persisted queries.
    app.login("ngo@demo.birlik.kz").await;
    app.login("volunteer@demo.birlik.kz").await;
    for login in ["nobody-1@example.kz", "nobody-2@example.kz"] {
        app.anonymous()
            .gql(
                crate::helpers::ops::LOGIN,
                json!({ "login": login, "password": "wrong-password" }),
            )
            .await;
    }
    let ngo = app.as_demo_ngo().await;
    let starts = chrono::Utc::now() + chrono::Duration::hours(3);
    for key in ["k1", "k2"] {
        let post = json!({ "input": { "title": "Погрузка", "kind": "LOADING", "regionCode": "KZ-39", "startsAt": starts,
            "endsAt": starts + chrono::Duration::hours(2), "volunteersNeeded": 2, "idempotencyKey": key } });
        ngo.gql(crate::helpers::ops::POST_TASK, post).await.data();
    }
    for q in ["{ regions { code } }", "{ regions { name } }"] {
        post(&app, json!({ "query": q, "extensions": persisted(q) })).await;
    }
    let sessions = count("session").await;
    assert!(sessions >= 2);
    assert_eq!(count("login_failure").await, 2);
    assert_eq!(count("idempotency_key").await, 2);
    assert_eq!(count("persisted_query").await, 2);

    // Age one of each past its retention (as if time passed).
    let ago = |hours: i64| {
        if on_postgres() {
            format!("now() - INTERVAL '{hours} hours'")
        } else {
            format!("datetime('now', '-{hours} hours')")
        }
    };
    let min = |table: &str, column: &str| format!("(SELECT min({column}) FROM {table})");
    for sql in [
        format!(
            "UPDATE session SET created_at = {}, expires_at = {} WHERE id = {}",
            ago(3),
            ago(1),
            min("session", "id")
        ),
        format!(
            "UPDATE login_failure SET at = {} WHERE id = {}",
            ago(1),
            min("login_failure", "id")
        ),
        format!(
            "UPDATE idempotency_key SET created_at = {} WHERE id = {}",
            ago(2),
            min("idempotency_key", "id")
        ),
        format!(
            "UPDATE persisted_query SET created_at = {}, last_used_at = {} WHERE query = '{{ regions {{ code }} }}'",
            ago(2),
            ago(2)
        ),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }
    let mut waited = Duration::ZERO;
    while count("persisted_query").await > 1 || count("idempotency_key").await > 1 {
        assert!(
            waited < Duration::from_secs(10),
            "pruned within a few intervals"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += Duration::from_millis(200);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(count("session").await, sessions - 1);
    assert_eq!(count("login_failure").await, 1);
    assert_eq!(count("idempotency_key").await, 1);
    assert_eq!(count("persisted_query").await, 1);
    // The live ones still work: the remaining key replays, the remaining query answers.
    let q = "{ regions { name } }";
    let hit = post(&app, json!({ "extensions": persisted(q) })).await;
    assert!(hit["errors"].is_null(), "{hit}");
}
