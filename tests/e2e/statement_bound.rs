//! The statement bound holds for every valid query, not only the clients': random queries
//! generated from the live schema's introspection (any root query field, nested object fields
//! down to the depth limit, page sizes up to 100, aliases, `nodes(ids:)` over every kind of
//! object) are sent as anonymous, a volunteer, NGO staff and the ministry on the demo data; each
//! one the limits accept must cost at most [`STATEMENT_CEILING`] SQL statements (SECURITY.md
//! names it), and none may fail with an internal error.

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::app::spawn_with;
use crate::helpers::client::Client;
use crate::helpers::db::TestDb;

/// Most SQL statements one request may cost, whatever it asks within the query limits
/// (SECURITY.md). The account check of a signed-in caller is one of them.
pub const STATEMENT_CEILING: u64 = 60;

const GRAPHIQL_INTROSPECTION: &str = include_str!("fixtures/graphiql-introspection.graphql");
/// Data depth the generator goes down to: the default `BIRLIK_MAX_DEPTH`.
const MAX_DEPTH: usize = 10;
/// Random queries per database.
const CASES: u32 = 150;
/// `node`/`nodes` among the root fields: every kind loads through the scoped, batched loaders, so
/// a `nodes(ids:)` of a hundred ids costs one statement per kind.
const NODES_BATCHED: bool = true;

/// A small deterministic generator (xorshift64*), seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A type reference from introspection: its named type and whether it is a list / non-null.
#[derive(Clone, Debug)]
struct TypeRef {
    name: String,
    list: bool,
    required: bool,
}

fn type_ref(t: &Value) -> TypeRef {
    let required = t["kind"] == "NON_NULL";
    let mut list = false;
    let mut t = t;
    while t["name"].is_null() {
        if t["kind"] == "LIST" {
            list = true;
        }
        t = &t["ofType"];
    }
    TypeRef {
        name: t["name"].as_str().unwrap_or_default().to_owned(),
        list,
        required,
    }
}

#[derive(Clone, Debug)]
struct FieldDef {
    name: String,
    args: Vec<(String, TypeRef)>,
    ty: TypeRef,
}

#[derive(Clone, Debug, Default)]
struct TypeDef {
    kind: String,
    fields: Vec<FieldDef>,
    possible: Vec<String>,
    values: Vec<String>,
    inputs: Vec<(String, TypeRef)>,
}

/// The schema, as introspection tells it.
struct Model {
    types: HashMap<String, TypeDef>,
    query: String,
}

impl Model {
    fn from_introspection(schema: &Value) -> Self {
        let mut types = HashMap::new();
        for t in schema["types"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap().to_owned();
            let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
            let def = TypeDef {
                kind: t["kind"].as_str().unwrap().to_owned(),
                fields: list(&t["fields"])
                    .iter()
                    .map(|f| FieldDef {
                        name: f["name"].as_str().unwrap().to_owned(),
                        args: list(&f["args"])
                            .iter()
                            .map(|a| (a["name"].as_str().unwrap().to_owned(), type_ref(&a["type"])))
                            .collect(),
                        ty: type_ref(&f["type"]),
                    })
                    .collect(),
                possible: list(&t["possibleTypes"])
                    .iter()
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect(),
                values: list(&t["enumValues"])
                    .iter()
                    .map(|v| v["name"].as_str().unwrap().to_owned())
                    .collect(),
                inputs: list(&t["inputFields"])
                    .iter()
                    .map(|a| (a["name"].as_str().unwrap().to_owned(), type_ref(&a["type"])))
                    .collect(),
            };
            types.insert(name, def);
        }
        Model {
            types,
            query: schema["queryType"]["name"].as_str().unwrap().to_owned(),
        }
    }

    fn is_leaf(&self, name: &str) -> bool {
        matches!(
            self.types.get(name).map(|t| t.kind.as_str()),
            Some("SCALAR" | "ENUM") | None
        )
    }
}

/// Builds one random query.
struct Generator<'a> {
    model: &'a Model,
    rng: Rng,
    /// Real global ids of the demo data, of every kind.
    ids: &'a [String],
    aliases: usize,
}

