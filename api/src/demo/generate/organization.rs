//! The demo's organizations: a national volunteer network, and in every region three volunteer
//! centres, a youth wing, a religious and an ethnocultural group, a charity, a business and the
//! region's government body.

use birlik_entity::enums::OrganizationKind;
use birlik_entity::organization;

use super::{Ctx, at, minutes, phone};
use crate::demo::names::{BUSINESS_SUFFIXES, BUSINESS_WORDS, ETHNOCULTURAL, GOOD_WORDS, RELIGIOUS};

pub(super) fn organizations(cx: &mut Ctx<'_>) -> Vec<organization::Model> {
    let mut out: Vec<organization::Model> = Vec::new();
    let mut add =
        |cx: &mut Ctx<'_>, name: String, kind: OrganizationKind, region_id: i32, verified: bool| {
            let created = at(2024, 3, 20, 9) + minutes(&mut cx.rng, 0, 20 * 24 * 60);
            let id = out.len() as i32 + 1;
            out.push(organization::Model {
                id,
                name,
                kind,
                region_id,
                contact_email: Some(format!("info{id}@org.demo.birlik.kz")),
                contact_phone: Some(phone(id as usize, "17")),
                verified_at: verified.then(|| created + minutes(&mut cx.rng, 60, 3 * 24 * 60)),
                created_at: created,
                updated_at: created,
                version: if verified { 2 } else { 1 },
            });
        };
    let astana = cx.region("KZ-71").id;
    add(
        cx,
        "Национальная волонтёрская сеть".into(),
        OrganizationKind::NationalVolunteerNetwork,
        astana,
        true,
    );
    let regions: Vec<(i32, &str)> = cx.regions.iter().map(|r| (r.id, cx.city(r.id))).collect();
    for (ri, (region_id, city)) in regions.iter().enumerate() {
        let region_id = *region_id;
        for k in 0..3 {
            let word = GOOD_WORDS[(ri * 3 + k) % GOOD_WORDS.len()];
            let verified = k == 0 || cx.rng.u32(..100) < 88;
            add(
                cx,
                format!("Волонтёрский центр «{word}» ({city})"),
                OrganizationKind::VolunteerOrganization,
                region_id,
                verified,
            );
        }
        let verified = cx.rng.u32(..100) < 88;
        add(
            cx,
            format!("Молодёжное крыло «Жастар Рухы», {city}"),
            OrganizationKind::Youth,
            region_id,
            verified,
        );
        let verified = cx.rng.u32(..100) < 88;
        add(
            cx,
            format!("{} ({city})", RELIGIOUS[ri % RELIGIOUS.len()]),
            OrganizationKind::Religious,
            region_id,
            verified,
        );
        let verified = cx.rng.u32(..100) < 88;
        add(
            cx,
            format!("{} ({city})", ETHNOCULTURAL[ri % ETHNOCULTURAL.len()]),
            OrganizationKind::Ethnocultural,
            region_id,
            verified,
        );
        let word = GOOD_WORDS[(ri * 7 + 11) % GOOD_WORDS.len()];
        let verified = cx.rng.u32(..100) < 88;
        add(
            cx,
            format!("Благотворительный фонд «{word}» ({city})"),
            OrganizationKind::Charity,
            region_id,
            verified,
        );
        let business = format!(
            "ТОО «{} {}» ({city})",
            BUSINESS_WORDS[ri % BUSINESS_WORDS.len()],
            BUSINESS_SUFFIXES[ri % BUSINESS_SUFFIXES.len()]
        );
        let verified = cx.rng.u32(..100) < 88;
        add(
            cx,
            business,
            OrganizationKind::Business,
            region_id,
            verified,
        );
        add(
            cx,
            format!("Управление по делам молодёжи ({city})"),
            OrganizationKind::GovernmentBody,
            region_id,
            true,
        );
    }
    out
}
