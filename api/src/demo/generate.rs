//! The demo data set, generated from a fixed seed: the same rows on every run and every database,
//! except that open and upcoming tasks are dated relative to `now` so that there is always work
//! to claim. Its sums are the article's: 10,520 t collected, 8,905 t delivered.

use std::collections::{BTreeMap, HashSet};

use birlik_entity::enums::{
    AssignmentStatus, DonationCategory, DonationStatus, OrganizationKind, RegionKind, Role,
    ShipmentStatus, TaskKind, TaskStatus,
};
use birlik_entity::{
    collection_point, donation, organization, region, shipment, shipment_item, task,
    task_assignment, user_account, volunteer,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use fastrand::Rng;
use sea_orm::ActiveEnum;

use super::names::*;

/// The seed: the day the state of emergency was declared.
pub const SEED: u64 = 20_240_406;
/// Kilograms collected, not cancelled (the article's 10,520 t).
pub const COLLECTED_KG: i64 = 10_520_000;
/// Kilograms on delivered shipments (the article's 8,905 t).
pub const DELIVERED_KG: i64 = 8_905_000;
/// Volunteer records (the article's "more than 50,000").
pub const VOLUNTEERS: usize = 52_480;
/// Donations that count (cancelled ones come on top).
pub const DONATIONS: usize = 30_000;
/// Every donation row of the demo: the counted ones and one cancelled for every 80 of them.
pub const DEMO_DONATIONS: usize = DONATIONS + DONATIONS / 80;
/// The fewest donations a data set may have (the masses need a few hundred to spread over).
pub const MIN_DONATIONS: usize = 1_000;
/// The most donations a data set may have: ids stay far from `i32::MAX`, and the rows in memory
/// (about 300 bytes a donation while they are generated) within a few gigabytes.
pub const MAX_DONATIONS: usize = 10_000_000;
/// Kilograms sent on their way but not delivered: roughly, as whole loads.
const IN_TRANSIT_KG: i64 = 900_000;
/// Kilograms on planned shipments: roughly, as whole loads.
const PLANNED_KG: i64 = 350_000;

/// The demo accounts' logins.
pub const MINISTRY_LOGIN: &str = "ministry@demo.birlik.kz";
pub const NGO_LOGIN: &str = "ngo@demo.birlik.kz";
pub const VOLUNTEER_LOGIN: &str = "volunteer@demo.birlik.kz";
/// The demo volunteer's phone (no generated phone uses operator code 700).
pub const VOLUNTEER_PHONE: &str = "+77000000001";
/// Where the demo volunteer serves: an affected region with open tasks.
pub const VOLUNTEER_REGION: &str = "KZ-39";
/// Where the demo organization runs its collection points.
pub const NGO_REGION: &str = "KZ-71";

/// Every row of the demo, with ids assigned from 1 in each table.
pub struct Dataset {
    pub organizations: Vec<organization::Model>,
    pub collection_points: Vec<collection_point::Model>,
    pub volunteers: Vec<volunteer::Model>,
    pub users: Vec<user_account::Model>,
    pub donations: Vec<donation::Model>,
    pub shipments: Vec<shipment::Model>,
    pub items: Vec<shipment_item::Model>,
    pub tasks: Vec<task::Model>,
    pub assignments: Vec<task_assignment::Model>,
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("a valid demo date")
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// Index chosen with probability proportional to its weight.
fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.u32(..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn minutes(rng: &mut Rng, from: i64, to: i64) -> Duration {
    Duration::minutes(rng.i64(from..to))
}

fn person(rng: &mut Rng) -> String {
    if rng.bool() {
        format!("{} {}", pick(rng, &MALE_NAMES), pick(rng, &SURNAMES))
    } else {
        let surname = pick(rng, &SURNAMES);
        let feminine =
            if surname.ends_with("ов") || surname.ends_with("ев") || surname.ends_with("ин") {
                format!("{surname}а")
            } else {
                (*surname).to_owned()
            };
        format!("{} {feminine}", pick(rng, &FEMALE_NAMES))
    }
}

/// A unique mobile number for index `i`: 7 digits from a bijection of 0..10⁷, never operator 700.
fn phone(i: usize, operator: &str) -> String {
    format!(
        "+77{operator}{:07}",
        (i as u64 * 104_729 + 12_345) % 10_000_000
    )
}

struct Ctx<'a> {
    rng: Rng,
    now: DateTime<Utc>,
    regions: &'a [region::Model],
}

impl Ctx<'_> {
    fn region(&self, code: &str) -> &region::Model {
        self.regions
            .iter()
            .find(|r| r.code == code)
            .expect("reference region")
    }

    fn city(&self, region_id: i32) -> &'static str {
        let code = &self
            .regions
            .iter()
            .find(|r| r.id == region_id)
            .expect("reference region")
            .code;
        REGION_CITIES
            .iter()
            .find(|(c, _, _)| c == code)
            .map(|(_, city, _)| *city)
            .unwrap_or("Астана")
    }

    fn weight(&self, region_id: i32) -> u32 {
        let code = &self
            .regions
            .iter()
            .find(|r| r.id == region_id)
            .expect("reference region")
            .code;
        REGION_CITIES
            .iter()
            .find(|(c, _, _)| c == code)
            .map(|(_, _, w)| *w)
            .unwrap_or(5)
    }

    fn spring(&mut self) -> DateTime<Utc> {
        // Skewed towards mid-April, when the water was highest.
        let x = (self.rng.f64() + self.rng.f64()) / 2.0;
        at(2024, 3, 25, 0) + Duration::minutes((x.powf(1.6) * 67.0 * 24.0 * 60.0) as i64)
    }
}