impl Generator<'_> {
    fn query(&mut self) -> String {
        let root = self.model.types[&self.model.query].clone();
        let fields: Vec<&FieldDef> = root
            .fields
            .iter()
            .filter(|f| !f.name.starts_with("__"))
            .filter(|f| NODES_BATCHED || !matches!(f.name.as_str(), "node" | "nodes"))
            .collect();
        // Up to the root-field limit (BIRLIK_MAX_ROOT_FIELDS), fewer mostly.
        let count = if self.rng.chance(25) {
            10
        } else {
            1 + self.rng.below(4)
        };
        let mut parts = Vec::new();
        for i in 0..count {
            let field = *self.rng.pick(&fields);
            let alias = format!("r{i}: ");
            parts.push(format!("{alias}{}", self.field(field, 1, 1)));
        }
        format!("{{ {} }}", parts.join(" "))
    }

    /// A field with arguments and, for an object, a selection. `items` is how many times the
    /// field stands in the answer (the lists around it), which keeps most queries within the
    /// complexity limit while their pages stay large.
    fn field(&mut self, field: &FieldDef, depth: usize, items: u64) -> String {
        let mut args = Vec::new();
        let mut page = None;
        for (name, ty) in &field.args {
            if let Some(value) = self.argument(name, ty, items) {
                if matches!(name.as_str(), "first" | "last") {
                    page = value.parse::<u64>().ok();
                }
                if name == "ids" {
                    page = Some(value.matches('"').count() as u64 / 2);
                }
                args.push(format!("{name}: {value}"));
            }
        }
        let connection = field.ty.name.ends_with("Connection");
        let items = if connection || (field.ty.list && !field.ty.name.ends_with("Edge")) {
            items * page.unwrap_or(20)
        } else {
            items
        };
        let args = if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        };
        if self.model.is_leaf(&field.ty.name) {
            format!("{}{args}", field.name)
        } else {
            format!(
                "{}{args} {}",
                field.name,
                self.selection(&field.ty.name, depth + 1, items)
            )
        }
    }

    fn argument(&mut self, name: &str, ty: &TypeRef, items: u64) -> Option<String> {
        let model = self.model;
        // Pages as large as the complexity limit lets them be, mostly.
        let room = (2000 / items).clamp(1, 100) as usize;
        match (name, ty.name.as_str()) {
            ("first", _) if self.rng.chance(70) => {
                // Mostly large pages: the bound must hold whatever their size.
                let n = if self.rng.chance(60) {
                    room
                } else {
                    1 + self.rng.below(room)
                };
                Some(n.to_string())
            }
            ("ids", _) => {
                let n = 1 + self.rng.below(room);
                let ids: Vec<String> = (0..n)
                    .map(|_| format!("\"{}\"", self.rng.pick(self.ids)))
                    .collect();
                Some(format!("[{}]", ids.join(", ")))
            }
            _ if !ty.required => None,
            ("code" | "regionCode", _) => Some(format!(
                "\"{}\"",
                self.rng.pick(&["KZ-71", "KZ-39", "KZ-75", "KZ-23"])
            )),
            (_, "ID") => Some(format!("\"{}\"", self.rng.pick(self.ids))),
            (_, "Int") => Some((1 + self.rng.below(100)).to_string()),
            (_, "String") => Some("\"x\"".into()),
            (_, "Boolean") => Some("true".into()),
            (_, "DateTime") => Some("\"2024-04-01T00:00:00Z\"".into()),
            (_, "Decimal") => Some("\"1\"".into()),
            (_, enum_name) if model.types.get(enum_name).is_some_and(|t| t.kind == "ENUM") => {
                let values = &model.types[enum_name].values;
                if ty.list {
                    let n = 1 + self.rng.below(3);
                    let mut chosen: Vec<&String> = (0..n).map(|_| self.rng.pick(values)).collect();
                    chosen.dedup();
                    Some(format!(
                        "[{}]",
                        chosen
                            .iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                } else {
                    Some(self.rng.pick(values).clone())
                }
            }
            (_, input) => {
                let fields = model.types.get(input)?.inputs.clone();
                let required: Vec<String> = fields
                    .iter()
                    .filter(|(_, t)| t.required)
                    .filter_map(|(n, t)| Some(format!("{n}: {}", self.argument(n, t, items)?)))
                    .collect();
                Some(format!("{{ {} }}", required.join(", ")))
            }
        }
    }

    /// A selection set on a type, at a data depth.
    fn selection(&mut self, ty: &str, depth: usize, items: u64) -> String {
        let def = self.model.types[ty].clone();
        if def.kind == "INTERFACE" || def.kind == "UNION" {
            let on = self.rng.pick(&def.possible).clone();
            return format!(
                "{{ __typename ... on {on} {} }}",
                self.selection(&on, depth, items)
            );
        }
        let leaves: Vec<&FieldDef> = def
            .fields
            .iter()
            .filter(|f| self.model.is_leaf(&f.ty.name) && f.args.iter().all(|(_, t)| !t.required))
            .collect();
        let objects: Vec<&FieldDef> = def
            .fields
            .iter()
            .filter(|f| !self.model.is_leaf(&f.ty.name))
            .collect();
        let mut chosen: Vec<String> = Vec::new();
        let mut taken = std::collections::HashSet::new();
        let count = 1 + self.rng.below(4);
        for _ in 0..count {
            // Objects while the depth allows, mostly: the bound must hold at the deepest.
            let object =
                depth < MAX_DEPTH && items < 1000 && !objects.is_empty() && self.rng.chance(65);
            let field = if object {
                *self.rng.pick(&objects)
            } else if !leaves.is_empty() {
                *self.rng.pick(&leaves)
            } else {
                continue;
            };
            let text = self.field(field, depth, items);
            if taken.insert(field.name.clone()) {
                chosen.push(text);
            } else if self.aliases < 10 {
                // The same field again, under an alias (with its own arguments).
                self.aliases += 1;
                chosen.push(format!("a{}: {text}", self.aliases));
            }
        }
        if chosen.is_empty() {
            chosen.push("__typename".into());
        }
        format!("{{ {} }}", chosen.join(" "))
    }
}

/// Real ids of every kind in the demo data, as the ministry reads them.
async fn id_pool(ministry: &Client) -> Vec<String> {
    let answer = ministry
        .gql(
            "{ tasks(first: 30) { nodes { id } } shipments(first: 30) { nodes { id } } \
              donations(first: 20) { nodes { id } } organizations(first: 10) { nodes { id } } \
              volunteers(first: 10) { nodes { id } } regions { id collectionPoints(first: 2) { nodes { id } } } }",
            json!({}),
        )
        .await;
    let mut ids = Vec::new();
    fn collect(v: &Value, ids: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("id", Value::String(id)) => ids.push(id.clone()),
                        _ => collect(v, ids),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, ids)),
            _ => {}
        }
    }
    collect(answer.data(), &mut ids);
    assert!(ids.len() > 100, "ids of every kind");
    ids
}

