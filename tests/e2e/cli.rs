//! The `birlik` binary as a newcomer and an operator run it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::helpers::app::spawn_on;
use crate::helpers::ops;
use crate::helpers::sql::{int, thousandths};

const BIN: &str = env!("CARGO_BIN_EXE_birlik");

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn birlik(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("BIRLIK_JWT_SECRET")
        .env_remove("BIRLIK_ADDR")
        .env_remove("BIRLIK_DEMO_DATA")
        .env("RUST_LOG", "warn");
    cmd
}

/// Kills the child when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

#[test]
fn birlik_schema_prints_the_sdl() {
    let out = birlik(std::env::temp_dir().as_path())
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        birlik_api::graphql::sdl()
    );
}

#[tokio::test]
async fn a_bare_birlik_serves_the_demo_on_the_embedded_database() {
    let dir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let child = birlik(dir.path())
        .env("BIRLIK_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _running = Running(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if let Ok(resp) = http.get(format!("{base}/readyz")).send().await
            && resp.status() == 200
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not ready within 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let body: Value = http
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": ops::RELIEF_SUMMARY }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["reliefSummary"]["collectedTonnes"], "10520",
        "{body}"
    );
    assert!(dir.path().join("birlik.db").exists());
    assert!(
        dir.path().join("birlik.db.jwt-secret").exists(),
        "the embedded default keeps its key beside the database"
    );
}

#[test]
fn serve_on_a_named_database_without_a_signing_key_stops_with_a_clear_message() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = birlik(dir.path())
        .args(["serve"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/other.db", dir.path().display()),
        )
        .env("BIRLIK_ADDR", format!("127.0.0.1:{}", free_port()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("BIRLIK_JWT_SECRET is required"), "{stderr}");
}

#[test]
fn a_bad_setting_stops_the_start_with_one_clear_line() {
    let dir = tempfile::TempDir::new().unwrap();
    for (var, value, mentions) in [
        ("BIRLIK_ADDR", "not-an-address", "BIRLIK_ADDR"),
        ("BIRLIK_JWT_SECRET", "short", "at least 32 bytes"),
        ("BIRLIK_DB_POOL_SIZE", "0", "BIRLIK_DB_POOL_SIZE"),
        (
            "DATABASE_URL",
            "mysql://x/y",
            "DATABASE_URL must start with",
        ),
        ("BIRLIK_LOG_FORMAT", "xml", "xml"),
    ] {
        let out = birlik(dir.path()).env(var, value).output().unwrap();
        assert!(!out.status.success(), "{var}={value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(mentions), "{var}={value}: {stderr}");
    }
    assert!(
        !dir.path().join("birlik.db").exists(),
        "nothing was created"
    );
}

#[tokio::test]
async fn demo_data_loads_into_an_empty_database_and_refuses_a_second_time() {
    let test_db = TestDb::blank().await;
    let dir = tempfile::TempDir::new().unwrap();
    let migrate = birlik(dir.path())
        .arg("migrate")
        .env("DATABASE_URL", test_db.url())
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let load = birlik(dir.path())
        .arg("demo-data")
        .env("DATABASE_URL", test_db.url())
        .output()
        .unwrap();
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    assert!(String::from_utf8_lossy(&load.stdout).contains("demo data loaded"));

    let again = birlik(dir.path())
        .arg("demo-data")
        .env("DATABASE_URL", test_db.url())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds data"));
    assert!(
        !dir.path().join("birlik.db").exists(),
        "the named database was used, not the embedded one"
    );
}

#[tokio::test]
async fn demo_data_loads_the_donations_asked_for_and_the_service_counts_them() {
    let test_db = TestDb::blank().await;
    let dir = tempfile::TempDir::new().unwrap();
    let load = birlik(dir.path())
        .args(["demo-data", "--donations", "5000"])
        .env("DATABASE_URL", test_db.url())
        .output()
        .unwrap();
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    assert!(
        String::from_utf8_lossy(&load.stdout).contains(" 5000 donations"),
        "{}",
        String::from_utf8_lossy(&load.stdout)
    );

    let db = test_db.connect().await;
    assert_eq!(
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await,
        5000
    );
    // The demo's proportions: one in 81 cancelled, and the rest partly shipped, shipped or in stock.
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE status = 'cancelled'"
        )
        .await,
        5000 - 5000 * 80 / 81
    );
    assert!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE status = 'shipped'"
        )
        .await
            > 2500
    );
    // collected = delivered + dispatched + planned + unshipped.
    let collected = int(
        &db,
        "SELECT CAST(SUM(grams) AS BIGINT) FROM donation WHERE status <> 'cancelled'",
    )
    .await;
    let unshipped = int(
        &db,
        "SELECT CAST(SUM(grams - shipped_grams) AS BIGINT) FROM donation WHERE status <> 'cancelled'",
    )
    .await;
    let shipped = int(
        &db,
        "SELECT CAST(SUM(i.grams) AS BIGINT) FROM shipment_item i \
         JOIN shipment s ON s.id = i.shipment_id WHERE s.status <> 'cancelled'",
    )
    .await;
    assert_eq!(collected, shipped + unshipped);
    // Needs in the ten affected regions, served by those shipments, at this scale too.
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(DISTINCT region_id) AS BIGINT) FROM need"
        )
        .await,
        10
    );
    crate::allocation::assert_counters_match_items(&db).await;
    drop(db);

    let app = spawn_on(test_db).await;
    let gql = app
        .as_demo_ministry()
        .await
        .gql(ops::DONATION_STATS, json!({ "groupBy": ["STATUS"] }))
        .await;
    let groups = gql.data()["donationStats"].as_array().unwrap();
    let count: i64 = groups
        .iter()
        .map(|g| g["donationCount"].as_i64().unwrap())
        .sum();
    assert_eq!(count, 5000, "{groups:?}");
    let relief = app.anonymous().gql(ops::RELIEF_SUMMARY, json!({})).await;
    assert_eq!(
        thousandths(
            relief.data()["reliefSummary"]["collectedTonnes"]
                .as_str()
                .unwrap()
        ),
        collected / 1000,
        "collected kilograms, as the database sums them"
    );
}

#[test]
fn demo_data_refuses_a_donation_count_out_of_range() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = birlik(dir.path())
        .args(["demo-data", "--donations", "10"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/few.db", dir.path().display()),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1000 to 10000000 donations"), "{stderr}");
}

#[test]
fn logs_are_json_lines_when_asked() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = birlik(dir.path())
        .arg("migrate")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/logs.db", dir.path().display()),
        )
        .env("BIRLIK_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let event: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            event["level"].is_string() && event["timestamp"].is_string(),
            "{line}"
        );
    }
    assert!(stderr.contains("migrations applied"));
}
