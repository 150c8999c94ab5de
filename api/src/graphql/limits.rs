//! Limits on what one GraphQL document may ask, checked before any resolver or SQL runs: tokens
//! (before parsing), then depth of data, complexity (every list counts: pages by their size,
//! plain lists by their known maximum or an assumed size), aliases, root fields, directives,
//! fragments, fragment cycles, and introspection (its lists nested, and its size). Every refusal
//! is a `BAD_USER_INPUT` naming the limit (`extensions.limit`, `max`, `actual`).
//!
//! The walk knows each field's type from the schema's own SDL ([`Shapes`]), so a list is a list
//! whatever its name, and a new list field is counted without anyone remembering to.

use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, FragmentDefinition, OperationType,
    Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Variables};
use async_graphql_value::{ConstValue, Value};
use std::collections::HashMap;

use crate::error::request_error;
use crate::graphql::relay::MAX_PAGE_SIZE;

/// The page size assumed for a connection asked without `first` or `last`.
const ASSUMED_PAGE: u64 = 20;
/// The size assumed for a plain list whose maximum is not known (grouped statistics, ids
/// removed since a sync).
pub const ASSUMED_LIST: u64 = 20;
/// Plain lists whose real maximum is known: (type, field, most items).
const KNOWN_LISTS: [(&str, &str, u64); 4] = [
    // The 20 reference regions (a migration owns them; nothing adds one).
    ("Query", "regions", 20),
    // One flow per origin and destination region.
    ("Query", "shipmentFlows", 20 * 20),
    (
        "Shipment",
        "items",
        crate::services::shipment::MAX_ITEMS as u64,
    ),
    // `registerVolunteer` takes at most 50 skills.
    ("Volunteer", "skills", 50),
];
/// Most introspection one request may ask for, in the same units as complexity (each field
/// once per item of the lists around it, lists at this schema's real average sizes): about one
/// and a half of GraphiQL's full introspection query (42,015 today), so a client can load the
/// schema but a request cannot pull it again and again (megabytes) through aliases.
pub const MAX_INTROSPECTION_COST: u64 = 60_000;
/// Introspection lists (`fields`, `inputFields`, `interfaces`, `possibleTypes`) nested this deep
/// are refused, as graphql-js's `MaxIntrospectionDepthRule` does; GraphiQL nests them once.
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// The limits, from the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryLimits {
    pub tokens: usize,
    pub depth: usize,
    pub complexity: u64,
    pub aliases: usize,
    pub root_fields: usize,
    pub directives: usize,
    pub fragments: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            tokens: 1000,
            depth: 10,
            complexity: 5000,
            aliases: 15,
            root_fields: 10,
            directives: 20,
            fragments: 20,
        }
    }
}

/// What a document asks, by the measures above (the largest over its operations).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub depth: usize,
    pub complexity: u64,
    pub aliases: usize,
    pub root_fields: usize,
    pub directives: usize,
    pub introspection_lists: usize,
    /// Items of introspection asked for (its own limit, [`MAX_INTROSPECTION_COST`]).
    pub introspection: u64,
}

/// What the walk needs to know of the schema: each field's type and whether it is a list, and
/// the average sizes of introspection's lists. Read once from the schema's SDL.
#[derive(Clone, Debug, Default)]
pub struct Shapes {
    /// type → field → (named type, is a list).
    fields: HashMap<String, HashMap<String, (String, bool)>>,
    query: String,
    mutation: String,
    subscription: String,
    /// Average items of each introspection list (rounded up).
    introspection: HashMap<&'static str, u64>,
}

impl Shapes {
    /// The shapes of Birlik's schema.
    pub fn of_schema() -> Self {
        Self::from_sdl(&crate::graphql::sdl())
    }

