//! Open-data exports: HXL-tagged CSV of the 3W, the needs, the regions' figures, the daily
//! donations and the shelters (`GET /exports/{dataset}.csv`). A request is planned first
//! ([`plan`]: who may read the dataset, its filters, its validator) and then produced
//! ([`start`]): a task streams the dataset's rows from the database into CSV chunks that the
//! transport sends as they come. The figures are the API's own (the same store statements and
//! scopes as `shipmentFlows`, `needs`, `regions { figures }`, `donationStats` and `shelters`).

pub mod cluster;
mod columns;
mod produce;
mod sink;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::Condition;
use sha2::{Digest, Sha256};

pub use sink::{CHUNK_BYTES, Chunks};

use crate::context::{Lang, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::store;
use crate::store::export::{Narrowing, Table};

/// Kazakhstan's offset from UTC (no daylight saving): the days of dates and filters.
const KZ_OFFSET_S: i32 = 5 * 3600;

/// A dataset that can be exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// Who delivered what where (delivered shipments).
    ThreeW,
    /// One row per need line.
    Needs,
    /// Every region's figures.
    Regions,
    /// Kilograms by region, category and day.
    DonationsDaily,
    /// Shelters' latest counts and capacity.
    Shelters,
}

/// A filter a query string may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filter {
    Region,
    Category,
    From,
    To,
}

impl Filter {
    fn name(self) -> &'static str {
        match self {
            Filter::Region => "region",
            Filter::Category => "category",
            Filter::From => "from",
            Filter::To => "to",
        }
    }
}

impl Dataset {
    /// Every dataset.
    pub const ALL: [Dataset; 5] = [
        Dataset::ThreeW,
        Dataset::Needs,
        Dataset::Regions,
        Dataset::DonationsDaily,
        Dataset::Shelters,
    ];

    /// Its name in the URL and the file name.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::ThreeW => "3w",
            Dataset::Needs => "needs",
            Dataset::Regions => "regions",
            Dataset::DonationsDaily => "donations-daily",
            Dataset::Shelters => "shelters",
        }
    }

    /// The dataset with this name.
    pub fn named(name: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Readable by everyone (no per-organization rows): cacheable.
    pub fn is_public(self) -> bool {
        matches!(self, Dataset::Needs | Dataset::Regions | Dataset::Shelters)
    }

    fn filters(self) -> &'static [Filter] {
        match self {
            Dataset::ThreeW | Dataset::Needs | Dataset::DonationsDaily => {
                &[Filter::Region, Filter::Category, Filter::From, Filter::To]
            }
            Dataset::Regions | Dataset::Shelters => &[Filter::Region],
        }
    }
}

/// Who reads which rows: the caller's scope of a dataset with per-organization rows.
#[derive(Clone, Debug)]
enum Rows {
    /// Every row (a public dataset).
    All,
    /// The rows within this scope.
    Within(Condition),
}

/// An export ready to be produced.
#[derive(Clone, Debug)]
pub struct Plan {
    pub dataset: Dataset,
    pub lang: Lang,
    rows: Rows,
    narrowing: Narrowing,
    /// A strong entity tag for a public dataset (quoted, as in the `ETag` header); none for one
    /// with per-organization rows (never cached).
    pub etag: Option<String>,
    /// `birlik-<dataset>-<date>.csv`, the date in Kazakhstan.
    pub filename: String,
    /// Where its rows are read (a replica within the lag bound, else the primary), and for whom.
    reader: crate::services::reads::Reader,
    actor: crate::context::Actor,
}

