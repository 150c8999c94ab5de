//! Abusive and malformed requests: each is refused with a clear error before any SQL runs, and
//! the server answers a health query within a second afterwards.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::app::{TestApp, spawn_app_with_demo, spawn_with};
use crate::helpers::db::TestDb;
use crate::helpers::ops;

const GRAPHIQL_INTROSPECTION: &str = include_str!("fixtures/graphiql-introspection.graphql");

/// The server still answers, at once.
async fn still_answers(app: &TestApp) {
    let started = Instant::now();
    let health = app.anonymous().gql("{ __typename }", json!({})).await;
    assert_eq!(health.data()["__typename"], "Query");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered in {:?}",
        started.elapsed()
    );
}

fn post(app: &TestApp) -> reqwest::RequestBuilder {
    reqwest::Client::new().post(format!("{}/graphql", app.base))
}

#[tokio::test]
async fn every_query_over_a_limit_is_refused_before_any_sql() {
    let app = spawn_app_with_demo().await;
    let token = app.login("ministry@demo.birlik.kz").await;
    let ministry = app.anonymous().with_token(&token);
    let nested = |depth: usize| {
        // regions → collectionPoints → nodes → region → collectionPoints → …: data `depth` deep.
        let steps = ["collectionPoints(first: 1)", "nodes", "region"];
        let mut query = "code".to_owned();
        for i in (0..depth - 2).rev() {
            query = format!("{} {{ {query} }}", steps[i % 3]);
        }
        format!("{{ regions {{ {query} }} }}")
    };
    let aliases: String = (0..16).map(|i| format!("a{i}: __typename ")).collect();
    let roots: String = (0..11)
        .map(|i| format!("r{i}: reliefSummary {{ collectedTonnes }} "))
        .collect();
    let directives = "@include(if: true) ".repeat(21);
    let fragments: String = (0..21)
        .map(|i| format!("fragment F{i} on Query {{ __typename }} "))
        .collect();
    let tokens = format!("{{ {} }}", "__typename ".repeat(1001));
    let cases: Vec<(&str, String)> = vec![
        ("depth", nested(12)),
        (
            "complexity",
            format!(
                "{{ {} }}",
                (0..10)
                    .map(|i| format!(
                        "t{i}: tasks(first: 100) {{ edges {{ cursor node {{ \
                         id title status kind volunteersNeeded volunteersAssigned version startsAt endsAt \
                         region {{ code name }} }} }} }} "
                    ))
                    .collect::<String>()
            ),
        ),
        ("aliases", format!("{{ {aliases} }}")),
        ("rootFields", format!("{{ {roots} }}")),
        ("directives", format!("{{ __typename {directives} }}")),
        ("fragments", format!("{{ ...F0 }} {fragments}")),
        ("tokens", tokens),
        (
            "introspection",
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }".to_owned(),
        ),
    ];
    for (limit, query) in cases {
        let before = app.statements().await;
        let refused = ministry.gql(&query, json!({})).await;
        refused.assert_code("BAD_USER_INPUT");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["limit"], limit,
            "{limit}: {}",
            refused.body
        );
        assert!(refused.body["data"].is_null());
        // Only the per-request account check ran.
        assert!(
            app.statements().await - before <= 1,
            "{limit}: no SQL beyond the account check"
        );
        still_answers(&app).await;
    }

    // A fragment cycle is refused, not walked forever.
    let cycle = ministry
        .gql(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            json!({}),
        )
        .await;
    cycle.assert_code("BAD_USER_INPUT");
    still_answers(&app).await;

    // A deeply nested document is refused by the parser's own recursion limit.
    let deep = format!("{}{}", "{ a ".repeat(200), "}".repeat(200));
    ministry
        .gql(&deep, json!({}))
        .await
        .assert_code("BAD_USER_INPUT");
    still_answers(&app).await;

    // The largest pages of the clients' own operations pass, and so does GraphiQL's introspection.
    let tasks = ministry
        .gql(ops::AD_HOC_DONATIONS, json!({ "first": 100 }))
        .await;
    tasks.data();
    let schema = app.anonymous().gql(GRAPHIQL_INTROSPECTION, json!({})).await;
    assert!(
        schema.data()["__schema"]["types"].as_array().unwrap().len() > 50,
        "the whole schema"
    );
}