    /// The shapes of the schema this SDL describes (an SDL that does not parse gives none:
    /// every field then counts as a plain field, and validation refuses what is unknown).
    pub fn from_sdl(sdl: &str) -> Self {
        let mut shapes = Shapes {
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
            ..Shapes::default()
        };
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return shapes;
        };
        // Built-in scalars and the introspection types are not in the SDL.
        let mut types: u64 = 5 + 8;
        let (mut fields, mut args, mut values, mut inputs, mut implements, mut members) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        let mut directives: u64 = 5;
        for definition in &doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let name = |n: &Option<Positioned<Name>>, or: &str| {
                        n.as_ref().map_or(or.to_owned(), |n| n.node.to_string())
                    };
                    shapes.query = name(&schema.node.query, "Query");
                    shapes.mutation = name(&schema.node.mutation, "Mutation");
                    shapes.subscription = name(&schema.node.subscription, "Subscription");
                }
                TypeSystemDefinition::Directive(d) => {
                    directives += 1;
                    args += d.node.arguments.len() as u64;
                }
                TypeSystemDefinition::Type(ty) => {
                    types += 1;
                    let defined = match &ty.node.kind {
                        TypeKind::Object(o) => {
                            implements += o.implements.len() as u64;
                            Some(&o.fields)
                        }
                        TypeKind::Interface(i) => {
                            implements += i.implements.len() as u64;
                            Some(&i.fields)
                        }
                        TypeKind::Union(u) => {
                            members += u.members.len() as u64;
                            None
                        }
                        TypeKind::Enum(e) => {
                            values += e.values.len() as u64;
                            None
                        }
                        TypeKind::InputObject(i) => {
                            inputs += i.fields.len() as u64;
                            None
                        }
                        TypeKind::Scalar => None,
                    };
                    let Some(defined) = defined else { continue };
                    let map = shapes
                        .fields
                        .entry(ty.node.name.node.to_string())
                        .or_default();
                    for field in defined {
                        fields += 1;
                        args += field.node.arguments.len() as u64;
                        let mut t = &field.node.ty.node;
                        let mut list = false;
                        let named = loop {
                            match &t.base {
                                BaseType::Named(name) => break name.to_string(),
                                BaseType::List(inner) => {
                                    list = true;
                                    t = inner;
                                }
                            }
                        };
                        map.insert(field.node.name.node.to_string(), (named, list));
                    }
                }
            }
        }
        // Members of unions, and implementers of interfaces, are a type's possible types.
        members += implements;
        let average = |total: u64, over: u64| total.div_ceil(over.max(1)).max(1);
        shapes.introspection = HashMap::from([
            ("types", types),
            ("fields", average(fields, types)),
            ("args", average(args, fields + directives)),
            ("enumValues", average(values, types)),
            ("inputFields", average(inputs, types)),
            ("interfaces", average(implements, types)),
            ("possibleTypes", average(members, types)),
            ("directives", directives),
            // Every place a directive may stand.
            ("locations", 19),
        ]);
        shapes
    }

    /// A field's type and whether it is a list, if the schema knows it.
    fn field(&self, ty: &str, field: &str) -> Option<&(String, bool)> {
        self.fields.get(ty)?.get(field)
    }
}

fn refusal(limit: &str, max: u64, actual: u64, message: String) -> ServerError {
    request_error(message, "BAD_USER_INPUT", |ext| {
        ext.set("limit", limit);
        ext.set("max", max);
        ext.set("actual", actual);
    })
}

/// The lexical tokens of a document (names, numbers, strings, punctuators), without comments,
/// commas or whitespace; counting stops past `stop`.
pub fn count_tokens(document: &str, stop: usize) -> usize {
    crate::graphql::tokens::tokens(document)
        .take(stop.saturating_add(1))
        .count()
}

