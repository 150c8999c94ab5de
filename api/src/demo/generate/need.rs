//! The demo's needs: in each affected region, what its places asked for and which of the demo's
//! shipments serve it. Lines are served by items already on shipments to that region that carry
//! the line's category, so the shipments, and the article's figures, are unchanged; a line's
//! figures are the sums of its items by their shipment's status. Some needs are met (closed, or
//! complete and still open), some partly, some not at all (with or without aid on the way).
//!
//! Drawn from a random stream of its own, so that the rest of the demo stays what it was.

use std::collections::BTreeMap;

use birlik_entity::enums::{
    DonationCategory, NeedCloseReason, NeedPriority, NeedStatus, ShipmentStatus,
};
use birlik_entity::{donation, need, need_line, organization, shipment, shipment_item};
use chrono::{DateTime, Duration, Utc};
use fastrand::Rng;

use super::{Ctx, SEED, at, phone};

/// Needs raised in each affected region.
const PER_REGION: usize = 7;

/// How a need stands, by what its lines were served with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Every line delivered in full, then closed as met.
    Met,
    /// Every line delivered in full; not closed yet.
    Complete,
    /// Some delivered, more on the way, the rest still outstanding.
    PartlyOnTheWay,
    /// Some delivered, nothing on the way.
    Partly,
    /// Nothing delivered yet; aid on the way.
    OnTheWay,
    /// Nothing covered at all.
    Uncovered,
    /// Some delivered, then closed: no longer needed.
    Withdrawn,
}

const KINDS: [Kind; PER_REGION] = [
    Kind::Met,
    Kind::Complete,
    Kind::PartlyOnTheWay,
    Kind::Partly,
    Kind::OnTheWay,
    Kind::Uncovered,
    Kind::Withdrawn,
];

const PLACES: [&str; 8] = [
    "школа № 3",
    "школа-гимназия № 12",
    "спорткомплекс «Жастар»",
    "Дворец культуры",
    "колледж, общежитие",
    "сельский округ",
    "микрорайон Жулдыз",
    "пункт временного размещения",
];

const NOTES: [&str; 4] = [
    "Разгрузка силами волонтёров штаба",
    "Доставка до 18:00, въезд со двора",
    "Нужны небольшие упаковки для раздачи",
    "Согласовать с акиматом",
];

/// Items not yet serving a line, by destination region and category (its rank in declaration
/// order), then shipment status.
type Pool = BTreeMap<(i32, u8), BTreeMap<Status, Vec<usize>>>;

/// The category of a rank.
fn category(rank: u8) -> DonationCategory {
    use sea_orm::Iterable;
    DonationCategory::iter()
        .nth(rank as usize)
        .expect("a category's rank")
}

/// A shipment status as the pool orders it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Delivered,
    Dispatched,
    Planned,
}

