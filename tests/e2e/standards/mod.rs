//! The standards the clients depend on: field errors as the GraphQL spec handles them (checked
//! with Apollo Client's own cache), GraphQL over HTTP (checked with graphql-http's own audit),
//! introspection refused with a code when it is off, and input named where it was given.
//!
//! The third-party clients are Node packages pinned in `tests/node/package-lock.json`;
//! [`node`] installs them (`npm ci`) on first use when `.ci/run` has not.

mod apollo;
mod coercion;
mod http;
mod nulls;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// Runs `node tests/node/<script> <args…>` and returns its standard output, or `None` (after
/// saying so) when this machine has no `node`. It runs on a blocking thread: the server under
/// test shares the test's runtime.
pub async fn node(script: &str, args: &[&str]) -> Option<String> {
    let script = script.to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || run_node(&script, &args))
        .await
        .expect("the node runner does not panic")
}

fn run_node(script: &str, args: &[String]) -> Option<String> {
    static INSTALL: Mutex<bool> = Mutex::new(false);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `node` is not installed; {script} needs Node.js 20 or later");
        return None;
    }
    {
        let mut installed = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
        if !*installed && !dir.join("node_modules/.package-lock.json").exists() {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .status()
                .expect("npm runs");
            assert!(status.success(), "npm ci in tests/node failed");
        }
        *installed = true;
    }
    let out = Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&dir)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("UTF-8 output"))
}
