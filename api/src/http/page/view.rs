//! The situation page's view: the service's figures turned into what the template prints, each
//! number both as people read it (`10 520 т`) and exact, as the API writes it (in `data-`
//! attributes, so tests and scripts compare it with the GraphQL figures), and the charts'
//! geometry. No markup here: the template writes it, and askama escapes every value.

use crate::context::Lang;
use crate::http::page::strings::{self, Strings};
use crate::labels::Label;
use crate::services::situation::Situation;

/// The charts' drawing width (SVG user units); they scale to the page's width.
pub const CHART_WIDTH: i64 = 400;
/// The longest bar.
const BAR_SPAN: i64 = 290;

/// One headline figure: `id` is the `reliefSummary` field it shows.
#[derive(Debug)]
pub struct Figure {
    pub id: &'static str,
    pub label: &'static str,
    /// As the API writes it.
    pub exact: String,
    /// As people read it.
    pub shown: String,
}

/// One bar of a chart and its value's label.
#[derive(Debug)]
pub struct Bar {
    pub y: i64,
    pub width: i64,
    pub text: String,
    pub text_x: i64,
}

/// One region: its table row and its two bars.
#[derive(Debug)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub collected_exact: String,
    pub delivered_exact: String,
    pub collected: Bar,
    pub delivered: Bar,
    pub label_y: i64,
}

/// One category of needs.
#[derive(Debug)]
pub struct NeedRow {
    /// The GraphQL enum value (`DRINKING_WATER`).
    pub category: String,
    pub label: &'static str,
    pub requested_kg: String,
    pub delivered_kg: String,
    pub outstanding_kg: String,
    pub requested: String,
    pub delivered: String,
    pub bar: Bar,
    pub label_y: i64,
}

/// One region's open shelters.
#[derive(Debug)]
pub struct ShelterRow {
    pub code: String,
    pub name: String,
    pub shelters: String,
    pub people: String,
    pub children: String,
    pub capacity: String,
}

/// Where to bring aid in one region.
#[derive(Debug)]
pub struct PointsRegion {
    pub code: String,
    pub name: String,
    pub points: Vec<Point>,
    /// The region's count of points when the page lists only some.
    pub more: Option<String>,
}

/// One collection point.
#[derive(Debug)]
pub struct Point {
    pub name: String,
    pub address: String,
    pub hours: String,
}

/// A link to the page in one language.
#[derive(Debug)]
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// Everything the template prints.
#[derive(Debug)]
pub struct View {
    pub t: &'static Strings,
    pub languages: Vec<Language>,
    pub as_of: String,
    pub as_of_shown: String,
    pub headline: Vec<Figure>,
    pub phone: &'static str,
    pub phone_link: String,
    pub regions: Vec<RegionRow>,
    pub regions_height: i64,
    pub needs: Vec<NeedRow>,
    pub needs_height: i64,
    pub shelter_figures: Vec<Figure>,
    pub shelters: Vec<ShelterRow>,
    pub points: Vec<PointsRegion>,
}

