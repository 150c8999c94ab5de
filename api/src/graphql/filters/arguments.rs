//! The limits on a query's arguments, checked on the document before anything runs: the width,
//! size and texts of a filter, and the width of any other list argument.

use super::{MAX_FILTER_TERMS, MAX_FILTER_TEXT, MAX_FILTER_WIDTH};

/// Refuses, before anything runs, a filter wider or larger than the limits above, or holding a
/// text longer than [`MAX_FILTER_TEXT`]; and any other list argument of a query wider than
/// [`MAX_FILTER_WIDTH`]. Variables (and their defaults) are read wherever they stand. Each refusal
/// is a `BAD_USER_INPUT` naming the argument (`extensions.field`, such as `filter.or[3].title.in`).
/// `input` arguments (mutations; their services check them) and `ids` (limited on its own) are
/// left alone.
pub fn check_arguments(
    doc: &async_graphql::parser::types::ExecutableDocument,
    variables: &async_graphql::Variables,
) -> async_graphql::ServerResult<()> {
    use async_graphql::parser::types::{DocumentOperations, Selection, SelectionSet};
    use async_graphql::{Name, Positioned};
    use async_graphql_value::ConstValue;

    fn fields<'a>(
        set: &'a Positioned<SelectionSet>,
        out: &mut Vec<&'a Positioned<async_graphql::parser::types::Field>>,
    ) {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(f) => {
                    out.push(f);
                    fields(&f.node.selection_set, out);
                }
                Selection::InlineFragment(f) => fields(&f.node.selection_set, out),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let operations: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    let mut defaults = std::collections::HashMap::<Name, ConstValue>::new();
    let mut all = Vec::new();
    for op in &operations {
        for def in &op.node.variable_definitions {
            if let Some(default) = &def.node.default_value {
                defaults.insert(def.node.name.node.clone(), default.node.clone());
            }
        }
        fields(&op.node.selection_set, &mut all);
    }
    for fragment in doc.fragments.values() {
        fields(&fragment.node.selection_set, &mut all);
    }
    for field in all {
        for (name, value) in &field.node.arguments {
            let arg = name.node.as_str();
            if matches!(arg, "input" | "ids") {
                continue;
            }
            // A variable left out resolves to null here; coercion then names it.
            let value = value.node.clone().into_const_with(|var| {
                Ok::<_, std::convert::Infallible>(
                    variables
                        .get(&var)
                        .or_else(|| defaults.get(&var))
                        .cloned()
                        .unwrap_or(ConstValue::Null),
                )
            });
            let Ok(value) = value;
            let mut terms = 0;
            let filter = arg == "filter";
            measure_argument(&value, arg, filter, &mut terms).map_err(|err| {
                let field = err.field.unwrap_or_else(|| arg.to_owned());
                let mut refused = crate::error::request_error(err.message, "BAD_USER_INPUT", |e| {
                    e.set("field", field)
                });
                refused.locations = vec![name.pos];
                refused
            })?;
        }
    }
    Ok(())
}

struct Refusal {
    field: Option<String>,
    message: String,
}

/// Walks one argument's value: widths everywhere; terms and texts in a filter.
fn measure_argument(
    value: &async_graphql_value::ConstValue,
    at: &str,
    filter: bool,
    terms: &mut usize,
) -> Result<(), Refusal> {
    use async_graphql_value::ConstValue;
    let refuse = |message: String| Refusal {
        field: Some(at.to_owned()),
        message,
    };
    match value {
        ConstValue::List(items) => {
            if items.len() > MAX_FILTER_WIDTH {
                return Err(refuse(format!(
                    "`{at}` holds {} items; at most {MAX_FILTER_WIDTH} are allowed",
                    items.len()
                )));
            }
            for (i, item) in items.iter().enumerate() {
                measure_argument(item, &format!("{at}[{i}]"), filter, terms)?;
            }
        }
        ConstValue::Object(fields) => {
            for (key, item) in fields {
                measure_argument(item, &format!("{at}.{key}"), filter, terms)?;
            }
        }
        ConstValue::Null => {}
        leaf if filter => {
            *terms += 1;
            if *terms > MAX_FILTER_TERMS {
                let root = at.split(['.', '[']).next().unwrap_or(at);
                return Err(Refusal {
                    field: Some(root.to_owned()),
                    message: format!(
                        "`{root}` holds more than {MAX_FILTER_TERMS} values; split the question"
                    ),
                });
            }
            if let ConstValue::String(text) = leaf
                && text.chars().count() > MAX_FILTER_TEXT
            {
                return Err(refuse(format!(
                    "`{at}` is longer than {MAX_FILTER_TEXT} characters"
                )));
            }
        }
        _ => {}
    }
    Ok(())
}
