//! The public situation page (`/`, `/kk`, `/ru`, `/en`) on the demo data: its language, headers
//! and weight, and every figure it prints against the GraphQL answer for the same data
//! (`reliefSummary`, `regions`, `needStats(groupBy: [CATEGORY])`); then in headless Chromium at
//! 360 and 1280 px with every request off 127.0.0.1 blocked (`tests/node/page.mjs`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, browser, spawn_app, spawn_app_with_demo};

const SUMMARY: &str = "{ reliefSummary { collectedTonnes deliveredTonnes pendingTonnes \
    volunteerCount collectionRegionCount affectedRegionCount contactCenterPhone \
    openShelterCount peopleInShelters childrenInShelters shelterCapacity } }";
const REGIONS: &str = "{ regions { code name collectedTonnes receivedTonnes } }";
const NEEDS: &str = "{ needStats(groupBy: [CATEGORY]) { category requestedKilograms \
    deliveredKilograms outstandingKilograms } }";
const SHELTERS: &str = "{ shelters(filter: { status: { eq: OPEN } }, first: 1) { totalCount \
    totalPeople totalChildren totalCapacity } }";

/// The page at `path`, with these request headers: status, headers, body.
async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let mut req = client.get(format!("{}{path}", app.base));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.expect("the server answers")
}

async fn html(app: &TestApp, path: &str) -> String {
    let resp = get(app, path, &[]).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.unwrap()
}

/// The value of attribute `name` in the tag that starts at `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let end = tag.find('>')?;
    let start = tag[..end].find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_owned())
}

/// The text of the element `<… id="id" …>text<`.
fn by_id(html: &str, id: &str) -> (String, String) {
    let at = html
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let tag = &html[html[..at].rfind('<').unwrap()..];
    let text_start = tag.find('>').unwrap() + 1;
    let text_end = text_start + tag[text_start..].find('<').unwrap();
    (
        attribute(tag, "data-value").unwrap_or_default(),
        tag[text_start..text_end].to_owned(),
    )
}

/// Every `<tr>` of the table `id="table"` that carries `key`, as key → that row's attributes.
fn rows(html: &str, table: &str, key: &str) -> BTreeMap<String, String> {
    let start = html.find(&format!("<table id=\"{table}\"")).unwrap();
    let body = &html[start..start + html[start..].find("</table>").unwrap()];
    body.split("<tr ")
        .skip(1)
        .filter_map(|row| {
            let row = format!(" {row}");
            attribute(&row, key).map(|k| (k, row[..=row.find('>').unwrap()].to_owned()))
        })
        .collect()
}

/// Tonnes as the page shows them in English: to a tenth, digits grouped by commas.
fn shown_tonnes(exact: &str) -> String {
    let (whole, frac) = exact.split_once('.').unwrap_or((exact, ""));
    let grams =
        whole.parse::<i64>().unwrap() * 1_000_000 + format!("{frac:0<6}").parse::<i64>().unwrap();
    let tenths = (grams + 50_000) / 100_000;
    let whole = grouped(tenths / 10);
    match tenths % 10 {
        0 => whole,
        d => format!("{whole}.{d}"),
    }
}

fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn each_language_has_its_page_and_the_root_follows_accept_language() {
    let app = spawn_app_with_demo().await;
    for (path, lang, h1) in [
        ("/kk", "kk", "Су тасқыны 2024"),
        ("/ru", "ru", "Паводки 2024"),
        ("/en", "en", "Floods 2024"),
    ] {
        let resp = get(&app, path, &[]).await;
        assert_eq!(resp.status(), 200, "{path}");
        let headers = resp.headers().clone();
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(headers["cache-control"], "public, max-age=30");
        assert_eq!(headers["content-language"], lang);
        let body = resp.text().await.unwrap();
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(body.contains(&format!("<html lang=\"{lang}\">")), "{path}");
        assert!(body.contains(&format!("<h1>{h1}")), "{path}");
        for other in ["kk", "ru", "en"] {
            assert!(
                body.contains(&format!(
                    "<link rel=\"alternate\" hreflang=\"{other}\" href=\"/{other}\">"
                )),
                "{path} links to /{other}"
            );
        }
    }
    for (accept, lang) in [
        (None, "ru"),
        (Some("kk-KZ,ru;q=0.8"), "kk"),
        (Some("en-GB,en;q=0.9"), "en"),
        (Some("de,fr;q=0.8"), "ru"),
    ] {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("Accept-Language", a)).into_iter().collect();
        let resp = get(&app, "/", &headers).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["vary"], "Accept-Language");
        assert_eq!(resp.headers()["cache-control"], "public, max-age=30");
        let body = resp.text().await.unwrap();
        assert!(
            body.contains(&format!("<html lang=\"{lang}\">")),
            "{accept:?} → {lang}"
        );
    }
    // The same seconds as the public queries.
    let gql = get(
        &app,
        &format!(
            "/graphql?query={}",
            "%7B%20reliefSummary%20%7B%20collectedTonnes%20%7D%20%7D"
        ),
        &[("Accept", "application/json")],
    )
    .await;
    assert_eq!(gql.headers()["cache-control"], "public, max-age=30");

    for unknown in ["/de", "/KK", "/kk/x", "/english"] {
        assert_eq!(get(&app, unknown, &[]).await.status(), 404, "{unknown}");
    }
}

#[tokio::test]
async fn the_pages_figures_are_the_graphql_figures() {
    let app = spawn_app_with_demo().await;
    let en = app.anonymous().with_lang("en");
    let page = html(&app, "/en").await;

    let summary = en.gql(SUMMARY, json!({})).await.data()["reliefSummary"].clone();
    assert_eq!(
        summary["collectedTonnes"], "10520",
        "the demo's article figures"
    );
    for id in [
        "collectedTonnes",
        "deliveredTonnes",
        "pendingTonnes",
        "volunteerCount",
        "collectionRegionCount",
        "affectedRegionCount",
        "openShelterCount",
        "peopleInShelters",
        "childrenInShelters",
        "shelterCapacity",
    ] {
        let (exact, shown) = by_id(&page, id);
        assert_eq!(exact, text(&summary[id]), "{id}");
        let expected = if id.ends_with("Tonnes") {
            format!("{}\u{a0}t", shown_tonnes(&exact))
        } else {
            grouped(exact.parse().unwrap())
        };
        assert_eq!(shown, expected, "{id} as shown");
    }
    assert_eq!(by_id(&page, "collectedTonnes").1, "10,520\u{a0}t");
    assert!(
        page.contains("<a id=\"contactCenterPhone\" href=\"tel:+77087064242\">+7 708 706 4242</a>")
    );
    assert_eq!(summary["contactCenterPhone"], "+7 708 706 4242");

    // Shelters: the same totals as `shelters` over the open ones.
    let shelters = en.gql(SHELTERS, json!({})).await.data()["shelters"].clone();
    assert_eq!(
        by_id(&page, "openShelterCount").0,
        text(&shelters["totalCount"])
    );
    assert_eq!(
        by_id(&page, "peopleInShelters").0,
        text(&shelters["totalPeople"])
    );
    assert_eq!(
        by_id(&page, "childrenInShelters").0,
        text(&shelters["totalChildren"])
    );
    assert_eq!(
        by_id(&page, "shelterCapacity").0,
        text(&shelters["totalCapacity"])
    );
    assert_eq!(by_id(&page, "peopleInShelters").0, "14460");

    // Regions: every region, its collected and received tonnes.
    let regions = en.gql(REGIONS, json!({})).await.data()["regions"].clone();
    let table = rows(&page, "regions", "data-region");
    assert_eq!(table.len(), 20);
    for region in regions.as_array().unwrap() {
        let code = region["code"].as_str().unwrap();
        let row = &table[code];
        assert_eq!(
            attribute(row, "data-collected-tonnes").unwrap(),
            text(&region["collectedTonnes"]),
            "{code} collected"
        );
        assert_eq!(
            attribute(row, "data-received-tonnes").unwrap(),
            text(&region["receivedTonnes"]),
            "{code} delivered"
        );
        let name = region["name"].as_str().unwrap();
        assert!(
            page.contains(&format!(
                "<th scope=\"row\">{name}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                shown_tonnes(&text(&region["collectedTonnes"])),
                shown_tonnes(&text(&region["receivedTonnes"]))
            )),
            "{code}'s row as shown"
        );
    }

    // Needs by category: `needStats(groupBy: [CATEGORY])`, row for row.
    let needs = en.gql(NEEDS, json!({})).await.data()["needStats"].clone();
    let table = rows(&page, "needs", "data-category");
    assert!(!table.is_empty(), "the demo has needs");
    assert_eq!(table.len(), needs.as_array().unwrap().len());
    for group in needs.as_array().unwrap() {
        let row = &table[group["category"].as_str().unwrap()];
        for (attr, field) in [
            ("data-requested-kilograms", "requestedKilograms"),
            ("data-delivered-kilograms", "deliveredKilograms"),
            ("data-outstanding-kilograms", "outstandingKilograms"),
        ] {
            assert_eq!(
                attribute(row, attr).unwrap(),
                text(&group[field]),
                "{row} {field}"
            );
        }
    }

    // Where to bring aid: each collecting region's points.
    assert_eq!(page.matches("<table class=\"points\"").count(), 16);
}