/// Plans an export: refuses a caller who may not read the dataset (401 anonymous, 403 a role
/// that may not), checks its filters (`params`: the query string's pairs besides `lang`) and,
/// for a public dataset, reads its validator in one cheap statement.
pub async fn plan(
    rc: &RequestCtx,
    deps: &Deps,
    dataset: Dataset,
    params: &[(String, String)],
) -> ApiResult<Plan> {
    let rows = match dataset {
        Dataset::ThreeW => Rows::Within(crate::services::access::shipments(&rc.actor)?),
        Dataset::DonationsDaily => Rows::Within(crate::services::access::donations(&rc.actor)?),
        _ => Rows::All,
    };
    let narrowing = narrowing(deps, dataset, params)?;
    let mut reader = deps.reads.reader(&rc.actor);
    let etag = if dataset.is_public() {
        let validator = match dataset {
            Dataset::Regions => produce::regions_validator(deps, &rc.actor).await?,
            _ => {
                let tables: &[Table] = match dataset {
                    Dataset::Needs => &[Table::Need, Table::NeedLine, Table::Shelter],
                    _ => &[Table::Shelter],
                };
                let (validator, used) = deps
                    .reads
                    .read_on(reader, |db| async move {
                        store::export::validator(&db, tables).await
                    })
                    .await?;
                reader = used;
                validator
            }
        };
        Some(entity_tag(dataset, rc.lang, &narrowing, &validator))
    } else {
        None
    };
    let today = (Utc::now() + chrono::Duration::seconds(KZ_OFFSET_S.into())).date_naive();
    Ok(Plan {
        dataset,
        lang: rc.lang,
        rows,
        narrowing,
        etag,
        filename: format!("birlik-{}-{today}.csv", dataset.name()),
        reader,
        actor: rc.actor,
    })
}

/// Starts producing a planned export: its chunks, the first holding its two header rows. Its
/// statement runs under `deadline` as a request's would (`db::within`).
pub fn start(deps: &Deps, plan: Plan, deadline: std::time::Instant) -> Chunks {
    let (sink, chunks) = sink::Sink::new();
    tokio::spawn(crate::db::within(
        deadline,
        produce::run(deps.clone(), plan, sink),
    ));
    chunks
}

/// The filters of `params`, checked: each known to the dataset, given once, well formed.
fn narrowing(deps: &Deps, dataset: Dataset, params: &[(String, String)]) -> ApiResult<Narrowing> {
    let mut narrowing = Narrowing::default();
    let mut seen: Vec<Filter> = Vec::new();
    let (mut from, mut to): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
    for (key, value) in params {
        let Some(filter) = dataset.filters().iter().copied().find(|f| f.name() == key) else {
            let known: Vec<&str> = dataset.filters().iter().map(|f| f.name()).collect();
            return Err(ApiError::BadUserInput {
                field: None,
                message: format!(
                    "`{key}` is not a filter of {}.csv (its filters: {}, and lang)",
                    dataset.name(),
                    known.join(", ")
                ),
            });
        };
        if seen.contains(&filter) {
            return Err(ApiError::bad_input(filter.name(), "given more than once"));
        }
        seen.push(filter);
        match filter {
            Filter::Region => {
                let region = crate::services::region::get(deps, value).map_err(|_| {
                    ApiError::bad_input("region", "no region has this ISO 3166-2 code (KZ-23)")
                })?;
                narrowing.region_id = Some(region.id);
            }
            Filter::Category => {
                narrowing.category = Some(cluster::parse(value).ok_or_else(|| {
                    let codes: Vec<&str> = cluster::CATEGORIES.iter().map(|c| c.1).collect();
                    ApiError::bad_input(
                        "category",
                        format!("not a category; one of {}", codes.join(", ")),
                    )
                })?);
            }
            Filter::From => from = Some(date(Filter::From, value)?),
            Filter::To => to = Some(date(Filter::To, value)?),
        }
    }
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(ApiError::bad_input("to", "before `from`"));
    }
    narrowing.from = from.map(start_of_kz_day);
    narrowing.until = to.and_then(|d| d.succ_opt()).map(start_of_kz_day);
    Ok(narrowing)
}

/// A `YYYY-MM-DD` date.
fn date(filter: Filter, value: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_input(filter.name(), "a date as YYYY-MM-DD"))
}

/// When a Kazakhstan calendar day begins, in UTC.
fn start_of_kz_day(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::seconds(KZ_OFFSET_S.into())
}

/// A Kazakhstan calendar day, `YYYY-MM-DD`.
fn kz_day(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::seconds(KZ_OFFSET_S.into()))
        .format("%Y-%m-%d")
        .to_string()
}

/// A strong tag of what a public export holds: its dataset, language and filters and its data's
/// validator, hashed.
fn entity_tag(dataset: Dataset, lang: Lang, narrowing: &Narrowing, validator: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("{}|{lang:?}|{narrowing:?}|{validator}", dataset.name()).as_bytes());
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
