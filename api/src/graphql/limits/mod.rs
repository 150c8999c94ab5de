//! Limits on what one GraphQL document may ask, checked before any resolver or SQL runs: tokens
//! (before parsing), then depth of data, complexity (every list counts: pages by their size,
//! plain lists by their known maximum or an assumed size), aliases, root fields, directives,
//! fragments, fragment cycles, and introspection (its lists nested, and its size). Every refusal
//! is a `BAD_USER_INPUT` naming the limit (`extensions.limit`, `max`, `actual`).
//!
//! The walk knows each field's type from the schema's own SDL ([`Shapes`]), so a list is a list
//! whatever its name, and a new list field is counted without anyone remembering to.

mod shapes;
mod walk;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, Variables};

use crate::config::Config;
use crate::error::request_error;
use crate::graphql::literals;

pub use shapes::Shapes;
pub use walk::{ASSUMED_LIST, Figures, measure};

/// Most introspection one request may ask for, in the same units as complexity (each field
/// once per item of the lists around it, lists at this schema's real average sizes): about one
/// and a third of GraphiQL's full introspection query (57,720 with the demand side's types,
/// which grew the schema by more than a third; 42,015 before), so a client can load the schema
/// but a request cannot pull it again and again (megabytes) through aliases.
pub const MAX_INTROSPECTION_COST: u64 = 80_000;
/// Introspection lists (`fields`, `inputFields`, `interfaces`, `possibleTypes`) nested this deep
/// are refused, as graphql-js's `MaxIntrospectionDepthRule` does; GraphiQL nests them once.
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// The limits, from the configuration ([`QueryLimits::of`]).
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
            // The largest client operation at the largest page: NeedsBoard, 100 needs of up
            // to 10 lines each (11,706).
            complexity: 12_000,
            aliases: 15,
            root_fields: 10,
            directives: 20,
            fragments: 20,
        }
    }
}

impl QueryLimits {
    /// The query limits a configuration sets.
    pub fn of(config: &Config) -> Self {
        let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        QueryLimits {
            tokens: n(config.max_tokens),
            depth: n(config.max_depth),
            complexity: config.max_complexity,
            aliases: n(config.max_aliases),
            root_fields: n(config.max_root_fields),
            directives: n(config.max_directives),
            fragments: n(config.max_fragments),
        }
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
        literals::ensure_no_nul_in(value, &format!("${name}"))?;
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
    use async_graphql_value::ConstValue;

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
        let graphiql =
            include_str!("../../../../tests/e2e/fixtures/graphiql-introspection.graphql");
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