/// Measures a parsed document against its variables. A fragment cycle is refused here (the
/// walk would not end); the work is bounded by `limits.complexity`, since every field visited
/// costs at least one.
pub fn measure(
    doc: &ExecutableDocument,
    variables: &Variables,
    limits: &QueryLimits,
    shapes: &Shapes,
) -> ServerResult<Figures> {
    let operations: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    let mut figures = Figures::default();
    for op in operations {
        let defaults: HashMap<Name, ConstValue> = op
            .node
            .variable_definitions
            .iter()
            .filter_map(|d| Some((d.node.name.node.clone(), d.node.default_value.clone()?.node)))
            .collect();
        let mut walk = Walk {
            doc,
            variables,
            defaults: &defaults,
            limits,
            shapes,
            figures: Figures::default(),
            stack: Vec::new(),
        };
        walk.directives(&op.node.directives);
        walk.figures.root_fields = walk.root_fields(&op.node.selection_set)?;
        let root = match op.node.ty {
            OperationType::Query => &shapes.query,
            OperationType::Mutation => &shapes.mutation,
            OperationType::Subscription => &shapes.subscription,
        };
        let at = At {
            ty: Some(root.as_str()),
            depth: 1,
            multiplier: 1,
            lists: 0,
            introspection: false,
            page: ASSUMED_PAGE,
        };
        walk.selection_set(&op.node.selection_set, at)?;
        let f = walk.figures;
        figures = Figures {
            depth: figures.depth.max(f.depth),
            complexity: figures.complexity.max(f.complexity),
            aliases: figures.aliases.max(f.aliases),
            root_fields: figures.root_fields.max(f.root_fields),
            directives: figures.directives.max(f.directives),
            introspection_lists: figures.introspection_lists.max(f.introspection_lists),
            introspection: figures.introspection.max(f.introspection),
        };
    }
    Ok(figures)
}

/// Where the walk stands: the type whose fields it reads (unknown: `None`), the depth of data,
/// the items around (each field there costs that many), the introspection lists around, whether
/// it is inside introspection, and the page of the nearest connection.
#[derive(Clone, Copy)]
struct At<'a> {
    ty: Option<&'a str>,
    depth: usize,
    multiplier: u64,
    lists: usize,
    introspection: bool,
    page: u64,
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: &'a HashMap<Name, ConstValue>,
    limits: &'a QueryLimits,
    shapes: &'a Shapes,
    figures: Figures,
    /// Fragments being expanded, to catch a cycle.
    stack: Vec<&'a Name>,
}

