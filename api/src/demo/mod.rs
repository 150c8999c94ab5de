//! Demo data for `birlik demo-data` and the embedded default's first start: a realistic copy of
//! the 2024 campaign (see [`generate`]). It loads only into a database that holds nothing but the
//! reference regions, in one transaction, with batched inserts through `store` (no SQL here).

pub mod generate;
mod names;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::auth::password;
use crate::{db, store};

/// Donations written per INSERT batch call while loading (the progress moves between them).
const DONATION_SLICE: usize = 25_000;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password";

/// What a load wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub organizations: usize,
    pub collection_points: usize,
    pub volunteers: usize,
    pub donations: usize,
    pub shipments: usize,
    pub needs: usize,
    pub tasks: usize,
    pub assignments: usize,
}

/// True when no table beyond the reference regions holds a row.
pub async fn is_empty(db: &impl ConnectionTrait) -> anyhow::Result<bool> {
    Ok(store::dataset::holds_only_reference_data(db).await?)
}

/// The domain of the demo accounts' logins.
pub const DEMO_ACCOUNT_DOMAIN: &str = "@demo.birlik.kz";

/// True when an account of the demo (a login `*@demo.birlik.kz`, whose password the README
/// prints) can log in here.
pub async fn holds_demo_accounts(db: &impl ConnectionTrait) -> anyhow::Result<bool> {
    Ok(store::user::any_enabled_with_login_ending(db, DEMO_ACCOUNT_DOMAIN).await?)
}

/// Loads the demo data; refuses a database that already holds more than reference data.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<Report> {
    load_with_donations(db, generate::DEMO_DONATIONS).await
}

/// Loads the demo data with `donations` donation rows (see
/// [`generate::generate_with_donations`]): the benchmark's data set at scale.
pub async fn load_with_donations(
    db: &DatabaseConnection,
    donations: usize,
) -> anyhow::Result<Report> {
    load_with_progress(db, donations, &indicatif::ProgressBar::hidden()).await
}

/// [`load_with_donations`], moving `progress` through the rows written (its length is set here;
/// `birlik demo-data` draws it on a terminal).
pub async fn load_with_progress(
    db: &DatabaseConnection,
    donations: usize,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Report> {
    anyhow::ensure!(
        (generate::MIN_DONATIONS..=generate::MAX_DONATIONS).contains(&donations),
        "the demo data holds {} to {} donations, not {donations}",
        generate::MIN_DONATIONS,
        generate::MAX_DONATIONS
    );
    let started = std::time::Instant::now();
    let hashes = [
        password::hash(DEMO_PASSWORD)?,
        password::hash(DEMO_PASSWORD)?,
        password::hash(DEMO_PASSWORD)?,
    ];
    let tx = db::begin_write(db).await?;
    anyhow::ensure!(
        is_empty(&tx).await?,
        "this database already holds data beyond the reference regions; the demo data loads only into an empty one"
    );
    let regions = store::region::list(&tx).await?;
    progress.set_message("generating");
    let data = generate::generate_with_donations(&regions, Utc::now(), hashes, donations);
    let report = Report {
        organizations: data.organizations.len(),
        collection_points: data.collection_points.len(),
        volunteers: data.volunteers.len(),
        donations: data.donations.len(),
        shipments: data.shipments.len(),
        needs: data.needs.len(),
        tasks: data.tasks.len(),
        assignments: data.assignments.len(),
    };
    let rows = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    progress.set_length(rows(
        data.organizations.len()
            + data.collection_points.len()
            + data.volunteers.len()
            + data.users.len()
            + data.donations.len()
            + data.shipments.len()
            + data.needs.len()
            + data.need_lines.len()
            + data.items.len()
            + data.tasks.len()
            + data.assignments.len()
            + data.shelters.len()
            + data.shelter_counts.len(),
    ));
    let step = |table: &'static str, n: usize| {
        progress.set_message(table);
        progress.inc(rows(n));
    };
    // Each table's rows come with their ids; on PostgreSQL its sequence moves past them.
    let n = data.organizations.len() + data.collection_points.len();
    store::organization::insert_many(&tx, data.organizations).await?;
    store::collection_point::insert_many(&tx, data.collection_points).await?;
    step("organizations", n);
    let n = data.volunteers.len() + data.users.len();
    store::volunteer::insert_many(&tx, data.volunteers).await?;
    store::user::insert_many(&tx, data.users).await?;
    step("volunteers", n);
    // Donations in slices, so that a terminal sees a million of them move.
    let mut donations = data.donations.into_iter().peekable();
    while donations.peek().is_some() {
        let slice: Vec<_> = donations.by_ref().take(DONATION_SLICE).collect();
        let n = slice.len();
        store::donation::insert_many(&tx, slice).await?;
        step("donations", n);
    }
    let n = data.shipments.len();
    store::shipment::insert_many(&tx, data.shipments).await?;
    step("shipments", n);
    // Needs before the items that serve their lines.
    let n = data.needs.len() + data.need_lines.len() + data.items.len();
    store::need_line::insert_many(&tx, data.needs, data.need_lines).await?;
    store::shipment::insert_items(&tx, data.items).await?;
    step("needs", n);
    let n = data.tasks.len() + data.assignments.len();
    // The rows carry their own times: the sync clock moves past the latest of them that has
    // happened (a demo claim dated later stays a real time's stamp ahead, not the clock's).
    let latest = (data.tasks.iter().map(|t| t.updated_at))
        .chain(data.assignments.iter().map(|a| a.updated_at))
        .filter(|at| *at <= chrono::Utc::now())
        .max();
    store::task::insert_many(&tx, data.tasks).await?;
    if let Some(latest) = latest {
        store::task::catch_up(&tx, latest).await?;
    }
    store::claim::insert_many(&tx, data.assignments).await?;
    step("tasks", n);
    let n = data.shelters.len() + data.shelter_counts.len();
    store::shelter::insert_many(&tx, data.shelters).await?;
    store::shelter::insert_counts(&tx, data.shelter_counts).await?;
    step("shelters", n);
    progress.set_message("committing");
    tx.commit().await?;
    tracing::info!(
        ?report,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data loaded"
    );
    Ok(report)
}
