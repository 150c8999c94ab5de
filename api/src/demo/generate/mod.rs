//! The demo data set, generated from a fixed seed: the same rows on every run and every database,
//! except that open and upcoming tasks are dated relative to `now` so that there is always work
//! to claim. Its sums are the article's: 10,520 t collected, 8,905 t delivered.

use birlik_entity::region;
use chrono::{DateTime, Duration, TimeZone, Utc};
use fastrand::Rng;

mod collection_point;
mod donation;
mod need;
mod organization;
pub mod shelter;
mod shipment;
mod task;
mod user;
mod volunteer;

use crate::demo::names::{FEMALE_NAMES, MALE_NAMES, REGION_CITIES, SURNAMES};

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
    pub organizations: Vec<birlik_entity::organization::Model>,
    pub collection_points: Vec<birlik_entity::collection_point::Model>,
    pub volunteers: Vec<birlik_entity::volunteer::Model>,
    pub users: Vec<birlik_entity::user_account::Model>,
    pub donations: Vec<birlik_entity::donation::Model>,
    pub shipments: Vec<birlik_entity::shipment::Model>,
    pub items: Vec<birlik_entity::shipment_item::Model>,
    pub needs: Vec<birlik_entity::need::Model>,
    pub need_lines: Vec<birlik_entity::need_line::Model>,
    pub tasks: Vec<birlik_entity::task::Model>,
    pub assignments: Vec<birlik_entity::task_assignment::Model>,
    pub shelters: Vec<birlik_entity::shelter::Model>,
    pub shelter_counts: Vec<birlik_entity::shelter_count::Model>,
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
    let organizations = organization::organizations(&mut cx);
    let collection_points = collection_point::collection_points(&mut cx, &organizations);
    let volunteers = volunteer::volunteers(&mut cx, &organizations);
    let users = user::users(
        &organizations,
        &collection_points,
        &volunteers,
        password_hashes,
    );
    let mut donations = donation::donations(&mut cx, &scale, &collection_points, users[1].id);
    let (shipments, mut items) = shipment::shipments(&mut cx, &scale, &mut donations);
    let raisers = (
        users[0].id,
        users[1].id,
        users[1].organization_id.expect("the demo NGO's account"),
    );
    let (needs, need_lines) = need::needs(
        &cx,
        &organizations,
        raisers,
        &donations,
        &shipments,
        &mut items,
    );
    let (tasks, assignments) = task::tasks(
        &mut cx,
        &organizations,
        &collection_points,
        &volunteers,
        &shipments,
    );
    let (shelters, shelter_counts) = shelter::shelters(regions, &organizations);
    Dataset {
        organizations,
        collection_points,
        volunteers,
        users,
        donations,
        shipments,
        items,
        needs,
        need_lines,
        tasks,
        assignments,
        shelters,
        shelter_counts,
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
