//! An open-loop load client for `bench/run --storm` and `--overload`: sends GraphQL requests to
//! a Birlik on this machine at a fixed rate, on schedule whatever the answers (so a slow server
//! meets the same demand, as real clients would bring it), with a bound on the requests
//! outstanding so that the client itself cannot explode; a request the bound would exceed is
//! counted as `skipped`. Each answer is classified (`ok`: 200 without errors; `errors`: 200 with
//! GraphQL errors; `refused`: 503; `timeout`; `other`) and its latency measured from the moment it
//! was due. Prints one JSON object: counts, latency percentiles per class, a per-second timeline,
//! and, with `--probe-ms`, how long after the load stopped a request was first served within
//! that many milliseconds (recovery).
//!
//! The plan is a JSON file written by `bench/run`:
//! ```json
//! { "url": "http://127.0.0.1:8080/graphql", "secret": "<BIRLIK_JWT_SECRET>",
//!   "mix": [ { "name": "MyTasks", "body": { "query": "…", "variables": {} },
//!              "role": "Volunteer", "accounts": [[user_id, volunteer_id, organization_id], …] } ] }
//! ```
//! Request `i` takes mix entry `i % len` and that entry's accounts in turn, each with a token the
//! client signs itself with the server's key (as `auth::jwt` would issue it), so tens of thousands
//! of accounts need no logins.
//!
//! ```sh
//! cargo run --release --example load -- plan.json --rate 833 --duration 60
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use birlik_api::auth::jwt::Keys;
use birlik_entity::enums::Role;
use clap::Parser;
use serde_json::{Value, json};

/// How the load is driven.
#[derive(Parser, Debug)]
struct Args {
    /// The plan (JSON): url, secret, mix.
    plan: std::path::PathBuf,
    /// Requests per second, sent on schedule.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Seconds of load.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Most requests outstanding at once; a request due beyond it is skipped (and counted).
    #[arg(long, default_value_t = 4000)]
    max_outstanding: usize,
    /// Milliseconds a request may take before it counts as a time-out.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// After the load: probe until a request is served within this many milliseconds.
    #[arg(long)]
    probe_ms: Option<u64>,
}

/// What became of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Errors,
    Refused,
    Timeout,
    Other,
}

const OUTCOMES: [(Outcome, &str); 5] = [
    (Outcome::Ok, "ok"),
    (Outcome::Errors, "errors"),
    (Outcome::Refused, "refused"),
    (Outcome::Timeout, "timeout"),
    (Outcome::Other, "other"),
];

/// One request of the mix, ready to send.
struct Target {
    body: Vec<u8>,
    tokens: Vec<String>,
}

/// One answered request: when it was due (seconds from the start), its latency, its outcome.
type Sample = (f64, Duration, Outcome);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let plan: Value = serde_json::from_slice(&std::fs::read(&args.plan)?)?;
    let url = plan["url"].as_str().ok_or("plan: no url")?.to_owned();
    if !url.starts_with("http://127.0.0.1:") && !url.starts_with("http://localhost:") {
        return Err("loopback only (http://127.0.0.1:…)".into());
    }
    let targets = Arc::new(targets(&plan)?);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(args.timeout_ms))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()?;

    let total = (args.rate * args.duration).round() as usize;
    let interval = Duration::from_secs_f64(1.0 / args.rate.max(0.001));
    let outstanding = Arc::new(AtomicUsize::new(0));
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<Sample>();
    let start = Instant::now();
    let mut skipped = 0usize;
    let mut sent = 0usize;
    while sent < total {
        let due = start + interval.mul_f64(sent as f64);
        let now = Instant::now();
        if due > now {
            tokio::time::sleep_until(due.into()).await;
        }
        if outstanding.load(Ordering::Relaxed) >= args.max_outstanding {
            skipped += 1;
            sent += 1;
            continue;
        }
        let target = &targets[sent % targets.len()];
        let token = target.tokens[(sent / targets.len()) % target.tokens.len()].clone();
        let request = http
            .post(&url)
            .header("content-type", "application/json")
            .bearer_auth(token)
            .body(target.body.clone());
        outstanding.fetch_add(1, Ordering::Relaxed);
        let (outstanding, done) = (outstanding.clone(), done_tx.clone());
        let at = due.duration_since(start).as_secs_f64();
        tokio::spawn(async move {
            let outcome = send(request).await;
            let _ = done.send((at, due.elapsed(), outcome));
            outstanding.fetch_sub(1, Ordering::Relaxed);
        });
        sent += 1;
    }
    let load_s = start.elapsed().as_secs_f64();
    let load_end = Instant::now();

    let recovery = match args.probe_ms {
        Some(ms) => Some(
            probe(
                &http,
                &url,
                &targets[0],
                Duration::from_millis(ms),
                load_end,
            )
            .await,
        ),
        None => None,
    };
    drop(done_tx);
    let mut samples = Vec::with_capacity(total);
    while let Some(sample) = done_rx.recv().await {
        samples.push(sample);
    }
    let report = report(&args, &samples, skipped, load_s, recovery);
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// The mix's bodies and each entry's tokens, signed with the server's key.
fn targets(plan: &Value) -> Result<Vec<Target>, Box<dyn std::error::Error>> {
    let secret = plan["secret"].as_str().ok_or("plan: no secret")?;
    let keys = Keys::from_secret(&secrecy::SecretString::from(secret.to_owned()))?;
    let mut out = Vec::new();
    for entry in plan["mix"].as_array().ok_or("plan: no mix")? {
        let role = match entry["role"].as_str() {
            Some("Volunteer") => Role::Volunteer,
            Some("Ngo") => Role::Ngo,
            Some("Ministry") => Role::Ministry,
            other => return Err(format!("plan: unknown role {other:?}").into()),
        };
        let id = |a: &Value, i: usize| a[i].as_i64().map(|n| n as i32);
        let tokens = entry["accounts"]
            .as_array()
            .ok_or("plan: no accounts")?
            .iter()
            .map(|a| {
                let user = id(a, 0).ok_or("plan: an account without its user id")?;
                let (token, _) = keys.issue(user, role, id(a, 2), id(a, 1))?;
                Ok(token)
            })
            .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
        if tokens.is_empty() {
            return Err("plan: an entry without accounts".into());
        }
        out.push(Target {
            body: serde_json::to_vec(&entry["body"])?,
            tokens,
        });
    }
    if out.is_empty() {
        return Err("plan: an empty mix".into());
    }
    Ok(out)
}