async fn statements_of(app: &TestApp, client: &Client, query: &str) -> (u64, Value) {
    let before = app.statements().await;
    let answer = client.gql(query, json!({})).await;
    (app.statements().await - before, answer.body)
}

#[tokio::test]
async fn random_valid_queries_stay_under_the_statement_ceiling() {
    // No sweeps during the test: the statement counter is the server's, not the request's.
    let app = spawn_with(TestDb::demo().await, |c| c.sweep_interval_s = 3600).await;
    let clients = [
        ("anonymous", app.anonymous()),
        ("volunteer", app.as_demo_volunteer().await),
        ("ngo", app.as_demo_ngo().await),
        ("ministry", app.as_demo_ministry().await),
    ];
    let schema = app.anonymous().gql(GRAPHIQL_INTROSPECTION, json!({})).await;
    let model = Model::from_introspection(&schema.data()["__schema"]);
    let ids = id_pool(&clients[3].1).await;

    let mut runner = TestRunner::new(Config {
        cases: CASES,
        ..Config::default()
    });
    let seeds = any::<u64>();
    // `STATEMENT_BOUND_SEED=<seed>` replays one case a failure named.
    let replay: Option<u64> = std::env::var("STATEMENT_BOUND_SEED")
        .ok()
        .map(|s| s.parse().expect("STATEMENT_BOUND_SEED is a u64"));
    let (mut accepted, mut refused, mut most) = (0, 0, (0, String::new()));
    for _ in 0..replay.map_or(CASES, |_| 1) {
        let seed = replay.unwrap_or_else(|| seeds.new_tree(&mut runner).unwrap().current() | 1);
        let mut generator = Generator {
            model: &model,
            rng: Rng(seed),
            ids: &ids,
            aliases: 0,
        };
        let query = generator.query();
        for (role, client) in &clients {
            let (statements, body) = statements_of(&app, client, &query).await;
            let errors = body["errors"].as_array().cloned().unwrap_or_default();
            for error in &errors {
                assert_ne!(
                    error["extensions"]["code"], "INTERNAL_SERVER_ERROR",
                    "seed {seed} as {role}: {query}\n{error}"
                );
            }
            let whole_refusal =
                body["data"].is_null() && errors.iter().any(|e| e["path"].is_null());
            if whole_refusal {
                refused += 1;
                if std::env::var_os("SHOW_REFUSALS").is_some() {
                    println!("refused as {role}: {}", errors[0]["message"]);
                }
                continue;
            }
            accepted += 1;
            assert!(
                statements <= STATEMENT_CEILING,
                "seed {seed} as {role}: {statements} statements (ceiling {STATEMENT_CEILING}) for {query}"
            );
            if statements > most.0 {
                most = (statements, format!("as {role}: {query}"));
            }
        }
    }
    println!(
        "{accepted} requests run, {refused} refused by the limits; the costliest: {} statements {}",
        most.0, most.1
    );
    assert!(
        replay.is_some() || (accepted >= refused / 2 && accepted > 20),
        "the generator must mostly make queries the limits accept ({accepted} run, {refused} refused)"
    );
}
