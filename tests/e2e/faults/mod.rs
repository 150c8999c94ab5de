//! Faults (issue 7): the database going away under load, `kill -9` during a burst of writes,
//! SIGTERM with work in flight, and slowloris clients. Real processes (`birlik` as a child where
//! the process itself is the subject), real databases (a private PostgreSQL cluster where the
//! database must fail), real sockets on 127.0.0.1. Each prints what it measured.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use birlik_api::graphql::relay::{decode, encode};
use sea_orm::{Database, DatabaseConnection};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::app::{TEST_SECRET, signed_token};
use crate::helpers::cluster::{Cluster, free_port};
use crate::helpers::db::skip_without_postgres;
use crate::helpers::sql::{int, ints};
use crate::helpers::{TestDb, ops, spawn_app, ws};

mod kill;
mod outage;
mod shutdown;
mod slow_clients;

const BIN: &str = env!("CARGO_BIN_EXE_birlik");

/// How long a request may wait for the database before it must have failed: the pool's acquire
/// timeout (1.5 s by default) and a little for the rest of the request: the 2 s.
const FAIL_WITHIN: Duration = Duration::from_millis(2000);
/// How long after the database is back the service must be whole again.
const RECOVER_WITHIN: Duration = Duration::from_secs(10);

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

/// Prints a measurement past the test harness's capture.
fn report(line: String) {
    use std::io::Write;
    writeln!(std::io::stderr(), "{line}").ok();
}

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
            if let Ok(resp) = http.get(format!("{}/readyz", self.base)).send().await
                && resp.status() == 200
            {
                return;
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
