//! Bulk import of donations (`POST /imports/donations`, `importDonations`): every row is checked
//! first, with the checks `registerDonation` applies, and any bad row refuses the whole import
//! with a report of every bad row; a good import is one transaction of batched INSERTs, audited
//! donation by donation like `registerDonation`, and keyed (by the content's hash or the
//! client's key, with the caller) so the same import sent twice acts once.

pub mod csv;

use birlik_entity::collection_point;
use birlik_entity::enums::DonationCategory;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::DatabaseTransaction;

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::{Deps, audit, idempotency, organization, validate};
use crate::store;
use crate::store::donation::NewDonation;

/// The columns of an import, as `RegisterDonationInput` names its fields.
pub const COLUMNS: [&str; 7] = [
    "collectionPointId",
    "category",
    "kilograms",
    "itemCount",
    "description",
    "donorName",
    "receivedAt",
];

/// The operation an import's key is recorded under.
const OPERATION: &str = "importDonations";

/// How a row names its collection point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PointRef {
    /// By its row id (from its global id).
    Id(i32),
    /// By its name, unique among the points the caller may use.
    Name(String),
}

/// One row as given, each typed cell either read or refused with a reason.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The file's line number (the header is line 1), or the list index.
    pub line: usize,
    pub point: Result<PointRef, String>,
    pub category: Result<DonationCategory, String>,
    pub kilograms: Result<Decimal, String>,
    pub item_count: Result<Option<i32>, String>,
    pub description: String,
    pub donor_name: Option<String>,
    pub received_at: Result<Option<DateTime<Utc>>, String>,
    /// Why the row as a whole is refused (more cells than the header names), if it is.
    pub shape: Option<String>,
}

/// Why one row (or the header, line 1) is refused: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

impl RowError {
    fn new(line: usize, column: &str, reason: impl Into<String>) -> Self {
        RowError {
            line,
            column: column.to_owned(),
            reason: reason.into(),
        }
    }
}

/// What an import did (or, replayed, what its first call did).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Donations registered.
    pub imported: i64,
    /// Their grams.
    pub grams: i64,
    /// The first donation's id.
    pub first_id: i32,
    /// True when this answers an import already made.
    pub replayed: bool,
}

/// A row whose cells passed every check that needs no database.
#[derive(Clone, Debug)]
pub struct Checked {
    pub line: usize,
    pub point: PointRef,
    pub category: DonationCategory,
    pub grams: i64,
    pub item_count: Option<i32>,
    pub description: String,
    pub donor_name: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// Checks the cells of every row as `registerDonation` checks its input (kilograms exact and
/// within bounds, counts, text lengths, a time not in the future), without the database; the rows
/// that pass, and an error for every cell that does not.
pub fn check_cells(drafts: Vec<Draft>, now: DateTime<Utc>) -> (Vec<Checked>, Vec<RowError>) {
    let mut checked = Vec::with_capacity(drafts.len());
    let mut errors = Vec::new();
    for draft in drafts {
        let line = draft.line;
        let mut refuse =
            |column: &str, reason: String| errors.push(RowError::new(line, column, reason));
        let reason = |e: ApiError| e.to_string();
        if let Some(shape) = draft.shape {
            refuse("", shape);
        }
        let point = draft.point.map_err(|r| refuse(COLUMNS[0], r));
        let category = draft.category.map_err(|r| refuse(COLUMNS[1], r));
        let grams = draft
            .kilograms
            .and_then(|kg| validate::grams("kilograms", kg).map_err(reason))
            .map_err(|r| refuse(COLUMNS[2], r));
        let item_count = draft
            .item_count
            .and_then(|n| match n {
                Some(n) if !(1..=10_000_000).contains(&n) => {
                    Err("must be between 1 and 10,000,000".to_owned())
                }
                n => Ok(n),
            })
            .map_err(|r| refuse(COLUMNS[3], r));
        let description = validate::optional_text("description", Some(&draft.description), 2000)
            .map_err(|e| refuse(COLUMNS[4], reason(e)));
        let donor_name = validate::optional_text("donorName", draft.donor_name.as_deref(), 200)
            .map_err(|e| refuse(COLUMNS[5], reason(e)));
        let received_at = draft
            .received_at
            .and_then(|at| validate::past("receivedAt", at.unwrap_or(now)).map_err(reason))
            .map_err(|r| refuse(COLUMNS[6], r));
        if let (
            Ok(point),
            Ok(category),
            Ok(grams),
            Ok(item_count),
            Ok(description),
            Ok(donor_name),
            Ok(received_at),
        ) = (
            point,
            category,
            grams,
            item_count,
            description,
            donor_name,
            received_at,
        ) {
            checked.push(Checked {
                line,
                point,
                category,
                grams,
                item_count,
                description: description.unwrap_or_default(),
                donor_name,
                received_at,
            });
        }
    }
    (checked, errors)
}

/// The collection points a caller may register donations at, among all of them.
struct Points {
    all: Vec<collection_point::Model>,
    /// `None`: every point (the ministry); else this organization's.
    organization: Option<i32>,
}

impl Points {
    fn usable(&self, point: &collection_point::Model) -> bool {
        self.organization
            .is_none_or(|org| point.organization_id == org)
    }

