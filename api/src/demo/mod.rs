//! Demo data for `birlik demo-data` and the embedded default's first start: a realistic copy of
//! the 2024 campaign (see [`generate`]). It loads only into a database that holds nothing but the
//! reference regions, in one transaction, with batched inserts.

pub mod generate;
mod names;

use birlik_entity::{
    collection_point, donation, organization, shipment, shipment_item, task, task_assignment,
    user_account, volunteer,
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Iterable,
    Statement,
};

use crate::auth::password;
use crate::{db, store};

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
    pub tasks: usize,
    pub assignments: usize,
}

/// True when no table beyond the reference regions holds a row.
pub async fn is_empty(db: &impl ConnectionTrait) -> anyhow::Result<bool> {
    let stmt = Statement::from_string(
        db.get_database_backend(),
        "SELECT CAST((SELECT COUNT(*) FROM organization) + (SELECT COUNT(*) FROM volunteer) \
         + (SELECT COUNT(*) FROM user_account) + (SELECT COUNT(*) FROM donation) \
         + (SELECT COUNT(*) FROM shipment) + (SELECT COUNT(*) FROM task) AS BIGINT) AS n",
    );
    let row = db
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row from a count"))?;
    Ok(row.try_get::<i64>("", "n")? == 0)
}

/// The domain of the demo accounts' logins.
pub const DEMO_ACCOUNT_DOMAIN: &str = "@demo.birlik.kz";

/// True when an account of the demo (a login `*@demo.birlik.kz`, whose password the README
/// prints) can log in here.
pub async fn holds_demo_accounts(db: &impl ConnectionTrait) -> anyhow::Result<bool> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(user_account::Entity::find()
        .filter(user_account::Column::Email.like(format!("%{DEMO_ACCOUNT_DOMAIN}")))
        .filter(user_account::Column::DisabledAt.is_null())
        .one(db)
        .await?
        .is_some())
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
    let data = generate::generate_with_donations(&regions, Utc::now(), hashes, donations);
    let report = Report {
        organizations: data.organizations.len(),
        collection_points: data.collection_points.len(),
        volunteers: data.volunteers.len(),
        donations: data.donations.len(),
        shipments: data.shipments.len(),
        tasks: data.tasks.len(),
        assignments: data.assignments.len(),
    };
    insert::<organization::ActiveModel>(&tx, data.organizations).await?;
    insert::<collection_point::ActiveModel>(&tx, data.collection_points).await?;
    insert::<volunteer::ActiveModel>(&tx, data.volunteers).await?;
    insert::<user_account::ActiveModel>(&tx, data.users).await?;
    insert::<donation::ActiveModel>(&tx, data.donations).await?;
    insert::<shipment::ActiveModel>(&tx, data.shipments).await?;
    insert::<shipment_item::ActiveModel>(&tx, data.items).await?;
    insert::<task::ActiveModel>(&tx, data.tasks).await?;
    insert::<task_assignment::ActiveModel>(&tx, data.assignments).await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        // Rows came with their ids: move each identity sequence past them.
        for table in [
            "organization",
            "collection_point",
            "volunteer",
            "user_account",
            "donation",
            "shipment",
            "shipment_item",
            "task",
            "task_assignment",
        ] {
            tx.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    tx.commit().await?;
    tracing::info!(
        ?report,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data loaded"
    );
    Ok(report)
}

/// Inserts rows in batches that stay under SQLite's and PostgreSQL's bound-parameter limits.
async fn insert<A>(
    tx: &impl ConnectionTrait,
    rows: Vec<<A::Entity as EntityTrait>::Model>,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + From<<A::Entity as EntityTrait>::Model> + Send,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count();
    let batch = (30_000 / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows
            .by_ref()
            .take(batch)
            .map(|m| A::from(m).reset_all())
            .collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}