#[tokio::test]
async fn the_page_is_self_contained_light_and_scriptless() {
    let app = spawn_app_with_demo().await;
    for path in ["/kk", "/ru", "/en"] {
        let page = html(&app, path).await;
        assert!(!page.to_ascii_lowercase().contains("<script"), "{path}");
        assert!(!page.contains("<img"), "{path}");
        // Nothing is loaded from anywhere: no `src`, and links to stylesheets or anything else
        // the browser would fetch are relative to the server.
        assert!(!page.contains(" src="), "{path}");
        assert!(!page.contains("url("), "{path}");
        assert!(!page.contains("@import"), "{path}");
        for quoted in page.split("href=\"").skip(1) {
            let href = &quoted[..quoted.find('"').unwrap()];
            assert!(
                href.starts_with('/') || href.starts_with("tel:"),
                "{path}: {href} leaves the server"
            );
        }
        for encoding in ["br", "gzip"] {
            let resp = get(&app, path, &[("Accept-Encoding", encoding)]).await;
            assert_eq!(resp.headers()["content-encoding"], encoding, "{path}");
            let bytes = resp.bytes().await.unwrap().len();
            assert!(
                bytes < 60 * 1024,
                "{path} weighs {bytes} bytes in {encoding}"
            );
            assert!(
                bytes < page.len() / 3,
                "{path} is compressed: {bytes} of {}",
                page.len()
            );
        }
    }
}

#[tokio::test]
async fn the_page_costs_the_same_statements_however_much_data() {
    async fn cost(app: &TestApp) -> u64 {
        html(app, "/ru").await; // warm anything read once per process
        let before = app.statements().await;
        html(app, "/ru").await;
        app.statements().await - before
    }
    let empty = cost(&spawn_app().await).await;
    let demo = cost(&spawn_app_with_demo().await).await;
    assert_eq!(
        empty, demo,
        "statements on an empty and on the demo database"
    );
    assert!(demo <= 3, "{demo} statements for the page");
}

