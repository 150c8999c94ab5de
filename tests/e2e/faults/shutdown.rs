//! SIGTERM stops the server gracefully.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_what_is_in_flight_and_exits_0() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let volunteer = signed_token(&db, "volunteer@demo.birlik.kz").await;
    let mut server = Server::spawn(&test_db.url());
    server.ready().await;
    let mut socket = ws::subscribe(&server.base, Some(&volunteer), ops::TASK_EVENTS).await;

    // A request in flight: the server has its head and is waiting for its body (it said
    // `100 Continue`) when the signal comes.
    let body = json!({ "query": "{ reliefSummary { collectedTonnes } }" }).to_string();
    let mut slow = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    slow.write_all(
        format!(
            "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut interim = [0u8; 25];
    tokio::time::timeout(Duration::from_secs(5), slow.read_exact(&mut interim))
        .await
        .expect("100 Continue in time")
        .unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");

    let signalled = Instant::now();
    server.signal("TERM");

    // Open sockets are told the server is going away.
    let (code, reason) = ws::closed(&mut socket, 5).await;
    assert_eq!((code, reason.as_str()), (1001, "the server is stopping"));
    let socket_closed = signalled.elapsed();
    // No new connection is accepted: the listener closes on actix's accept thread, a moment after
    // the signal (a connection that slips into that moment is never served: the listener is
    // closed under it).
    let refused_within = Duration::from_secs(1);
    loop {
        if TcpStream::connect(("127.0.0.1", server.port))
            .await
            .is_err()
        {
            break;
        }
        assert!(
            signalled.elapsed() < refused_within,
            "new connections still accepted {refused_within:?} after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The request in flight completes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    slow.write_all(body.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), slow.read_to_string(&mut answer))
        .await
        .expect("the answer in time")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("collectedTonnes"), "{answer}");
    // And the process exits 0, soon.
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let exited = signalled.elapsed();
    assert!(status.success(), "exit status {status}: {}", server.log());
    report(format!(
        "SIGTERM: WebSocket closed with 1001 after {socket_closed:?}, exit 0 after {exited:?}"
    ));
}