async fn send(request: reqwest::RequestBuilder) -> Outcome {
    match request.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            match resp.bytes().await {
                Ok(body) if status == 200 => {
                    // A GraphQL error list starts `"errors":[`; data holding the word is no error.
                    if memchr(&body, b"\"errors\":[") {
                        Outcome::Errors
                    } else {
                        Outcome::Ok
                    }
                }
                Ok(_) if status == 503 => Outcome::Refused,
                Err(e) if e.is_timeout() => Outcome::Timeout,
                _ => Outcome::Other,
            }
        }
        Err(e) if e.is_timeout() => Outcome::Timeout,
        Err(_) => Outcome::Other,
    }
}

fn memchr(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Seconds from `since` until one request (sent one after another) is served within `within`.
async fn probe(
    http: &reqwest::Client,
    url: &str,
    target: &Target,
    within: Duration,
    since: Instant,
) -> Value {
    let mut tries = 0;
    while since.elapsed() < Duration::from_secs(60) {
        tries += 1;
        let started = Instant::now();
        let request = http
            .post(url)
            .header("content-type", "application/json")
            .bearer_auth(&target.tokens[0])
            .body(target.body.clone());
        let outcome = send(request).await;
        let took = started.elapsed();
        if outcome == Outcome::Ok && took <= within {
            return json!({ "seconds": since.elapsed().as_secs_f64(), "tries": tries,
                           "last_ms": ms(took) });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    json!({ "seconds": null, "tries": tries })
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Percentiles of latencies, in milliseconds.
fn percentiles(latencies: &mut [Duration]) -> Value {
    if latencies.is_empty() {
        return json!({ "n": 0 });
    }
    latencies.sort_unstable();
    let at = |q: f64| ms(latencies[((latencies.len() - 1) as f64 * q).round() as usize]);
    json!({ "n": latencies.len(), "p50": at(0.50), "p90": at(0.90), "p99": at(0.99),
            "max": at(1.0) })
}

fn report(
    args: &Args,
    samples: &[Sample],
    skipped: usize,
    load_s: f64,
    recovery: Option<Value>,
) -> Value {
    let mut counts = serde_json::Map::new();
    let mut latency = serde_json::Map::new();
    for (outcome, name) in OUTCOMES {
        let mut of: Vec<Duration> = samples
            .iter()
            .filter(|s| s.2 == outcome)
            .map(|s| s.1)
            .collect();
        counts.insert(name.into(), json!(of.len()));
        latency.insert(name.into(), percentiles(&mut of));
    }
    counts.insert("skipped".into(), json!(skipped));
    let seconds = args.duration.ceil() as usize;
    let timeline: Vec<Value> = (0..seconds)
        .map(|second| {
            let of: Vec<&Sample> = samples.iter().filter(|s| s.0 as usize == second).collect();
            let count = |o: Outcome| of.iter().filter(|s| s.2 == o).count();
            let mut ok: Vec<Duration> = of
                .iter()
                .filter(|s| s.2 == Outcome::Ok)
                .map(|s| s.1)
                .collect();
            json!({ "second": second, "sent": of.len(), "ok": count(Outcome::Ok),
                    "errors": count(Outcome::Errors), "refused": count(Outcome::Refused),
                    "timeout": count(Outcome::Timeout), "other": count(Outcome::Other),
                    "ok_p99": percentiles(&mut ok)["p99"] })
        })
        .collect();
    let served = samples.iter().filter(|s| s.2 == Outcome::Ok).count();
    json!({
        "offered_rate": args.rate,
        "duration_s": load_s,
        "requests": samples.len() + skipped,
        "ok_rate": served as f64 / load_s.max(1e-9),
        "counts": counts,
        "latency_ms": latency,
        "recovery": recovery,
        "timeline": timeline,
    })
}