/// The view of `situation` in `lang`.
pub fn build(situation: &Situation, lang: Lang) -> View {
    let t = strings::of(lang);
    let s = &situation.summary;
    let tonnes = |grams: i64| format!("{}\u{a0}{}", tonnes_shown(grams, lang), t.tonnes);
    let count = |n: i64| grouped(n, lang);
    let figure = |id, label, exact: String, shown| Figure {
        id,
        label,
        exact,
        shown,
    };
    let headline = vec![
        figure(
            "collectedTonnes",
            t.collected,
            exact_tonnes(s.collected_grams),
            tonnes(s.collected_grams),
        ),
        figure(
            "deliveredTonnes",
            t.delivered,
            exact_tonnes(s.delivered_grams),
            tonnes(s.delivered_grams),
        ),
        figure(
            "pendingTonnes",
            t.pending,
            exact_tonnes(s.pending_grams()),
            tonnes(s.pending_grams()),
        ),
        figure(
            "volunteerCount",
            t.volunteers,
            s.volunteer_count.to_string(),
            count(s.volunteer_count),
        ),
        figure(
            "collectionRegionCount",
            t.collecting_regions,
            s.collection_region_count.to_string(),
            count(s.collection_region_count),
        ),
        figure(
            "affectedRegionCount",
            t.affected_regions,
            s.affected_region_count.to_string(),
            count(s.affected_region_count),
        ),
    ];
    let shelter_figures = vec![
        figure(
            "openShelterCount",
            t.open_shelters,
            s.open_shelter_count.to_string(),
            count(s.open_shelter_count),
        ),
        figure(
            "peopleInShelters",
            t.people,
            s.people_in_shelters.to_string(),
            count(s.people_in_shelters),
        ),
        figure(
            "childrenInShelters",
            t.children,
            s.children_in_shelters.to_string(),
            count(s.children_in_shelters),
        ),
        figure(
            "shelterCapacity",
            t.capacity,
            s.shelter_capacity.to_string(),
            count(s.shelter_capacity),
        ),
    ];

    // Regions: a label line, then collected and delivered bars.
    const REGION_ROW: i64 = 46;
    const LEGEND: i64 = 26;
    let region_max = situation
        .regions
        .iter()
        .map(|(_, f)| f.collected_grams.max(f.received_grams))
        .max()
        .unwrap_or(0);
    let regions = situation
        .regions
        .iter()
        .enumerate()
        .map(|(i, (region, f))| {
            let top = LEGEND + i as i64 * REGION_ROW;
            RegionRow {
                code: region.code.clone(),
                name: region_name(region, lang).to_owned(),
                collected_exact: exact_tonnes(f.collected_grams),
                delivered_exact: exact_tonnes(f.received_grams),
                collected: bar(top + 18, f.collected_grams, region_max, lang),
                delivered: bar(top + 30, f.received_grams, region_max, lang),
                label_y: top + 14,
            }
        })
        .collect::<Vec<_>>();
    let regions_height = LEGEND + regions.len() as i64 * REGION_ROW;

    // Needs: a label line, then the still-needed bar.
    const NEED_ROW: i64 = 34;
    let need_max = situation
        .needs
        .iter()
        .map(|g| g.outstanding_grams)
        .max()
        .unwrap_or(0);
    let needs = situation
        .needs
        .iter()
        .filter_map(|g| g.category.map(|c| (c, g)))
        .enumerate()
        .map(|(i, (category, g))| {
            let top = i as i64 * NEED_ROW;
            NeedRow {
                category: screaming_snake(&format!("{category:?}")),
                label: category.label(lang),
                requested_kg: exact_kilograms(g.requested_grams),
                delivered_kg: exact_kilograms(g.delivered_grams),
                outstanding_kg: exact_kilograms(g.outstanding_grams),
                requested: tonnes_shown(g.requested_grams, lang),
                delivered: tonnes_shown(g.delivered_grams, lang),
                bar: bar(top + 18, g.outstanding_grams, need_max, lang),
                label_y: top + 14,
            }
        })
        .collect::<Vec<_>>();
    let needs_height = (needs.len() as i64 * NEED_ROW).max(1);

    let shelters = situation
        .regions
        .iter()
        .filter(|(_, f)| f.open_shelter_count > 0)
        .map(|(region, f)| ShelterRow {
            code: region.code.clone(),
            name: region_name(region, lang).to_owned(),
            shelters: count(f.open_shelter_count),
            people: count(f.people_in_shelters),
            children: count(f.children_in_shelters),
            capacity: count(f.shelter_capacity),
        })
        .collect();

    let points = situation
        .points
        .iter()
        .map(|r| PointsRegion {
            code: r.region.code.clone(),
            name: region_name(&r.region, lang).to_owned(),
            more: (r.total > r.points.len() as i64).then(|| count(r.total)),
            points: r
                .points
                .iter()
                .map(|p| Point {
                    name: p.name.clone(),
                    address: p.address.clone(),
                    hours: p.opening_hours.clone(),
                })
                .collect(),
        })
        .collect();

    View {
        t,
        languages: strings::ALL
            .iter()
            .map(|l| Language {
                code: strings::of(*l).code,
                name: strings::of(*l).own_name,
                current: *l == lang,
            })
            .collect(),
        as_of: s.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        as_of_shown: s.as_of.format("%Y-%m-%d %H:%M UTC").to_string(),
        headline,
        phone: crate::services::stats::CONTACT_CENTER_PHONE,
        phone_link: crate::services::stats::CONTACT_CENTER_PHONE.replace(' ', ""),
        regions,
        regions_height,
        needs,
        needs_height,
        shelter_figures,
        shelters,
        points,
    }
}

/// A bar `grams / max` of the span long, its label just after its end.
fn bar(y: i64, grams: i64, max: i64, lang: Lang) -> Bar {
    let width = if max > 0 {
        (i128::from(grams.max(0)) * i128::from(BAR_SPAN) / i128::from(max)) as i64
    } else {
        0
    };
    Bar {
        y,
        width,
        text: tonnes_shown(grams, lang),
        text_x: width + 4,
    }
}

fn region_name(region: &birlik_entity::region::Model, lang: Lang) -> &str {
    match lang {
        Lang::Kk => &region.name_kk,
        Lang::Ru => &region.name_ru,
        Lang::En => &region.name_en,
    }
}

/// Exact tonnes as the API writes them (`"10520"`, `"1122.416"`).
fn exact_tonnes(grams: i64) -> String {
    crate::mass::tonnes(grams).0.to_string()
}

/// Exact kilograms as the API writes them.
fn exact_kilograms(grams: i64) -> String {
    crate::mass::kilograms(grams).0.to_string()
}

/// Tonnes to a tenth, digits grouped: `10 520`, `1 122,4` (`1,122.4` in English).
pub fn tonnes_shown(grams: i64, lang: Lang) -> String {
    let tenths = (i128::from(grams) + if grams < 0 { -50_000 } else { 50_000 }) / 100_000;
    let whole = grouped((tenths / 10) as i64, lang);
    let sign = if tenths < 0 && tenths > -10 { "-" } else { "" };
    match (tenths % 10).abs() {
        0 => whole,
        tenth => format!(
            "{sign}{whole}{}{tenth}",
            if lang == Lang::En { "." } else { "," }
        ),
    }
}

/// An integer with its thousands grouped: a narrow no-break space in Kazakh and Russian, a comma
/// in English.
pub fn grouped(n: i64, lang: Lang) -> String {
    let separator = if lang == Lang::En { ',' } else { '\u{202f}' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(d);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// `DrinkingWater` as GraphQL names it: `DRINKING_WATER`.
pub fn screaming_snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonnes_are_shown_to_a_tenth_with_grouped_digits() {
        assert_eq!(tonnes_shown(10_520_000_000, Lang::Ru), "10\u{202f}520");
        assert_eq!(tonnes_shown(1_122_416_000, Lang::En), "1,122.4");
        assert_eq!(tonnes_shown(1_122_456_000, Lang::Kk), "1\u{202f}122,5");
        assert_eq!(tonnes_shown(40_000, Lang::En), "0");
        assert_eq!(tonnes_shown(-250_000, Lang::En), "-0.3");
        assert_eq!(grouped(52_480, Lang::En), "52,480");
        assert_eq!(grouped(999, Lang::Ru), "999");
        assert_eq!(screaming_snake("DrinkingWater"), "DRINKING_WATER");
    }
}
