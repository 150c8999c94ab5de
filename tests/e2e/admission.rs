//! Admission control: with every turn taken and no place left in the queue, an operation is
//! refused at once (HTTP 503, `Retry-After`, SERVICE_UNAVAILABLE; over a socket the same code in
//! its answer), writes nothing, and the next one after the load is served; one that waits in the
//! queue is refused when its wait runs out; health checks and `/metrics` are never refused.
//! The turn is held by a real slow query (hundreds of `contains` over the demo's donations).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::app::{TestApp, spawn_with};
use crate::helpers::db::TestDb;
use crate::helpers::ops;
use crate::helpers::sql::int;
use crate::helpers::ws;

/// How long the slow query may hold its turn (its time limit).
const HOLD_MS: u64 = 4_000;

/// A server over the demo data that runs one operation at a time, with `queue` places to wait
/// for `wait_ms`.
async fn one_at_a_time(queue: u32, wait_ms: u64) -> TestApp {
    spawn_with(TestDb::demo().await, |c| {
        c.max_in_flight = 1;
        c.admission_queue = Some(queue);
        c.admission_wait_ms = wait_ms;
        c.request_timeout_ms = HOLD_MS;
        c.max_tokens = 100_000;
        c.max_body_bytes = 1_000_000;
        c.max_complexity = 1_000_000;
    })
    .await
}

/// A gauge or counter of `/metrics`.
async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app.anonymous().get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
}

/// Starts the slow query as the ministry and returns once it holds the one turn.
async fn hold_the_turn(app: &TestApp) -> tokio::task::JoinHandle<reqwest::StatusCode> {
    let token = app
        .token_of(birlik_api::demo::generate::MINISTRY_LOGIN)
        .await;
    let url = format!("{}/graphql", app.base);
    let slow = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&crate::helpers::ops::slow_donations_query())
            .send()
            .await
            .unwrap()
            .status()
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while metric(app, "birlik_admission_in_flight").await < 1 {
        assert!(
            Instant::now() < deadline,
            "the slow query never took its turn"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    slow
}

fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// Posts a GraphQL body and checks that it was refused as overload, quickly.
async fn assert_refused(request: reqwest::RequestBuilder, within: Duration) {
    let started = Instant::now();
    let resp = request.send().await.unwrap();
    let took = started.elapsed();
    assert_eq!(resp.status(), 503);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), Some("SERVICE_UNAVAILABLE"), "{body}");
    assert!(took < within, "refused after {took:?}");
}

#[tokio::test]
async fn past_its_turns_a_request_is_refused_at_once_and_writes_nothing() {
    let app = one_at_a_time(0, 10_000).await;
    let db = app.db.connect().await;
    let ngo = app.token_of(birlik_api::demo::generate::NGO_LOGIN).await;
    let point = int(
        &db,
        "SELECT MIN(id) FROM collection_point WHERE organization_id = \
         (SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')",
    )
    .await as i32;
    let donations = || async { int(&db, "SELECT count(*) FROM donation").await };
    let before = donations().await;
    let refused_before = metric(&app, "birlik_admission_refused_total").await;
    let slow = hold_the_turn(&app).await;

    let http = reqwest::Client::new();
    let graphql = format!("{}/graphql", app.base);
    let within = Duration::from_millis(500);
    assert_refused(
        http.post(&graphql)
            .json(&json!({ "query": "{ regions { code } }" })),
        within,
    )
    .await;
    let register = json!({ "query": ops::REGISTER_DONATION, "variables": { "input": {
        "collectionPointId": birlik_api::graphql::relay::encode("CollectionPoint", point).0,
        "category": "DRINKING_WATER", "kilograms": 10, "description": "вода",
        "idempotencyKey": "refused-at-admission",
    } } });
    assert_refused(
        http.post(&graphql).bearer_auth(&ngo).json(&register),
        within,
    )
    .await;
    assert_refused(
        http.get(&graphql)
            .query(&[("query", "{ regions { code } }")]),
        within,
    )
    .await;
    // A batch is refused whole.
    assert_refused(
        http.post(&graphql).json(
            &json!([{ "query": "{ regions { code } }" }, { "query": "{ regions { code } }" }]),
        ),
        within,
    )
    .await;
    // Health checks and the counters are never refused.
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(app.anonymous().get(path).await.status(), 200, "{path}");
    }
    // The slow query held its turn all along: the refusals were admission's.
    assert_eq!(metric(&app, "birlik_admission_in_flight").await, 1);
    assert_eq!(
        metric(&app, "birlik_admission_refused_total").await - refused_before,
        5
    );

    slow.await.unwrap();
    assert_eq!(metric(&app, "birlik_admission_in_flight").await, 0);
    // After the load: served again, and the refused mutation wrote nothing; sent again now, it
    // is registered (its idempotency key was never used).
    assert_eq!(donations().await, before);
    let resp = http
        .post(&graphql)
        .bearer_auth(&ngo)
        .json(&register)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["data"]["registerDonation"]["donation"]["id"].is_string(),
        "{body}"
    );
    assert_eq!(donations().await, before + 1);
}

#[tokio::test]
async fn a_request_in_the_queue_waits_its_bounded_time_then_is_refused() {
    let app = one_at_a_time(1, 300).await;
    let queued_before = metric(&app, "birlik_admission_queued_total").await;
    let slow = hold_the_turn(&app).await;
    let started = Instant::now();
    assert_refused(
        reqwest::Client::new()
            .post(format!("{}/graphql", app.base))
            .json(&json!({ "query": "{ regions { code } }" })),
        Duration::from_millis(1_000),
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        metric(&app, "birlik_admission_queued_total").await - queued_before,
        1
    );
    assert_eq!(metric(&app, "birlik_admission_waiting").await, 0);
    slow.await.unwrap();
    let after = app.anonymous().gql("{ regions { code } }", json!({})).await;
    assert!(after.data()["regions"].is_array());
}

#[tokio::test]
async fn a_socket_operation_past_its_turns_is_answered_service_unavailable() {
    let app = one_at_a_time(0, 10_000).await;
    let token = app
        .token_of(birlik_api::demo::generate::VOLUNTEER_LOGIN)
        .await;
    let mut socket = ws::connect(&app.base, Some(&token)).await;
    let slow = hold_the_turn(&app).await;
    let started = Instant::now();
    for (id, query) in [
        ("1", "{ regions { code } }"),
        ("2", "subscription { taskEvents { kind } }"),
    ] {
        ws::send(
            &mut socket,
            json!({ "id": id, "type": "subscribe", "payload": { "query": query } }),
        )
        .await;
        let answer = ws::next(&mut socket, 5).await;
        assert_eq!(answer["id"], id, "{answer}");
        assert_eq!(
            code(&answer["payload"]),
            Some("SERVICE_UNAVAILABLE"),
            "{answer}"
        );
        assert_eq!(ws::next(&mut socket, 5).await["type"], "complete");
    }
    assert!(started.elapsed() < Duration::from_millis(1_000));
    slow.await.unwrap();
    ws::send(
        &mut socket,
        json!({ "id": "3", "type": "subscribe", "payload": { "query": "{ regions { code } }" } }),
    )
    .await;
    let answer = ws::next(&mut socket, 5).await;
    assert!(answer["payload"]["data"]["regions"].is_array(), "{answer}");
}