#[tokio::test]
async fn malformed_and_cross_site_requests_are_refused_and_change_nothing() {
    let app = spawn_app_with_demo().await;
    let token = app.login("ngo@demo.birlik.kz").await;
    let donations = |db: sea_orm::DatabaseConnection| async move {
        crate::helpers::sql::int(&db, "SELECT count(*) FROM donation").await
    };
    let before = donations(app.db.connect().await).await;

    // A mutation sent as a cross-site form or text/plain would be: 415, nothing run.
    let mutation = json!({ "query": ops::REGISTER_DONATION, "variables": { "input": {} } });
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let resp = post(&app)
            .bearer_auth(&token)
            .header("Content-Type", content_type)
            .body(mutation.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 415, "{content_type}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // A header that forces a CORS preflight makes another content type acceptable.
    let preflighted = post(&app)
        .header("Content-Type", "text/plain")
        .header("GraphQL-Preflight", "1")
        .body(json!({ "query": "{ __typename }" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(preflighted.status(), 200);

    // Bodies: too large (413), not JSON, invalid UTF-8, not a request, an empty batch (400).
    let huge = json!({ "query": format!("{{ __typename }} #{}", "x".repeat(200_000)) });
    let resp = post(&app).json(&huge).send().await.unwrap();
    assert_eq!(resp.status(), 413);
    for body in [
        b"{ not json".to_vec(),
        vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
        b"42".to_vec(),
        b"[]".to_vec(),
        b"{\"query\": 7}".to_vec(),
    ] {
        let resp = post(&app)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{}", String::from_utf8_lossy(&body));
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }

    // NUL bytes, in a variable or a literal, are refused naming where they were.
    let login = app
        .anonymous()
        .gql(ops::LOGIN, json!({ "login": "a\u{0}b", "password": "x" }))
        .await;
    login.assert_code("BAD_USER_INPUT");
    assert_eq!(login.body["errors"][0]["extensions"]["field"], "$login");
    let literal = app
        .anonymous()
        .gql(
            r#"mutation { login(login: "a\u0000b", password: "x") { accessToken } }"#,
            json!({}),
        )
        .await;
    literal.assert_code("BAD_USER_INPUT");

    // Malformed ids, cursors and enum values.
    let ngo = app.anonymous().with_token(&token);
    for (query, variables) in [
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": "%%%not-base64" }),
        ),
        (
            ops::ORGANIZATION_DONATIONS,
            json!({ "first": 5, "after": "garbage" }),
        ),
        (
            ops::ORGANIZATION_DONATIONS,
            json!({ "first": 5, "filter": { "category": { "eq": "GOLD" } } }),
        ),
        (ops::ORGANIZATION_DONATIONS, json!({ "first": -1 })),
    ] {
        let refused = ngo.gql(query, variables.clone()).await;
        refused.assert_code("BAD_USER_INPUT");
        let _ = variables;
    }

    assert_eq!(
        donations(app.db.connect().await).await,
        before,
        "nothing written"
    );
    still_answers(&app).await;
}

#[tokio::test]
async fn a_flood_from_one_client_is_limited_and_others_are_not() {
    use birlik_api::config::RateLimit;
    let app = spawn_with(TestDb::demo().await, |c| {
        c.rate_limit = RateLimit {
            per_second: 5,
            burst: 10,
        }
    })
    .await;
    // Log in first: the flood below comes from the same address.
    let token = app.login("volunteer@demo.birlik.kz").await;
    let send = || {
        post(&app)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
    };
    let started = Instant::now();
    let responses = futures_util::future::join_all((0..40).map(|_| send())).await;
    let statuses: Vec<u16> = responses
        .iter()
        .map(|r| r.as_ref().unwrap().status().as_u16())
        .collect();
    let allowed = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(allowed + limited, 40, "{statuses:?}");
    // The burst (less the login, from the same address), and at most the few that the rate
    // refilled meanwhile.
    let refilled = (started.elapsed().as_secs_f64() * 5.0).ceil() as usize + 1;
    assert!(
        (9..=9 + refilled).contains(&allowed),
        "{allowed} allowed in {:?}",
        started.elapsed()
    );
    let refused = responses
        .into_iter()
        .map(Result::unwrap)
        .find(|r| r.status() == 429)
        .unwrap();
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], retry_after);

    // A signed-in client counts on its own.
    let me = app
        .anonymous()
        .with_token(&token)
        .gql(ops::ME, json!({}))
        .await;
    me.data();

    // After the wait it names, the flooding address is served again.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn introspection_graphiql_and_suggestions_can_be_turned_off() {
    let app = spawn_with(TestDb::demo().await, |c| c.introspection = false).await;
    let refused = app.anonymous().gql(GRAPHIQL_INTROSPECTION, json!({})).await;
    assert!(
        refused.body["data"]["__schema"].is_null(),
        "{}",
        refused.body
    );
    // Refused with a code and a reason, not answered with a silent null.
    refused.assert_code("FORBIDDEN");
    let typo = app
        .anonymous()
        .gql("{ reliefSumary { collectedTonnes } }", json!({}))
        .await;
    let message = typo.body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    let page = reqwest::Client::new()
        .get(format!("{}/graphql", app.base))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(!page.text().await.unwrap().contains("graphiql"));
    // The data still flows.
    let summary = app.anonymous().gql(ops::RELIEF_SUMMARY, json!({})).await;
    assert_eq!(summary.data()["reliefSummary"]["collectedTonnes"], "10520");

    // By default all three are on.
    let app = spawn_app_with_demo().await;
    let typo = app
        .anonymous()
        .gql("{ reliefSumary { collectedTonnes } }", json!({}))
        .await;
    let message = typo.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Did you mean"), "{message}");
    let page = reqwest::Client::new()
        .get(format!("{}/graphql", app.base))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        page.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
}

#[tokio::test]
async fn a_request_over_its_time_limit_is_abandoned_with_503() {
    let app = spawn_with(TestDb::demo().await, |c| c.request_timeout_ms = 1).await;
    // Even a login runs out of time here: the token is minted directly.
    let db = app.db.connect().await;
    let user_id = crate::helpers::sql::int(
        &db,
        "SELECT id FROM user_account WHERE email = 'ministry@demo.birlik.kz'",
    )
    .await;
    let (token, _) = app
        .keys
        .issue(
            i32::try_from(user_id).unwrap(),
            birlik_entity::enums::Role::Ministry,
            None,
            None,
        )
        .unwrap();
    let resp = post(&app)
        .bearer_auth(&token)
        .json(&json!({
            "query": ops::DONATION_STATS,
            "variables": { "groupBy": ["REGION", "CATEGORY", "DAY"] }
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
}

#[tokio::test]
async fn bad_values_are_refused_naming_the_field_and_write_nothing() {
    use crate::helpers::sql::int;
    use birlik_api::graphql::relay::encode;
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let ngo = app.as_demo_ngo().await;
    let point = int(
        &db,
        "SELECT MIN(id) FROM collection_point WHERE organization_id = \
         (SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')",
    )
    .await as i32;
    let stock = int(
        &db,
        "SELECT MIN(id) FROM donation WHERE status = 'received' AND shipped_grams = 0 AND organization_id = \
         (SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')",
    )
    .await as i32;
    let counts = || async {
        let mut out = Vec::new();
        for table in ["donation", "shipment", "task", "volunteer", "audit_event"] {
            out.push(int(&db, &format!("SELECT count(*) FROM {table}")).await);
        }
        out
    };
    let before = counts().await;

    let donation = |field: &str, value: Value| {
        let mut input = json!({
            "collectionPointId": encode("CollectionPoint", point).0, "category": "DRINKING_WATER",
            "kilograms": 10, "description": "вода", "idempotencyKey": format!("bad-{field}-{value}"),
        });
        input[field] = value;
        json!({ "input": input })
    };
    let starts = chrono::Utc::now() + chrono::Duration::hours(1);
    let task = |field: &str, value: Value| {
        let mut input = json!({
            "title": "Погрузка", "description": "мешки", "kind": "LOADING", "regionCode": "KZ-39",
            "volunteersNeeded": 3, "startsAt": starts, "endsAt": starts + chrono::Duration::hours(2),
        });
        input[field] = value;
        json!({ "input": input })
    };
    let items = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|_| json!({ "donationId": encode("Donation", stock).0, "kilograms": "0.001" }))
            .collect()
    };
    let shipment = |n: usize| {
        json!({ "input": { "destinationRegionCode": "KZ-39", "items": items(n), "vehicle": "КамАЗ",
            "driverName": "Ерлан", "driverPhone": "+7 701 555 12 34", "idempotencyKey": format!("huge-{n}") } })
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            ops::REGISTER_DONATION,
            donation("kilograms", json!(-5)),
            "input.kilograms",
        ),
        (
            ops::REGISTER_DONATION,
            donation("kilograms", json!(0)),
            "input.kilograms",
        ),
        (
            ops::REGISTER_DONATION,
            donation("kilograms", json!("79228162514264337593543950335")),
            "input.kilograms",
        ),
        (
            ops::REGISTER_DONATION,
            donation("kilograms", json!(1_000_001)),
            "input.kilograms",
        ),
        (
            ops::REGISTER_DONATION,
            donation("kilograms", json!("0.0001")),
            "input.kilograms",
        ),
        (
            ops::REGISTER_DONATION,
            donation("description", json!("x".repeat(5000))),
            "input.description",
        ),
        (
            ops::REGISTER_DONATION,
            donation("collectionPointId", json!("bm9wZQ")),
            "input.collectionPointId",
        ),
        (
            ops::POST_TASK,
            task("endsAt", json!(starts - chrono::Duration::hours(1))),
            "input.endsAt",
        ),
        (
            ops::POST_TASK,
            task("volunteersNeeded", json!(0)),
            "input.volunteersNeeded",
        ),
        (
            ops::POST_TASK,
            task("volunteersNeeded", json!(1_000_000)),
            "input.volunteersNeeded",
        ),
        (
            ops::POST_TASK,
            task("regionCode", json!("KZ-99")),
            "input.regionCode",
        ),
        // Over the item cap (ten thousand would not even fit in a body: 413, tested above).
        (ops::PLAN_SHIPMENT, shipment(501), "input.items"),
    ];
    for (query, variables, field) in cases {
        let refused = ngo.gql(query, variables).await;
        assert!(
            !refused.body["errors"].is_null(),
            "{field} accepted: {}",
            refused.body
        );
        refused.assert_code("BAD_USER_INPUT");
        let named = refused.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or("");
        assert!(
            named == field
                || named.starts_with(&format!("{field}."))
                || named.starts_with(&format!("{field}[")),
            "{field}: {}",
            refused.body
        );
    }
    // A value that is no number at all fails the scalar itself: refused as input, naming the type
    // and the input field it was given for (issue 13), before anything runs.
    for value in [json!("1e40"), json!("ten"), json!(true)] {
        let refused = ngo
            .gql(ops::REGISTER_DONATION, donation("kilograms", value))
            .await;
        refused.assert_code("BAD_USER_INPUT");
        let message = refused.body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("Decimal") && message.contains("input.kilograms"),
            "{message}"
        );
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"], "input.kilograms",
            "{}",
            refused.body
        );
    }
    // Sign-up: phone, email, region, password, lengths.
    let sign_up = |field: &str, value: Value| {
        let mut input = json!({ "fullName": "Дана", "phone": "+77071239999", "password": "long-enough-1",
            "regionCode": "KZ-39" });
        input[field] = value;
        json!({ "input": input })
    };
    for (field, value) in [
        ("phone", json!("12345")),
        ("phone", json!("+1 555 0100")),
        ("email", json!("not-an-email")),
        ("regionCode", json!("KZ-00")),
        ("password", json!("short")),
        ("fullName", json!("a".repeat(1000))),
    ] {
        let refused = app
            .anonymous()
            .gql(ops::SIGN_UP, sign_up(field, value))
            .await;
        refused.assert_code("BAD_USER_INPUT");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"],
            format!("input.{field}"),
            "{}",
            refused.body
        );
    }
    assert_eq!(counts().await, before, "nothing was written");
    still_answers(&app).await;
}
