//! The walk that measures a document ([`measure`]): depth of data, complexity (every list
//! counts: pages by their size, plain lists by their known maximum or an assumed size), aliases,
//! root fields, directives, fragment cycles and introspection.

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, FragmentDefinition, OperationType,
    Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Variables};
use async_graphql_value::{ConstValue, Value};
use std::collections::HashMap;

use super::{MAX_INTROSPECTION_COST, QueryLimits, Shapes, refusal};
use crate::graphql::relay::MAX_PAGE_SIZE;

/// The page size assumed for a connection asked without `first` or `last`.
const ASSUMED_PAGE: u64 = 20;
/// The size assumed for a plain list whose maximum is not known (grouped statistics, ids
/// removed since a sync).
pub const ASSUMED_LIST: u64 = 20;
/// Plain lists whose real maximum is known: (type, field, most items).
const KNOWN_LISTS: [(&str, &str, u64); 7] = [
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
    // A need has one line per category.
    ("Need", "lines", crate::services::need::MAX_LINES as u64),
    // One row per category, each with the affected regions.
    (
        "Query",
        "neededCategories",
        crate::services::need::MAX_LINES as u64,
    ),
    ("NeededCategory", "regions", 20),
];

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