/// How many donations a data set has, and the masses that follow from that count.
///
/// The demo's ([`DEMO_DONATIONS`]) are the article's figures. A larger set (the benchmark's
/// 1,000,000) keeps the demo's proportions: one in 81 donations cancelled, and collected, delivered,
/// in-transit and planned masses grown with the count, so that donations of the same sizes spread
/// over the same statuses, regions, categories and days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Scale {
    counted: usize,
    cancelled: usize,
    collected_kg: i64,
    delivered_kg: i64,
    in_transit_kg: i64,
    planned_kg: i64,
}

impl Scale {
    fn of(donations: usize) -> Self {
        let counted = donations * 80 / 81;
        let grow = |kg: i64| (kg as i128 * counted as i128 / DONATIONS as i128) as i64;
        Scale {
            counted,
            cancelled: donations - counted,
            collected_kg: grow(COLLECTED_KG),
            delivered_kg: grow(DELIVERED_KG),
            in_transit_kg: grow(IN_TRANSIT_KG),
            planned_kg: grow(PLANNED_KG),
        }
    }
}

/// Generates the demo data set. `password_hashes` are the demo accounts' (ministry, ngo, volunteer).
pub fn generate(
    regions: &[region::Model],
    now: DateTime<Utc>,
    password_hashes: [String; 3],
) -> Dataset {
    generate_with_donations(regions, now, password_hashes, DEMO_DONATIONS)
}

/// Generates the demo data set with `donation_count` donation rows instead of [`DEMO_DONATIONS`]: the
/// same organizations, points, volunteers, accounts and tasks, and donations drawn from the same
/// distributions, shipped in the same proportions. With [`DEMO_DONATIONS`] it is [`generate`].
pub fn generate_with_donations(
    regions: &[region::Model],
    now: DateTime<Utc>,
    password_hashes: [String; 3],
    donation_count: usize,
) -> Dataset {
    assert!(
        (MIN_DONATIONS..=MAX_DONATIONS).contains(&donation_count),
        "{MIN_DONATIONS} to {MAX_DONATIONS} donations"
    );
    let scale = Scale::of(donation_count);
    let now = now.with_nanosecond_truncated();
    let mut cx = Ctx {
        rng: Rng::with_seed(SEED),
        now,
        regions,
    };
    let organizations = organizations(&mut cx);
    let collection_points = collection_points(&mut cx, &organizations);
    let volunteers = volunteers(&mut cx, &organizations);
    let users = users(
        &organizations,
        &collection_points,
        &volunteers,
        password_hashes,
    );
    let mut donations = donations(&mut cx, &scale, &collection_points, users[1].id);
    let (shipments, items) = shipments(&mut cx, &scale, &mut donations);
    let (tasks, assignments) = tasks(
        &mut cx,
        &organizations,
        &collection_points,
        &volunteers,
        &shipments,
    );
    Dataset {
        organizations,
        collection_points,
        volunteers,
        users,
        donations,
        shipments,
        items,
        tasks,
        assignments,
    }
}

