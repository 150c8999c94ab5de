//! Read replicas (issue 17): a private primary and a streaming replica made from it with
//! `pg_basebackup -R`, a server reading from the replica (`replica_urls`) and one on the primary
//! alone. The aggregates, exports and the ministry's lists answer alike from both once the
//! replica has caught up, and `/metrics` shows the replica served them; a caller's own write is
//! visible to them at once; a replica whose replay is paused past the lag bound is skipped; one
//! stopped mid-run costs no request. PostgreSQL only, like the fault tests.
//! Size: one scenario on one pair of clusters (making a replica costs seconds), with the small
//! client it needs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use birlik_api::graphql::relay::encode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::app::{TEST_SECRET, signed_token};
use crate::helpers::cluster::Cluster;
use crate::helpers::db::skip_without_postgres;
use crate::helpers::ops;
use crate::helpers::sql::int;

/// The lag bound of the server under test: short, so the test need not wait long.
const MAX_LAG: Duration = Duration::from_millis(1000);

/// The reads that may come from a replica, as `(token role, query, variables)`.
fn reads() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "ministry",
            ops::DONATION_STATS,
            json!({ "groupBy": ["REGION", "CATEGORY"] }),
        ),
        ("ministry", ops::DONATION_STATS, json!({ "groupBy": [] })),
        (
            "ministry",
            ops::NEED_STATS,
            json!({ "groupBy": ["REGION"] }),
        ),
        ("ministry", ops::SHIPMENT_FLOWS, json!({})),
        ("ministry", ops::REGIONS_OVERVIEW, json!({})),
        (
            "ministry",
            ops::STOCK_ON_HAND,
            json!({ "groupBy": ["COLLECTION_POINT", "CATEGORY"] }),
        ),
        ("ministry", ops::AD_HOC_DONATIONS, json!({})),
        (
            "ministry",
            "{ shipments(first: 50) { nodes { id status } } \
               volunteers(first: 50) { nodes { id } } tasks(first: 50) { nodes { id status } } }",
            json!({}),
        ),
        ("public", ops::RELIEF_SUMMARY, json!({})),
    ]
}