    fn resolve(&self, point: &PointRef) -> Result<&collection_point::Model, String> {
        const NOT_YOURS: &str = "not one of your organization's collection points";
        match point {
            PointRef::Id(id) => {
                let found = self
                    .all
                    .binary_search_by_key(id, |p| p.id)
                    .map(|i| &self.all[i])
                    .map_err(|_| "no collection point has this id".to_owned())?;
                if self.usable(found) {
                    Ok(found)
                } else {
                    Err(NOT_YOURS.into())
                }
            }
            PointRef::Name(name) => {
                let name = name.trim().to_lowercase();
                let named = |p: &&collection_point::Model| p.name.trim().to_lowercase() == name;
                let mut usable = self.all.iter().filter(|p| self.usable(p)).filter(named);
                match (usable.next(), usable.next()) {
                    (Some(point), None) => Ok(point),
                    (Some(_), Some(_)) => Err(
                        "several of the collection points you may use have this name; give its id"
                            .into(),
                    ),
                    (None, _) if self.all.iter().any(|p| named(&p)) => Err(NOT_YOURS.into()),
                    (None, _) => Err("no collection point has this name".into()),
                }
            }
        }
    }
}

/// The key an import is recorded under, and the fingerprint of what it imports.
#[derive(Clone, Debug)]
pub struct ImportKey {
    /// `import:<sha256 of the content>`, or the client's idempotency key.
    pub key: String,
    /// SHA-256 of the content, hex: the same key with other content is a CONFLICT.
    pub content_hash: String,
}

impl ImportKey {
    /// Keyed by the content itself: the same content from the same caller imports once.
    pub fn of_content(content: &[u8]) -> Self {
        let content_hash = crate::hash::sha256_hex(content);
        ImportKey {
            key: format!("import:{content_hash}"),
            content_hash,
        }
    }
}

/// Imports donations: the caller as for `registerDonation` (an organization's staff at its own
/// points once verified, or the ministry at any), every row checked before anything is written,
/// then one transaction. `Ok(Err(report))`: rows refused, nothing written.
pub async fn import(
    rc: &RequestCtx,
    deps: &Deps,
    drafts: Vec<Draft>,
    key: &ImportKey,
) -> ApiResult<Result<Outcome, Vec<RowError>>> {
    let outcome = import_rows(rc, deps, drafts, key).await;
    // For the replica lag bound, the importer's reads go to the primary.
    deps.reads.wrote(&rc.actor);
    outcome
}

async fn import_rows(
    rc: &RequestCtx,
    deps: &Deps,
    drafts: Vec<Draft>,
    key: &ImportKey,
) -> ApiResult<Result<Outcome, Vec<RowError>>> {
    let who = audit::Who::of(&rc.actor)?;
    let organization = match rc.actor {
        Actor::Ngo {
            organization_id, ..
        } => Some(organization_id),
        Actor::Ministry { .. } => None,
        Actor::Volunteer { .. } | Actor::Anonymous => {
            return Err(ApiError::Forbidden(
                "donations are registered by organizations".into(),
            ));
        }
    };
    if drafts.is_empty() {
        return Err(ApiError::bad_input("rows", "there are no rows to import"));
    }
    let now = Utc::now();
    let points = Points {
        all: store::collection_point::all(&deps.db).await?,
        organization,
    };
    // A point that cannot be used is the row's error beside those of its other cells.
    let drafts = drafts
        .into_iter()
        .map(|mut draft| {
            if let Ok(point) = &draft.point
                && let Err(reason) = points.resolve(point)
            {
                draft.point = Err(reason);
            }
            draft
        })
        .collect();
    let (checked, mut errors) = check_cells(drafts, now);
    let mut rows = Vec::with_capacity(checked.len());
    for row in checked {
        match points.resolve(&row.point) {
            Ok(point) => rows.push(NewDonation {
                collection_point_id: point.id,
                organization_id: point.organization_id,
                region_id: point.region_id,
                category: row.category,
                grams: row.grams,
                item_count: row.item_count,
                description: row.description,
                donor_name: row.donor_name,
                received_at: row.received_at,
                registered_by: who.user_id,
            }),
            Err(reason) => errors.push(RowError::new(row.line, COLUMNS[0], reason)),
        }
    }
    if !errors.is_empty() {
        // By line, each line's cells in the order of the columns.
        errors.sort_by_key(|e| (e.line, COLUMNS.iter().position(|c| *c == e.column)));
        return Ok(Err(errors));
    }
    let importing = Importing {
        who,
        organization,
        key,
        rows,
        now,
    };
    idempotency::mutate(&deps.db, &importing).await.map(Ok)
}

/// An import whose rows have all been checked.
struct Importing<'a> {
    who: audit::Who,
    organization: Option<i32>,
    key: &'a ImportKey,
    rows: Vec<NewDonation>,
    now: DateTime<Utc>,
}

