//! The literals a document carries, checked before anything runs: no NUL character in any string
//! of it, wherever it stands: a field's or a directive's argument (also inside a list or an
//! object that holds variables too), or a variable's default value. No text field takes a NUL,
//! and PostgreSQL cannot store one. The variables' own values are checked with the document's
//! text (`limits::check_text`), by the same walk ([`ensure_no_nul_in`]).

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Pos, Positioned, ServerResult};
use async_graphql_value::{ConstValue, Value};

use crate::error::request_error;

/// Refuses a document with a NUL character in any literal, naming where it was.
pub fn ensure_no_nul(doc: &ExecutableDocument) -> ServerResult<()> {
    let operations: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for op in operations {
        for def in &op.node.variable_definitions {
            let name = format!("${}", def.node.name.node);
            if let Some(default) = &def.node.default_value {
                at_pos(ensure_no_nul_in(&default.node, &name), default.pos)?;
            }
            directives(&def.node.directives)?;
        }
        directives(&op.node.directives)?;
        selection_set(&op.node.selection_set)?;
    }
    for fragment in doc.fragments.values() {
        directives(&fragment.node.directives)?;
        selection_set(&fragment.node.selection_set)?;
    }
    Ok(())
}

fn selection_set(set: &Positioned<SelectionSet>) -> ServerResult<()> {
    for item in &set.node.items {
        match &item.node {
            Selection::Field(field) => {
                for (name, argument) in &field.node.arguments {
                    value(&argument.node, &name.node, argument.pos)?;
                }
                directives(&field.node.directives)?;
                selection_set(&field.node.selection_set)?;
            }
            Selection::InlineFragment(fragment) => {
                directives(&fragment.node.directives)?;
                selection_set(&fragment.node.selection_set)?;
            }
            Selection::FragmentSpread(spread) => directives(&spread.node.directives)?,
        }
    }
    Ok(())
}

fn directives(list: &[Positioned<Directive>]) -> ServerResult<()> {
    for directive in list {
        for (name, argument) in &directive.node.arguments {
            let at = format!("@{}({})", directive.node.name.node, name.node);
            value(&argument.node, &at, argument.pos)?;
        }
    }
    Ok(())
}

/// Refuses a NUL character anywhere in a value (a variable's, or a literal's), naming where it
/// was: `at`, then `[i]` for a list's items and `.name` for an object's fields.
pub fn ensure_no_nul_in(value: &ConstValue, at: &str) -> ServerResult<()> {
    match value {
        ConstValue::String(text) if text.contains('\0') => Err(request_error(
            format!("`{at}` holds a NUL character"),
            "BAD_USER_INPUT",
            |ext| ext.set("field", at),
        )),
        ConstValue::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| ensure_no_nul_in(v, &format!("{at}[{i}]"))),
        ConstValue::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| ensure_no_nul_in(v, &format!("{at}.{k}"))),
        _ => Ok(()),
    }
}

/// A literal of the document, walked as a value whose variables are null (their values are
/// checked on their own); a refusal points at the literal.
fn value(literal: &Value, at: &str, pos: Pos) -> ServerResult<()> {
    let Ok(literal) = literal
        .clone()
        .into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null));
    at_pos(ensure_no_nul_in(&literal, at), pos)
}

fn at_pos(checked: ServerResult<()>, pos: Pos) -> ServerResult<()> {
    checked.map_err(|mut err| {
        err.locations = vec![pos];
        err
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: &str) -> Option<String> {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        ensure_no_nul(&doc).err().map(|e| e.message)
    }

    #[test]
    fn a_nul_is_found_in_every_kind_of_literal() {
        assert_eq!(
            refused(r#"query($q: String = "a\u0000") { organizations { totalCount } }"#).as_deref(),
            Some("`$q` holds a NUL character")
        );
        assert_eq!(
            refused(
                r#"query($n: String) { organizations(filter: { name: { eq: $n }, city: { eq: "x\u0000" } }) { totalCount } }"#
            )
            .as_deref(),
            Some("`filter.city.eq` holds a NUL character")
        );
        assert!(refused(r#"{ a @include(if: "\u0000") }"#).is_some());
        assert!(refused(r#"{ ...F } fragment F on Query { a(x: ["ok", "\u0000"]) }"#).is_some());
        assert_eq!(
            refused(r#"query($q: String = "a") { a(x: $q, y: "b") }"#),
            None
        );
    }
}
