//! One gate for every transport: HTTP POST, batches, GET and WebSocket operations count against
//! the same rate, run within the same time limit (their statement stopped when it runs out),
//! and are counted alike; sockets are bounded per address; `connection_init` closes with the
//! protocol's codes; a mixed batch is never public; NULs in defaults are refused; a token
//! issued in the future is not accepted.

use std::time::{Duration, Instant};

use birlik_api::config::RateLimit;
use serde_json::{Value, json};

use crate::helpers::app::{TestApp, spawn_app, spawn_app_with_demo, spawn_with};
use crate::helpers::db::{TestDb, on_postgres};
use crate::helpers::ops;
use crate::helpers::ws;

fn post(app: &TestApp) -> reqwest::RequestBuilder {
    reqwest::Client::new().post(format!("{}/graphql", app.base))
}

/// GraphQL operations the server has counted (its `/metrics` counter).
async fn operations_counted(app: &TestApp) -> u64 {
    let text = app.anonymous().get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("birlik_graphql_requests_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a request counter")
}

fn code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

/// The answers to operations `1..=n` sent on a graphql-transport-ws socket, by id.
async fn answers(socket: &mut ws::Socket, n: usize) -> Vec<Value> {
    let mut answers = vec![Value::Null; n];
    let mut complete = 0;
    while complete < n {
        let message = ws::next(socket, 10).await;
        let id: usize = message["id"].as_str().unwrap().parse().unwrap();
        match message["type"].as_str().unwrap() {
            "next" => answers[id - 1] = message["payload"].clone(),
            "complete" => complete += 1,
            other => panic!("unexpected {other}: {message}"),
        }
    }
    answers
}

#[tokio::test]
async fn operations_on_a_socket_count_against_the_rate_one_by_one() {
    let app = spawn_with(TestDb::migrated().await, |c| {
        c.rate_limit = RateLimit {
            per_second: 1,
            burst: 6,
        }
    })
    .await;
    let before = operations_counted(&app).await;
    // The upgrade counts one against the address, like any request.
    let mut socket = ws::connect(&app.base, None).await;
    for id in 1..=12 {
        ws::send(
            &mut socket,
            json!({ "id": id.to_string(), "type": "subscribe", "payload": { "query": "{ regions { code } }" } }),
        )
        .await;
    }
    let answers = answers(&mut socket, 12).await;
    let served = answers
        .iter()
        .filter(|a| a["data"]["regions"].is_array())
        .count();
    let limited = answers
        .iter()
        .filter(|a| code(a) == Some("RATE_LIMITED"))
        .count();
    assert_eq!(served + limited, 12, "{answers:?}");
    // The burst less the upgrade, and at most a couple the rate refilled meanwhile.
    assert!((5..=7).contains(&served), "{served} served: {answers:?}");
    let refused = answers
        .iter()
        .find(|a| code(a) == Some("RATE_LIMITED"))
        .unwrap();
    assert!(refused["errors"][0]["extensions"]["retryAfter"].as_u64() >= Some(1));
    // Each operation served is counted, as over HTTP.
    assert_eq!(operations_counted(&app).await - before, served as u64);
}

#[tokio::test]
async fn each_operation_of_a_batch_counts_against_the_rate() {
    let app = spawn_with(TestDb::migrated().await, |c| {
        c.rate_limit = RateLimit {
            per_second: 1,
            burst: 3,
        }
    })
    .await;
    let before = operations_counted(&app).await;
    let batch: Vec<Value> = (0..5)
        .map(|_| json!({ "query": "{ regions { code } }" }))
        .collect();
    let resp = post(&app).json(&batch).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Vec<Value> = resp.json().await.unwrap();
    let served = body
        .iter()
        .filter(|a| a["data"]["regions"].is_array())
        .count();
    let limited = body
        .iter()
        .filter(|a| code(a) == Some("RATE_LIMITED"))
        .count();
    assert_eq!(served + limited, 5, "{body:?}");
    assert!((3..=4).contains(&served), "{body:?}");
    assert_eq!(operations_counted(&app).await - before, served as u64);

    // A batch of nothing but operations over the rate is refused whole, with the wait.
    let resp = post(&app).json(&batch[..2]).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), Some("RATE_LIMITED"));
    // A GET draws on the same bucket.
    let resp = reqwest::Client::new()
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "{ regions { code } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(operations_counted(&app).await - before, served as u64);
}

/// A ministry token, minted (a login would run out of time on a server this strict).
async fn ministry(app: &TestApp) -> String {
    let db = app.db.connect().await;
    let id = crate::helpers::sql::int(
        &db,
        "SELECT id FROM user_account WHERE email = 'ministry@demo.birlik.kz'",
    )
    .await;
    app.keys
        .issue(
            i32::try_from(id).unwrap(),
            birlik_entity::enums::Role::Ministry,
            None,
            None,
        )
        .unwrap()
        .0
}

