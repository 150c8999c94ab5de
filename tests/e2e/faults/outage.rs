//! The database goes away under load, and comes back.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_fails_fast_and_heals_without_a_restart() {
    if skip_without_postgres("a_database_outage_fails_fast_and_heals_without_a_restart") {
        return;
    }
    let cluster = Cluster::start();
    let url = cluster.url();
    {
        let target = birlik_api::config::database_target(Some(&url)).unwrap();
        let db = birlik_api::db::connect(&target, 4, Duration::from_secs(10), None)
            .await
            .unwrap();
        birlik_api::db::migrate(&db).await.unwrap();
        birlik_api::demo::load(&db).await.unwrap();
        db.close().await.ok();
    }
    let app = birlik_api::Application::build(birlik_api::Config {
        database_url: Some(url.clone()),
        jwt_secret: Some(SecretString::from(TEST_SECRET.to_owned())),
        ..birlik_api::Config::for_tests()
    })
    .await
    .expect("the application builds");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    let check = Database::connect(&url).await.unwrap();
    let ngo = signed_token(&check, "ngo@demo.birlik.kz").await;
    let point = own_point(&check).await;
    check.close().await.ok();

    // Writers register donations, and a reader asks for the summary, all the time.
    let running = Arc::new(AtomicBool::new(true));
    // Successes since the last failure, across every client.
    let streak = Arc::new(AtomicUsize::new(0));
    let count = |streak: &AtomicUsize, outcome: &Outcome| {
        if outcome.ok() {
            streak.fetch_add(1, Ordering::Relaxed);
        } else {
            streak.store(0, Ordering::Relaxed);
        }
    };
    let mut writers = Vec::new();
    for w in 0..6 {
        let (base, ngo, running, streak) =
            (base.clone(), ngo.clone(), running.clone(), streak.clone());
        writers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut outcomes = Vec::new();
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                let key = format!("outage-{w}-{n}");
                n += 1;
                let outcome = post(
                    &http,
                    &base,
                    Some(&ngo),
                    ops::REGISTER_DONATION,
                    donation_input(point, &key),
                )
                .await;
                count(&streak, &outcome);
                outcomes.push((key, outcome));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            outcomes
        }));
    }
    let reader = {
        let (base, running, streak) = (base.clone(), running.clone(), streak.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut outcomes = Vec::new();
            while running.load(Ordering::Relaxed) {
                let outcome = post(&http, &base, None, ops::RELIEF_SUMMARY, json!({})).await;
                count(&streak, &outcome);
                outcomes.push(outcome);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            outcomes
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let killing = Instant::now();
    cluster.kill();
    let down = Instant::now();
    let http = reqwest::Client::new();
    let readyz_sent = Instant::now();
    let readyz = http
        .get(format!("{base}/readyz"))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    let readyz_took = readyz_sent.elapsed();
    assert_eq!(readyz.status(), 503, "/readyz during the outage");
    assert!(readyz_took <= FAIL_WITHIN, "/readyz took {readyz_took:?}");
    tokio::time::sleep(Duration::from_millis(5000).saturating_sub(down.elapsed())).await;

    let restarting = Instant::now();
    cluster.start_again();
    let up = Instant::now();
    // Until every client has been served again for a while, or past the bound.
    while up.elapsed() < RECOVER_WITHIN && streak.load(Ordering::Relaxed) < 60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    running.store(false, Ordering::Relaxed);

    let mut writes = Vec::new();
    for w in writers {
        writes.extend(w.await.unwrap());
    }
    let reads = reader.await.unwrap();
    let all: Vec<&Outcome> = writes.iter().map(|(_, o)| o).chain(reads.iter()).collect();

    // Before the fault everything worked.
    let before: Vec<&&Outcome> = all.iter().filter(|o| o.finished() < killing).collect();
    assert!(
        before.len() > 20,
        "{} requests before the fault",
        before.len()
    );
    assert!(
        before.iter().all(|o| o.ok()),
        "a request failed before the fault"
    );
    // Every request that did not wholly succeed failed fast with SERVICE_UNAVAILABLE: a 503, or,
    // for a mutation in flight as the database went, a 200 with its result whose related objects
    // could no longer be loaded (the donation was made, and its id is in the answer).
    let failed: Vec<&&Outcome> = all.iter().filter(|o| !o.ok()).collect();
    for o in &failed {
        if o.unavailable() {
            assert!(o.took <= FAIL_WITHIN, "a failure took {:?}", o.took);
        } else {
            assert!(
                o.partly_unavailable() && o.sent < down,
                "a failure: {} {}",
                o.status,
                o.body
            );
        }
    }
    // While the database was down, every request failed as a whole: 503.
    let during: Vec<&&Outcome> = all
        .iter()
        .filter(|o| o.sent >= down && o.finished() <= restarting)
        .collect();
    assert!(during.len() >= 5, "{} requests in the outage", during.len());
    for o in &during {
        assert!(
            o.unavailable(),
            "during the outage: {} {}",
            o.status,
            o.body
        );
    }
    let slowest = failed.iter().map(|o| o.took).max().unwrap_or_default();
    // Once the database is back, every request succeeds again within the bound.
    let first_ok = all
        .iter()
        .filter(|o| o.sent >= up && o.ok())
        .map(|o| o.finished())
        .min()
        .expect("a success after the database came back");
    let last_failure = failed.iter().map(|o| o.finished()).max().expect("failures");
    let recovered = last_failure.max(first_ok).duration_since(up);
    assert!(
        recovered <= RECOVER_WITHIN,
        "service resumed {recovered:?} after the database"
    );
    let after: Vec<&&Outcome> = all.iter().filter(|o| o.sent > last_failure).collect();
    assert!(
        after.len() > 20 && after.iter().all(|o| o.ok()),
        "{} requests after recovery",
        after.len()
    );

    // Every acknowledged donation is there, once; every other key can be retried, once.
    let db = Database::connect(&url).await.unwrap();
    let acknowledged: Vec<i64> = writes
        .iter()
        .filter_map(|(_, o)| acknowledged_donation(o))
        .collect();
    assert_eq!(
        existing(&db, "donation", &acknowledged).await,
        acknowledged.len(),
        "acknowledged donations lost"
    );
    for (key, o) in writes
        .iter()
        .filter(|(_, o)| acknowledged_donation(o).is_none())
    {
        let retry = post(
            &http,
            &base,
            Some(&ngo),
            ops::REGISTER_DONATION,
            donation_input(point, key),
        )
        .await;
        assert!(
            retry.ok(),
            "the retry of {key} ({}): {}",
            o.status,
            retry.body
        );
    }
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE description = 'fault test'"
        )
        .await,
        writes.len() as i64,
        "one donation per key"
    );
    assert_whole(&db).await;
    report(format!(
        "outage (PostgreSQL): {} requests, {} failed, the slowest failure took {slowest:?}, \
         /readyz said 503 in {readyz_took:?}, service resumed {recovered:?} after the database \
         (restart took {:?}); {} acknowledged donations all present",
        all.len(),
        failed.len(),
        up - restarting,
        acknowledged.len()
    ));
    db.close().await.ok();
}
