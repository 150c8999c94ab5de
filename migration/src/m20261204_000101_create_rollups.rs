//! Rollups: summary tables the aggregates read instead of a `GROUP BY` over every donation, kept
//! exact by triggers in the transaction of every write that changes them (no service can forget
//! one, an import's bulk INSERT included), and back-filled here from the rows already there.
//!
//! Each rollup is a table of key columns and summed value columns; each *fact* says how one
//! source table's row contributes to one rollup (its key and its values, possibly through a join).
//! A write adds the new rows' contributions and subtracts the old ones'. SQLite (one writer at a
//! time) runs row triggers that upsert into the rollup. PostgreSQL runs statement triggers over
//! transition tables that append one statement's contributions, summed per key, to the rollup's
//! `_delta` log: writers never lock a rollup row, so no two of them wait for each other on one
//! (a hot collection point) or deadlock over two taken in opposite orders. Reads add the log to
//! the table (a few rows), and `store::rollup::fold` moves the log into the table every moment.
//! `birlik rollups verify` compares every rollup with the same facts summed from scratch
//! (`store::rollup`, from these definitions), and `rebuild` refills them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// One summary table: its key columns (name, SQL type) and its summed value columns.
#[derive(Debug)]
pub struct Rollup {
    pub table: &'static str,
    pub keys: &'static [(&'static str, &'static str)],
    pub values: &'static [&'static str],
}

/// The rollups, in the order they are created.
pub const ROLLUPS: [Rollup; 6] = [
    // Donations by collection point (with its region and organization), category and status.
    Rollup {
        table: "donation_rollup",
        keys: &[
            ("collection_point_id", "INTEGER"),
            ("category", "TEXT"),
            ("status", "TEXT"),
            ("region_id", "INTEGER"),
            ("organization_id", "INTEGER"),
        ],
        values: &[
            "donation_count",
            "grams",
            "shipped_grams",
            "written_off_grams",
        ],
    },
    // The same by the day received (Kazakhstan time, `YYYY-MM-DD`), for DAY and WEEK groupings.
    Rollup {
        table: "donation_day_rollup",
        keys: &[
            ("day", "TEXT"),
            ("collection_point_id", "INTEGER"),
            ("category", "TEXT"),
            ("status", "TEXT"),
            ("region_id", "INTEGER"),
            ("organization_id", "INTEGER"),
        ],
        values: &["donation_count", "grams"],
    },
    // Shipments and the grams they carry by origin, destination and status.
    Rollup {
        table: "shipment_rollup",
        keys: &[
            ("origin_region_id", "INTEGER"),
            ("destination_region_id", "INTEGER"),
            ("status", "TEXT"),
        ],
        values: &["shipment_count", "grams"],
    },
    // Per region: volunteers, collection points, open needs, open shelters.
    Rollup {
        table: "region_rollup",
        keys: &[("region_id", "INTEGER")],
        values: &[
            "volunteer_count",
            "collection_point_count",
            "open_need_count",
            "outstanding_need_grams",
            "open_shelter_count",
            "people_in_shelters",
            "children_in_shelters",
            "shelter_capacity",
        ],
    },
    // Organizations by whether they are verified (1) or not (0).
    Rollup {
        table: "organization_rollup",
        keys: &[("verified", "INTEGER")],
        values: &["organization_count"],
    },
    // Need lines by their need's region, organization (0: none), priority and status, and their
    // own category and fulfilment.
    Rollup {
        table: "need_rollup",
        keys: &[
            ("region_id", "INTEGER"),
            ("category", "TEXT"),
            ("priority", "TEXT"),
            ("fulfilment", "TEXT"),
            ("organization_id", "INTEGER"),
            ("need_status", "TEXT"),
        ],
        values: &[
            "line_count",
            "requested_grams",
            "allocated_grams",
            "delivered_grams",
            "outstanding_grams",
        ],
    },
];

/// How rows of `source` (aliased `src`) contribute to `rollup`.
#[derive(Debug)]
pub struct Fact {
    /// Names its triggers and function.
    pub id: &'static str,
    pub rollup: &'static str,
    pub source: &'static str,
    /// Another table joined to each source row: (`table alias`, condition).
    pub join: Option<(&'static str, &'static str)>,
    /// One expression per key column of the rollup, in order.
    pub keys: Vec<String>,
    /// (value column, expression); the rollup's other value columns get nothing from it.
    pub values: Vec<(&'static str, String)>,
    /// Source columns whose change moves its contribution (SQLite's update trigger's WHEN).
    pub watched: &'static [&'static str],
    /// Value columns this fact only moves when its row's key changes (a shipment's items' grams
    /// when its status does), which another fact counts: summed from scratch, they are left out.
    pub moves_only: &'static [&'static str],
}