/// The time limit of the servers below.
const LIMIT_MS: u64 = 600;

/// A server over the demo data with one database connection, so that a statement left running
/// would hold up the next request.
async fn strict_server() -> TestApp {
    spawn_with(TestDb::demo().await, |c| {
        c.request_timeout_ms = LIMIT_MS;
        c.db_pool_size = 1;
        c.db_acquire_timeout_ms = 10_000;
        c.max_tokens = 100_000;
        c.max_body_bytes = 1_000_000;
        c.max_complexity = 1_000_000;
    })
    .await
}

/// The statement is gone: on PostgreSQL no backend runs it; on both, the next request (on the
/// one connection) is answered at once.
async fn assert_statement_stopped(app: &TestApp, token: &str) {
    if on_postgres() {
        let db = app.db.connect().await;
        let running = crate::helpers::sql::int(
            &db,
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND state = 'active' AND query LIKE '%zq1x%' AND pid <> pg_backend_pid()",
        )
        .await;
        assert_eq!(running, 0, "the statement still runs");
    }
    let started = Instant::now();
    let next = app
        .anonymous()
        .with_token(token)
        .gql("{ donations(first: 1) { totalCount } }", json!({}))
        .await;
    next.data();
    assert!(
        started.elapsed() < Duration::from_millis(LIMIT_MS),
        "the next request waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_request_over_http_is_stopped_at_its_time_limit() {
    let app = strict_server().await;
    let token = ministry(&app).await;
    let started = Instant::now();
    let resp = post(&app)
        .bearer_auth(&token)
        .json(&crate::helpers::ops::slow_donations_query())
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 503, "after {took:?}: {body}");
    assert_eq!(code(&body), Some("SERVICE_UNAVAILABLE"), "{body}");
    assert!(
        took < Duration::from_millis(LIMIT_MS * 3),
        "answered after {took:?}"
    );
    tokio::time::sleep(Duration::from_millis(LIMIT_MS / 2)).await;
    assert_statement_stopped(&app, &token).await;
}

#[tokio::test]
async fn a_slow_query_over_a_socket_is_stopped_at_its_time_limit() {
    let app = strict_server().await;
    let token = ministry(&app).await;
    let mut socket = ws::connect(&app.base, Some(&token)).await;
    let started = Instant::now();
    ws::send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": crate::helpers::ops::slow_donations_query() }),
    )
    .await;
    let answer = answers(&mut socket, 1).await.remove(0);
    let took = started.elapsed();
    assert_eq!(code(&answer), Some("SERVICE_UNAVAILABLE"), "{answer}");
    assert!(
        took < Duration::from_millis(LIMIT_MS * 3),
        "answered after {took:?}"
    );
    tokio::time::sleep(Duration::from_millis(LIMIT_MS / 2)).await;
    assert_statement_stopped(&app, &token).await;
}

#[tokio::test]
async fn anonymous_sockets_per_address_are_bounded() {
    let app = spawn_with(TestDb::migrated().await, |c| c.ws_per_address = 3).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(ws::connect(&app.base, None).await);
    }
    // The fourth is refused at the upgrade, with the wait a client's back-off can honour.
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "{}/graphql",
            app.base.replace("http://", "ws://")
        ))
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
            assert!(response.headers().contains_key("retry-after"));
        }
        other => panic!("the fourth socket opened: {:?}", other.map(|(_, r)| r)),
    }
    // One closes: a place is free again.
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut again = ws::connect(&app.base, None).await;
    ws::send(
        &mut again,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ regions { code } }" } }),
    )
    .await;
    assert!(answers(&mut again, 1).await[0]["data"]["regions"].is_array());
}