/// No mutation creates collection points (the demo data and operators do), so this one comes in
/// through the store's bulk insert, as the demo's do; its text reaches the page only escaped.
#[tokio::test]
async fn text_from_the_database_is_escaped() {
    use crate::helpers::sql;
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let region = sql::int(
        &db,
        "SELECT MIN(id) FROM region WHERE id NOT IN (SELECT region_id FROM collection_point)",
    )
    .await;
    let now = chrono::Utc::now();
    birlik_api::store::collection_point::insert_many(
        &db,
        vec![birlik_entity::collection_point::Model {
            id: sql::int(&db, "SELECT MAX(id) FROM collection_point").await as i32 + 1,
            region_id: region as i32,
            organization_id: sql::int(&db, "SELECT MIN(id) FROM organization").await as i32,
            name: "<script>alert('x')</script>".into(),
            address: "\"Main\" & <b>Co</b>".into(),
            opening_hours: "9–18 <i>".into(),
            created_at: now,
            updated_at: now,
            version: 1,
        }],
    )
    .await
    .unwrap();
    let page = html(&app, "/en").await;
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(!page.contains("<b>Co"));
    assert!(
        page.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;"),
        "the name, escaped"
    );
    assert!(
        page.contains("&#34;Main&#34; &#38; &#60;b&#62;Co&#60;/b&#62;"),
        "the address, escaped"
    );
    assert!(page.contains("9–18 &#60;i&#62;"), "the hours, escaped");
}

/// Chromium at 360 and 1280 px, JavaScript off, every request off 127.0.0.1 blocked: nothing is
/// blocked, nothing scrolls sideways at 360 px, the DOM's figures are GraphQL's, under 60 KB on
/// the wire; screenshots go to the artifacts folder.
#[tokio::test]
async fn chromium_shows_the_graphql_figures_at_360_and_1280_px() {
    let app = spawn_app_with_demo().await;
    let client = app.anonymous().with_lang("en");
    let summary = client.gql(SUMMARY, json!({})).await.data()["reliefSummary"].clone();
    let regions = client.gql(REGIONS, json!({})).await.data()["regions"].clone();
    let phone = text(&summary["contactCenterPhone"]);
    let figures: serde_json::Map<String, Value> = summary
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "contactCenterPhone")
        .map(|(k, v)| (k.clone(), Value::String(text(v))))
        .collect();
    let regions: serde_json::Map<String, Value> = regions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                text(&r["code"]),
                json!([text(&r["collectedTonnes"]), text(&r["receivedTonnes"])]),
            )
        })
        .collect();
    let expected = json!({ "figures": figures, "regions": regions, "phone": phone }).to_string();
    let dir = browser::artifacts_dir();
    let url = format!("{}/en", app.base);
    let Some(out) = browser::run("page.mjs", &[&url, dir.to_str().unwrap(), &expected]).await
    else {
        return;
    };
    let report: Value = serde_json::from_str(out.trim()).expect("page.mjs reports JSON");
    for width in ["360", "1280"] {
        assert!(report[width]["transferred"].as_u64().unwrap() < 60 * 1024);
        assert!(dir.join(format!("situation-{width}.png")).exists());
    }
    assert!(report["360"]["scrollWidth"].as_u64().unwrap() <= 360);
}

/// The page counts against its client's rate like a public query: a flood is refused with 429
/// and `Retry-After`, never cached.
#[tokio::test]
async fn a_flood_of_page_requests_is_limited() {
    use birlik_api::config::RateLimit;
    let app = crate::helpers::app::spawn_with(crate::helpers::TestDb::migrated().await, |c| {
        c.rate_limit = RateLimit {
            per_second: 1,
            burst: 3,
        }
    })
    .await;
    let responses = futures_util::future::join_all((0..10).map(|_| get(&app, "/kk", &[]))).await;
    let limited: Vec<&reqwest::Response> = responses.iter().filter(|r| r.status() == 429).collect();
    assert!(limited.len() >= 5, "{} of 10 limited", limited.len());
    assert!(responses.iter().any(|r| r.status() == 200));
    for r in limited {
        assert!(r.headers().contains_key("retry-after"));
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
}
