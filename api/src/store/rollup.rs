//! The rollups: summary tables that triggers keep exact in the transaction of every write (see
//! `birlik_migration::rollups` for the tables, the facts that feed them and the triggers). A
//! rollup's rows are its table's plus its `_delta` log's (PostgreSQL's writers append there:
//! [`rows_of`]); [`fold`] moves the log into the table. Here too: comparing every rollup with its
//! facts summed from scratch (`verify`), refilling them (`rebuild`), and which donation filters
//! a rollup can answer exactly.

use std::collections::BTreeMap;

use birlik_migration::rollups::{self, ROLLUPS, Rollup, Rows};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionTrait};

use crate::store::donation::Where;
use crate::store::filter::Tree;

/// One rollup row: its key (as text) and its values.
type Rows_ = BTreeMap<Vec<String>, Vec<i64>>;

/// A row where a rollup and its facts disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    pub key: Vec<String>,
    /// The rollup's values (zeros when it lacks the row).
    pub kept: Vec<i64>,
    /// What the source rows add up to (zeros when they give none).
    pub computed: Vec<i64>,
}

fn key_cols(rollup: &Rollup, prefix: &str) -> Vec<String> {
    (0..rollup.keys.len())
        .map(|i| format!("CAST({prefix}{i} AS TEXT)"))
        .collect()
}

async fn read(db: &impl ConnectionTrait, rollup: &Rollup, sql: String) -> Result<Rows_, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut out = Rows_::new();
    for row in rows {
        let key = (0..rollup.keys.len())
            .map(|i| row.try_get_by_index::<String>(i))
            .collect::<Result<Vec<_>, _>>()?;
        let values = (0..rollup.values.len())
            .map(|i| row.try_get_by_index::<i64>(rollup.keys.len() + i))
            .collect::<Result<Vec<_>, _>>()?;
        if values.iter().any(|v| *v != 0) {
            out.insert(key, values);
        }
    }
    Ok(out)
}

/// A rollup's rows as SQL: its table's and its log's, to be summed per key.
pub fn rows_of(table: &str) -> String {
    format!("(SELECT * FROM {table} UNION ALL SELECT * FROM {table}_delta)")
}

/// [`rows_of`] as a query to select from.
pub fn rows_query(table: &str) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Alias, Asterisk, Query, UnionType};
    Query::select()
        .column(Asterisk)
        .from(Alias::new(table))
        .union(
            UnionType::All,
            Query::select()
                .column(Asterisk)
                .from(Alias::new(format!("{table}_delta")))
                .to_owned(),
        )
        .to_owned()
}

/// What one rollup holds.
async fn kept(db: &impl ConnectionTrait, rollup: &Rollup) -> Result<Rows_, DbErr> {
    let keys: Vec<&str> = rollup.keys.iter().map(|(k, _)| *k).collect();
    let text: Vec<String> = keys.iter().map(|k| format!("CAST({k} AS TEXT)")).collect();
    let values: Vec<String> = rollup
        .values
        .iter()
        .map(|v| format!("CAST(SUM({v}) AS BIGINT)"))
        .collect();
    let sql = format!(
        "SELECT {}, {} FROM {} t GROUP BY {}",
        text.join(", "),
        values.join(", "),
        rows_of(rollup.table),
        keys.join(", ")
    );
    read(db, rollup, sql).await
}

/// Moves every rollup's log into its table, summed per key, in key order (on PostgreSQL; the
/// log stays empty on SQLite). Writers appending meanwhile are neither waited for nor lost: a
/// row appended after the statement's snapshot stays for the next fold. Returns how many log
/// rows each log gave up (only the logs that held any).
pub async fn fold(db: &impl ConnectionTrait) -> Result<Vec<(&'static str, u64)>, DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(Vec::new());
    }
    // One statement says which logs hold rows: an idle database costs one a fold.
    let probe: Vec<String> = ROLLUPS
        .iter()
        .map(|r| {
            format!(
                "SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t}_delta)",
                t = r.table
            )
        })
        .collect();
    let pending: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, probe.join(" UNION ALL ")))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?;
    let mut moved = Vec::new();
    for rollup in ROLLUPS
        .iter()
        .filter(|r| pending.iter().any(|p| p == r.table))
    {
        let mut cols: Vec<String> = rollup
            .keys
            .iter()
            .enumerate()
            .map(|(i, (k, _))| format!("{k} AS k{i}"))
            .collect();
        cols.extend(
            rollup
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{v} AS v{i}")),
        );
        let inner = format!("SELECT {} FROM moved", cols.join(", "));
        let sql = format!(
            "WITH moved AS (DELETE FROM {}_delta RETURNING *), folded AS ({}) \
             SELECT CAST(COUNT(*) AS BIGINT) FROM moved",
            rollup.table,
            rollups::upsert(rollup, &inner)
        );
        let rows = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await?
            .map(|row| row.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        moved.push((rollup.table, rows as u64));
    }
    Ok(moved)
}

