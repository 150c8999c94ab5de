//! The WebSocket itself: what closes it (token expiry, a disabled account, a silent client), what
//! keeps it open (a fresher token, answered pings), and the older `graphql-ws` protocol.

use serde_json::json;

use crate::helpers::app::{TestApp, spawn_app_with_demo, spawn_with};
use crate::helpers::db::{TestDb, on_postgres};
use crate::helpers::ops;
use crate::helpers::ws;

/// Claims the first open task as the token's volunteer, and returns its id.
async fn claim_first_open_task(app: &TestApp, token: &str, key: &str) -> serde_json::Value {
    let volunteer = app.anonymous().with_token(token);
    let open = volunteer.gql(ops::OPEN_TASKS, json!({ "first": 1 })).await;
    let task = open.data()["openTasks"]["edges"][0]["node"]["id"].clone();
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": key }),
        )
        .await
        .data();
    task
}

#[tokio::test]
async fn a_socket_closes_when_its_token_expires() {
    let app = spawn_app_with_demo().await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    let short = app.expiring(&token, 2);
    let started = std::time::Instant::now();
    let mut socket = ws::subscribe(&app.base, Some(&short), ops::TASK_EVENTS).await;
    let (code, reason) = ws::closed(&mut socket, 6).await;
    assert_eq!((code, reason.as_str()), (4401, "token expired"));
    let after = started.elapsed();
    assert!(
        after >= std::time::Duration::from_millis(900),
        "not before the token expires: {after:?}"
    );
}

#[tokio::test]
async fn a_fresher_token_keeps_the_subscriptions_running() {
    let app = spawn_app_with_demo().await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    let mut socket =
        ws::subscribe(&app.base, Some(&app.expiring(&token, 2)), ops::TASK_EVENTS).await;

    // Re-authenticate with a fresh token for the same account, in a ping's payload.
    ws::send(
        &mut socket,
        json!({ "type": "ping", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    let pong = ws::next(&mut socket, 5).await;
    assert_eq!(pong["type"], "pong", "{pong}");
    let expires_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(pong["payload"]["expiresAt"].clone()).expect("a new expiry");
    assert!(expires_at > chrono::Utc::now() + chrono::Duration::minutes(10));

    // Past the first token's expiry, the same subscription still delivers.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let task = claim_first_open_task(&app, &token, "after-refresh").await;
    let event = ws::next(&mut socket, 5).await;
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["id"], "1");
    assert_eq!(event["payload"]["data"]["taskEvents"]["kind"], "ASSIGNED");
    assert_eq!(event["payload"]["data"]["taskEvents"]["task"]["id"], task);

    // A token for another account cannot take the socket over.
    let other = app.login("ngo@demo.birlik.kz").await;
    ws::send(
        &mut socket,
        json!({ "type": "ping", "payload": { "Authorization": format!("Bearer {other}") } }),
    )
    .await;
    assert_eq!(ws::closed(&mut socket, 5).await.0, 4403);

    // Nor can a forged one.
    let mut socket = ws::subscribe(&app.base, Some(&token), ops::TASK_EVENTS).await;
    ws::send(
        &mut socket,
        json!({ "type": "ping", "payload": { "Authorization": "Bearer forged.token.here" } }),
    )
    .await;
    assert_eq!(ws::closed(&mut socket, 5).await.0, 4401);

    // A plain ping is answered with a plain pong.
    let mut socket = ws::subscribe(&app.base, Some(&token), ops::TASK_EVENTS).await;
    ws::send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(ws::next(&mut socket, 5).await, json!({ "type": "pong" }));
}

#[tokio::test]
async fn a_disabled_account_loses_its_sockets_on_every_instance() {
    let app = spawn_app_with_demo().await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    let volunteer = app.anonymous().with_token(&token);
    let user_id = volunteer.gql("{ me { id } }", json!({})).await.data()["me"]["id"].clone();
    // On PostgreSQL the socket is held by another instance: the news crosses through NOTIFY.
    let base = if on_postgres() {
        app.another_instance().await
    } else {
        app.base.clone()
    };
    let mut socket = ws::subscribe(&base, Some(&token), ops::TASK_EVENTS).await;
    // Another account's socket stays open.
    let ngo = app.login("ngo@demo.birlik.kz").await;
    let mut bystander = ws::subscribe(
        &base,
        Some(&ngo),
        "subscription { shipmentEvents { kind } }",
    )
    .await;

    let started = std::time::Instant::now();
    app.as_demo_ministry()
        .await
        .gql(
            "mutation($id: ID!) { disableAccount(userId: $id) { user { disabled } } }",
            json!({ "id": user_id }),
        )
        .await
        .data();
    let (code, reason) = ws::closed(&mut socket, 5).await;
    assert_eq!((code, reason.as_str()), (4403, "account disabled"));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));

    ws::send(&mut bystander, json!({ "type": "ping" })).await;
    assert_eq!(ws::next(&mut bystander, 5).await["type"], "pong");
}

