//! The demo's shipments: each organization's stock packed into truck loads, delivered, in
//! transit or planned, with their lines.

use std::collections::BTreeMap;

use birlik_entity::enums::{DonationStatus, ShipmentStatus};
use birlik_entity::{donation, shipment, shipment_item};
use chrono::{DateTime, Utc};

use super::{Ctx, Scale, minutes, phone, pick, weighted};
use crate::demo::names::{MALE_NAMES, SURNAMES, VEHICLES};

struct Load {
    organization_id: i32,
    origin: i32,
    lines: Vec<(usize, i64)>,
    dispatch: DateTime<Utc>,
}

pub(super) fn shipments(
    cx: &mut Ctx<'_>,
    scale: &Scale,
    donations: &mut [donation::Model],
) -> (Vec<shipment::Model>, Vec<shipment_item::Model>) {
    // Pack each organization's stock, oldest first, into truck loads of 5–20 t.
    let mut by_org: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (i, d) in donations.iter().enumerate() {
        if d.status != DonationStatus::Cancelled {
            by_org.entry(d.organization_id).or_default().push(i);
        }
    }
    let mut loads = Vec::new();
    for (org, mut stock) in by_org {
        stock.sort_by_key(|i| (donations[*i].received_at, *i));
        let mut lines: Vec<(usize, i64)> = Vec::new();
        let mut capacity = cx.rng.i64(5_000..20_000);
        for i in stock {
            let kg = donations[i].grams / 1000;
            let loaded: i64 = lines.iter().map(|l| l.1).sum();
            if !lines.is_empty() && loaded + kg > capacity {
                loads.push(close_load(cx, org, donations, std::mem::take(&mut lines)));
                capacity = cx.rng.i64(5_000..20_000);
            }
            lines.push((i, kg));
        }
        if !lines.is_empty() {
            loads.push(close_load(cx, org, donations, lines));
        }
    }
    loads.sort_by_key(|l| (l.dispatch, l.organization_id));

    let affected: Vec<(i32, u32)> = cx
        .regions
        .iter()
        .filter(|r| r.affected)
        .map(|r| {
            let weight = match r.code.as_str() {
                "KZ-39" => 20,
                "KZ-15" | "KZ-27" => 14,
                "KZ-11" | "KZ-59" => 12,
                "KZ-23" => 10,
                "KZ-10" => 6,
                "KZ-35" => 5,
                "KZ-55" => 4,
                _ => 3,
            };
            (r.id, weight)
        })
        .collect();

    let mut shipments = Vec::new();
    let mut items = Vec::new();
    let (mut delivered, mut transit, mut planned, mut cancelled) = (0i64, 0i64, 0i64, 0usize);
    for mut load in loads {
        let kg: i64 = load.lines.iter().map(|l| l.1).sum();
        let status = if delivered < scale.delivered_kg {
            if delivered + kg > scale.delivered_kg {
                // The load that crosses the line takes exactly what is left to deliver; the rest of
                // its last donation stays in stock, partly shipped.
                let mut left = scale.delivered_kg - delivered;
                load.lines.retain_mut(|line| {
                    let take = line.1.min(left);
                    left -= take;
                    line.1 = take;
                    take > 0
                });
            }
            delivered += load.lines.iter().map(|l| l.1).sum::<i64>();
            ShipmentStatus::Delivered
        } else if transit < scale.in_transit_kg {
            transit += kg;
            ShipmentStatus::Dispatched
        } else if planned < scale.planned_kg {
            planned += kg;
            ShipmentStatus::Planned
        } else if cancelled < 8 {
            cancelled += 1;
            ShipmentStatus::Cancelled
        } else {
            continue;
        };
        let candidates: Vec<&(i32, u32)> = affected
            .iter()
            .filter(|(id, _)| *id != load.origin)
            .collect();
        let weights: Vec<u32> = candidates.iter().map(|c| c.1).collect();
        let destination = candidates[weighted(&mut cx.rng, &weights)].0;
        let id = shipments.len() as i32 + 1;
        let created = load.dispatch - minutes(&mut cx.rng, 60, 6 * 60);
        let dispatched_at = matches!(
            status,
            ShipmentStatus::Dispatched | ShipmentStatus::Delivered
        )
        .then_some(load.dispatch);
        let delivered_at = (status == ShipmentStatus::Delivered)
            .then(|| load.dispatch + minutes(&mut cx.rng, 8 * 60, 60 * 60));
        let cancelled_at = (status == ShipmentStatus::Cancelled)
            .then(|| created + minutes(&mut cx.rng, 30, 12 * 60));
        let updated = delivered_at
            .or(cancelled_at)
            .or(dispatched_at)
            .unwrap_or(created);
        shipments.push(shipment::Model {
            id,
            organization_id: load.organization_id,
            origin_region_id: load.origin,
            destination_region_id: destination,
            status,
            vehicle: format!(
                "{}, {:03} {}{} {:02}",
                pick(&mut cx.rng, &VEHICLES),
                cx.rng.u32(100..999),
                pick(
                    &mut cx.rng,
                    &['A', 'B', 'E', 'K', 'M', 'H', 'O', 'P', 'C', 'T']
                ),
                pick(
                    &mut cx.rng,
                    &['A', 'B', 'E', 'K', 'M', 'H', 'O', 'P', 'C', 'T']
                ),
                cx.rng.u32(1..20)
            ),
            driver_name: format!(
                "{} {}",
                pick(&mut cx.rng, &MALE_NAMES),
                pick(&mut cx.rng, &SURNAMES)
            ),
            driver_phone: Some(phone(id as usize + 700_000, "05")),
            dispatched_at,
            delivered_at,
            cancelled_at,
            delivery_note: delivered_at
                .map(|_| format!("Принято штабом ({}), расхождений нет", cx.city(destination))),
            created_by: None,
            confirmed_by: None,
            created_at: created,
            updated_at: updated,
            version: match status {
                ShipmentStatus::Planned => 1,
                ShipmentStatus::Dispatched | ShipmentStatus::Cancelled => 2,
                ShipmentStatus::Delivered => 3,
            },
        });
        for (donation, kg) in load.lines {
            items.push(shipment_item::Model {
                id: items.len() as i32 + 1,
                shipment_id: id,
                donation_id: donations[donation].id,
                origin_region_id: load.origin,
                grams: kg * 1000,
                need_line_id: None,
                created_at: created,
            });
            if status != ShipmentStatus::Cancelled {
                let d = &mut donations[donation];
                d.shipped_grams += kg * 1000;
                d.status = if d.shipped_grams == d.grams {
                    DonationStatus::Shipped
                } else {
                    DonationStatus::PartlyShipped
                };
                d.updated_at = d.updated_at.max(created);
                d.version += 1;
            }
        }
    }
    (shipments, items)
}

fn close_load(
    cx: &mut Ctx<'_>,
    organization_id: i32,
    donations: &[donation::Model],
    lines: Vec<(usize, i64)>,
) -> Load {
    let ready = lines
        .iter()
        .map(|l| donations[l.0].received_at)
        .max()
        .expect("a loaded donation");
    Load {
        organization_id,
        origin: donations[lines[0].0].region_id,
        lines,
        dispatch: ready + minutes(&mut cx.rng, 2 * 60, 48 * 60),
    }
}