impl Fact {
    /// Whether summing from scratch counts anything of this fact.
    pub fn counts(&self) -> bool {
        self.values
            .iter()
            .any(|(c, _)| !self.moves_only.contains(c))
    }
}

/// The calendar day of a UTC timestamp in Kazakhstan (UTC+5), as `store::stats` computes it.
fn kz_day(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => {
            format!("to_char(({column} AT TIME ZONE 'UTC') + INTERVAL '5 hours', 'YYYY-MM-DD')")
        }
        _ => format!("date({column}, '+5 hours')"),
    }
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| String::from(*i)).collect()
}

fn v(items: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    items.iter().map(|(c, e)| (*c, String::from(*e))).collect()
}

const OPEN_NEED: &str = "CASE WHEN src.status = 'open'";
const LINE_FULFILMENT: &str = "CASE WHEN l.delivered_grams = 0 THEN 'none' \
    WHEN l.delivered_grams >= l.requested_grams THEN 'complete' ELSE 'partial' END";

/// Every fact, written for `backend`.
pub fn facts(backend: DbBackend) -> Vec<Fact> {
    let donation_keys = [
        "src.collection_point_id",
        "src.category",
        "src.status",
        "src.region_id",
        "src.organization_id",
    ];
    let mut day_keys = vec![kz_day(backend, "src.received_at")];
    day_keys.extend(s(&donation_keys));
    let open = |then: &str| format!("{OPEN_NEED} THEN {then} ELSE 0 END");
    let open_shelter = |then: &str| format!("CASE WHEN src.status = 'open' THEN {then} ELSE 0 END");
    vec![
        Fact {
            id: "rollup_donation",
            rollup: "donation_rollup",
            source: "donation",
            join: None,
            keys: s(&donation_keys),
            values: v(&[
                ("donation_count", "1"),
                ("grams", "src.grams"),
                ("shipped_grams", "src.shipped_grams"),
                ("written_off_grams", "src.written_off_grams"),
            ]),
            watched: &[
                "collection_point_id",
                "category",
                "status",
                "region_id",
                "organization_id",
                "grams",
                "shipped_grams",
                "written_off_grams",
            ],
            moves_only: &[],
        },
        Fact {
            id: "rollup_donation_day",
            rollup: "donation_day_rollup",
            source: "donation",
            join: None,
            keys: day_keys,
            values: v(&[("donation_count", "1"), ("grams", "src.grams")]),
            watched: &[
                "received_at",
                "collection_point_id",
                "category",
                "status",
                "region_id",
                "organization_id",
                "grams",
            ],
            moves_only: &[],
        },
        Fact {
            id: "rollup_shipment",
            rollup: "shipment_rollup",
            source: "shipment",
            join: None,
            keys: s(&[
                "src.origin_region_id",
                "src.destination_region_id",
                "src.status",
            ]),
            values: v(&[
                ("shipment_count", "1"),
                (
                    "grams",
                    "(SELECT COALESCE(SUM(i.grams), 0) FROM shipment_item i \
                     WHERE i.shipment_id = src.id)",
                ),
            ]),
            watched: &["origin_region_id", "destination_region_id", "status"],
            moves_only: &["grams"],
        },
        Fact {
            id: "rollup_shipment_item",
            rollup: "shipment_rollup",
            source: "shipment_item",
            join: Some(("shipment s", "s.id = src.shipment_id")),
            keys: s(&["s.origin_region_id", "s.destination_region_id", "s.status"]),
            values: v(&[("grams", "src.grams")]),
            watched: &["shipment_id", "grams"],
            moves_only: &[],
        },
        Fact {
            id: "rollup_volunteer",
            rollup: "region_rollup",
            source: "volunteer",
            join: None,
            keys: s(&["src.region_id"]),
            values: v(&[("volunteer_count", "1")]),
            watched: &["region_id"],
            moves_only: &[],
        },
        Fact {
            id: "rollup_collection_point",
            rollup: "region_rollup",
            source: "collection_point",
            join: None,
            keys: s(&["src.region_id"]),
            values: v(&[("collection_point_count", "1")]),
            watched: &["region_id"],
            moves_only: &[],
        },
        Fact {
            id: "rollup_need",
            rollup: "region_rollup",
            source: "need",
            join: None,
            keys: s(&["src.region_id"]),
            values: vec![
                ("open_need_count", open("1")),
                (
                    "outstanding_need_grams",
                    open("src.requested_grams - src.allocated_grams"),
                ),
            ],
            watched: &["region_id", "status", "requested_grams", "allocated_grams"],
            moves_only: &[],
        },
        Fact {
            id: "rollup_shelter",
            rollup: "region_rollup",
            source: "shelter",
            join: None,
            keys: s(&["src.region_id"]),
            values: vec![
                ("open_shelter_count", open_shelter("1")),
                (
                    "people_in_shelters",
                    open_shelter("COALESCE(src.people, 0)"),
                ),
                (
                    "children_in_shelters",
                    open_shelter("COALESCE(src.children, 0)"),
                ),
                (
                    "shelter_capacity",
                    open_shelter("COALESCE(src.capacity, 0)"),
                ),
            ],
            watched: &["region_id", "status", "people", "children", "capacity"],
            moves_only: &[],
        },
        Fact {
            id: "rollup_organization",
            rollup: "organization_rollup",
            source: "organization",
            join: None,
            keys: s(&["CASE WHEN src.verified_at IS NULL THEN 0 ELSE 1 END"]),
            values: v(&[("organization_count", "1")]),
            watched: &["verified_at"],
            moves_only: &[],
        },
        Fact {
            id: "rollup_need_line",
            rollup: "need_rollup",
            source: "need_line",
            join: Some(("need n", "n.id = src.need_id")),
            keys: vec![
                "n.region_id".into(),
                "src.category".into(),
                "n.priority".into(),
                LINE_FULFILMENT.replace("l.", "src."),
                "COALESCE(n.organization_id, 0)".into(),
                "n.status".into(),
            ],
            values: v(&[
                ("line_count", "1"),
                ("requested_grams", "src.requested_grams"),
                ("allocated_grams", "src.allocated_grams"),
                ("delivered_grams", "src.delivered_grams"),
                (
                    "outstanding_grams",
                    "CASE WHEN n.status = 'open' THEN src.requested_grams - src.allocated_grams \
                     ELSE 0 END",
                ),
            ]),
            watched: &[
                "need_id",
                "category",
                "requested_grams",
                "allocated_grams",
                "delivered_grams",
            ],
            moves_only: &[],
        },
        Fact {
            id: "rollup_need_lines",
            rollup: "need_rollup",
            source: "need",
            join: Some(("need_line l", "l.need_id = src.id")),
            keys: vec![
                "src.region_id".into(),
                "l.category".into(),
                "src.priority".into(),
                LINE_FULFILMENT.into(),
                "COALESCE(src.organization_id, 0)".into(),
                "src.status".into(),
            ],
            values: v(&[
                ("line_count", "1"),
                ("requested_grams", "l.requested_grams"),
                ("allocated_grams", "l.allocated_grams"),
                ("delivered_grams", "l.delivered_grams"),
                (
                    "outstanding_grams",
                    "CASE WHEN src.status = 'open' THEN l.requested_grams - l.allocated_grams \
                     ELSE 0 END",
                ),
            ]),
            watched: &["region_id", "priority", "organization_id", "status"],
            moves_only: &[
                "line_count",
                "requested_grams",
                "allocated_grams",
                "delivered_grams",
                "outstanding_grams",
            ],
        },
    ]
}

