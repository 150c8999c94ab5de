//! The demo's donations: counted ones adding up to the collected mass, and the cancelled ones.

use std::collections::BTreeMap;

use birlik_entity::enums::{DonationCategory, DonationStatus, RegionKind};
use birlik_entity::{collection_point, donation};
use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;

use super::{Ctx, Scale, minutes, person, pick, weighted};
use crate::demo::names::{BUSINESS_SUFFIXES, BUSINESS_WORDS, CATEGORIES};

pub(super) fn donations(
    cx: &mut Ctx<'_>,
    scale: &Scale,
    points: &[collection_point::Model],
    ngo_user: i32,
) -> Vec<donation::Model> {
    let ngo_org = points[0].organization_id;
    let mut regions: Vec<i32> = points.iter().map(|p| p.region_id).collect();
    regions.dedup();
    // The big cities give more than their population share.
    let weights: Vec<u32> = regions
        .iter()
        .map(|id| {
            cx.weight(*id)
                * if cx
                    .regions
                    .iter()
                    .any(|r| r.id == *id && r.kind == RegionKind::City)
                {
                    2
                } else {
                    1
                }
        })
        .collect();
    let category_weights: Vec<u32> = CATEGORIES.iter().map(|c| c.1).collect();
    let mut raw: Vec<(usize, usize, u64, DateTime<Utc>, bool)> =
        Vec::with_capacity(scale.counted + scale.cancelled);
    // The points of each region, found once (not once per donation: a million of them at scale).
    let local_points: BTreeMap<i32, Vec<usize>> = regions
        .iter()
        .map(|id| {
            let local = (0..points.len())
                .filter(|i| points[*i].region_id == *id)
                .collect();
            (*id, local)
        })
        .collect();
    for n in 0..scale.counted + scale.cancelled {
        let region_id = regions[weighted(&mut cx.rng, &weights)];
        let point = *pick(&mut cx.rng, &local_points[&region_id]);
        let category = weighted(&mut cx.rng, &category_weights);
        let kg = match cx.rng.u32(..100) {
            0..60 => cx.rng.u64(5..80),
            60..90 => cx.rng.u64(80..600),
            90..98 => cx.rng.u64(600..3_000),
            _ => cx.rng.u64(3_000..20_000),
        };
        raw.push((point, category, kg, cx.spring(), n >= scale.counted));
    }
    // Scale the counted donations to exactly the collected total; the rounding rest goes to the largest.
    let counted_raw: u128 = raw.iter().filter(|r| !r.4).map(|r| r.2 as u128).sum();
    let mut kgs: Vec<i64> = raw
        .iter()
        .map(|r| {
            if r.4 {
                r.2 as i64
            } else {
                ((r.2 as u128 * scale.collected_kg as u128 / counted_raw) as i64).max(1)
            }
        })
        .collect();
    let counted: i64 = kgs
        .iter()
        .zip(&raw)
        .filter(|(_, r)| !r.4)
        .map(|(k, _)| *k)
        .sum();
    let largest = (0..scale.counted)
        .max_by_key(|i| kgs[*i])
        .expect("donations");
    kgs[largest] += scale.collected_kg - counted;

    let mut out = Vec::with_capacity(raw.len());
    for (i, ((point, category, _, received_at, cancelled), kg)) in
        raw.into_iter().zip(kgs).enumerate()
    {
        let p = &points[point];
        let (name, _, description, per_item) = CATEGORIES[category];
        let donor_name = match cx.rng.u32(..100) {
            0..22 => Some(person(&mut cx.rng)),
            22..33 => Some(format!(
                "ТОО «{} {}»",
                pick(&mut cx.rng, &BUSINESS_WORDS),
                pick(&mut cx.rng, &BUSINESS_SUFFIXES)
            )),
            _ => None,
        };
        let cancelled_at = cancelled.then(|| received_at + minutes(&mut cx.rng, 20, 48 * 60));
        out.push(donation::Model {
            id: i as i32 + 1,
            collection_point_id: p.id,
            organization_id: p.organization_id,
            region_id: p.region_id,
            category: DonationCategory::try_from_value(&name.to_owned()).expect("known category"),
            grams: kg * 1000,
            shipped_grams: 0,
            written_off_grams: 0,
            item_count: per_item.map(|per| ((kg as u32 / per).max(1)) as i32),
            description: description.to_owned(),
            donor_name,
            received_at,
            registered_by: (p.organization_id == ngo_org).then_some(ngo_user),
            status: if cancelled {
                DonationStatus::Cancelled
            } else {
                DonationStatus::Received
            },
            cancelled_at,
            created_at: received_at,
            updated_at: cancelled_at.unwrap_or(received_at),
            version: if cancelled { 2 } else { 1 },
        });
    }
    out
}