impl<'a> Walk<'a> {
    fn fragment(&mut self, name: &'a Name) -> ServerResult<&'a Positioned<FragmentDefinition>> {
        if self.stack.contains(&name) {
            return Err(refusal(
                "fragments",
                0,
                0,
                format!("fragment `{name}` spreads itself"),
            ));
        }
        self.doc
            .fragments
            .get(name)
            .ok_or_else(|| ServerError::new(format!("unknown fragment `{name}`"), None))
    }

    fn root_fields(&mut self, set: &'a Positioned<SelectionSet>) -> ServerResult<usize> {
        let mut count = 0;
        for item in &set.node.items {
            count += match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(f) => self.root_fields(&f.node.selection_set)?,
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let fragment = self.fragment(name)?;
                    self.stack.push(name);
                    let n = self.root_fields(&fragment.node.selection_set)?;
                    self.stack.pop();
                    n
                }
            };
        }
        Ok(count)
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) {
        self.figures.directives += directives.len();
    }

    /// Walks a selection set at `at` (its type, depth of data, multiplier, …).
    fn selection_set(&mut self, set: &'a Positioned<SelectionSet>, at: At<'a>) -> ServerResult<()> {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) => self.field(field, at)?,
                Selection::InlineFragment(f) => {
                    self.directives(&f.node.directives);
                    let at = match &f.node.type_condition {
                        Some(on) if !at.introspection => At {
                            ty: Some(on.node.on.node.as_str()),
                            ..at
                        },
                        _ => at,
                    };
                    self.selection_set(&f.node.selection_set, at)?;
                }
                Selection::FragmentSpread(spread) => {
                    self.directives(&spread.node.directives);
                    let name = &spread.node.fragment_name.node;
                    let fragment = self.fragment(name)?;
                    self.directives(&fragment.node.directives);
                    self.stack.push(name);
                    let at = if at.introspection {
                        at
                    } else {
                        At {
                            ty: Some(fragment.node.type_condition.node.on.node.as_str()),
                            ..at
                        }
                    };
                    self.selection_set(&fragment.node.selection_set, at)?;
                    self.stack.pop();
                }
            }
        }
        Ok(())
    }

    fn field(&mut self, field: &'a Positioned<Field>, at: At<'a>) -> ServerResult<()> {
        let node = &field.node;
        let name = node.name.node.as_str();
        self.directives(&node.directives);
        if node.alias.is_some() {
            self.figures.aliases += 1;
        }
        let introspection = at.introspection || name == "__schema" || name == "__type";
        let shape = if introspection {
            None
        } else {
            at.ty.and_then(|ty| self.shapes.field(ty, name))
        };
        // How many items this field stands for, if it is a list.
        let items = if introspection {
            self.shapes.introspection.get(name).copied()
        } else {
            match shape {
                Some((_, true)) => Some(self.list_size(at, name, node)),
                _ => None,
            }
        };
        let multiplier = at.multiplier.saturating_mul(items.unwrap_or(1));
        if introspection {
            self.figures.introspection = self.figures.introspection.saturating_add(multiplier);
            if self.figures.introspection > MAX_INTROSPECTION_COST {
                return Ok(());
            }
        } else {
            self.figures.complexity = self.figures.complexity.saturating_add(multiplier);
            if self.figures.complexity > self.limits.complexity {
                // Stop walking: the request is refused whatever else it holds.
                return Ok(());
            }
        }
        let lists = if introspection
            && matches!(
                name,
                "fields" | "inputFields" | "interfaces" | "possibleTypes"
            ) {
            at.lists + 1
        } else {
            at.lists
        };
        self.figures.introspection_lists = self.figures.introspection_lists.max(lists);
        if !introspection {
            self.figures.depth = self.figures.depth.max(at.depth);
        }
        let ty = shape.map(|(ty, _)| ty.as_str());
        let page = match ty {
            Some(ty) if ty.ends_with("Connection") => self.page_size(node).unwrap_or(ASSUMED_PAGE),
            _ => at.page,
        };
        self.selection_set(
            &node.selection_set,
            At {
                ty,
                depth: at.depth + 1,
                multiplier,
                lists,
                introspection,
                page,
            },
        )
    }

    /// How many items a list field stands for: a connection's `edges` and `nodes` its page; a
    /// list asked by `ids` their number; a list of known size its maximum; else
    /// [`ASSUMED_LIST`].
    fn list_size(&self, at: At<'_>, name: &str, field: &Field) -> u64 {
        let ty = at.ty.unwrap_or_default();
        if ty.ends_with("Connection") && matches!(name, "edges" | "nodes") {
            return at.page;
        }
        if let Some(n) = self.page_size(field) {
            return n;
        }
        KNOWN_LISTS
            .iter()
            .find(|(t, f, _)| *t == ty && *f == name)
            .map_or(ASSUMED_LIST, |(_, _, n)| *n)
    }

    /// The items a field's arguments ask for: its `first`/`last` (at most a page), or the
    /// number of its `ids`.
    fn page_size(&self, field: &Field) -> Option<u64> {
        let argument = |name: &str| {
            field
                .arguments
                .iter()
                .find(|(n, _)| n.node == name)
                .and_then(|(_, v)| self.resolve(&v.node))
        };
        let count = |v: Option<ConstValue>| match v {
            Some(ConstValue::Number(n)) => n.as_u64().map(|n| n.min(MAX_PAGE_SIZE as u64)),
            Some(ConstValue::List(items)) => Some(items.len() as u64),
            _ => None,
        };
        count(argument("first"))
            .or_else(|| count(argument("last")))
            .or_else(|| count(argument("ids")))
            .map(|n| n.max(1))
    }

    fn resolve(&self, value: &Value) -> Option<ConstValue> {
        match value {
            Value::Variable(name) => self
                .variables
                .get(name)
                .cloned()
                .or_else(|| self.defaults.get(name).cloned()),
            other => other.clone().into_const(),
        }
    }
}

/// Refuses a NUL character anywhere in a value: no text field takes one, and PostgreSQL cannot
/// store it, so it is turned away at the edge, naming where it was.
fn ensure_no_nul(value: &ConstValue, at: &str) -> ServerResult<()> {
    match value {
        ConstValue::String(text) if text.contains('\0') => Err(request_error(
            format!("`{at}` holds a NUL character"),
            "BAD_USER_INPUT",
            |ext| ext.set("field", at),
        )),
        ConstValue::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| ensure_no_nul(v, &format!("{at}[{i}]"))),
        ConstValue::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| ensure_no_nul(v, &format!("{at}.{k}"))),
        _ => Ok(()),
    }
}