impl Importing<'_> {
    fn user_id(&self) -> i32 {
        self.who.user_id.unwrap_or_default()
    }
}

impl idempotency::Mutation for Importing<'_> {
    type Output = Outcome;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        Some(idempotency::Keyed::new(
            self.user_id(),
            &self.key.key,
            OPERATION,
            &self.key.content_hash,
        ))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<Outcome> {
        let totals = store::import::totals(tx, self.user_id(), self.key.key.trim()).await?;
        Ok(Outcome {
            imported: totals.count,
            grams: totals.grams,
            first_id: id,
            replayed: true,
        })
    }

    async fn act(&self, tx: &DatabaseTransaction) -> ApiResult<idempotency::Done<'_, Outcome>> {
        if let Some(organization_id) = self.organization {
            organization::ensure_verified(tx, organization_id).await?;
        }
        let grams = self.rows.iter().map(|r| r.grams).sum();
        let ids = store::import::insert_donations(tx, self.rows.clone(), self.now).await?;
        store::import::audit_registered(
            tx,
            &ids,
            self.user_id(),
            self.who.role,
            self.key.key.trim(),
            self.now,
        )
        .await?;
        let first_id = ids.iter().copied().min().unwrap_or_default();
        Ok(idempotency::Done {
            output: Outcome {
                imported: i64::try_from(ids.len()).unwrap_or(i64::MAX),
                grams,
                first_id,
                replayed: false,
            },
            id: first_id,
            audit: None,
        })
    }
}