/// The demo's needs and their lines; links the items that serve them (`items[i].need_line_id`).
pub(super) fn needs(
    cx: &Ctx<'_>,
    organizations: &[organization::Model],
    raisers: (i32, i32, i32),
    donations: &[donation::Model],
    shipments: &[shipment::Model],
    items: &mut [shipment_item::Model],
) -> (Vec<need::Model>, Vec<need_line::Model>) {
    let mut rng = Rng::with_seed(SEED ^ 0x6e65_6564);
    let (ministry_user, ngo_user, ngo_org) = raisers;
    let shipment = |id: i32| &shipments[id as usize - 1];
    let mut pool: Pool = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let s = shipment(item.shipment_id);
        let status = match s.status {
            ShipmentStatus::Delivered => Status::Delivered,
            ShipmentStatus::Dispatched => Status::Dispatched,
            ShipmentStatus::Planned => Status::Planned,
            ShipmentStatus::Cancelled => continue,
        };
        let category = donations[item.donation_id as usize - 1].category;
        pool.entry((s.destination_region_id, category as u8))
            .or_default()
            .entry(status)
            .or_default()
            .push(i);
    }

    let mut needs = Vec::new();
    let mut lines = Vec::new();
    for region in cx.regions.iter().filter(|r| r.affected) {
        // Organizations that work there (their headquarters), verified.
        let local: Vec<&organization::Model> = organizations
            .iter()
            .filter(|o| o.region_id == region.id && o.verified_at.is_some())
            .collect();
        for kind in KINDS {
            let need_id = needs.len() as i32 + 1;
            let want = 1 + rng.usize(..3);
            let mut categories: Vec<u8> = pool
                .iter()
                .filter(|((r, _), by)| *r == region.id && serves(kind, by))
                .map(|((_, c), _)| *c)
                .collect();
            if categories.is_empty() {
                categories = vec![
                    DonationCategory::DrinkingWater as u8,
                    DonationCategory::Food as u8,
                ];
            }
            rng.shuffle(&mut categories);
            categories.truncate(want);
            categories.sort_unstable();

            let mut first_link: Option<DateTime<Utc>> = None;
            let mut last_change = None::<DateTime<Utc>>;
            let mut need_lines = Vec::new();
            let mut need_version = 1;
            for rank in categories {
                let line_id = (lines.len() + need_lines.len()) as i32 + 1;
                let by = pool.entry((region.id, rank)).or_default();
                let take = |rng: &mut Rng, status: Status, from: usize, to: usize| {
                    let bucket = by.get(&status).map_or(0, Vec::len);
                    rng.usize(from..to).min(bucket)
                };
                let (delivered, dispatched, planned) = match kind {
                    Kind::Met | Kind::Complete => (take(&mut rng, Status::Delivered, 2, 9), 0, 0),
                    Kind::PartlyOnTheWay => (
                        take(&mut rng, Status::Delivered, 1, 5),
                        take(&mut rng, Status::Dispatched, 1, 3),
                        take(&mut rng, Status::Planned, 0, 2),
                    ),
                    Kind::Partly | Kind::Withdrawn => {
                        (take(&mut rng, Status::Delivered, 1, 6), 0, 0)
                    }
                    Kind::OnTheWay => (
                        0,
                        take(&mut rng, Status::Dispatched, 1, 4),
                        take(&mut rng, Status::Planned, 0, 3),
                    ),
                    Kind::Uncovered => (0, 0, 0),
                };
                let mut figures = [0i64; 3];
                let mut version = 1;
                for (status, count) in [
                    (Status::Delivered, delivered),
                    (Status::Dispatched, dispatched),
                    (Status::Planned, planned),
                ] {
                    let Some(bucket) = by.get_mut(&status) else {
                        continue;
                    };
                    for i in bucket.drain(..count) {
                        let item = &mut items[i];
                        item.need_line_id = Some(line_id);
                        let s = shipment(item.shipment_id);
                        first_link = Some(first_link.map_or(s.created_at, |t| t.min(s.created_at)));
                        last_change =
                            Some(last_change.map_or(s.updated_at, |t| t.max(s.updated_at)));
                        let moves = match status {
                            Status::Delivered => 3,
                            Status::Dispatched => 2,
                            Status::Planned => 1,
                        };
                        version += moves;
                        figures[0] += item.grams;
                        if moves >= 2 {
                            figures[1] += item.grams;
                        }
                        if moves == 3 {
                            figures[2] += item.grams;
                        }
                    }
                }
                need_version += version - 1;
                let [allocated, dispatched_grams, delivered_grams] = figures;
                let extra = match kind {
                    Kind::Met | Kind::Complete if allocated > 0 => 0,
                    // Round tonnes on top of what is covered.
                    _ => rng.i64(1..40) * 250_000,
                };
                need_lines.push(need_line::Model {
                    id: line_id,
                    need_id,
                    category: category(rank),
                    requested_grams: allocated + extra,
                    allocated_grams: allocated,
                    dispatched_grams,
                    delivered_grams,
                    created_at: DateTime::<Utc>::MIN_UTC,
                    updated_at: DateTime::<Utc>::MIN_UTC,
                    version,
                });
            }

            let created = match first_link {
                Some(t) => t - Duration::minutes(rng.i64(60..72 * 60)),
                None => at(2024, 4, 2, 6) + Duration::minutes(rng.i64(0..30 * 24 * 60)),
            };
            let closed = matches!(kind, Kind::Met | Kind::Withdrawn);
            let closed_at = closed.then(|| {
                last_change.unwrap_or(created) + Duration::minutes(rng.i64(60..5 * 24 * 60))
            });
            let updated = closed_at.or(last_change).unwrap_or(created).max(created);
            for line in &mut need_lines {
                line.created_at = created;
                line.updated_at = if line.version > 1 {
                    last_change.unwrap_or(created).max(created)
                } else {
                    created
                };
            }
            let needed_by = if closed {
                created + Duration::days(rng.i64(2..21))
            } else {
                // Still needed: by a day soon after the data is loaded.
                cx.now + Duration::hours(rng.i64(6..21 * 24))
            };
            let (organization_id, raised_by) = if local.is_empty() || rng.u8(..4) == 0 {
                (None, Some(ministry_user))
            } else {
                let o = local[rng.usize(..local.len())];
                (Some(o.id), (o.id == ngo_org).then_some(ngo_user))
            };
            let sum = |f: fn(&need_line::Model) -> i64| need_lines.iter().map(f).sum::<i64>();
            needs.push(need::Model {
                id: need_id,
                region_id: region.id,
                shelter_id: None,
                organization_id,
                raised_by,
                place: format!(
                    "{}, {}",
                    cx.city(region.id),
                    PLACES[rng.usize(..PLACES.len())]
                ),
                priority: [
                    NeedPriority::Urgent,
                    NeedPriority::High,
                    NeedPriority::Medium,
                    NeedPriority::Low,
                ][rng.usize(..4)],
                needed_by,
                contact_phone: rng.bool().then(|| phone(need_id as usize + 800_000, "07")),
                note: rng
                    .bool()
                    .then(|| NOTES[rng.usize(..NOTES.len())].to_owned()),
                status: if closed {
                    NeedStatus::Closed
                } else {
                    NeedStatus::Open
                },
                close_reason: match kind {
                    Kind::Met => Some(NeedCloseReason::Met),
                    Kind::Withdrawn => Some(NeedCloseReason::NoLongerNeeded),
                    _ => None,
                },
                closed_at,
                line_count: need_lines.len() as i32,
                complete_lines: need_lines
                    .iter()
                    .filter(|l| l.delivered_grams == l.requested_grams)
                    .count() as i32,
                requested_grams: sum(|l| l.requested_grams),
                allocated_grams: sum(|l| l.allocated_grams),
                dispatched_grams: sum(|l| l.dispatched_grams),
                delivered_grams: sum(|l| l.delivered_grams),
                created_at: created,
                updated_at: updated,
                version: need_version + i32::from(closed),
            });
            lines.append(&mut need_lines);
        }
    }
    (needs, lines)
}

/// Whether a category's pool has the items a need of this kind is served with.
fn serves(kind: Kind, by: &BTreeMap<Status, Vec<usize>>) -> bool {
    let has = |s: Status| by.get(&s).is_some_and(|v| !v.is_empty());
    match kind {
        Kind::Met | Kind::Complete | Kind::Partly | Kind::Withdrawn => has(Status::Delivered),
        Kind::PartlyOnTheWay => has(Status::Delivered) && has(Status::Dispatched),
        Kind::OnTheWay => has(Status::Dispatched),
        Kind::Uncovered => true,
    }
}