/// Checks a measured document against the limits.
pub fn check(
    doc: &ExecutableDocument,
    figures: &Figures,
    limits: &QueryLimits,
) -> ServerResult<()> {
    let over = |limit: &str, max: u64, actual: u64, what: &str| {
        (actual > max).then(|| {
            refusal(
                limit,
                max,
                actual,
                format!("the query {what} ({actual}); at most {max} are allowed"),
            )
        })
    };
    let refusals = [
        over(
            "depth",
            limits.depth as u64,
            figures.depth as u64,
            "nests fields too deep",
        ),
        over(
            "complexity",
            limits.complexity,
            figures.complexity,
            "asks for too many items (each field counts once per item of the pages around it)",
        ),
        over(
            "aliases",
            limits.aliases as u64,
            figures.aliases as u64,
            "has too many aliases",
        ),
        over(
            "rootFields",
            limits.root_fields as u64,
            figures.root_fields as u64,
            "has too many root fields",
        ),
        over(
            "directives",
            limits.directives as u64,
            figures.directives as u64,
            "has too many directives",
        ),
        over(
            "fragments",
            limits.fragments as u64,
            doc.fragments.len() as u64,
            "defines too many fragments",
        ),
        over(
            "introspection",
            MAX_INTROSPECTION_LISTS as u64 - 1,
            figures.introspection_lists as u64,
            "nests introspection lists too deep",
        ),
        over(
            "introspectionCost",
            MAX_INTROSPECTION_COST,
            figures.introspection,
            "asks for too much of the schema (introspection counted like complexity)",
        ),
    ];
    match refusals.into_iter().flatten().next() {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// The checks on a document's text, before it is parsed: its tokens, and no NUL character in
/// any variable.
pub fn check_text(query: &str, variables: &Variables, limits: &QueryLimits) -> ServerResult<()> {
    let tokens = count_tokens(query, limits.tokens);
    if tokens > limits.tokens {
        return Err(refusal(
            "tokens",
            limits.tokens as u64,
            tokens as u64,
            format!("the query has over {} tokens", limits.tokens),
        ));
    }
    for (name, value) in variables.iter() {
        ensure_no_nul(value, &format!("${name}"))?;
    }
    Ok(())
}

/// The checks on a parsed document and its variables.
pub fn check_document(
    doc: &ExecutableDocument,
    variables: &Variables,
    limits: &QueryLimits,
    shapes: &Shapes,
) -> ServerResult<()> {
    let figures = measure(doc, variables, limits, shapes)?;
    check(doc, &figures, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> &'static Shapes {
        static SHAPES: std::sync::LazyLock<Shapes> = std::sync::LazyLock::new(Shapes::of_schema);
        &SHAPES
    }

    fn figures(query: &str, variables: serde_json::Value) -> Figures {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let variables = Variables::from_json(variables);
        measure(&doc, &variables, &QueryLimits::default(), shapes()).unwrap()
    }

    #[test]
    fn every_list_multiplies_what_is_under_it() {
        // 20 regions, each a page of 20 collection points (assumed), each with its region.
        let f = figures(
            "{ regions { code collectionPoints { totalCount nodes { id region { code } } } } }",
            serde_json::json!({}),
        );
        assert_eq!(f.complexity, 20 + 20 + 20 + 20 + 20 * 20 * 4);
        // A plain list of known maximum, under a single object; a list by its ids.
        let f = figures(
            "{ node(id: \"x\") { ... on Shipment { items { kilograms } } } }",
            serde_json::json!({}),
        );
        assert_eq!(f.complexity, 1 + 500 + 500);
        let f = figures(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Volunteer { skills } } }",
            serde_json::json!({ "ids": ["a", "b", "c"] }),
        );
        assert_eq!(f.complexity, 3 + 3 + 3 * 50);
        // A list of unknown size counts as ASSUMED_LIST; aliases count each.
        let f = figures(
            "{ a: taskStats(groupBy: [REGION]) { taskCount } b: taskStats(groupBy: [KIND]) { taskCount } }",
            serde_json::json!({}),
        );
        assert_eq!(f.complexity, 2 * (ASSUMED_LIST + ASSUMED_LIST));
        // The nested regions and collection points of issue 13 are refused.
        let nested = "{ regions { collectionPoints { nodes { region { collectionPoints { nodes { region { code } } } } } } } }";
        assert!(
            figures(nested, serde_json::json!({})).complexity > QueryLimits::default().complexity
        );
    }

    #[test]
    fn introspection_is_counted_and_graphiql_passes() {
        let graphiql = include_str!("../../../tests/e2e/fixtures/graphiql-introspection.graphql");
        let f = figures(graphiql, serde_json::json!({}));
        println!("GraphiQL's introspection: {f:?}");
        assert!(f.introspection > 1000, "{f:?}");
        assert!(f.introspection * 4 / 3 < MAX_INTROSPECTION_COST, "{f:?}");
        let doc = async_graphql::parser::parse_query(graphiql).unwrap();
        check(&doc, &f, &QueryLimits::default()).unwrap();
        // Ten aliases of the schema's types with their fields and arguments are refused.
        let one = "__schema { types { name description fields { name description \
            args { name description type { name kind ofType { name kind } } } \
            type { name kind ofType { name kind ofType { name kind } } } } } }";
        let many: String = (0..10).map(|i| format!("s{i}: {one} ")).collect();
        let many = format!("{{ {many} }}");
        let f = figures(&many, serde_json::json!({}));
        let doc = async_graphql::parser::parse_query(&many).unwrap();
        let refused = check(&doc, &f, &QueryLimits::default()).unwrap_err();
        assert_eq!(
            refused.extensions.unwrap().get("limit"),
            Some(&ConstValue::from("introspectionCost"))
        );
    }

    #[test]
    fn tokens_are_counted_as_a_lexer_would() {
        assert_eq!(count_tokens("{ a }", 100), 3);
        assert_eq!(
            count_tokens(
                "# hi\nquery Q($x: Int = -1.5e3) { a(x: $x, s: \"a b\") ...F }",
                100
            ),
            24
        );
        assert_eq!(
            count_tokens(&"{ a }".repeat(1000), 10),
            11,
            "counting stops early"
        );
    }

    #[test]
    fn page_sizes_multiply_complexity_and_depth_ignores_introspection() {
        let f = figures(
            "query($n: Int) { tasks(first: $n) { edges { node { id title } } } }",
            serde_json::json!({ "n": 50 }),
        );
        assert_eq!(f.complexity, 1 + 50 * 4);
        assert_eq!(f.depth, 4);
        let f = figures(
            "{ t: tasks { nodes { id } } b: __typename }",
            serde_json::json!({}),
        );
        assert_eq!(f.complexity, 1 + 20 * 2 + 1);
        assert_eq!((f.aliases, f.root_fields), (2, 2));
        let f = figures(
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
            serde_json::json!({}),
        );
        assert_eq!((f.depth, f.introspection_lists), (0, 3));
    }

    #[test]
    fn every_client_operation_passes_the_default_limits_at_the_largest_page() {
        let limits = QueryLimits::default();
        let variables = serde_json::json!({ "first": 100, "last": 100 });
        for text in crate::operations::ALL {
            let doc = async_graphql::parser::parse_query(text).unwrap();
            let f = measure(
                &doc,
                &Variables::from_json(variables.clone()),
                &limits,
                shapes(),
            )
            .unwrap();
            let tokens = count_tokens(text, limits.tokens);
            println!(
                "{:>5} tokens {f:?}: {}",
                tokens,
                text.lines().find(|l| !l.starts_with('#')).unwrap_or("")
            );
            assert!(tokens <= limits.tokens);
            check(&doc, &f, &limits).unwrap();
        }
    }

    #[test]
    fn a_fragment_cycle_is_refused_not_walked_forever() {
        let doc = async_graphql::parser::parse_query(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        )
        .unwrap();
        let refused = measure(
            &doc,
            &Variables::default(),
            &QueryLimits::default(),
            shapes(),
        );
        assert!(refused.is_err());
    }
}