/// The exports, by path, and whether the ministry's token is needed.
const EXPORTS: [(&str, bool); 5] = [
    ("/exports/regions.csv", false),
    ("/exports/needs.csv", false),
    ("/exports/shelters.csv", false),
    ("/exports/3w.csv", true),
    ("/exports/donations-daily.csv", true),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_serve_the_analytics_and_are_skipped_when_behind_or_down() {
    if skip_without_postgres("replicas_serve_the_analytics_and_are_skipped_when_behind_or_down") {
        return;
    }
    let started = Instant::now();
    let primary = Cluster::start();
    {
        let target = birlik_api::config::database_target(Some(&primary.url())).unwrap();
        let db = birlik_api::db::connect(&target, 4, Duration::from_secs(10), None)
            .await
            .unwrap();
        birlik_api::db::migrate(&db).await.unwrap();
        birlik_api::demo::load_with_donations(&db, 1_000)
            .await
            .unwrap();
        db.close().await.ok();
    }
    let replica = Cluster::replica_of(&primary);
    let with = serve(&primary.url(), Some(replica.url())).await;
    let bare = serve(&primary.url(), None).await;
    let db = Database::connect(primary.url()).await.unwrap();
    let standby = Database::connect(replica.url()).await.unwrap();
    let ministry = signed_token(&db, "ministry@demo.birlik.kz").await;
    let ngo = signed_token(&db, "ngo@demo.birlik.kz").await;
    let point = int(
        &db,
        "SELECT MIN(id) FROM collection_point WHERE organization_id = \
         (SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')",
    )
    .await as i32;
    let http = reqwest::Client::new();
    let token_of = |role: &str| (role == "ministry").then(|| ministry.clone());

    // Writes, then the replica catches up: every answer equals the primary's, from the replica.
    for n in 0..3 {
        let out = post(
            &http,
            &with,
            Some(&ngo),
            ops::REGISTER_DONATION,
            donation(point, n),
        )
        .await;
        assert!(out["errors"].is_null(), "{out}");
    }
    caught_up(&db, &standby).await;
    let before = metric(
        &http,
        &with,
        "birlik_replicable_reads_total{target=\"replica\"}",
    )
    .await;
    let mut served = 0.0;
    for (role, query, vars) in reads() {
        let token = token_of(role);
        let a = post(&http, &with, token.as_deref(), query, vars.clone()).await;
        let b = post(&http, &bare, token.as_deref(), query, vars).await;
        assert!(a["errors"].is_null(), "{a}");
        assert_eq!(strip(a), strip(b), "{query}");
        served += 1.0;
    }
    for (path, private) in EXPORTS {
        let token = private.then(|| ministry.clone());
        let a = csv(&http, &with, path, token.as_deref()).await;
        let b = csv(&http, &bare, path, token.as_deref()).await;
        assert_eq!(a, b, "{path}");
        served += 1.0;
    }
    let after = metric(
        &http,
        &with,
        "birlik_replicable_reads_total{target=\"replica\"}",
    )
    .await;
    assert!(
        after - before >= served,
        "the replica served {} of {served} reads",
        after - before
    );

    // Replay paused: the replica trails. A caller who writes reads their write at once.
    standby
        .execute_unprepared("SELECT pg_wal_replay_pause()")
        .await
        .unwrap();
    let totals = json!({ "groupBy": [] });
    let out = post(
        &http,
        &with,
        Some(&ministry),
        ops::REGISTER_DONATION,
        donation(point, 10),
    )
    .await;
    assert!(out["errors"].is_null(), "{out}");
    let mine = post(
        &http,
        &with,
        Some(&ministry),
        ops::DONATION_STATS,
        totals.clone(),
    )
    .await;
    let truth = post(
        &http,
        &bare,
        Some(&ministry),
        ops::DONATION_STATS,
        totals.clone(),
    )
    .await;
    assert_eq!(mine, truth, "the writer reads their own write");
    let count = "SELECT COUNT(*) FROM donation";
    assert!(
        int(&standby, count).await < int(&db, count).await,
        "the replica really trails"
    );

    // Past the bound, the trailing replica is skipped: the primary answers, with no error.
    tokio::time::sleep(MAX_LAG + Duration::from_millis(500)).await;
    let lag = metric(&http, &with, "birlik_replica_lag_seconds").await;
    assert!(lag > MAX_LAG.as_secs_f64(), "lag {lag}");
    let (replica_before, primary_before) = (
        metric(
            &http,
            &with,
            "birlik_replicable_reads_total{target=\"replica\"}",
        )
        .await,
        metric(
            &http,
            &with,
            "birlik_replicable_reads_total{target=\"primary\"}",
        )
        .await,
    );
    for (role, query, vars) in reads() {
        let token = token_of(role);
        let a = post(&http, &with, token.as_deref(), query, vars.clone()).await;
        let b = post(&http, &bare, token.as_deref(), query, vars).await;
        assert_eq!(strip(a), strip(b), "{query}");
    }
    assert_eq!(
        metric(
            &http,
            &with,
            "birlik_replicable_reads_total{target=\"replica\"}"
        )
        .await,
        replica_before,
        "a replica past the bound serves nothing"
    );
    assert!(
        metric(
            &http,
            &with,
            "birlik_replicable_reads_total{target=\"primary\"}"
        )
        .await
            > primary_before
    );

    // Replay resumed: the replica serves again.
    standby
        .execute_unprepared("SELECT pg_wal_replay_resume()")
        .await
        .unwrap();
    caught_up(&db, &standby).await;
    let a = post(
        &http,
        &with,
        Some(&ministry),
        ops::DONATION_STATS,
        totals.clone(),
    )
    .await;
    let b = post(&http, &bare, Some(&ministry), ops::DONATION_STATS, totals).await;
    assert_eq!(a, b);
    assert!(
        metric(
            &http,
            &with,
            "birlik_replicable_reads_total{target=\"replica\"}"
        )
        .await
            > replica_before,
        "the replica serves again once caught up"
    );
    standby.close().await.ok();

    // The replica stops mid-run: no request fails.
    let running = Arc::new(AtomicBool::new(true));
    let (done, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (http, with, ministry) = (http.clone(), with.clone(), ministry.clone());
        let (running, done, failed) = (running.clone(), done.clone(), failed.clone());
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                let ok = if (c + n) % 3 == 0 {
                    let resp = http.get(format!("{with}/exports/regions.csv")).send().await;
                    match resp {
                        Ok(r) if r.status() == 200 => r.text().await.is_ok(),
                        _ => false,
                    }
                } else {
                    let (_, query, vars) = reads().swap_remove((c + n) % 7);
                    let out = post(&http, &with, Some(&ministry), query, vars).await;
                    out["errors"].is_null() && !out["data"].is_null()
                };
                if !ok {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                done.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let served_before_stop = done.load(Ordering::Relaxed);
    tokio::task::spawn_blocking(move || {
        replica.kill();
        replica
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }
    let (done, failed) = (done.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    assert!(served_before_stop > 0 && done > served_before_stop);
    assert_eq!(failed, 0, "{failed} of {done} requests failed");
    assert_eq!(metric(&http, &with, "birlik_replica_up").await, 0.0);
    let retried = metric(&http, &with, "birlik_replica_retries_total").await;
    report(format!(
        "replica: {done} requests across the replica's stop, none failed ({retried} read again \
         on the primary); the test took {:.1} s",
        started.elapsed().as_secs_f64()
    ));
}

/// A server on `primary`, reading from `replica` when given.
async fn serve(primary: &str, replica: Option<String>) -> String {
    let app = birlik_api::Application::build(birlik_api::Config {
        database_url: Some(primary.to_owned()),
        jwt_secret: Some(SecretString::from(TEST_SECRET.to_owned())),
        replica_urls: replica.into_iter().collect(),
        replica_max_lag_ms: MAX_LAG.as_millis() as u64,
        ..birlik_api::Config::for_tests()
    })
    .await
    .expect("the application builds");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    base
}

/// Waits until the replica has replayed all the primary has flushed, and its monitor has seen it.
async fn caught_up(primary: &DatabaseConnection, replica: &DatabaseConnection) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let target = int(
        primary,
        "SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint",
    )
    .await;
    while int(
        replica,
        "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint",
    )
    .await
        < target
    {
        assert!(Instant::now() < deadline, "the replica does not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Two of the monitor's readings.
    tokio::time::sleep(birlik_api::services::reads::POLL * 3).await;
}

fn donation(point: i32, n: u32) -> Value {
    json!({ "input": {
        "collectionPointId": encode("CollectionPoint", point).0,
        "category": "FOOD",
        "kilograms": format!("{}.5", 10 + n),
        "description": "replica test",
        "idempotencyKey": format!("replica-{n}"),
    }})
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut req = http
        .post(format!("{base}/graphql"))
        .timeout(Duration::from_secs(20))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    match req.send().await {
        Ok(resp) => resp.json().await.unwrap_or(Value::Null),
        Err(err) => json!({ "errors": [{ "message": err.to_string() }] }),
    }
}

async fn csv(http: &reqwest::Client, base: &str, path: &str, token: Option<&str>) -> String {
    let mut req = http.get(format!("{base}{path}"));
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.unwrap()
}

/// The value of the first `/metrics` line starting with `name`.
async fn metric(http: &reqwest::Client, base: &str, name: &str) -> f64 {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in\n{text}"))
}

/// An answer without its `asOf` moments (each server reads at its own moment).
fn strip(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("asOf");
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

fn report(line: String) {
    use std::io::Write;
    writeln!(std::io::stderr(), "{line}").ok();
}
