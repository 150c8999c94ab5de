//! `/healthz`, `/readyz`, GraphiQL, and the refusal of bad tokens.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer_ok_when_the_database_is_migrated() {
    let app = spawn_app().await;
    let client = app.anonymous();
    let health = client.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<Value>().await.unwrap(),
        json!({ "status": "ok" })
    );
    let ready = client.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<Value>().await.unwrap(),
        json!({ "status": "ready" })
    );
}

#[tokio::test]
async fn readyz_reports_unavailable_when_migrations_are_pending() {
    let app = spawn_app().await;
    // Forget the newest migration: the schema is then behind what this build expects.
    let db = app.db.connect().await;
    db.execute_unprepared(
        "DELETE FROM seaql_migrations WHERE version = (SELECT MAX(version) FROM seaql_migrations)",
    )
    .await
    .unwrap();
    let ready = app.anonymous().get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body = ready.json::<Value>().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["reason"], "migrations pending");
    // The process itself is still alive.
    assert_eq!(app.anonymous().get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_browser_gets_graphiql_on_get() {
    let app = spawn_app().await;
    let resp = reqwest::Client::new()
        .get(format!("{}/graphql", app.base))
        .header("Accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        resp.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
}

#[tokio::test]
async fn a_query_runs_over_get() {
    let app = spawn_app().await;
    let resp = reqwest::Client::new()
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "{ regions { code } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.json::<Value>().await.unwrap();
    assert_eq!(body["data"]["regions"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn a_malformed_or_forged_token_is_refused_not_taken_for_anonymous() {
    let app = spawn_app().await;
    let query = "{ reliefSummary { collectedTonnes } }";
    let forged = app
        .anonymous()
        .with_raw_token("not-a-jwt")
        .gql(query, json!({}))
        .await;
    assert_eq!(forged.status, 401);
    forged.assert_code("UNAUTHENTICATED");
    assert!(forged.body["data"].is_null());

    let other_key =
        birlik_api::auth::jwt::Keys::from_secret(&secrecy::SecretString::from("x".repeat(40)))
            .unwrap();
    let (token, _) = other_key
        .issue(1, birlik_entity::enums::Role::Ministry, None, None)
        .unwrap();
    app.anonymous()
        .with_raw_token(&token)
        .gql(query, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");

    // Without a header the same query is public.
    app.anonymous().gql(query, json!({})).await.data();
}

#[tokio::test]
async fn a_query_runs_over_websocket_with_graphql_transport_ws() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

    let app = spawn_app().await;
    let mut request = format!("{}/graphql", app.base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );

    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(json!({ "type": "connection_init", "payload": {} })))
        .await
        .unwrap();
    let next_json = |msg: Message| serde_json::from_str::<Value>(msg.to_text().unwrap()).unwrap();
    let ack = next_json(ws.next().await.unwrap().unwrap());
    assert_eq!(ack["type"], "connection_ack");
    ws.send(send(json!({
        "id": "1", "type": "subscribe",
        "payload": { "query": "{ regions { code } }" }
    })))
    .await
    .unwrap();
    let next = next_json(ws.next().await.unwrap().unwrap());
    assert_eq!(next["type"], "next");
    assert_eq!(next["payload"]["data"]["regions"][0]["code"], "KZ-71");
    let complete = next_json(ws.next().await.unwrap().unwrap());
    assert_eq!(complete, json!({ "type": "complete", "id": "1" }));
}

#[tokio::test]
async fn readyz_reports_unavailable_when_the_database_is_gone() {
    if crate::helpers::db::skip_without_postgres(
        "readyz_reports_unavailable_when_the_database_is_gone",
    ) {
        return;
    }
    let app = spawn_app().await;
    assert_eq!(app.anonymous().get("/readyz").await.status(), 200);
    let crate::helpers::TestDb::Postgres { admin_url, name } = &app.db else {
        unreachable!()
    };
    let admin = sea_orm::Database::connect(admin_url.as_str())
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let ready = app.anonymous().get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.json::<Value>().await.unwrap()["reason"],
        "database unreachable"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(app.anonymous().get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn every_error_carries_a_code() {
    let app = spawn_app().await;
    let client = app.anonymous();
    for (query, variables) in [
        ("{ nope }", json!({})),
        ("{", json!({})),
        ("{ region(code: 5) { code } }", json!({})),
        (
            "query($c: [DonationDimension!]!) { donationStats(groupBy: $c) { donationCount } }",
            json!({ "c": ["NOPE"] }),
        ),
        ("query($id: ID!) { node(id: $id) { id } }", json!({})),
    ] {
        let gql = client.gql(query, variables).await;
        let errors = gql.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors for {query}: {}", gql.body));
        for error in errors {
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "{query}: {error}"
            );
        }
    }
}
