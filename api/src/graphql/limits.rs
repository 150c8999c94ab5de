//! Limits on what one GraphQL document may ask, checked before any resolver or SQL runs: tokens
//! (before parsing), then depth of data, complexity (page sizes count), aliases, root fields,
//! directives, fragments, fragment cycles, and the nesting of introspection lists. Every refusal
//! is a `BAD_USER_INPUT` naming the limit (`extensions.limit`, `max`, `actual`).

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, FragmentDefinition, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Variables};
use async_graphql_value::{ConstValue, Value};
use std::collections::HashMap;

use crate::error::request_error;
use crate::graphql::relay::MAX_PAGE_SIZE;

/// The page size assumed for a connection asked without `first` or `last`.
const ASSUMED_PAGE: u64 = 20;
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
            figures: Figures::default(),
            stack: Vec::new(),
        };
        walk.directives(&op.node.directives);
        walk.figures.root_fields = walk.root_fields(&op.node.selection_set)?;
        walk.selection_set(&op.node.selection_set, 1, 1, 0, false)?;
        let f = walk.figures;
        figures = Figures {
            depth: figures.depth.max(f.depth),
            complexity: figures.complexity.max(f.complexity),
            aliases: figures.aliases.max(f.aliases),
            root_fields: figures.root_fields.max(f.root_fields),
            directives: figures.directives.max(f.directives),
            introspection_lists: figures.introspection_lists.max(f.introspection_lists),
        };
    }
    Ok(figures)
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: &'a HashMap<Name, ConstValue>,
    limits: &'a QueryLimits,
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

    /// Walks a selection set at `depth` (data only: introspection does not count), each field
    /// costing `multiplier`; `lists` counts the introspection lists around it.
    fn selection_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
        multiplier: u64,
        lists: usize,
        introspection: bool,
    ) -> ServerResult<()> {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) => {
                    self.field(field, depth, multiplier, lists, introspection)?
                }
                Selection::InlineFragment(f) => {
                    self.directives(&f.node.directives);
                    self.selection_set(
                        &f.node.selection_set,
                        depth,
                        multiplier,
                        lists,
                        introspection,
                    )?;
                }
                Selection::FragmentSpread(spread) => {
                    self.directives(&spread.node.directives);
                    let name = &spread.node.fragment_name.node;
                    let fragment = self.fragment(name)?;
                    self.directives(&fragment.node.directives);
                    self.stack.push(name);
                    self.selection_set(
                        &fragment.node.selection_set,
                        depth,
                        multiplier,
                        lists,
                        introspection,
                    )?;
                    self.stack.pop();
                }
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        field: &'a Positioned<Field>,
        depth: usize,
        multiplier: u64,
        lists: usize,
        introspection: bool,
    ) -> ServerResult<()> {
        let node = &field.node;
        let name = node.name.node.as_str();
        self.directives(&node.directives);
        if node.alias.is_some() {
            self.figures.aliases += 1;
        }
        self.figures.complexity = self.figures.complexity.saturating_add(multiplier);
        if self.figures.complexity > self.limits.complexity {
            // Stop walking: the request is refused whatever else it holds.
            return Ok(());
        }
        let introspection = introspection || name == "__schema" || name == "__type";
        let lists = if introspection
            && matches!(
                name,
                "fields" | "inputFields" | "interfaces" | "possibleTypes"
            ) {
            lists + 1
        } else {
            lists
        };
        self.figures.introspection_lists = self.figures.introspection_lists.max(lists);
        if !introspection {
            self.figures.depth = self.figures.depth.max(depth);
        }
        let children = multiplier.saturating_mul(self.page_size(node));
        self.selection_set(
            &node.selection_set,
            depth + 1,
            children,
            lists,
            introspection,
        )
    }

    /// How many items a field's children stand for: its `first`/`last`, the number of `ids`, an
    /// assumed page for a connection asked without either, one otherwise.
    fn page_size(&self, field: &Field) -> u64 {
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
        if let Some(n) = count(argument("first")).or_else(|| count(argument("last"))) {
            return n.max(1);
        }
        if let Some(n) = count(argument("ids")) {
            return n.max(1);
        }
        let connection = field.selection_set.node.items.iter().any(|item| {
            matches!(&item.node, Selection::Field(f) if matches!(f.node.name.node.as_str(), "edges" | "nodes"))
        });
        if connection { ASSUMED_PAGE } else { 1 }
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
) -> ServerResult<()> {
    let figures = measure(doc, variables, limits)?;
    check(doc, &figures, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(query: &str, variables: serde_json::Value) -> Figures {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let variables = Variables::from_json(variables);
        measure(&doc, &variables, &QueryLimits::default()).unwrap()
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
            let f = measure(&doc, &Variables::from_json(variables.clone()), &limits).unwrap();
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
        let refused = measure(&doc, &Variables::default(), &QueryLimits::default());
        assert!(refused.is_err());
    }
}