#[tokio::test]
async fn the_server_pings_and_drops_a_client_that_never_answers() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let app = spawn_with(TestDb::demo().await, |c| c.ws_ping_s = 1).await;
    let token = app.login("volunteer@demo.birlik.kz").await;

    // A live client answers (tungstenite replies to pings as it reads) and stays connected,
    // while one that reads nothing answers no ping, and is let go.
    let mut live = ws::subscribe(&app.base, Some(&token), ops::TASK_EVENTS).await;
    let mut silent = ws::subscribe(&app.base, Some(&token), ops::TASK_EVENTS).await;
    let reading = async {
        let mut pings = 0;
        let until = tokio::time::Instant::now() + std::time::Duration::from_secs(6);
        while let Ok(frame) = tokio::time::timeout_at(until, live.next()).await {
            match frame {
                Some(Ok(Message::Ping(_))) => pings += 1,
                other => panic!("only pings while nothing happens, got {other:?}"),
            }
        }
        pings
    };
    let ignoring = async {
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        ws::closed_unread(&mut silent, 3).await
    };
    let (pings, (code, reason)) = tokio::join!(reading, ignoring);
    assert!(pings >= 5, "a ping a second: {pings}");
    assert_eq!((code, reason.as_str()), (1001, "no answer to pings"));

    // The live one still works.
    claim_first_open_task(&app, &token, "keepalive").await;
    assert_eq!(ws::next(&mut live, 5).await["type"], "next");
}

#[tokio::test]
async fn the_older_graphql_ws_protocol_delivers_events() {
    let app = spawn_with(TestDb::demo().await, |c| c.ws_ping_s = 1).await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    let mut socket = ws::open(&app.base, "graphql-ws").await;
    ws::send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(ws::next(&mut socket, 5).await["type"], "connection_ack");
    ws::send(
        &mut socket,
        json!({ "id": "a", "type": "start", "payload": { "query": ops::TASK_EVENTS } }),
    )
    .await;
    // Its own keepalive message comes with the pings.
    assert_eq!(ws::next(&mut socket, 3).await, json!({ "type": "ka" }));

    let task = claim_first_open_task(&app, &token, "legacy").await;
    let event = loop {
        let msg = ws::next(&mut socket, 5).await;
        if msg["type"] != "ka" {
            break msg;
        }
    };
    assert_eq!(event["type"], "data", "{event}");
    assert_eq!(event["id"], "a");
    assert_eq!(event["payload"]["data"]["taskEvents"]["task"]["id"], task);

    ws::send(&mut socket, json!({ "id": "a", "type": "stop" })).await;
    let complete = loop {
        let msg = ws::next(&mut socket, 5).await;
        if msg["type"] != "ka" {
            break msg;
        }
    };
    assert_eq!(complete, json!({ "id": "a", "type": "complete" }));
}

#[tokio::test]
async fn a_socket_without_a_graphql_subprotocol_is_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = spawn_app_with_demo().await;
    let request = format!("{}/graphql", app.base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400);
        }
        other => panic!("refused with 400, got {:?}", other.map(|(_, r)| r.status())),
    }
}

#[tokio::test]
async fn an_oversized_message_closes_the_socket() {
    let app = spawn_app_with_demo().await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    let mut socket = ws::connect(&app.base, Some(&token)).await;
    let huge = "x".repeat(100 * 1024);
    ws::send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": huge } }),
    )
    .await;
    assert_eq!(ws::closed(&mut socket, 5).await.0, 1009);
    // And the server answers others at once.
    let health = app.anonymous().get("/healthz").await;
    assert_eq!(health.status(), 200);
}
