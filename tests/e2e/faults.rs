//! Faults (issue 7): the database going away under load, `kill -9` during a burst of writes,
//! SIGTERM with work in flight, and slowloris clients. Real processes (`birlik` as a child where
//! the process itself is the subject), real databases (a private PostgreSQL cluster where the
//! database must fail), real sockets on 127.0.0.1. Each prints what it measured.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use birlik_api::auth::jwt::Keys;
use birlik_api::graphql::relay::{decode, encode};
use birlik_entity::user_account;
use sea_orm::{ColumnTrait, Database, DatabaseConnection, EntityTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::app::TEST_SECRET;
use crate::helpers::cluster::{Cluster, free_port};
use crate::helpers::db::skip_without_postgres;
use crate::helpers::sql::{int, ints};
use crate::helpers::{TestDb, ops, spawn_app, ws};

const BIN: &str = env!("CARGO_BIN_EXE_birlik");

/// How long a request may wait for the database before it must have failed: the pool's acquire
/// timeout (2 s by default) and a little for the rest of the request.
const FAIL_WITHIN: Duration = Duration::from_millis(2500);
/// How long after the database is back the service must be whole again.
const RECOVER_WITHIN: Duration = Duration::from_secs(10);

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

/// Prints a measurement past the test harness's capture.
fn report(line: String) {
    use std::io::Write;
    writeln!(std::io::stderr(), "{line}").ok();
}

// ---------------------------------------------------------------------------------------------
// Shared pieces: a `birlik` child process, tokens, timed requests, the invariants of the data.

/// `birlik serve` as a child process, killed when dropped.
struct Server {
    child: Child,
    base: String,
    port: u16,
    _log: tempfile::NamedTempFile,
}

impl Server {
    fn spawn(database_url: &str) -> Server {
        let port = free_port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new(BIN)
            .env("DATABASE_URL", database_url)
            .env("BIRLIK_JWT_SECRET", TEST_SECRET)
            .env("BIRLIK_ADDR", format!("127.0.0.1:{port}"))
            .env("BIRLIK_RATE_LIMIT", "0")
            .env("BIRLIK_DEMO_DATA", "false")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("birlik starts");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            _log: log,
        }
    }

    /// Waits for `/readyz` to say 200.
    async fn ready(&mut self) {
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(resp) = http.get(format!("{}/readyz", self.base)).send().await {
                if resp.status() == 200 {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("birlik exited with {status}: {}", self.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "birlik is not ready within a minute: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self._log.path()).unwrap_or_default()
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// An access token for the account with this email, signed with the test key.
async fn token(db: &DatabaseConnection, email: &str) -> String {
    let account = user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no account {email}"));
    Keys::from_secret(&SecretString::from(TEST_SECRET.to_owned()))
        .unwrap()
        .issue(
            account.id,
            account.role,
            account.organization_id,
            account.volunteer_id,
        )
        .unwrap()
        .0
}

/// One request's fate.
#[derive(Clone, Debug)]
struct Outcome {
    /// 0 when no HTTP answer came (connection refused or cut).
    status: u16,
    body: Value,
    sent: Instant,
    took: Duration,
}

impl Outcome {
    fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    fn ok(&self) -> bool {
        self.status == 200 && self.body.get("errors").is_none()
    }

    fn unavailable(&self) -> bool {
        self.status == 503 && self.code() == Some("SERVICE_UNAVAILABLE")
    }

    /// A 200 with data, every error of which is SERVICE_UNAVAILABLE.
    fn partly_unavailable(&self) -> bool {
        self.status == 200
            && self.body["data"].is_object()
            && self.body["errors"].as_array().is_some_and(|errors| {
                errors
                    .iter()
                    .all(|e| e["extensions"]["code"] == "SERVICE_UNAVAILABLE")
            })
    }

    fn finished(&self) -> Instant {
        self.sent + self.took
    }
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Outcome {
    let mut req = http
        .post(format!("{base}/graphql"))
        .timeout(Duration::from_secs(20))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    let sent = Instant::now();
    let (status, body) = match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            match resp.bytes().await {
                Ok(bytes) => (
                    status,
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                ),
                Err(_) => (0, Value::Null),
            }
        }
        Err(_) => (0, Value::Null),
    };
    Outcome {
        status,
        body,
        sent,
        took: sent.elapsed(),
    }
}

fn donation_input(point: i32, key: &str) -> Value {
    json!({ "input": {
        "collectionPointId": encode("CollectionPoint", point).0,
        "category": "DRINKING_WATER",
        "kilograms": "1.5",
        "itemCount": 3,
        "description": "fault test",
        "donorName": "Асель Касымова",
        "idempotencyKey": key,
    }})
}

fn plan_input(donations: [i32; 2], key: &str) -> Value {
    json!({ "input": {
        "destinationRegionCode": "KZ-39",
        "items": donations
            .iter()
            .map(|d| json!({ "donationId": encode("Donation", *d).0, "kilograms": "0.25" }))
            .collect::<Vec<_>>(),
        "vehicle": "КамАЗ-65117, 123 ABC 01",
        "driverName": "Ерлан Сапаров",
        "driverPhone": "+7 701 555 12 34",
        "idempotencyKey": key,
    }})
}

/// The id a successful keyed mutation answered with.
fn result_id(outcome: &Outcome, field: &str, kind: &str) -> i64 {
    let id = outcome.body["data"][field][kind.to_ascii_lowercase()]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", outcome.body));
    i64::from(decode(kind, "id", id).unwrap())
}

/// The donation a `registerDonation` answer acknowledges, whole or with related fields missing.
fn acknowledged_donation(outcome: &Outcome) -> Option<i64> {
    let id = outcome.body["data"]["registerDonation"]["donation"]["id"].as_str()?;
    Some(i64::from(decode("Donation", "id", id).unwrap()))
}

/// The demo NGO's first collection point.
async fn own_point(db: &DatabaseConnection) -> i32 {
    int(
        db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id = {NGO_ORG}"),
    )
    .await as i32
}

/// Nothing is half-written, and the figures reconcile:
/// - every shipment has items, and every donation's shipped grams are exactly the grams on the
///   items of its shipments that are not cancelled;
/// - every idempotency key points at the row it made, and every donation of these tests has its
///   key (they are written in one transaction);
/// - collected = delivered + in transit + planned + unshipped, from SQL.
async fn assert_whole(db: &DatabaseConnection) {
    let zero = |sql: &'static str| async move {
        assert_eq!(int(db, sql).await, 0, "{sql}");
    };
    zero("SELECT CAST(COUNT(*) AS BIGINT) FROM shipment s WHERE NOT EXISTS (SELECT 1 FROM shipment_item i WHERE i.shipment_id = s.id)").await;
    zero("SELECT CAST(COUNT(*) AS BIGINT) FROM donation d WHERE d.shipped_grams <> COALESCE((SELECT SUM(i.grams) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE i.donation_id = d.id AND s.status <> 'cancelled'), 0)").await;
    zero("SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_key k WHERE k.operation = 'registerDonation' AND NOT EXISTS (SELECT 1 FROM donation d WHERE d.id = k.result_id)").await;
    zero("SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_key k WHERE k.operation = 'planShipment' AND NOT EXISTS (SELECT 1 FROM shipment s WHERE s.id = k.result_id)").await;
    zero("SELECT CAST(COUNT(*) AS BIGINT) FROM donation d WHERE d.description = 'fault test' AND NOT EXISTS (SELECT 1 FROM idempotency_key k WHERE k.operation = 'registerDonation' AND k.result_id = d.id)").await;
    let collected = int(
        db,
        "SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM donation WHERE status <> 'cancelled'",
    )
    .await;
    let on_shipments = |status: &'static str| async move {
        int(db, &format!("SELECT CAST(COALESCE(SUM(i.grams), 0) AS BIGINT) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE s.status = '{status}'")).await
    };
    let delivered = on_shipments("delivered").await;
    let in_transit = on_shipments("dispatched").await;
    let planned = on_shipments("planned").await;
    let unshipped = int(db, "SELECT CAST(COALESCE(SUM(grams - shipped_grams), 0) AS BIGINT) FROM donation WHERE status <> 'cancelled'").await;
    assert_eq!(
        collected,
        delivered + in_transit + planned + unshipped,
        "collected = delivered {delivered} + in transit {in_transit} + planned {planned} + unshipped {unshipped}"
    );
}

/// `SELECT COUNT(*) … WHERE id IN (ids)`, in chunks.
async fn existing(db: &DatabaseConnection, table: &str, ids: &[i64]) -> usize {
    let mut found = 0;
    for chunk in ids.chunks(200) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        found += ints(db, &format!("SELECT id FROM {table} WHERE id IN ({list})"))
            .await
            .len();
    }
    found
}

// ---------------------------------------------------------------------------------------------
// 1. The database goes away under load.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_fails_fast_and_heals_without_a_restart() {
    if skip_without_postgres("a_database_outage_fails_fast_and_heals_without_a_restart") {
        return;
    }
    let cluster = Cluster::start();
    let url = cluster.url();
    {
        let target = birlik_api::config::database_target(Some(&url)).unwrap();
        let db = birlik_api::db::connect(&target, 4, Duration::from_secs(10))
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
    let ngo = token(&check, "ngo@demo.birlik.kz").await;
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

// ---------------------------------------------------------------------------------------------
// 2. kill -9 during a burst of writes.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_burst_loses_only_what_was_not_acknowledged() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let ngo = token(&db, "ngo@demo.birlik.kz").await;
    let point = own_point(&db).await;
    let stock: Vec<i32> = ints(
        &db,
        &format!(
            "SELECT id FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received' \
             AND grams >= 20000 ORDER BY id LIMIT 40"
        ),
    )
    .await
    .into_iter()
    .map(|id| id as i32)
    .collect();
    assert!(stock.len() >= 10, "stock to ship from");
    let mut server = Server::spawn(&test_db.url());
    server.ready().await;

    // Donation writers and shipment planners, each request keyed; a lost answer is retried later.
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Donation,
        Shipment,
    }
    let running = Arc::new(AtomicBool::new(true));
    let mut writers = Vec::new();
    for w in 0..6 {
        let kind = if w < 4 {
            Kind::Donation
        } else {
            Kind::Shipment
        };
        let (base, ngo, running, stock) = (
            server.base.clone(),
            ngo.clone(),
            running.clone(),
            stock.clone(),
        );
        writers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut sent = Vec::new();
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                let (query, input) = match kind {
                    Kind::Donation => (
                        ops::REGISTER_DONATION,
                        donation_input(point, &format!("kill9-d{w}-{n}")),
                    ),
                    Kind::Shipment => {
                        let pick = |i: usize| stock[i % stock.len()];
                        (
                            ops::PLAN_SHIPMENT,
                            plan_input(
                                [pick(2 * n + w), pick(2 * n + w + 1)],
                                &format!("kill9-s{w}-{n}"),
                            ),
                        )
                    }
                };
                n += 1;
                let outcome = post(&http, &base, Some(&ngo), query, input.clone()).await;
                let refused = outcome.status == 0;
                sent.push((kind, query, input, outcome));
                if refused {
                    // The server is gone: this writer's burst is over.
                    break;
                }
            }
            sent
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    running.store(false, Ordering::Relaxed);
    let mut sent = Vec::new();
    for w in writers {
        sent.extend(w.await.unwrap());
    }

    let mut server = Server::spawn(&test_db.url());
    server.ready().await;
    let acknowledged = |kind: Kind| -> Vec<i64> {
        sent.iter()
            .filter(|(k, _, _, o)| *k == kind && o.ok())
            .map(|(_, _, _, o)| match kind {
                Kind::Donation => result_id(o, "registerDonation", "Donation"),
                Kind::Shipment => result_id(o, "planShipment", "Shipment"),
            })
            .collect()
    };
    let donations = acknowledged(Kind::Donation);
    let shipments = acknowledged(Kind::Shipment);
    assert!(
        donations.len() >= 10 && shipments.len() >= 5,
        "a burst: {} donations, {} shipments acknowledged",
        donations.len(),
        shipments.len()
    );
    let cut = sent.iter().filter(|(.., o)| !o.ok()).count();
    for (.., o) in &sent {
        assert!(o.ok() || o.status == 0, "{} {}", o.status, o.body);
    }
    assert_eq!(existing(&db, "donation", &donations).await, donations.len());
    assert_eq!(existing(&db, "shipment", &shipments).await, shipments.len());
    for id in &shipments {
        let items = int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM shipment_item WHERE shipment_id = {id}"),
        )
        .await;
        assert_eq!(items, 2, "shipment {id} has its items");
    }
    assert_whole(&db).await;

    // Every request can be sent again with its key: the acknowledged ones replay their result,
    // the cut ones act now, and each key has acted exactly once.
    let http = reqwest::Client::new();
    for (kind, query, input, o) in &sent {
        let again = post(&http, &server.base, Some(&ngo), query, input.clone()).await;
        assert!(again.ok(), "a retry: {}", again.body);
        if o.ok() {
            let field = match kind {
                Kind::Donation => "registerDonation",
                Kind::Shipment => "planShipment",
            };
            assert_eq!(again.body["data"][field], o.body["data"][field]);
        }
    }
    let keyed = |kind: Kind| sent.iter().filter(|(k, ..)| *k == kind).count() as i64;
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE description = 'fault test'"
        )
        .await,
        keyed(Kind::Donation)
    );
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_key WHERE operation = 'planShipment' AND key LIKE 'kill9-s%'"
        )
        .await,
        keyed(Kind::Shipment)
    );
    assert_whole(&db).await;
    report(format!(
        "kill -9: {} donations and {} shipments acknowledged and present, {cut} requests cut",
        donations.len(),
        shipments.len()
    ));
}

// ---------------------------------------------------------------------------------------------
// 3. SIGTERM stops gracefully.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_what_is_in_flight_and_exits_0() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let volunteer = token(&db, "volunteer@demo.birlik.kz").await;
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
    // No new connection is accepted.
    let refused = TcpStream::connect(("127.0.0.1", server.port)).await;
    assert!(refused.is_err(), "a new connection after SIGTERM");
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

// ---------------------------------------------------------------------------------------------
// 4. Slowloris.

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
