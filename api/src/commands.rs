//! What each subcommand of `birlik` does.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::database_target;
use crate::services::import;
use crate::{Application, Config, db, demo};

/// The database a maintenance command works on.
#[derive(clap::Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// `postgres://…` or `sqlite://file.db`; the embedded `birlik.db` when absent.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
}

/// What `birlik demo-data` loads, and where.
#[derive(clap::Args, Clone, Debug)]
pub struct DemoDataArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Donation rows: the demo's 30375 carry the article's figures; more (1000000 for the
    /// benchmark's scale run) are drawn the same way and shipped in the same proportions.
    #[arg(long, default_value_t = demo::generate::DEMO_DONATIONS)]
    pub donations: usize,
}

/// `birlik serve`.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

/// `birlik migrate`.
pub async fn migrate(args: DatabaseArgs) -> anyhow::Result<()> {
    let target = database_target(args.database_url.as_deref())?;
    let conn = db::connect(&target, 2, std::time::Duration::from_secs(10), None).await?;
    db::migrate(&conn).await?;
    tracing::info!("migrations applied");
    Ok(())
}

/// `birlik demo-data`: migrates first, then loads.
pub async fn demo_data(args: DemoDataArgs) -> anyhow::Result<()> {
    let target = database_target(args.database.database_url.as_deref())?;
    let conn = db::connect(&target, 2, std::time::Duration::from_secs(10), None).await?;
    db::migrate(&conn).await?;
    let progress = bar(
        0,
        "{spinner} loading the demo data: {msg} {wide_bar} {pos}/{len} rows",
    );
    let report = demo::load_with_progress(&conn, args.donations, &progress).await?;
    // What the load appended to the rollups' logs (PostgreSQL), folded before any read.
    crate::store::rollup::fold_and_vacuum(&conn).await?;
    progress.finish_and_clear();
    println!(
        "demo data loaded: {} organizations, {} collection points, {} volunteers, {} donations, {} shipments, {} tasks",
        report.organizations,
        report.collection_points,
        report.volunteers,
        report.donations,
        report.shipments,
        report.tasks
    );
    Ok(())
}

/// What `birlik import` imports.
#[derive(clap::Subcommand, Clone, Debug)]
pub enum ImportCommand {
    /// Send a CSV file of donations to a Birlik server (`POST /imports/donations`), all rows or
    /// none. The header row names the fields of `RegisterDonationInput` (collectionPointId,
    /// category, kilograms, itemCount, description, donorName, receivedAt), in any order.
    Donations(ImportDonationsArgs),
}

/// Where `birlik import donations` sends which file, as whom.
#[derive(clap::Args, Clone, Debug)]
pub struct ImportDonationsArgs {
    /// The CSV file (UTF-8).
    pub file: PathBuf,
    /// The Birlik server (http://; for https send the file with curl).
    #[arg(long, env = "BIRLIK_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// An access token (from `login`) of an organization's staff or of the ministry.
    #[arg(long, env = "BIRLIK_TOKEN", hide_env_values = true)]
    pub token: String,
}