/// The rollup a fact feeds.
pub fn rollup_of(fact: &Fact) -> &'static Rollup {
    ROLLUPS
        .iter()
        .find(|r| r.table == fact.rollup)
        .expect("every fact feeds a rollup")
}

/// Where a fact's rows come from.
#[derive(Clone, Copy, Debug)]
pub enum Rows<'a> {
    /// A SQLite trigger's `NEW` or `OLD` record.
    Record(&'a str),
    /// A table of source rows: the source itself or a PostgreSQL transition table.
    Table(&'a str),
}

/// A fact's contributions from `rows`, negated when `negate`: columns `k0..`, then one per value
/// column of its rollup (`v0..`, zero where the fact gives nothing, or only moves it and
/// `scratch` sums from scratch).
pub fn fact_select(fact: &Fact, rows: Rows<'_>, negate: bool, scratch: bool) -> String {
    let rollup = rollup_of(fact);
    let fix = |e: &str| match rows {
        Rows::Record(rec) => e.replace("src.", &format!("{rec}.")),
        Rows::Table(_) => e.to_string(),
    };
    let mut cols: Vec<String> = fact
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{} AS k{i}", fix(k)))
        .collect();
    for (i, column) in rollup.values.iter().enumerate() {
        let given = fact
            .values
            .iter()
            .find(|(c, _)| c == column && !(scratch && fact.moves_only.contains(c)));
        let expr = match given {
            Some((_, e)) if negate => format!("-({})", fix(e)),
            Some((_, e)) => fix(e),
            None => "0".into(),
        };
        cols.push(format!("{expr} AS v{i}"));
    }
    let from = match (rows, fact.join) {
        (Rows::Record(_), None) => String::new(),
        (Rows::Record(_), Some((table, on))) => format!(" FROM {table} WHERE {}", fix(on)),
        (Rows::Table(t), None) => format!(" FROM {t} src"),
        (Rows::Table(t), Some((table, on))) => format!(" FROM {t} src JOIN {table} ON {on}"),
    };
    format!("SELECT {}{from}", cols.join(", "))
}

/// Appends the contributions `inner` selects (see [`fact_select`]), summed per key, to the
/// rollup's log, skipping keys whose contributions cancel out.
pub fn append(rollup: &Rollup, inner: &str) -> String {
    let keys: Vec<&str> = rollup.keys.iter().map(|(k, _)| *k).collect();
    let k: Vec<String> = (0..keys.len()).map(|i| format!("k{i}")).collect();
    let sums: Vec<String> = (0..rollup.values.len())
        .map(|i| format!("SUM(v{i})"))
        .collect();
    let nonzero: Vec<String> = sums.iter().map(|s| format!("{s} <> 0")).collect();
    format!(
        "INSERT INTO {t}_delta ({keys}, {values}) SELECT {k}, {sums} FROM ({inner}) t \
         GROUP BY {k} HAVING {nonzero}",
        t = rollup.table,
        keys = keys.join(", "),
        values = rollup.values.join(", "),
        k = k.join(", "),
        sums = sums.join(", "),
        nonzero = nonzero.join(" OR "),
    )
}

/// Adds the contributions `inner` selects (see [`fact_select`]) into `rollup`, one upsert in key
/// order, skipping keys whose contributions cancel out.
pub fn upsert(rollup: &Rollup, inner: &str) -> String {
    let keys: Vec<&str> = rollup.keys.iter().map(|(k, _)| *k).collect();
    let k: Vec<String> = (0..keys.len()).map(|i| format!("k{i}")).collect();
    let sums: Vec<String> = (0..rollup.values.len())
        .map(|i| format!("SUM(v{i})"))
        .collect();
    let nonzero: Vec<String> = sums.iter().map(|s| format!("{s} <> 0")).collect();
    let set: Vec<String> = rollup
        .values
        .iter()
        .map(|c| format!("{c} = {t}.{c} + excluded.{c}", t = rollup.table))
        .collect();
    format!(
        "INSERT INTO {t} ({keys}, {values}) SELECT {k}, {sums} FROM ({inner}) t WHERE true \
         GROUP BY {k} HAVING {nonzero} ORDER BY {k} ON CONFLICT ({keys}) DO UPDATE SET {set}",
        t = rollup.table,
        keys = keys.join(", "),
        values = rollup.values.join(", "),
        k = k.join(", "),
        sums = sums.join(", "),
        nonzero = nonzero.join(" OR "),
        set = set.join(", "),
    )
}

/// The statement creating a rollup's log of contributions not yet folded into it (always empty
/// on SQLite, whose triggers upsert at once): the same columns, no key.
pub fn create_delta_table(rollup: &Rollup) -> String {
    let mut cols: Vec<String> = rollup
        .keys
        .iter()
        .map(|(k, t)| format!("{k} {t} NOT NULL"))
        .collect();
    cols.extend(rollup.values.iter().map(|c| format!("{c} BIGINT NOT NULL")));
    format!("CREATE TABLE {}_delta ({})", rollup.table, cols.join(", "))
}

/// The statement creating a rollup's table.
pub fn create_table(rollup: &Rollup) -> String {
    let mut cols: Vec<String> = rollup
        .keys
        .iter()
        .map(|(k, t)| format!("{k} {t} NOT NULL"))
        .collect();
    cols.extend(
        rollup
            .values
            .iter()
            .map(|c| format!("{c} BIGINT NOT NULL DEFAULT 0")),
    );
    let keys: Vec<&str> = rollup.keys.iter().map(|(k, _)| *k).collect();
    format!(
        "CREATE TABLE {} ({}, PRIMARY KEY ({}))",
        rollup.table,
        cols.join(", "),
        keys.join(", ")
    )
}

/// The statements that keep a fact's rollup exact on `backend`.
pub fn triggers(backend: DbBackend, fact: &Fact) -> Vec<String> {
    let rollup = rollup_of(fact);
    let (id, source) = (fact.id, fact.source);
    match backend {
        DbBackend::Postgres => {
            let ins = append(
                rollup,
                &fact_select(fact, Rows::Table("new_rows"), false, false),
            );
            let del = append(
                rollup,
                &fact_select(fact, Rows::Table("old_rows"), true, false),
            );
            let upd = append(
                rollup,
                &format!(
                    "{} UNION ALL {}",
                    fact_select(fact, Rows::Table("old_rows"), true, false),
                    fact_select(fact, Rows::Table("new_rows"), false, false)
                ),
            );
            vec![
                format!(
                    "CREATE FUNCTION {id}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                     IF TG_OP = 'INSERT' THEN {ins}; ELSIF TG_OP = 'DELETE' THEN {del}; \
                     ELSE {upd}; END IF; RETURN NULL; END $$"
                ),
                format!(
                    "CREATE TRIGGER {id}_ins AFTER INSERT ON {source} REFERENCING NEW TABLE AS \
                     new_rows FOR EACH STATEMENT EXECUTE FUNCTION {id}_fn()"
                ),
                format!(
                    "CREATE TRIGGER {id}_upd AFTER UPDATE ON {source} REFERENCING OLD TABLE AS \
                     old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {id}_fn()"
                ),
                format!(
                    "CREATE TRIGGER {id}_del AFTER DELETE ON {source} REFERENCING OLD TABLE AS \
                     old_rows FOR EACH STATEMENT EXECUTE FUNCTION {id}_fn()"
                ),
            ]
        }
        _ => {
            let ins = upsert(
                rollup,
                &fact_select(fact, Rows::Record("NEW"), false, false),
            );
            let del = upsert(rollup, &fact_select(fact, Rows::Record("OLD"), true, false));
            let upd = upsert(
                rollup,
                &format!(
                    "{} UNION ALL {}",
                    fact_select(fact, Rows::Record("OLD"), true, false),
                    fact_select(fact, Rows::Record("NEW"), false, false)
                ),
            );
            let changed: Vec<String> = fact
                .watched
                .iter()
                .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
                .collect();
            vec![
                format!("CREATE TRIGGER {id}_ins AFTER INSERT ON {source} BEGIN {ins}; END"),
                format!("CREATE TRIGGER {id}_del AFTER DELETE ON {source} BEGIN {del}; END"),
                format!(
                    "CREATE TRIGGER {id}_upd AFTER UPDATE ON {source} WHEN {} BEGIN {upd}; END",
                    changed.join(" OR ")
                ),
            ]
        }
    }
}

/// The statements that fill every rollup from the rows there are (the tables empty).
pub fn fill(backend: DbBackend) -> Vec<String> {
    facts(backend)
        .iter()
        .filter(|f| f.counts())
        .map(|f| {
            upsert(
                rollup_of(f),
                &fact_select(f, Rows::Table(f.source), false, true),
            )
        })
        .collect()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        for rollup in &ROLLUPS {
            db.execute_unprepared(&create_table(rollup)).await?;
            db.execute_unprepared(&create_delta_table(rollup)).await?;
        }
        for statement in fill(backend) {
            db.execute_unprepared(&statement).await?;
        }
        for fact in facts(backend) {
            for statement in triggers(backend, &fact) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        for fact in facts(backend) {
            for op in ["ins", "upd", "del"] {
                let statement = match backend {
                    DbBackend::Postgres => {
                        format!("DROP TRIGGER IF EXISTS {}_{op} ON {}", fact.id, fact.source)
                    }
                    _ => format!("DROP TRIGGER IF EXISTS {}_{op}", fact.id),
                };
                db.execute_unprepared(&statement).await?;
            }
            if backend == DbBackend::Postgres {
                db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {}_fn()", fact.id))
                    .await?;
            }
        }
        for rollup in ROLLUPS.iter().rev() {
            let table = rollup.table;
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}_delta"))
                .await?;
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
