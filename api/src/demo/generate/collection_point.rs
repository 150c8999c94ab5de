//! The demo's collection points, in the regions that collect.

use birlik_entity::enums::OrganizationKind;
use birlik_entity::{collection_point, organization};

use super::{Ctx, minutes, pick};
use crate::demo::names::{OPENING_HOURS, STREETS, VENUES};

pub(super) fn collection_points(
    cx: &mut Ctx<'_>,
    orgs: &[organization::Model],
) -> Vec<collection_point::Model> {
    let mut out = Vec::new();
    let collecting: Vec<i32> = cx
        .regions
        .iter()
        .filter(|r| r.collects)
        .map(|r| r.id)
        .collect();
    for region_id in collecting {
        let city = cx.city(region_id);
        // The region's own volunteer centre (always verified) runs the first point; verified
        // organizations of the region run the others.
        let runners: Vec<&organization::Model> = orgs
            .iter()
            .filter(|o| {
                o.region_id == region_id
                    && o.verified_at.is_some()
                    && o.kind != OrganizationKind::NationalVolunteerNetwork
            })
            .collect();
        let count = 3 + (cx.weight(region_id) / 4) as usize;
        for n in 0..count {
            let org = if n == 0 {
                runners[0]
            } else {
                *pick(&mut cx.rng, &runners)
            };
            let id = out.len() as i32 + 1;
            let created =
                org.verified_at.unwrap_or(org.created_at) + minutes(&mut cx.rng, 30, 24 * 60);
            out.push(collection_point::Model {
                id,
                region_id,
                organization_id: org.id,
                name: format!("Пункт сбора №{} — {}", n + 1, pick(&mut cx.rng, &VENUES)),
                address: format!(
                    "{city}, ул. {}, {}",
                    pick(&mut cx.rng, &STREETS),
                    cx.rng.u32(1..180)
                ),
                opening_hours: (*pick(&mut cx.rng, &OPENING_HOURS)).to_owned(),
                created_at: created,
                updated_at: created,
                version: 1,
            });
        }
    }
    out
}
