//! Headless Chromium for the page and IDE tests: Debian's `chromium`, driven by playwright-core
//! from `tests/node` (see `tests/node/browser.mjs`: every request off 127.0.0.1 is blocked).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs `node tests/node/<script> <args…>` with Chromium at hand and returns its output, or
/// `None` (after saying so) when this machine has neither Chromium nor the means to install it.
/// `.ci/run` installs it; elsewhere a root shell gets Debian's package on first use.
pub async fn run(script: &str, args: &[&str]) -> Option<String> {
    if !chromium() {
        eprintln!("SKIPPED: {script} needs Debian's chromium (`apt-get install chromium`)");
        return None;
    }
    crate::standards::node(script, args).await
}

/// Where a run keeps what it shows (the page's screenshots): `BIRLIK_ARTIFACTS_DIR`, or
/// `target/ci-artifacts` in the workspace.
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("BIRLIK_ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ci-artifacts"));
    std::fs::create_dir_all(&dir).expect("the artifacts folder can be made");
    dir
}

fn chromium() -> bool {
    static INSTALL: Mutex<Option<bool>> = Mutex::new(None);
    let mut state = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = *state {
        return found;
    }
    let mut found = PathBuf::from(CHROMIUM).exists();
    if !found
        && Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n")
    {
        found = Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium"])
            .status()
            .is_ok_and(|s| s.success())
            && PathBuf::from(CHROMIUM).exists();
    }
    *state = Some(found);
    found
}
