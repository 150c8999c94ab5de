//! The demo guards itself: `birlik serve` refuses to serve the demo accounts (whose password the
//! README prints) on an address other than loopback unless a setting that names the risk says so,
//! and warns whenever it serves them.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::TestDb;
use crate::helpers::app::TEST_SECRET;

const BIN: &str = env!("CARGO_BIN_EXE_birlik");
const ALLOW: &str = "BIRLIK_ALLOW_DEMO_ACCOUNTS_ON_PUBLIC_ADDRESS";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `birlik serve` on `database` (the embedded default when `None`), listening on `ip`.
fn serve(dir: &std::path::Path, database: Option<&TestDb>, ip: &str, port: u16) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env_remove("BIRLIK_JWT_SECRET")
        .env_remove("BIRLIK_DEMO_DATA")
        .env_remove(ALLOW)
        .env("BIRLIK_ADDR", format!("{ip}:{port}"))
        .env("RUST_LOG", "warn");
    if let Some(db) = database {
        cmd.env("DATABASE_URL", db.url())
            .env("BIRLIK_JWT_SECRET", TEST_SECRET);
    }
    cmd
}

/// Runs a server until `/readyz` says 200 on loopback, then stops it: what it logged.
async fn serve_until_ready(mut cmd: Command, port: u16) -> String {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(resp) = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && resp.status() == 200
        {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "the server exited ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("not ready within 2 minutes");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    child.kill().ok();
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_embedded_demo_refuses_a_public_address() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = serve(dir.path(), None, "0.0.0.0", free_port())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("birlik: "))
        .unwrap_or_else(|| panic!("one clear line: {stderr}"));
    assert!(
        line.contains("demo accounts") && line.contains(ALLOW),
        "{line}"
    );
}

#[tokio::test]
async fn serve_refuses_a_database_with_the_demo_accounts_on_a_public_address() {
    let db = TestDb::demo().await;
    let dir = tempfile::TempDir::new().unwrap();
    let out = serve(dir.path(), Some(&db), "0.0.0.0", free_port())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(ALLOW), "{stderr}");
}

#[tokio::test]
async fn the_setting_that_names_the_risk_serves_them_publicly_with_a_warning() {
    let db = TestDb::demo().await;
    let dir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let mut cmd = serve(dir.path(), Some(&db), "0.0.0.0", port);
    cmd.env(ALLOW, "true");
    let logged = serve_until_ready(cmd, port).await;
    assert!(logged.contains("holds the demo accounts"), "{logged}");
}

#[tokio::test]
async fn serve_on_loopback_warns_of_the_demo_accounts() {
    let db = TestDb::demo().await;
    let dir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let logged = serve_until_ready(serve(dir.path(), Some(&db), "127.0.0.1", port), port).await;
    assert!(logged.contains("holds the demo accounts"), "{logged}");
}

#[tokio::test]
async fn a_database_without_demo_accounts_serves_any_address_without_a_word() {
    let db = TestDb::migrated().await;
    let dir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let logged = serve_until_ready(serve(dir.path(), Some(&db), "0.0.0.0", port), port).await;
    assert!(!logged.contains("demo accounts"), "{logged}");
}