#[tokio::test]
async fn sockets_that_sign_in_count_against_their_account() {
    let app = spawn_with(TestDb::demo().await, |c| {
        c.ws_per_address = 2;
        c.ws_per_account = 2;
    })
    .await;
    let token = ministry(&app).await;
    // Signed in, they leave their address's share: more than two open from one address.
    let first = ws::connect(&app.base, Some(&token)).await;
    let second = ws::connect(&app.base, Some(&token)).await;
    let anonymous = ws::connect(&app.base, None).await;
    // A third for the same account is closed at `connection_init` with 4429.
    let mut third = ws::open(&app.base, "graphql-transport-ws").await;
    ws::send(
        &mut third,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(ws::closed(&mut third, 5).await.0, 4429);
    drop((first, second, anonymous));
}

#[tokio::test]
async fn connection_init_with_a_bad_token_closes_with_the_protocols_codes() {
    let app = spawn_with(TestDb::demo().await, |_| {}).await;
    let token = ministry(&app).await;
    let base = app.base.as_str();
    let init = |authorization: String| async move {
        let mut socket = ws::open(base, "graphql-transport-ws").await;
        ws::send(
            &mut socket,
            json!({ "type": "connection_init", "payload": { "Authorization": authorization } }),
        )
        .await;
        ws::closed(&mut socket, 5).await.0
    };
    assert_eq!(init("Bearer forged.token.here".into()).await, 4403);
    let mut claims = app.keys.verify(&token).unwrap();
    claims.exp = chrono::Utc::now().timestamp() - 3600;
    assert_eq!(
        init(format!("Bearer {}", app.keys.sign(&claims).unwrap())).await,
        4401
    );
    let other_key = birlik_api::auth::jwt::Keys::from_secret(&secrecy::SecretString::from(
        "another-secret-of-at-least-thirty-two-bytes".to_owned(),
    ))
    .unwrap();
    assert_eq!(
        init(format!("Bearer {}", other_key.sign(&claims).unwrap())).await,
        4403,
        "an expired token of another key is forged, not expired"
    );
    // A valid one is acknowledged.
    ws::connect(&app.base, Some(&token)).await;
}

#[tokio::test]
async fn a_batch_with_a_mutation_is_never_cached_publicly() {
    let app = spawn_app_with_demo().await;
    let public = json!({ "query": "{ regions { code } }" });
    let alone = post(&app).json(&json!([public])).send().await.unwrap();
    assert_eq!(alone.status(), 200);
    let alone = alone.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(alone.starts_with("public"), "{alone}");

    let login = json!({
        "query": ops::LOGIN,
        "variables": { "login": "volunteer@demo.birlik.kz", "password": "demo-password" },
    });
    for batch in [json!([login, public]), json!([public, login])] {
        let resp = post(&app).json(&batch).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["cache-control"].to_str().unwrap(),
            "private, no-store"
        );
        let body: Vec<Value> = resp.json().await.unwrap();
        assert!(
            body.iter().all(|a| a.get("errors").is_none()),
            "every operation succeeded: {body:?}"
        );
    }
}

#[tokio::test]
async fn a_nul_in_a_default_or_beside_a_variable_is_refused_at_the_edge() {
    let app = spawn_app().await;
    let before = app.statements().await;
    for (query, variables, field) in [
        (
            r#"query($q: String = "a\u0000b") { organizations(filter: { name: { eq: $q } }) { totalCount } }"#,
            json!({}),
            "$q",
        ),
        (
            r#"query($q: String) { organizations(filter: { name: { eq: $q }, city: { eq: "x\u0000" } }) { totalCount } }"#,
            json!({ "q": "ok" }),
            "filter.city.eq",
        ),
    ] {
        let refused = app.anonymous().gql(query, variables).await;
        refused.assert_code("BAD_USER_INPUT");
        assert_eq!(refused.body["errors"][0]["extensions"]["field"], field);
    }
    assert_eq!(app.statements().await, before, "no SQL ran");
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused() {
    let app = spawn_with(TestDb::demo().await, |_| {}).await;
    let token = ministry(&app).await;
    let mut claims = app.keys.verify(&token).unwrap();
    claims.iat = chrono::Utc::now().timestamp() + 3600;
    let future = app.keys.sign(&claims).unwrap();
    let refused = app
        .anonymous()
        .with_token(&future)
        .gql("{ me { id } }", json!({}))
        .await;
    refused.assert_code("UNAUTHENTICATED");
    // A few seconds of clock drift is allowed.
    claims.iat = chrono::Utc::now().timestamp() + 10;
    let drifted = app.keys.sign(&claims).unwrap();
    app.anonymous()
        .with_token(&drifted)
        .gql("{ me { id } }", json!({}))
        .await
        .data();
}

#[tokio::test]
async fn values_async_graphql_cannot_coerce_are_the_clients_mistake() {
    let app = spawn_app().await;
    let filtered =
        "query($f: OrganizationFilter) { organizations(filter: $f, first: 1) { totalCount } }";
    let cases = [
        (filtered, json!({ "f": { "name": { "eq": 5 } } })),
        (filtered, json!({ "f": { "name": { "in": [1, 2] } } })),
        (filtered, json!({ "f": { "verified": { "eq": "yes" } } })),
        (
            filtered,
            json!({ "f": { "createdAt": { "gt": "yesterday" } } }),
        ),
        (filtered, json!({ "f": { "or": [{ "name": 7 }] } })),
        (
            "query($n: Int) { organizations(first: $n) { totalCount } }",
            json!({ "n": "many" }),
        ),
        (
            "query($f: DonationFilter) { donations(filter: $f) { totalCount } }",
            json!({ "f": { "kilograms": { "gt": { "a": 1 } } } }),
        ),
    ];
    for (query, variables) in cases {
        let answer = app.anonymous().gql(query, variables.clone()).await;
        let errors = answer.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no error for {variables}: {}", answer.body));
        for error in errors {
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "{variables}: {error}"
            );
        }
    }
}