trait Truncate {
    fn with_nanosecond_truncated(self) -> Self;
}

impl Truncate for DateTime<Utc> {
    /// Whole seconds, so SQLite's text and PostgreSQL's timestamps read back equal.
    fn with_nanosecond_truncated(self) -> Self {
        Utc.timestamp_opt(self.timestamp(), 0)
            .single()
            .unwrap_or(self)
    }
}

fn organizations(cx: &mut Ctx<'_>) -> Vec<organization::Model> {
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

fn collection_points(
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

fn volunteers(cx: &mut Ctx<'_>, orgs: &[organization::Model]) -> Vec<volunteer::Model> {
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

fn users(
    orgs: &[organization::Model],
    points: &[collection_point::Model],
    volunteers: &[volunteer::Model],
    [ministry, ngo, volunteer]: [String; 3],
) -> Vec<user_account::Model> {
    let created = at(2024, 4, 6, 8);
    let first_point = points
        .iter()
        .find(|p| {
            orgs.iter()
                .any(|o| o.id == p.organization_id && o.name.contains("Астана"))
        })
        .expect("a collection point in Astana");
    let account =
        |id, email: &str, hash: String, role, name: String, vol, org| user_account::Model {
            id,
            email: Some(email.to_owned()),
            phone: None,
            password_hash: hash,
            role,
            display_name: name,
            volunteer_id: vol,
            organization_id: org,
            disabled_at: None,
            created_at: created,
            updated_at: created,
            version: 1,
        };
    let org = orgs
        .iter()
        .find(|o| o.id == first_point.organization_id)
        .expect("its organization");
    let mut volunteer_account = account(
        3,
        VOLUNTEER_LOGIN,
        volunteer,
        Role::Volunteer,
        volunteers[0].full_name.clone(),
        Some(volunteers[0].id),
        None,
    );
    volunteer_account.phone = Some(VOLUNTEER_PHONE.to_owned());
    vec![
        account(
            1,
            MINISTRY_LOGIN,
            ministry,
            Role::Ministry,
            "Министерство культуры и информации".into(),
            None,
            None,
        ),
        account(
            2,
            NGO_LOGIN,
            ngo,
            Role::Ngo,
            format!("Координатор: {}", org.name),
            None,
            Some(org.id),
        ),
        volunteer_account,
    ]
}

fn donations(
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

struct Load {
    organization_id: i32,
    origin: i32,
    lines: Vec<(usize, i64)>,
    dispatch: DateTime<Utc>,
}

fn shipments(
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

fn tasks(
    cx: &mut Ctx<'_>,
    orgs: &[organization::Model],
    points: &[collection_point::Model],
    volunteers: &[volunteer::Model],
    shipments: &[shipment::Model],
) -> (Vec<task::Model>, Vec<task_assignment::Model>) {
    let mut pools: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for v in volunteers.iter().skip(1) {
        pools.entry(v.region_id).or_default().push(v.id);
    }
    let demo_volunteer = volunteers[0].id;
    let demo_region = volunteers[0].region_id;
    let region_weights: Vec<u32> = cx
        .regions
        .iter()
        .map(|r| cx.weight(r.id) * if r.affected { 4 } else { 1 })
        .collect();
    let region_ids: Vec<i32> = cx.regions.iter().map(|r| r.id).collect();
    let plan: [(TaskStatus, usize); 5] = [
        (TaskStatus::Done, 2_000),
        (TaskStatus::Cancelled, 80),
        (TaskStatus::InProgress, 40),
        (TaskStatus::Assigned, 120),
        (TaskStatus::Open, 450),
    ];
    let mut tasks = Vec::new();
    let mut assignments: Vec<task_assignment::Model> = Vec::new();
    let (mut demo_done, mut demo_open) = (0, 0);
    for (status, count) in plan {
        for n in 0..count {
            // Every region gets work; the first tasks of each batch go to the demo volunteer's region.
            let region_id = if n < 12 {
                demo_region
            } else {
                region_ids[weighted(&mut cx.rng, &region_weights)]
            };
            let region = cx
                .regions
                .iter()
                .find(|r| r.id == region_id)
                .expect("region");
            let affected = region.affected;
            let local_points: Vec<&collection_point::Model> =
                points.iter().filter(|p| p.region_id == region_id).collect();
            let outgoing: Vec<&shipment::Model> = shipments
                .iter()
                .filter(|s| {
                    s.origin_region_id == region_id && s.status != ShipmentStatus::Cancelled
                })
                .collect();
            let mut kinds = vec![TaskKind::ContactCenterShift];
            if affected {
                kinds.extend([
                    TaskKind::Sandbagging,
                    TaskKind::Sandbagging,
                    TaskKind::ShelterDuty,
                    TaskKind::Distribution,
                ]);
            }
            if !local_points.is_empty() {
                kinds.extend([TaskKind::Sorting, TaskKind::Sorting, TaskKind::Loading]);
            }
            if !outgoing.is_empty() {
                kinds.push(TaskKind::DeliveryEscort);
            }
            // The demo volunteer's finished tasks show each kind of link: a shipment, a point.
            let demo_kind =
                (status == TaskStatus::Done && region_id == demo_region && demo_done < 3)
                    .then(|| {
                        [
                            TaskKind::DeliveryEscort,
                            TaskKind::Sorting,
                            TaskKind::Sandbagging,
                        ][demo_done]
                    })
                    .filter(|k| kinds.contains(k));
            let kind = match demo_kind {
                Some(k) => k,
                None => *pick(&mut cx.rng, &kinds),
            };
            let starts_at = match status {
                TaskStatus::Done | TaskStatus::Cancelled => cx
                    .spring()
                    .date_naive()
                    .and_hms_opt(cx.rng.u32(7..17), 0, 0)
                    .expect("time")
                    .and_utc(),
                TaskStatus::InProgress => cx.now - minutes(&mut cx.rng, 40, 4 * 60),
                _ => cx.now + minutes(&mut cx.rng, 2 * 60, 10 * 24 * 60),
            };
            let ends_at = starts_at + Duration::hours(cx.rng.i64(3..11));
            let place = FLOODED_PLACES
                .iter()
                .find(|(code, _)| *code == region.code)
                .map(|(_, places)| (*pick(&mut cx.rng, places)).to_owned())
                .unwrap_or_else(|| cx.city(region_id).to_owned());
            let point = (matches!(kind, TaskKind::Sorting | TaskKind::Loading))
                .then(|| *pick(&mut cx.rng, &local_points));
            let escorted =
                (kind == TaskKind::DeliveryEscort).then(|| *pick(&mut cx.rng, &outgoing));
            let (title, description) = match kind {
                TaskKind::Sorting => (
                    format!(
                        "Сортировка помощи: {}",
                        point.map(|p| p.name.as_str()).unwrap_or("склад")
                    ),
                    "Разобрать поступившую помощь по категориям, проверить сроки годности, упаковать в коробки.",
                ),
                TaskKind::Loading => (
                    format!(
                        "Погрузка фур: {}",
                        point.map(|p| p.name.as_str()).unwrap_or("склад")
                    ),
                    "Погрузить паллеты и коробки в машины, отправляющиеся в пострадавшие районы.",
                ),
                TaskKind::DeliveryEscort => (
                    format!(
                        "Сопровождение груза ({})",
                        escorted
                            .map(|s| cx.city(s.destination_region_id))
                            .unwrap_or("")
                    ),
                    "Сопроводить машину с помощью, передать груз штабу и подписать акт приёма.",
                ),
                TaskKind::Distribution => (
                    format!("Раздача помощи: {place}"),
                    "Выдача продуктовых наборов, воды и одежды семьям из списка штаба.",
                ),
                TaskKind::Sandbagging => (
                    format!("Укладка мешков с песком: {place}"),
                    "Наполнить и уложить мешки с песком вдоль дамбы; резиновые сапоги выдаются.",
                ),
                TaskKind::ShelterDuty => (
                    format!("Дежурство в пункте временного размещения: {place}"),
                    "Помощь эвакуированным: регистрация, питание, присмотр за детьми.",
                ),
                TaskKind::ContactCenterShift => (
                    format!("Смена в контакт-центре штаба ({})", cx.city(region_id)),
                    "Принимать звонки, записывать заявки пострадавших и распределять волонтёров.",
                ),
            };
            let needed = match kind {
                TaskKind::Sandbagging => cx.rng.i32(10..40),
                TaskKind::DeliveryEscort => cx.rng.i32(1..3),
                TaskKind::ContactCenterShift => cx.rng.i32(2..6),
                _ => cx.rng.i32(3..16),
            };
            let claims = match status {
                TaskStatus::Done | TaskStatus::InProgress | TaskStatus::Assigned => needed,
                TaskStatus::Open => cx.rng.i32(0..needed),
                TaskStatus::Cancelled => 0,
            };
            let local_orgs: Vec<&organization::Model> = orgs
                .iter()
                .filter(|o| o.region_id == region_id && o.verified_at.is_some())
                .collect();
            let organization_id = if local_orgs.is_empty() {
                orgs[0].id
            } else {
                pick(&mut cx.rng, &local_orgs).id
            };
            let id = tasks.len() as i32 + 1;
            let created = match status {
                TaskStatus::Done | TaskStatus::Cancelled => {
                    starts_at - minutes(&mut cx.rng, 6 * 60, 72 * 60)
                }
                _ => cx.now - minutes(&mut cx.rng, 10, 24 * 60),
            };
            // The demo volunteer holds a few tasks of each kind of state.
            let with_demo = region_id == demo_region
                && match status {
                    TaskStatus::Done if demo_done < 3 => {
                        demo_done += 1;
                        true
                    }
                    TaskStatus::Open if demo_open < 2 && claims + 1 < needed => {
                        demo_open += 1;
                        true
                    }
                    _ => false,
                };
            let mut chosen: Vec<i32> = Vec::new();
            if with_demo {
                chosen.push(demo_volunteer);
            }
            let pool = &pools[&region_id];
            let mut seen: HashSet<i32> = chosen.iter().copied().collect();
            while (chosen.len() as i32) < claims.max(chosen.len() as i32)
                && chosen.len() < pool.len()
            {
                let v = *pick(&mut cx.rng, pool);
                if seen.insert(v) {
                    chosen.push(v);
                }
            }
            let assigned = chosen.len() as i32;
            let status = if status == TaskStatus::Open && assigned == needed {
                TaskStatus::Assigned
            } else {
                status
            };
            for volunteer_id in chosen {
                let claimed_at = created + minutes(&mut cx.rng, 5, 6 * 60);
                let (a_status, started_at, finished_at) = match status {
                    TaskStatus::Done => (AssignmentStatus::Done, Some(starts_at), Some(ends_at)),
                    TaskStatus::InProgress => (AssignmentStatus::InProgress, Some(starts_at), None),
                    _ => (AssignmentStatus::Claimed, None, None),
                };
                let updated = finished_at.or(started_at).unwrap_or(claimed_at);
                assignments.push(task_assignment::Model {
                    id: assignments.len() as i32 + 1,
                    task_id: id,
                    volunteer_id,
                    status: a_status,
                    claimed_at,
                    started_at,
                    finished_at,
                    released_at: None,
                    release_reason: None,
                    created_at: claimed_at,
                    updated_at: updated,
                    version: match a_status {
                        AssignmentStatus::Done => 3,
                        AssignmentStatus::InProgress => 2,
                        _ => 1,
                    },
                });
            }
            let cancelled_at = (status == TaskStatus::Cancelled)
                .then(|| created + minutes(&mut cx.rng, 30, 6 * 60));
            tasks.push(task::Model {
                id,
                organization_id: Some(organization_id),
                region_id,
                collection_point_id: point.map(|p| p.id),
                shipment_id: escorted.map(|s| s.id),
                title,
                description: description.to_owned(),
                kind,
                starts_at,
                ends_at,
                volunteers_needed: needed,
                volunteers_assigned: assigned,
                status,
                cancelled_at,
                created_by: None,
                created_at: created,
                updated_at: cancelled_at.unwrap_or(match status {
                    TaskStatus::Done => ends_at,
                    _ => created,
                }),
                version: match status {
                    TaskStatus::Open => 1,
                    TaskStatus::Done => 3,
                    _ => 2,
                },
            });
        }
    }
    (tasks, assignments)
}
