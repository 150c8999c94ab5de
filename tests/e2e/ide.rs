//! GraphiQL without internet: the IDE's page loads only files this server serves from its binary
//! (GraphiQL and React as vendored in `api/assets/graphiql/`, byte for byte, under a strict
//! Content-Security-Policy), headless Chromium with every request off 127.0.0.1 blocked runs a
//! query, a subscription and a signed-in query through it, and with introspection off the page and its files are gone.

use std::path::PathBuf;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::app::spawn_with;
use crate::helpers::{TestDb, browser, ops, spawn_app, spawn_app_with_demo};

/// The vendored files, and the folder of our own page and start-up script.
const VENDORED: &str = "api/assets/graphiql";
const OURS: &str = "api/src/http/ide";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A browser's request for the IDE (what Chromium sends when one opens `/graphql`).
async fn page(base: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{base}/graphql"))
        .header(
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .unwrap()
}

/// Every `src="…"` and `href="…"` of an HTML page.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in [" src=\"", " href=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            found.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    found
}

/// The file in the repository that `/graphql/ide/…/<name>` serves.
fn source_of(url_path: &str) -> PathBuf {
    let name = url_path.rsplit('/').next().unwrap();
    [VENDORED, OURS]
        .iter()
        .map(|dir| root().join(dir).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{url_path} is served but no file {name} is in the repository"))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn the_ide_loads_only_files_of_this_server_each_as_vendored() {
    let app = spawn_app().await;
    let resp = page(&app.base).await;
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["vary"], "Accept");
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} missing: {policy}");
    }
    for loose in ["unsafe-inline", "unsafe-eval", "*", "http:", "https:"] {
        assert!(!policy.contains(loose), "{loose} in {policy}");
    }
    let html = resp.text().await.unwrap();
    // No inline script (the policy would refuse it): every script is a file.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/graphql/ide/").count(),
        "{html}"
    );
    let files = references(&html);
    assert_eq!(files.len(), 5, "{files:?}");
    for file in &files {
        assert!(
            file.starts_with("/graphql/ide/") && !file.contains("//") && !file.contains(".."),
            "{file} is not a path of this server"
        );
    }

    let readme = std::fs::read_to_string(root().join(VENDORED).join("README.md")).unwrap();
    // Not decoded: the body's bytes as sent, and then its size compressed by the server.
    let raw = reqwest::Client::builder()
        .gzip(false)
        .brotli(false)
        .build()
        .unwrap();
    let mut totals = [0; 3];
    for file in &files {
        let url = format!("{}{file}", app.base);
        let resp = raw.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{file}");
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
        let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        let body = resp.bytes().await.unwrap();
        let expected = if file.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else {
            assert!(file.ends_with(".css"), "{file}");
            "text/css; charset=utf-8"
        };
        assert_eq!(content_type, expected, "{file}");
        let source = source_of(file);
        let on_disk = std::fs::read(&source).unwrap();
        assert!(body[..] == on_disk[..], "{file} differs from {source:?}");
        let hash = sha256(&body);
        // A file under a version's folder is vendored: its hash is recorded beside it, and it
        // may be kept for a year; our start-up script is revalidated.
        if file.trim_start_matches("/graphql/ide/").contains('/') {
            assert!(
                readme.contains(&hash),
                "README.md lacks {file}'s sha256 {hash}"
            );
            assert_eq!(cache, "public, max-age=31536000, immutable", "{file}");
        } else {
            assert_eq!(cache, "no-cache", "{file}");
        }
        let mut sent = [0; 2];
        for (encoding, len) in ["gzip", "br"].into_iter().zip(&mut sent) {
            let encoded = raw
                .get(&url)
                .header("Accept-Encoding", encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(encoded.headers()["content-encoding"], encoding, "{file}");
            *len = encoded.bytes().await.unwrap().len();
        }
        let [gzip, br] = sent;
        println!(
            "{file}: {} bytes, {gzip} gzipped, {br} with brotli, sha256 {hash}",
            body.len()
        );
        totals[0] += body.len();
        totals[1] += gzip;
        totals[2] += br;
    }
    let [raw_total, gzip_total, br_total] = totals;
    println!(
        "the IDE's files: {raw_total} bytes, {gzip_total} gzipped, {br_total} with brotli \
         (as this server compresses them)"
    );
    assert!(gzip_total * 2 < raw_total, "{gzip_total} of {raw_total}");
    assert!(br_total < gzip_total, "{br_total} against {gzip_total}");

    // Nothing else is served there.
    for other in [
        "/graphql/ide/",
        "/graphql/ide/nothing.js",
        "/graphql/ide/page.html",
    ] {
        let resp = raw
            .get(format!("{}{other}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{other}");
    }
}

#[tokio::test]
async fn with_introspection_off_the_ide_and_its_files_are_gone() {
    let on = spawn_app().await;
    let files = references(&page(&on.base).await.text().await.unwrap());
    assert!(!files.is_empty());
    let off = spawn_with(TestDb::migrated().await, |c| c.introspection = false).await;
    // A browser's GET is then a GET without a query, as for any other client: a GraphQL error.
    let resp = page(&off.base).await;
    assert!(resp.headers().get("content-security-policy").is_none());
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body = resp.text().await.unwrap();
    assert!(!body.to_lowercase().contains("graphiql"), "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert!(body["errors"][0]["message"].is_string(), "{body}");
    for file in &files {
        let resp = reqwest::get(format!("{}{file}", off.base)).await.unwrap();
        assert_eq!(resp.status(), 404, "{file}");
        // Still served by the server where the IDE is on.
        let resp = reqwest::get(format!("{}{file}", on.base)).await.unwrap();
        assert_eq!(resp.status(), 200, "{file}");
    }
}

#[tokio::test]
async fn graphiql_runs_a_query_in_a_browser_without_internet() {
    const QUERY: &str = "{ reliefSummary { collectedTonnes } }";
    let app = spawn_app_with_demo().await;
    let direct = app.anonymous().gql(QUERY, json!({})).await;
    let collected = direct.data()["reliefSummary"]["collectedTonnes"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(collected, "10520");
    let summary = app.anonymous().gql(ops::RELIEF_SUMMARY, json!({})).await;
    assert_eq!(summary.data()["reliefSummary"]["collectedTonnes"], "10520");
    let token = app
        .token_of(birlik_api::demo::generate::MINISTRY_LOGIN)
        .await;
    let screenshot = browser::artifacts_dir().join("graphiql-1280.png");
    let _ = std::fs::remove_file(&screenshot);
    let Some(out) = browser::run(
        "ide.mjs",
        &[
            &app.base,
            QUERY,
            &format!("\"{collected}\""),
            screenshot.to_str().unwrap(),
            &token,
        ],
    )
    .await
    else {
        return;
    };
    let out: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(out["failure"], Value::Null, "{out:#}");
    // Nothing was even attempted off this server, and the page's policy refused nothing.
    assert_eq!(out["blocked"], json!([]), "{out:#}");
    let requests = out["requests"].as_array().unwrap();
    assert!(requests.len() >= 6, "{out:#}");
    for request in requests {
        assert!(
            request.as_str().unwrap().starts_with(&app.base),
            "{request}"
        );
    }
    assert_eq!(out["violations"], json!([]), "{out:#}");
    assert_eq!(out["errors"], json!([]), "{out:#}");
    // The answer on the page is the one POST /graphql gave.
    let result = out["result"].as_str().unwrap();
    assert!(
        result.contains(&format!("\"collectedTonnes\": \"{collected}\"")),
        "{result}"
    );
    // GraphiQL's own introspection passed the server's limits: its documentation shows.
    assert!(
        out["docs"].as_str().unwrap().contains("query: Query"),
        "{out:#}"
    );
    // A subscription went over this server's WebSocket (refused there, being anonymous).
    let socket = format!("{}/graphql", app.base.replacen("http://", "ws://", 1));
    assert_eq!(out["sockets"], json!([socket]), "{out:#}");
    let subscribed = out["subscribed"].as_str().unwrap();
    assert!(subscribed.contains("\"UNAUTHENTICATED\""), "{subscribed}");
    // A token pasted into the headers editor signs the IDE's requests in.
    assert!(
        out["signedIn"].as_str().unwrap().contains("\"MINISTRY\""),
        "{out:#}"
    );
    let shot = std::fs::metadata(&screenshot).expect("the screenshot is kept");
    assert!(shot.len() > 10_000, "{} bytes", shot.len());
    println!("screenshot: {}", screenshot.display());
}
