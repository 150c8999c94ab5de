//! The demo's volunteer records, spread over the regions by their weight (affected ones twice).

use birlik_entity::{organization, volunteer};

use super::{
    Ctx, VOLUNTEER_LOGIN, VOLUNTEER_PHONE, VOLUNTEER_REGION, VOLUNTEERS, at, minutes, person,
    phone, pick, weighted,
};
use crate::demo::names::SKILLS;

pub(super) fn volunteers(cx: &mut Ctx<'_>, orgs: &[organization::Model]) -> Vec<volunteer::Model> {
    let weights: Vec<u32> = cx
        .regions
        .iter()
        .map(|r| cx.weight(r.id) * if r.affected { 2 } else { 1 })
        .collect();
    let region_ids: Vec<i32> = cx.regions.iter().map(|r| r.id).collect();
    let demo_region = cx.region(VOLUNTEER_REGION).id;
    let operators = [
        "01", "02", "05", "07", "08", "47", "71", "75", "76", "77", "78",
    ];
    let mut out = Vec::with_capacity(VOLUNTEERS);
    for i in 0..VOLUNTEERS {
        let region_id = if i == 0 {
            demo_region
        } else {
            region_ids[weighted(&mut cx.rng, &weights)]
        };
        let organization_id = if cx.rng.u32(..100) < 40 {
            let local: Vec<i32> = orgs
                .iter()
                .filter(|o| o.region_id == region_id)
                .map(|o| o.id)
                .collect();
            Some(*pick(&mut cx.rng, &local))
        } else {
            None
        };
        let mut skills: Vec<&str> = (0..cx.rng.usize(1..4))
            .map(|_| *pick(&mut cx.rng, &SKILLS))
            .collect();
        skills.sort_unstable();
        skills.dedup();
        let created = at(2024, 3, 28, 6) + minutes(&mut cx.rng, 0, 40 * 24 * 60);
        let (full_name, phone) = if i == 0 {
            ("Айгерим Нурланова".to_owned(), VOLUNTEER_PHONE.to_owned())
        } else {
            (
                person(&mut cx.rng),
                phone(i, operators[i % operators.len()]),
            )
        };
        out.push(volunteer::Model {
            id: i as i32 + 1,
            full_name,
            phone,
            email: (i == 0).then(|| VOLUNTEER_LOGIN.to_owned()),
            region_id,
            organization_id,
            requested_organization_id: None,
            requested_at: None,
            skills: serde_json::json!(skills),
            available: cx.rng.u32(..100) < 80,
            created_at: created,
            updated_at: created,
            version: 1,
        });
    }
    out
}
