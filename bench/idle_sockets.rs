//! Idle subscriptions: opens N `taskEvents` sockets to a Birlik on this machine (as the demo
//! volunteer), reports the server's memory before and after, then claims a task and times how long
//! the event takes to reach every socket.
//!
//! ```sh
//! bench/run --sockets 10000    # starts a server on a fresh embedded database, then runs this
//! cargo run --release --example idle-sockets -- http://127.0.0.1:8080 10000 <server pid>
//! ```
//! The server must run with `BIRLIK_RATE_LIMIT=0` (every upgrade counts against the address), and
//! both processes need a file-descriptor limit above N (`ulimit -n 20000`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const TASK_EVENTS: &str = "subscription { taskEvents { kind task { id } } }";
/// Sockets opened at once.
const OPENING: usize = 100;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let count: usize = args.next().map_or(Ok(1000), |n| n.parse())?;
    let pid: Option<u32> = args.next().map(|p| p.parse()).transpose()?;
    let host = base
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap_or("");
    if !matches!(host, "127.0.0.1" | "localhost") || count > 20_000 {
        return Err("loopback only (http://127.0.0.1:…), at most 20,000 sockets".into());
    }
    let http = reqwest::Client::new();
    let gql = |query: &str, variables: Value, token: Option<&str>| {
        let mut request = http
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await?.json::<Value>().await }
    };
    let login = gql(
        "mutation($l: String!, $p: String!) { login(login: $l, password: $p) { accessToken } }",
        json!({ "l": "volunteer@demo.birlik.kz", "p": "demo-password" }),
        None,
    )
    .await?;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .ok_or("the demo volunteer cannot log in")?
        .to_owned();
    let rss_before = pid.and_then(resident_kib);

    // Every socket is read from the moment it opens: reading answers the server's pings (a
    // client that does not is rightly disconnected), and counts the event when it comes.
    let received = Arc::new(AtomicUsize::new(0));
    let opened = Instant::now();
    let mut readers = Vec::with_capacity(count);
    for batch in (0..count).collect::<Vec<_>>().chunks(OPENING) {
        let opening = batch.iter().map(|_| open(&base, &token));
        for socket in futures_util::future::join_all(opening).await {
            let mut ws = socket?;
            let received = received.clone();
            readers.push(tokio::spawn(async move {
                while let Some(Ok(frame)) = ws.next().await {
                    if let Message::Text(text) = frame
                        && text.contains("\"next\"")
                    {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
    }
    let open_time = opened.elapsed();
    // Let the server settle, then read its memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_open = pid.and_then(resident_kib);

    let open_tasks = gql(
        "{ openTasks(first: 1) { edges { node { id } } } }",
        json!({}),
        Some(&token),
    )
    .await?;
    let task = open_tasks["data"]["openTasks"]["edges"][0]["node"]["id"].clone();
    let fired = Instant::now();
    let claim = gql(
        "mutation($t: ID!, $k: String!) { claimTask(taskId: $t, idempotencyKey: $k) { task { id } } }",
        json!({ "t": task, "k": format!("idle-sockets-{}", std::process::id()) }),
        Some(&token),
    )
    .await?;
    if claim.get("errors").is_some() {
        return Err(format!("the claim failed: {claim}").into());
    }
    let deadline = fired + Duration::from_secs(60);
    while received.load(Ordering::Relaxed) < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let fan_out = fired.elapsed();
    let got = received.load(Ordering::Relaxed);

    println!("sockets               {count}");
    println!("opened in             {:.2} s", open_time.as_secs_f64());
    if let (Some(before), Some(open)) = (rss_before, rss_open) {
        println!("server RSS before     {:.1} MiB", before as f64 / 1024.0);
        println!("server RSS with them  {:.1} MiB", open as f64 / 1024.0);
        println!(
            "per socket            {:.1} KiB",
            (open.saturating_sub(before)) as f64 / count as f64
        );
    }
    println!("event reached         {got} of {count}");
    println!(
        "time to all           {:.1} ms",
        fan_out.as_secs_f64() * 1000.0
    );
    for reader in readers {
        reader.abort();
    }
    if got < count {
        return Err("the event did not reach every socket".into());
    }
    Ok(())
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One initialised, subscribed socket.
async fn open(base: &str, token: &str) -> Result<Socket, Box<dyn std::error::Error>> {
    let mut request =
        format!("{}/graphql", base.replace("http://", "ws://")).into_client_request()?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    ws.send(Message::Text(init.to_string().into())).await?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) if text.contains("connection_ack") => break,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => return Err(format!("no acknowledgement: {other:?}").into()),
        }
    }
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": TASK_EVENTS } });
    ws.send(Message::Text(subscribe.to_string().into())).await?;
    Ok(ws)
}

/// A process's resident memory, in KiB.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
