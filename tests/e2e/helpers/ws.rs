//! A graphql-transport-ws client for tests.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A subscribed socket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a socket to `base`, initialises it with the token, and subscribes to `query`.
pub async fn subscribe(base: &str, token: Option<&str>, query: &str) -> Socket {
    let mut request = format!("{}/graphql", base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens");
    let payload = token
        .map(|t| json!({ "Authorization": format!("Bearer {t}") }))
        .unwrap_or(json!({}));
    ws.send(Message::Text(
        json!({ "type": "connection_init", "payload": payload })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    assert_eq!(next(&mut ws, 5).await["type"], "connection_ack");
    ws.send(Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query } })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    // Let the subscription start before anything happens.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    ws
}

/// The next message, within `seconds`.
pub async fn next(ws: &mut Socket, seconds: u64) -> Value {
    let msg = tokio::time::timeout(std::time::Duration::from_secs(seconds), ws.next())
        .await
        .expect("a message in time")
        .expect("the socket is open")
        .expect("a frame");
    serde_json::from_str(msg.to_text().unwrap()).unwrap()
}
