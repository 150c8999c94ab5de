//! A WebSocket client for tests, speaking graphql-transport-ws (or the older graphql-ws).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A socket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a socket to `base` with the given subprotocol.
pub async fn open(base: &str, protocol: &str) -> Socket {
    let mut request = format!("{}/graphql", base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    let (ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        protocol,
        "the server speaks the subprotocol asked for"
    );
    ws
}

/// Opens a graphql-transport-ws socket and initialises it with the token.
pub async fn connect(base: &str, token: Option<&str>) -> Socket {
    let mut ws = open(base, "graphql-transport-ws").await;
    let payload = token
        .map(|t| json!({ "Authorization": format!("Bearer {t}") }))
        .unwrap_or(json!({}));
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    assert_eq!(next(&mut ws, 5).await["type"], "connection_ack");
    ws
}

/// Opens a socket, initialises it with the token, and subscribes to `query` (id "1").
pub async fn subscribe(base: &str, token: Option<&str>, query: &str) -> Socket {
    let mut ws = connect(base, token).await;
    send(
        &mut ws,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }),
    )
    .await;
    // Let the subscription start before anything happens.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    ws
}

/// Sends one protocol message.
pub async fn send(ws: &mut Socket, message: Value) {
    ws.send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next protocol message, within `seconds` (WebSocket pings are answered and skipped).
pub async fn next(ws: &mut Socket, seconds: u64) -> Value {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .expect("a frame");
        match msg {
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(frame) => panic!("the socket closed: {frame:?}"),
            msg => return serde_json::from_str(msg.to_text().unwrap()).unwrap(),
        }
    }
}

/// The close code and reason the server sends within `seconds`, skipping anything before it.
pub async fn closed(ws: &mut Socket, seconds: u64) -> (u16, String) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("the socket closes in time");
        match msg {
            Some(Ok(Message::Close(Some(frame)))) => {
                return (frame.code.into(), frame.reason.to_string());
            }
            Some(Ok(Message::Close(None))) => return (1005, String::new()),
            Some(Ok(_)) => continue,
            other => panic!("the socket ended without a close frame: {other:?}"),
        }
    }
}

/// The close code and reason a client that has not read for a while finds on the wire: the
/// server's frames are read raw from TCP (tungstenite would try to answer the queued pings on a
/// connection the server has already ended).
pub async fn closed_unread(ws: &mut Socket, seconds: u64) -> (u16, String) {
    use tokio::io::AsyncReadExt;
    let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = ws.get_mut() else {
        panic!("a plain TCP socket");
    };
    let mut wire = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(seconds),
        tcp.read_to_end(&mut wire),
    )
    .await
    .expect("the server ends the connection in time")
    .expect("the connection reads");
    // Server frames are unmasked; these are all short (7-bit lengths).
    let mut rest = wire.as_slice();
    while let [first, second, tail @ ..] = rest {
        let (opcode, len) = (first & 0x0f, usize::from(second & 0x7f));
        assert!(len < 126, "a short control frame");
        let (payload, after) = tail.split_at(len);
        if opcode == 0x8 {
            let code = u16::from_be_bytes([payload[0], payload[1]]);
            return (code, String::from_utf8_lossy(&payload[2..]).into_owned());
        }
        rest = after;
    }
    panic!("no close frame among {} bytes", wire.len());
}
