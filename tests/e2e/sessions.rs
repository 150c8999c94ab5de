//! Logging in, refreshing, signing up, and the live task events of a logged-in volunteer.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;

#[tokio::test]
async fn a_volunteer_logs_in_by_email_or_phone() {
    let app = spawn_app_with_demo().await;
    for login in [
        "volunteer@demo.birlik.kz",
        "VOLUNTEER@demo.birlik.kz",
        "8 700 000 00 01",
    ] {
        let gql = app
            .anonymous()
            .gql(
                ops::LOGIN,
                json!({ "login": login, "password": "demo-password" }),
            )
            .await;
        let session = &gql.data()["login"];
        assert_eq!(session["user"]["role"], "VOLUNTEER", "{login}");
        let me = app
            .anonymous()
            .with_token(session["accessToken"].as_str().unwrap())
            .gql(ops::ME, json!({}))
            .await;
        assert_eq!(me.data()["me"]["volunteer"]["region"]["code"], "KZ-39");
    }
    for (login, password) in [
        ("volunteer@demo.birlik.kz", "wrong-password"),
        ("nobody@demo.birlik.kz", "demo-password"),
    ] {
        let gql = app
            .anonymous()
            .gql(ops::LOGIN, json!({ "login": login, "password": password }))
            .await;
        gql.assert_code("UNAUTHENTICATED");
        assert_eq!(
            gql.body["errors"][0]["message"], "authentication required",
            "the same answer for both"
        );
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_session() {
    let app = spawn_app_with_demo().await;
    let login = app
        .anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "ngo@demo.birlik.kz", "password": "demo-password" }),
        )
        .await;
    let first = login.data()["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let rotated = app
        .anonymous()
        .gql(ops::REFRESH_SESSION, json!({ "refreshToken": first }))
        .await;
    let second = rotated.data()["refreshSession"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    // The first token again: theft suspected, the whole family ends.
    app.anonymous()
        .gql(ops::REFRESH_SESSION, json!({ "refreshToken": first }))
        .await
        .assert_code("UNAUTHENTICATED");
    app.anonymous()
        .gql(ops::REFRESH_SESSION, json!({ "refreshToken": second }))
        .await
        .assert_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn sign_up_creates_a_volunteer_and_refuses_a_second_account_for_the_phone() {
    let app = spawn_app_with_demo().await;
    let input = json!({ "input": {
        "fullName": "Дана Омарова", "phone": "+7 (707) 123-45-67", "email": "Dana@Example.kz", "password": "s3cret-enough",
        "regionCode": "KZ-27", "skills": ["первая помощь", "вождение"] } });
    let gql = app.anonymous().gql(ops::SIGN_UP, input.clone()).await;
    let session = &gql.data()["registerVolunteer"];
    assert_eq!(session["user"]["role"], "VOLUNTEER");
    assert_eq!(session["user"]["displayName"], "Дана Омарова");
    let me = app
        .anonymous()
        .with_token(session["accessToken"].as_str().unwrap())
        .gql(ops::ME, json!({}))
        .await;
    assert_eq!(me.data()["me"]["volunteer"]["phone"], "+77071234567");
    assert_eq!(me.data()["me"]["volunteer"]["region"]["code"], "KZ-27");
    app.anonymous()
        .gql(ops::SIGN_UP, input)
        .await
        .assert_code("CONFLICT");
    let login = app
        .anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "dana@example.kz", "password": "s3cret-enough" }),
        )
        .await;
    login.data();
    let weak = json!({ "input": { "fullName": "X", "phone": "+77071110000", "password": "short", "regionCode": "KZ-27" } });
    let refused = app.anonymous().gql(ops::SIGN_UP, weak).await;
    refused.assert_code("BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "input.password"
    );
}

#[tokio::test]
async fn a_volunteer_hears_of_the_task_they_claim() {
    let app = spawn_app_with_demo().await;
    let login = app
        .anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "volunteer@demo.birlik.kz", "password": "demo-password" }),
        )
        .await;
    let token = login.data()["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let volunteer = app.anonymous().with_token(&token);

    let mut request = format!("{}/graphql", app.base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| Message::Text(v.to_string().into());
    let next = |m: Message| serde_json::from_str::<Value>(m.to_text().unwrap()).unwrap();
    ws.send(send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))).await.unwrap();
    assert_eq!(
        next(ws.next().await.unwrap().unwrap())["type"],
        "connection_ack"
    );
    ws.send(send(
        json!({ "id": "e", "type": "subscribe", "payload": { "query": ops::TASK_EVENTS } }),
    ))
    .await
    .unwrap();
    // Let the subscription start before the event.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let open = volunteer.gql(ops::OPEN_TASKS, json!({ "first": 1 })).await;
    let task = open.data()["openTasks"]["edges"][0]["node"]["id"].clone();
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "ws" }),
        )
        .await
        .data();

    let event = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("an event within 5 s")
        .unwrap()
        .unwrap();
    let event = next(event);
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["payload"]["data"]["taskEvents"]["kind"], "ASSIGNED");
    assert_eq!(event["payload"]["data"]["taskEvents"]["task"]["id"], task);
}
