//! A schema extension that gives every error an `extensions.code`. Errors of the request itself
//! (parsing, validation, variable coercion: no `path`) and async-graphql's refusals of an argument
//! it could not coerce are the client's: `BAD_USER_INPUT`. An error from a resolver that lacks a code escaped `ApiError`: its text may
//! hold anything, so it is logged under an `errorId` and the client gets `INTERNAL_SERVER_ERROR`.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest};
use async_graphql::{Response, ServerError};

/// Installs [`ErrorCodesExtension`].
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

/// Fills in missing error codes on every response.
pub struct ErrorCodesExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            classify(error);
        }
        response
    }
}

fn classify(error: &mut ServerError) {
    if error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
    {
        return;
    }
    let extensions = error.extensions.get_or_insert_with(Default::default);
    // async-graphql's own words for an argument it could not coerce, raised at the field.
    let coercion = ["Failed to parse", "Invalid value for argument", "Variable "]
        .iter()
        .any(|prefix| error.message.starts_with(prefix));
    if error.path.is_empty() || coercion {
        extensions.set("code", "BAD_USER_INPUT");
    } else {
        let error_id = format!("{:016x}", fastrand::u64(..));
        tracing::error!(error_id, error = %error.message, path = ?error.path, "a resolver error without a code");
        error.message = "internal error".into();
        extensions.set("code", "INTERNAL_SERVER_ERROR");
        extensions.set("errorId", error_id);
    }
}

/// Installs [`PageLimitsExtension`].
pub struct PageLimits;

impl ExtensionFactory for PageLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PageLimitsExtension)
    }
}

/// Refuses the whole request, before any resolver or SQL runs, when a `first` or `last`
/// argument (literal, variable or variable default) is outside 0..=100, or `ids` holds more
/// than 100 ids.
pub struct PageLimitsExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for PageLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<async_graphql::parser::types::ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        check_limits(&doc, variables)?;
        Ok(doc)
    }
}

fn check_limits(
    doc: &async_graphql::parser::types::ExecutableDocument,
    variables: &async_graphql::Variables,
) -> async_graphql::ServerResult<()> {
    use async_graphql::parser::types::{DocumentOperations, Selection, SelectionSet};
    use async_graphql::{Name, Positioned};
    use async_graphql_value::{ConstValue, Value};

    use crate::graphql::relay::MAX_PAGE_SIZE;

    // Variable defaults of every operation; the client's variables win over them.
    let mut defaults = std::collections::HashMap::new();
    let operations: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for op in &operations {
        for def in &op.node.variable_definitions {
            if let Some(default) = &def.node.default_value {
                defaults.insert(def.node.name.node.clone(), default.node.clone());
            }
        }
    }
    let resolve = |value: &Value| -> Option<ConstValue> {
        match value {
            Value::Variable(name) => variables
                .get(name)
                .cloned()
                .or_else(|| defaults.get(name).cloned()),
            other => other.clone().into_const(),
        }
    };
    let refuse = |field: &str, message: String, pos| {
        let mut err =
            crate::error::request_error(message, "BAD_USER_INPUT", |ext| ext.set("field", field));
        err.locations = vec![pos];
        err
    };
    fn walk<'a>(
        set: &'a Positioned<SelectionSet>,
        out: &mut Vec<&'a Positioned<async_graphql::parser::types::Field>>,
    ) {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(f) => {
                    out.push(f);
                    walk(&f.node.selection_set, out);
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set, out),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut fields = Vec::new();
    for op in &operations {
        walk(&op.node.selection_set, &mut fields);
    }
    for fragment in doc.fragments.values() {
        walk(&fragment.node.selection_set, &mut fields);
    }
    for field in fields {
        for (name, value) in &field.node.arguments {
            let arg: &Name = &name.node;
            match arg.as_str() {
                "first" | "last" => {
                    if let Some(ConstValue::Number(n)) = resolve(&value.node) {
                        if n.as_i64()
                            .is_none_or(|n| !(0..=i64::from(MAX_PAGE_SIZE)).contains(&n))
                        {
                            return Err(refuse(
                                arg,
                                format!("`{arg}` must be between 0 and {MAX_PAGE_SIZE}"),
                                value.pos,
                            ));
                        }
                    }
                }
                "ids" => {
                    if let Some(ConstValue::List(ids)) = resolve(&value.node) {
                        if ids.len() > MAX_PAGE_SIZE as usize {
                            return Err(refuse(
                                arg,
                                format!("at most {MAX_PAGE_SIZE} ids"),
                                value.pos,
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Installs [`AllowlistExtension`].
pub struct Allowlist;

impl ExtensionFactory for Allowlist {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AllowlistExtension)
    }
}

/// Refuses, before parsing, any document that is not one of the clients' operations
/// (`BIRLIK_OPERATIONS=allowlist`), over HTTP and WebSocket alike.
pub struct AllowlistExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for AllowlistExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<async_graphql::parser::types::ExecutableDocument> {
        if !crate::operations::is_known(query) {
            return Err(crate::error::request_error(
                "this server runs only the clients' known operations",
                "FORBIDDEN",
                |_| {},
            ));
        }
        next.run(ctx, query, variables).await
    }
}
