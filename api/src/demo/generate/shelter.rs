//! The demo's shelters: schools, sports halls and culture palaces in the ten affected regions, run
//! mostly by the regions' government bodies (a few by the ministry), each with a history of head
//! counts from 5 to 8 April 2024. The latest counts of the open ones reproduce the ministry's
//! bulletin of 8 April 2024: 14,460 people in temporary shelters, 7,269 of them children. Two
//! shelters closed on 7 April, their last count 0. Drawn from a generator of their own, so the
//! rest of the demo (and the article's figures) is the same with or without them.

use birlik_entity::enums::{OrganizationKind, ShelterStatus};
use birlik_entity::{organization, region, shelter, shelter_count};
use chrono::{DateTime, Duration, Utc};
use fastrand::Rng;

use super::{SEED, at};
use crate::demo::names::FLOODED_PLACES;

/// People in temporary shelters in the bulletin of 8 April 2024.
pub const PEOPLE: i64 = 14_460;
/// Children among them.
pub const CHILDREN: i64 = 7_269;

/// Shelters per affected region (Atyrau region alone prepared 94; the demo keeps a sample).
fn shelters_in(code: &str) -> usize {
    match code {
        "KZ-23" => 14,
        "KZ-15" | "KZ-59" | "KZ-39" => 8,
        "KZ-27" | "KZ-11" => 6,
        _ => 4,
    }
}

const KINDS: [&str; 5] = [
    "Школа №{}",
    "Спорткомплекс «Олимп-{}»",
    "Дворец культуры №{}",
    "Колледж №{}",
    "Гимназия №{}",
];

/// `total` split over `weights`, in proportion, exactly.
fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum();
    let mut parts: Vec<i64> = weights.iter().map(|w| total * w / sum).collect();
    let mut rest = total - parts.iter().sum::<i64>();
    let (mut i, n) = (0, parts.len());
    while rest > 0 {
        parts[i % n] += 1;
        rest -= 1;
        i += 1;
    }
    parts
}

/// The shelters and every count of theirs, with ids from 1.
pub(super) fn shelters(
    regions: &[region::Model],
    organizations: &[organization::Model],
) -> (Vec<shelter::Model>, Vec<shelter_count::Model>) {
    let mut rng = Rng::with_seed(SEED ^ 0x5e17_7e25);
    let mut rows: Vec<shelter::Model> = Vec::new();
    for region in regions.iter().filter(|r| r.affected) {
        let runner = organizations
            .iter()
            .find(|o| o.region_id == region.id && o.kind == OrganizationKind::GovernmentBody)
            .map(|o| o.id);
        let places = FLOODED_PLACES
            .iter()
            .find(|(code, _)| *code == region.code)
            .map(|(_, places)| *places)
            .unwrap_or(&["центр"]);
        for k in 0..shelters_in(&region.code) {
            let id = rows.len() as i32 + 1;
            let place = places[k % places.len()];
            let kind = KINDS[rng.usize(..KINDS.len())].replace("{}", &(k + 1).to_string());
            let opened = at(2024, 4, 4, 6) + Duration::minutes(rng.i64(0..2 * 24 * 60));
            rows.push(shelter::Model {
                id,
                region_id: region.id,
                // One in five opened by the ministry itself.
                organization_id: if rng.u32(..5) == 0 { None } else { runner },
                name: format!("{kind} ({place})"),
                address: format!("{place}, ул. Абая, {}", rng.u32(1..120)),
                capacity: 150 + 50 * rng.i32(0..16),
                status: ShelterStatus::Open,
                closed_at: None,
                people: None,
                children: None,
                counted_at: None,
                created_by: None,
                created_at: opened,
                updated_at: opened,
                version: 1,
            });
        }
    }
    // Two shelters closed on 7 April, their people moved on: their last count is 0.
    let closing: Vec<usize> = vec![1, rows.len() / 2];
    let open: Vec<usize> = (0..rows.len()).filter(|i| !closing.contains(i)).collect();
    // The open shelters' latest counts: about their capacity (a few over it), summing exactly
    // to the bulletin's figures, children never more than people.
    let weights: Vec<i64> = open
        .iter()
        .map(|i| i64::from(rows[*i].capacity) * rng.i64(70..112) / 100)
        .collect();
    let people = split(PEOPLE, &weights);
    let mut children: Vec<i64> = people.iter().map(|p| p * CHILDREN / PEOPLE).collect();
    let mut rest = CHILDREN - children.iter().sum::<i64>();
    for (c, p) in children.iter_mut().zip(&people) {
        if rest > 0 && *c < *p {
            *c += 1;
            rest -= 1;
        }
    }
    let mut counts: Vec<shelter_count::Model> = Vec::new();
    let mut count = |shelter_id: i32, people: i64, children: i64, at: DateTime<Utc>| {
        counts.push(shelter_count::Model {
            id: counts.len() as i32 + 1,
            shelter_id,
            people: people as i32,
            children: children as i32,
            counted_at: at,
            reported_by: None,
            created_at: at + Duration::minutes(5),
        });
    };
    let bulletin = at(2024, 4, 8, 4);
    for (n, i) in open.iter().enumerate() {
        let s = &mut rows[*i];
        let (p, c) = (people[n], children[n]);
        // Earlier counts, fewer people as the water rose.
        let earlier = rng.usize(1..4);
        for e in (1..=earlier).rev() {
            let share = 100 - 15 * e as i64;
            let when =
                bulletin - Duration::hours(20 * e as i64) - Duration::minutes(rng.i64(0..60));
            count(
                s.id,
                p * share / 100,
                c * share / 100,
                when.max(s.created_at),
            );
        }
        let when = bulletin + Duration::minutes(rng.i64(0..180));
        count(s.id, p, c, when);
        s.people = Some(p as i32);
        s.children = Some(c as i32);
        s.counted_at = Some(when);
        s.updated_at = when;
        s.version = 2 + earlier as i32;
    }
    for i in closing {
        let s = &mut rows[i];
        let first = at(2024, 4, 6, 8);
        count(
            s.id,
            i64::from(s.capacity) / 2,
            i64::from(s.capacity) / 4,
            first,
        );
        let last = at(2024, 4, 7, 18);
        count(s.id, 0, 0, last);
        s.people = Some(0);
        s.children = Some(0);
        s.counted_at = Some(last);
        s.status = ShelterStatus::Closed;
        s.closed_at = Some(last + Duration::hours(1));
        s.updated_at = last + Duration::hours(1);
        s.version = 4;
    }
    (rows, counts)
}
