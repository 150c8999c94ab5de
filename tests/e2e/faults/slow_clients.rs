//! Slowloris: clients that send a request head a byte at a time.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_neither_starve_others_nor_stay_connected() {
    const SLOW: usize = 300;
    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let timeout = birlik_api::startup::CLIENT_REQUEST_TIMEOUT;

    // Each slow client sends the start of a request head, then a byte every half second, and
    // notes when the server hangs up.
    let mut slow = Vec::new();
    for _ in 0..SLOW {
        let mut stream = TcpStream::connect(&addr).await.expect("a connection");
        slow.push(tokio::spawn(async move {
            let opened = Instant::now();
            stream
                .write_all(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .await
                .ok();
            let mut buf = [0u8; 512];
            let mut drip = tokio::time::interval(Duration::from_millis(500));
            let give_up = tokio::time::sleep(timeout * 3);
            tokio::pin!(give_up);
            loop {
                tokio::select! {
                    read = stream.read(&mut buf) => match read {
                        Ok(0) | Err(_) => return Some(opened.elapsed()),
                        Ok(_) => continue,
                    },
                    _ = drip.tick() => {
                        if stream.write_all(b"x").await.is_err() {
                            return Some(opened.elapsed());
                        }
                    }
                    _ = &mut give_up => return None,
                }
            }
        }));
    }

    // Meanwhile everyone else is served as usual.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let client = reqwest::Client::new();
        let outcome = post(&client, &app.base, None, ops::RELIEF_SUMMARY, json!({})).await;
        assert!(outcome.ok(), "{} {}", outcome.status, outcome.body);
        assert!(
            outcome.took < Duration::from_secs(1),
            "a normal query took {:?}",
            outcome.took
        );
        slowest = slowest.max(outcome.took);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // And the slow ones are dropped after the client request timeout.
    let mut dropped_after = Vec::new();
    for s in slow {
        let after = s.await.unwrap().expect("the server drops a slow client");
        dropped_after.push(after);
    }
    let (first, last) = (
        dropped_after.iter().min().unwrap(),
        dropped_after.iter().max().unwrap(),
    );
    assert!(
        *first >= timeout - Duration::from_millis(500),
        "dropped early: {first:?}"
    );
    assert!(
        *last <= timeout + Duration::from_secs(2),
        "a slow client stayed {last:?}"
    );
    report(format!(
        "slowloris: {SLOW} slow clients dropped after {first:?} to {last:?}; the slowest normal query took {slowest:?}"
    ));
}
