//! Shelters (evacuation centres): opening one in an affected region, reporting its head counts
//! (append-only; a count above capacity is recorded, never refused), closing it, and the public
//! list with its totals. Counts only: no record of any individual, by design.

use birlik_entity::enums::{AuditAction, AuditEntity, ShelterStatus};
use birlik_entity::shelter;
use chrono::{DateTime, Utc};
use sea_orm::{Condition, ConnectionTrait, DatabaseTransaction};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult, Current};
use crate::services::{Deps, audit, idempotency, organization, validate};
use crate::store;
use crate::store::page::{Page, PageRequest};
use crate::store::shelter::{Ordering, Totals};

/// The most people a shelter may be said to hold (the largest halls hold a few thousand).
const MAX_CAPACITY: i32 = 100_000;
/// The most people one count may report.
const MAX_PEOPLE: i32 = 1_000_000;

/// A page of shelters matching `filter` (public), and the condition that selects all of them.
pub async fn page(
    deps: &Deps,
    filter: Condition,
    ordering: &Ordering,
    req: PageRequest,
) -> ApiResult<(Page<shelter::Model>, Condition)> {
    let page =
        store::page::read::<shelter::Entity, _>(&deps.db, filter.clone(), ordering, &req).await?;
    Ok((page, filter))
}

/// Count, people, children and capacity of the shelters a condition selects.
pub async fn totals(deps: &Deps, condition: Condition) -> ApiResult<Totals> {
    Ok(store::shelter::totals(&deps.db, condition).await?)
}

/// The caller's account, refusing the public and volunteers: shelters are run by organizations
/// and the ministry.
fn staff(actor: &Actor) -> ApiResult<i32> {
    match *actor {
        Actor::Ngo { user_id, .. } | Actor::Ministry { user_id } => Ok(user_id),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        Actor::Volunteer { .. } => Err(ApiError::Forbidden(
            "shelters are run by organizations and the ministry".into(),
        )),
    }
}

/// Refuses anyone but the ministry and the staff of the (verified) organization that runs it.
async fn ensure_runs(
    db: &impl ConnectionTrait,
    actor: &Actor,
    shelter: &shelter::Model,
) -> ApiResult<()> {
    match *actor {
        Actor::Ministry { .. } => Ok(()),
        Actor::Ngo {
            organization_id, ..
        } if shelter.organization_id == Some(organization_id) => {
            organization::ensure_verified(db, organization_id).await
        }
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(
            "a shelter is run by its organization's staff and the ministry".into(),
        )),
    }
}

/// The shelter with this id, held for the transaction; NOT_FOUND if none.
async fn locked(tx: &DatabaseTransaction, id: i32) -> ApiResult<shelter::Model> {
    store::shelter::lock(tx, id)
        .await?
        .ok_or(ApiError::NotFound { entity: "shelter" })
}

fn current(s: &shelter::Model) -> Current {
    Current::Shelter {
        id: s.id,
        status: s.status,
        version: s.version,
    }
}

/// What `openShelter` asks for.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Opening {
    pub region_code: String,
    pub name: String,
    pub address: String,
    pub capacity: i32,
}

/// Opens a shelter in an affected region: the ministry (then no organization runs it), or the
/// staff of a verified organization that works there (a collection point or its headquarters in
/// the region), which then runs it. Keyed: a retry replays the first result.
pub async fn open(
    rc: &RequestCtx,
    deps: &Deps,
    input: Opening,
    key: Option<&str>,
) -> ApiResult<shelter::Model> {
    let user_id = staff(&rc.actor)?;
    let region = crate::services::region::get(deps, &input.region_code)
        .map_err(|_| ApiError::bad_input("input.regionCode", "no region has this code"))?;
    if !region.affected {
        return Err(ApiError::bad_input(
            "input.regionCode",
            "shelters are opened in affected regions only",
        ));
    }
    let name = validate::text("input.name", &input.name, 200)?;
    let address = validate::text("input.address", &input.address, 500)?;
    if !(1..=MAX_CAPACITY).contains(&input.capacity) {
        return Err(ApiError::bad_input(
            "input.capacity",
            format!("must be between 1 and {MAX_CAPACITY} people"),
        ));
    }
    let opener = Opener {
        rc,
        user_id,
        input: &input,
        key,
        new: store::shelter::NewShelter {
            region_id: region.id,
            organization_id: match rc.actor {
                Actor::Ngo {
                    organization_id, ..
                } => Some(organization_id),
                _ => None,
            },
            name,
            address,
            capacity: input.capacity,
            created_by: Some(user_id),
        },
    };
    idempotency::mutate(&deps.db, &opener).await
}

/// An opening whose input has been checked.
struct Opener<'a> {
    rc: &'a RequestCtx,
    user_id: i32,
    input: &'a Opening,
    key: Option<&'a str>,
    new: store::shelter::NewShelter,
}