/// A progress bar on standard error, drawn only when that is a terminal.
fn bar(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// `birlik import donations FILE`: checks every row here first (what needs no database), with
/// progress, then sends the file and waits for the server's one transaction; prints what was
/// imported, or every refused row.
pub async fn import(command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Donations(args) = command;
    let started = Instant::now();
    let content = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    // Ids cannot be told from names without the server: every point goes as it is written.
    let drafts = match import::csv::parse(&content, usize::MAX, |_| None) {
        Ok(Ok(drafts)) => drafts,
        Ok(Err(report)) => return refused(&report),
        Err(e) => anyhow::bail!("{}: {e}", args.file.display()),
    };
    let rows = drafts.len();
    let checking = bar(
        u64::try_from(rows).unwrap_or(u64::MAX),
        "{spinner} checking rows {wide_bar} {pos}/{len}",
    );
    let now = chrono::Utc::now();
    let mut report = Vec::new();
    for draft in drafts {
        report.extend(import::check_cells(vec![draft], now).1);
        checking.inc(1);
    }
    checking.finish_and_clear();
    if !report.is_empty() {
        return refused(&report);
    }
    let sending = bar(0, "{spinner} {msg} ({elapsed})");
    sending.set_message(format!(
        "sending {rows} rows; the server checks and commits them"
    ));
    let url = format!("{}/imports/donations", args.url.trim_end_matches('/'));
    let answer = reqwest::Client::new()
        .post(&url)
        .header("content-type", "text/csv; charset=utf-8")
        .header("authorization", format!("Bearer {}", args.token.trim()))
        .body(content)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach {url}: {e}"))?;
    let status = answer.status().as_u16();
    let body = answer
        .bytes()
        .await
        .map_err(|e| anyhow::anyhow!("{url} answered {status} and broke off: {e}"))?;
    let body: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| anyhow::anyhow!("{url} answered {status} without JSON: {e}"))?;
    sending.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    match status {
        200 | 201 => {
            let (imported, kilograms) = (&body["imported"], &body["kilograms"]);
            let kilograms = kilograms.as_str().unwrap_or_default();
            if body["replayed"] == true {
                println!(
                    "already imported: this file registered {imported} donations ({kilograms} kg) before; nothing was registered again"
                );
            } else {
                println!("imported {imported} donations ({kilograms} kg) in {seconds:.1} s");
            }
            Ok(())
        }
        422 => {
            let report: Vec<import::RowError> = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| import::RowError {
                    line: e["line"]
                        .as_u64()
                        .and_then(|l| usize::try_from(l).ok())
                        .unwrap_or(0),
                    column: e["column"].as_str().unwrap_or_default().to_owned(),
                    reason: e["reason"].as_str().unwrap_or_default().to_owned(),
                })
                .collect();
            refused(&report)
        }
        _ => anyhow::bail!(
            "the server refused the file ({status} {}): {}",
            body["code"].as_str().unwrap_or("?"),
            body["message"].as_str().unwrap_or("?")
        ),
    }
}

/// Prints every refused row on standard error and fails: nothing was imported.
fn refused(report: &[import::RowError]) -> anyhow::Result<()> {
    for e in report {
        eprintln!("line {}, {}: {}", e.line, e.column, e.reason);
    }
    anyhow::bail!(
        "{} problem(s) in the file; nothing was imported",
        report.len()
    )
}

/// `birlik rollups …`: checks or refills the summary tables the aggregates read.
#[derive(clap::Subcommand, Clone, Debug)]
pub enum RollupsCommand {
    /// Compare every rollup with the bare `GROUP BY` over its rows; print each difference and
    /// exit 1 on any.
    Verify(DatabaseArgs),
    /// Empty every rollup and fill it again from the rows (the writes wait meanwhile).
    Rebuild(DatabaseArgs),
}

/// `birlik rollups verify | rebuild`.
pub async fn rollups(command: RollupsCommand) -> anyhow::Result<()> {
    let (RollupsCommand::Verify(args) | RollupsCommand::Rebuild(args)) = &command;
    let target = database_target(args.database_url.as_deref())?;
    let conn = db::connect(&target, 2, Duration::from_secs(10), None).await?;
    match command {
        RollupsCommand::Verify(_) => {
            let differences = crate::services::stats::verify_rollups(&conn).await?;
            for d in &differences {
                println!(
                    "{} {:?}: kept {:?}, computed {:?}",
                    d.table, d.key, d.kept, d.computed
                );
            }
            anyhow::ensure!(
                differences.is_empty(),
                "{} rollup rows differ from the GROUP BY",
                differences.len()
            );
            println!("rollups exact");
        }
        RollupsCommand::Rebuild(_) => {
            crate::services::stats::rebuild_rollups(&conn).await?;
            println!("rollups rebuilt");
        }
    }
    Ok(())
}
