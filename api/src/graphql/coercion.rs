//! Input that the schema cannot take, named where it was given, and introspection refused
//! with a code when it is off.
//!
//! A scalar that fails to parse is a `BAD_USER_INPUT` whose message and `extensions.field` name
//! the argument, down to the input field and list item (`input.kilograms`,
//! `filter.kilograms.in.1`), never only the scalar. Our own scalars check their input during
//! validation (`is_valid`), so async-graphql's validation names the place and nothing runs:
//! [`name_the_argument`] copies that place into `extensions.field`. Built-in scalars whose
//! validation is looser than their parsing (an `Int` beyond 32 bits, a `DateTime` that is no
//! RFC 3339 time) fail at the field instead: [`locate`] finds the argument and the value in it.

use async_graphql::extensions::ExtensionContext;
use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Positioned, ServerError, ServerResult, Variables};
use async_graphql_value::ConstValue;

/// The request's variables, for [`locate`] (the `resolve` hook is not given them).
#[derive(Default)]
pub struct RequestVariables(pub std::sync::OnceLock<Variables>);

/// Refuses a document that asks for `__schema` or `__type` while introspection is off, so the
/// client learns why instead of reading a silent `null`.
pub fn refuse_introspection(doc: &ExecutableDocument) -> ServerResult<()> {
    fn asks(set: &Positioned<SelectionSet>) -> Option<async_graphql::Pos> {
        set.node.items.iter().find_map(|item| match &item.node {
            Selection::Field(f) => {
                let name = f.node.name.node.as_str();
                if name == "__schema" || name == "__type" {
                    Some(f.pos)
                } else {
                    asks(&f.node.selection_set)
                }
            }
            Selection::InlineFragment(f) => asks(&f.node.selection_set),
            Selection::FragmentSpread(_) => None,
        })
    }
    let found = doc
        .operations
        .iter()
        .find_map(|(_, op)| asks(&op.node.selection_set))
        .or_else(|| {
            doc.fragments
                .values()
                .find_map(|f| asks(&f.node.selection_set))
        });
    match found {
        None => Ok(()),
        Some(pos) => {
            let mut error = crate::error::request_error(
                "introspection is off on this server (BIRLIK_INTROSPECTION=false)",
                "FORBIDDEN",
                |_| {},
            );
            error.locations = vec![pos];
            Err(error)
        }
    }
}

/// Gives a validation error about an argument's value (`Invalid value for argument
/// "input.kilograms", …`) its code and the place in `extensions.field`.
pub fn name_the_argument(error: &mut ServerError) {
    let Some(rest) = error.message.strip_prefix("Invalid value for argument \"") else {
        return;
    };
    let Some((place, _)) = rest.split_once('"') else {
        return;
    };
    let place = place.to_owned();
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("field", place);
}

/// Turns async-graphql's refusal of an argument it could not coerce at a field (`Failed to
/// parse "Int": …`, which names only the scalar) into a `BAD_USER_INPUT` naming the argument
/// and the value within it. Any other error passes unchanged.
pub fn locate(
    ctx: &ExtensionContext<'_>,
    parent_type: &str,
    field: &Field,
    mut error: ServerError,
) -> ServerError {
    if !error.message.starts_with("Failed to parse") || has_code(&error) {
        return error;
    }
    let registry = &ctx.schema_env.registry;
    let Some(args) = registry
        .types
        .get(parent_type)
        .and_then(|t| t.field_by_name(&field.name.node))
        .map(|f| &f.args)
    else {
        return error;
    };
    let variables = ctx.data_opt::<RequestVariables>().and_then(|v| v.0.get());
    // async-graphql places the error at the argument's value.
    let at = error.locations.first().copied();
    let argument = field
        .arguments
        .iter()
        .find(|(_, value)| Some(value.pos) == at)
        .or(match field.arguments.as_slice() {
            [only] => Some(only),
            _ => None,
        });
    let Some((name, value)) = argument else {
        return error;
    };
    let mut place = vec![name.node.to_string()];
    let value = value
        .node
        .clone()
        .into_const_with(|var| variables.and_then(|v| v.get(&var).cloned()).ok_or(()));
    if let (Ok(value), Some(arg)) = (value, args.get(name.node.as_str()))
        && let Some(inner) = find_bad(registry, &arg.ty, &value)
    {
        place.extend(inner);
    }
    let place = place.join(".");
    let reason = error
        .message
        .split(" (occurred while parsing")
        .next()
        .unwrap_or_default()
        .to_owned();
    error.message = format!("Invalid value for argument \"{place}\": {reason}");
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("field", place);
    error
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

/// The place, within a value of type `ty`, of the first scalar that its type cannot take.
fn find_bad(registry: &Registry, ty: &str, value: &ConstValue) -> Option<Vec<String>> {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => find_bad(registry, inner, value),
        MetaTypeName::List(inner) => match value {
            ConstValue::List(items) => items.iter().enumerate().find_map(|(i, item)| {
                find_bad(registry, inner, item).map(|mut rest| {
                    rest.insert(0, i.to_string());
                    rest
                })
            }),
            other => find_bad(registry, inner, other),
        },
        MetaTypeName::Named(name) => {
            if *value == ConstValue::Null {
                return None;
            }
            match registry.types.get(name)? {
                MetaType::InputObject { input_fields, .. } => {
                    let ConstValue::Object(fields) = value else {
                        return None;
                    };
                    input_fields.values().find_map(|f| {
                        let inner = fields.get(f.name.as_str())?;
                        find_bad(registry, &f.ty, inner).map(|mut rest| {
                            rest.insert(0, f.name.clone());
                            rest
                        })
                    })
                }
                MetaType::Scalar { is_valid, .. } => {
                    let valid =
                        is_valid.as_ref().is_none_or(|check| check(value)) && parses(name, value);
                    (!valid).then(Vec::new)
                }
                _ => None,
            }
        }
    }
}

/// What the built-in scalars check beyond their `is_valid` when they parse.
fn parses(scalar: &str, value: &ConstValue) -> bool {
    match (scalar, value) {
        ("Int", ConstValue::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        ("DateTime", ConstValue::String(s)) => s.parse::<chrono::DateTime<chrono::Utc>>().is_ok(),
        ("DateTime", _) => false,
        _ => true,
    }
}