/// Log rows a fold may leave dead in a log before [`vacuum_log`] reclaims them: each read of a
/// rollup scans its log, and a log emptied by a fold keeps its dead rows' pages until a vacuum
/// (a bulk import's 10,000 rows cost a read about a millisecond until then).
pub const VACUUM_AFTER: u64 = 10_000;

/// Reclaims the space of the rows folds deleted from `table`'s log (PostgreSQL; outside any
/// transaction), so that reads scan only the rows still to fold.
pub async fn vacuum_log(db: &sea_orm::DatabaseConnection, table: &str) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    db.execute_unprepared(&format!("VACUUM {table}_delta"))
        .await
        .map(|_| ())
}

/// Folds every log and vacuums those the fold emptied of anything (after a bulk load, before
/// the first read); returns what [`fold`] does.
pub async fn fold_and_vacuum(
    db: &sea_orm::DatabaseConnection,
) -> Result<Vec<(&'static str, u64)>, DbErr> {
    let moved = fold(db).await?;
    for (table, _) in &moved {
        vacuum_log(db, table).await?;
    }
    Ok(moved)
}

/// What one rollup should hold: its facts summed over the source rows, the bare `GROUP BY`.
async fn computed(db: &impl ConnectionTrait, rollup: &Rollup) -> Result<Rows_, DbErr> {
    let backend = db.get_database_backend();
    let facts = rollups::facts(backend);
    let parts: Vec<String> = facts
        .iter()
        .filter(|f| f.rollup == rollup.table && f.counts())
        .map(|f| rollups::fact_select(f, Rows::Table(f.source), false, true))
        .collect();
    let k: Vec<String> = (0..rollup.keys.len()).map(|i| format!("k{i}")).collect();
    let sums: Vec<String> = (0..rollup.values.len())
        .map(|i| format!("CAST(SUM(v{i}) AS BIGINT)"))
        .collect();
    let sql = format!(
        "SELECT {}, {} FROM ({}) t GROUP BY {}",
        key_cols(rollup, "k").join(", "),
        sums.join(", "),
        parts.join(" UNION ALL "),
        k.join(", ")
    );
    read(db, rollup, sql).await
}

/// Every row where a rollup differs from its facts summed from scratch (none when exact), read
/// in one transaction (on PostgreSQL a repeatable-read snapshot: one moment's rows).
pub async fn verify(db: &sea_orm::DatabaseConnection) -> Result<Vec<Difference>, DbErr> {
    let txn = db
        .begin_with_config(Some(sea_orm::IsolationLevel::RepeatableRead), None)
        .await?;
    let differences = verify_in(&txn).await?;
    txn.commit().await?;
    Ok(differences)
}

async fn verify_in(db: &impl ConnectionTrait) -> Result<Vec<Difference>, DbErr> {
    let mut out = Vec::new();
    for rollup in &ROLLUPS {
        let kept = kept(db, rollup).await?;
        let computed = computed(db, rollup).await?;
        let zeros = vec![0; rollup.values.len()];
        let keys: std::collections::BTreeSet<&Vec<String>> =
            kept.keys().chain(computed.keys()).collect();
        for key in keys {
            let a = kept.get(key).unwrap_or(&zeros);
            let b = computed.get(key).unwrap_or(&zeros);
            if a != b {
                out.push(Difference {
                    table: rollup.table,
                    key: key.clone(),
                    kept: a.clone(),
                    computed: b.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Empties every rollup and fills it again from the source rows, in one transaction (on
/// PostgreSQL with the source tables locked against writes meanwhile).
pub async fn rebuild(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    if backend == DbBackend::Postgres {
        let mut sources: Vec<&str> = rollups::facts(backend).iter().map(|f| f.source).collect();
        sources.sort_unstable();
        sources.dedup();
        txn.execute_unprepared(&format!("LOCK TABLE {} IN SHARE MODE", sources.join(", ")))
            .await?;
    }
    for rollup in &ROLLUPS {
        txn.execute_unprepared(&format!("DELETE FROM {}", rollup.table))
            .await?;
        txn.execute_unprepared(&format!("DELETE FROM {}_delta", rollup.table))
            .await?;
    }
    for statement in rollups::fill(backend) {
        txn.execute_unprepared(&statement).await?;
    }
    txn.commit().await?;
    // The tables were emptied and filled again, the logs emptied: reclaim their dead rows.
    if backend == DbBackend::Postgres {
        let tables: Vec<String> = ROLLUPS
            .iter()
            .flat_map(|r| [r.table.to_string(), format!("{}_delta", r.table)])
            .collect();
        db.execute_unprepared(&format!("VACUUM {}", tables.join(", ")))
            .await?;
    }
    Ok(())
}

/// Whether the rollups can answer a donation filter exactly: every leaf names a column the
/// rollups keep (category, status, organization, collection point, region).
pub fn answers(tree: &Tree<Where>) -> bool {
    tree.every_leaf(&|leaf| {
        matches!(
            leaf,
            Where::Category(_)
                | Where::Status(_)
                | Where::OrganizationId(_)
                | Where::CollectionPointId(_)
                | Where::RegionCode(_)
        )
    })
}
