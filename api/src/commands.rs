//! What each subcommand of `birlik` does.

use crate::config::database_target;
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
    let report = demo::load_with_donations(&conn, args.donations).await?;
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