impl idempotency::Mutation for Opener<'_> {
    type Output = shelter::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        self.key
            .map(|k| idempotency::Keyed::new(self.user_id, k, "openShelter", self.input))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<shelter::Model> {
        store::shelter::get(tx, id)
            .await?
            .ok_or(ApiError::NotFound { entity: "shelter" })
    }

    async fn act(
        &self,
        tx: &DatabaseTransaction,
    ) -> ApiResult<idempotency::Done<'_, shelter::Model>> {
        if let Some(organization_id) = self.new.organization_id {
            organization::ensure_works_in(
                tx,
                organization_id,
                self.new.region_id,
                "shelters are opened",
            )
            .await?;
        }
        let row = store::shelter::insert(tx, self.new.clone(), Utc::now()).await?;
        let change =
            audit::Change::new(AuditEntity::Shelter, row.id, AuditAction::Opened).to(row.status);
        Ok(idempotency::Done {
            id: row.id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
            output: row,
        })
    }
}

/// Closes an open shelter at `expected_version` (its organization's staff, or the ministry).
pub async fn close(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    expected_version: i32,
) -> ApiResult<shelter::Model> {
    staff(&rc.actor)?;
    let tx = store::begin(&deps.db).await?;
    let before = locked(&tx, id).await?;
    ensure_runs(&tx, &rc.actor, &before).await?;
    if before.version != expected_version {
        return Err(ApiError::Conflict {
            message: format!(
                "the shelter changed (version {} now, {expected_version} expected)",
                before.version
            ),
            current: Some(current(&before)),
        });
    }
    let now = Utc::now();
    if before.status != ShelterStatus::Open
        || !store::shelter::close(&tx, id, before.version, now).await?
    {
        return Err(ApiError::Conflict {
            message: "the shelter is already closed".into(),
            current: Some(current(&before)),
        });
    }
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(AuditEntity::Shelter, id, AuditAction::Closed)
            .from(before.status)
            .to(ShelterStatus::Closed),
    )
    .await?;
    let after = locked(&tx, id).await?;
    tx.commit().await?;
    Ok(after)
}

/// What `reportShelterCount` asks for, with the id decoded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Count {
    pub shelter_id: i32,
    pub people: i32,
    pub children: i32,
    pub counted_at: Option<DateTime<Utc>>,
}

/// Records a head count of an open shelter (its organization's staff, or the ministry):
/// appended to its history, and its latest unless a later count is already on record. A count
/// above capacity is recorded (and flagged `overCapacity`), never refused. Keyed.
pub async fn report_count(
    rc: &RequestCtx,
    deps: &Deps,
    input: Count,
    key: Option<&str>,
) -> ApiResult<shelter::Model> {
    let user_id = staff(&rc.actor)?;
    if !(0..=MAX_PEOPLE).contains(&input.people) {
        return Err(ApiError::bad_input(
            "input.people",
            format!("must be between 0 and {MAX_PEOPLE}"),
        ));
    }
    if input.children < 0 || input.children > input.people {
        return Err(ApiError::bad_input(
            "input.children",
            "must be between 0 and the number of people",
        ));
    }
    let counted_at = validate::past("input.countedAt", input.counted_at.unwrap_or_else(Utc::now))?;
    let counting = Counting {
        rc,
        user_id,
        input: &input,
        key,
        counted_at,
    };
    idempotency::mutate(&deps.db, &counting).await
}

/// A count whose input has been checked.
struct Counting<'a> {
    rc: &'a RequestCtx,
    user_id: i32,
    input: &'a Count,
    key: Option<&'a str>,
    counted_at: DateTime<Utc>,
}

impl idempotency::Mutation for Counting<'_> {
    type Output = shelter::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        self.key
            .map(|k| idempotency::Keyed::new(self.user_id, k, "reportShelterCount", self.input))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<shelter::Model> {
        store::shelter::get(tx, id)
            .await?
            .ok_or(ApiError::NotFound { entity: "shelter" })
    }

    async fn act(
        &self,
        tx: &DatabaseTransaction,
    ) -> ApiResult<idempotency::Done<'_, shelter::Model>> {
        let shelter = locked(tx, self.input.shelter_id).await?;
        ensure_runs(tx, &self.rc.actor, &shelter).await?;
        if shelter.status != ShelterStatus::Open {
            return Err(ApiError::Conflict {
                message: "the shelter is closed: counts are no longer reported".into(),
                current: Some(current(&shelter)),
            });
        }
        store::shelter::record_count(
            tx,
            store::shelter::NewCount {
                shelter_id: shelter.id,
                people: self.input.people,
                children: self.input.children,
                counted_at: self.counted_at,
                reported_by: Some(self.user_id),
            },
            Utc::now(),
        )
        .await?;
        let row = locked(tx, shelter.id).await?;
        let change = audit::Change::new(AuditEntity::Shelter, row.id, AuditAction::Counted);
        Ok(idempotency::Done {
            id: row.id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
            output: row,
        })
    }
}
