//! The one schema extension, [`Gate`]: every check that a request's document must pass before
//! anything runs, and an `extensions.code` on every error. One extension rather than one per
//! concern, because async-graphql passes every field of every response through each extension.
//!
//! Before a document runs, in this order: its tokens and variables (`limits::check_text`), the
//! allow-list (`BIRLIK_OPERATIONS=allowlist`), parsing (from the parse cache when the same text
//! came before), the query limits (`limits::check_document`), page sizes ([`check_pages`]), and
//! the widths and sizes of filters and list arguments (`filters::check_arguments`).
//!
//! On the way out, errors of the request itself (parsing, validation, variable coercion: no
//! `path`) and async-graphql's refusals of an argument it could not coerce are the client's:
//! `BAD_USER_INPUT`. An error from a resolver that lacks a code escaped `ApiError`: its text may
//! hold anything, so it is logged under an `errorId` and the client gets `INTERNAL_SERVER_ERROR`.

use std::sync::Arc;

use async_graphql::ValidationResult;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, Variables};

use crate::graphql::limits::{self, QueryLimits};
use crate::graphql::parse_cache::ParseCache;

/// Installs [`GateExtension`] with the server's settings: one instance serves every request.
pub struct Gate(Arc<GateExtension>);

impl Gate {
    pub fn new(limits: QueryLimits, operations: crate::config::Operations) -> Self {
        Gate(Arc::new(GateExtension {
            limits,
            shapes: limits::Shapes::of_schema(),
            allowlist: operations == crate::config::Operations::Allowlist,
            parsed: ParseCache::default(),
        }))
    }
}

impl ExtensionFactory for Gate {
    fn create(&self) -> Arc<dyn Extension> {
        self.0.clone()
    }
}

/// Checks each document before it runs, and fills in missing error codes on every response.
pub struct GateExtension {
    limits: QueryLimits,
    /// The schema's types, for the complexity walk.
    shapes: limits::Shapes,
    allowlist: bool,
    parsed: ParseCache,
}

#[async_graphql::async_trait::async_trait]
impl Extension for GateExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            classify(error);
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        limits::check_text(query, variables, &self.limits)?;
        if self.allowlist && !crate::operations::is_known(query) {
            return Err(crate::error::request_error(
                "this server runs only the clients' known operations",
                "FORBIDDEN",
                |_| {},
            ));
        }
        let doc = match self.parsed.get(query) {
            Some(doc) => doc,
            None => {
                let doc = next.run(ctx, query, variables).await?;
                self.parsed.put(query, &doc);
                doc
            }
        };
        limits::check_document(&doc, variables, &self.limits, &self.shapes)?;
        check_pages(&doc, variables)?;
        crate::graphql::filters::check_arguments(&doc, variables)?;
        Ok(doc)
    }

    /// A persisted query's text is stored only here, once its document has passed the limits,
    /// parsing and validation (`http::apq`).
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let (Some(persist), Ok(state)) = (
            ctx.data_opt::<crate::http::apq::Persist>(),
            ctx.data::<crate::context::AppState>(),
        ) {
            crate::http::apq::store(state, persist)
                .await
                .map_err(|e| vec![e])?;
        }
        Ok(result)
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
    let coercion = [
        "Failed to parse",
        "Invalid value for argument",
        "Variable ",
        "Expected input type",
    ]
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

/// Refuses the whole request, before any resolver or SQL runs, when a `first` or `last`
/// argument (literal, variable or variable default) is outside 0..=100, or `ids` holds more
/// than 100 ids.
fn check_pages(
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
