//! The one schema extension, [`Gate`]: every check that a request's document must pass before
//! anything runs, and an `extensions.code` on every error. One extension rather than one per
//! concern, because async-graphql passes every field of every response through each extension.
//!
//! Before a document runs, in this order: its tokens and variables (`limits::check_text`), the
//! allow-list (`BIRLIK_OPERATIONS=allowlist`), parsing (from the parse cache when the same text
//! came before), introspection when it is off (`coercion::refuse_introspection`), NULs in
//! literals (`literals::ensure_no_nul`), the query limits (`limits::check_document`), page sizes
//! ([`check_pages`]), and the widths and sizes of filters and list arguments
//! (`filters::check_arguments`). Validation errors about an argument's value get its place in
//! `extensions.field` (`coercion::name_the_argument`); a persisted query's text is stored once its
//! document has validated (`http::apq`).
//!
//! While it runs, every field's outcome passes through `nulls::FieldErrors` (a failed or withheld
//! field is `null` with its error beside it, as the GraphQL spec handles field errors), after
//! `coercion::locate` has named the argument of a value that failed to parse at the field.
//!
//! On the way out, errors of the request itself (parsing, validation, variable coercion: no
//! `path`) and async-graphql's refusals of an argument it could not coerce are the client's:
//! `BAD_USER_INPUT`. An error from a resolver that lacks a code escaped `ApiError`: its text may
//! hold anything, so it is logged under an `errorId` and the client gets `INTERNAL_SERVER_ERROR`.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextResolve, NextSubscribe, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};
use futures_util::stream::{BoxStream, StreamExt};

use crate::graphql::coercion::RequestVariables;
use crate::graphql::limits::{self, QueryLimits};
use crate::graphql::nulls::FieldErrors;
use crate::graphql::parse_cache::ParseCache;

/// Installs [`GateExtension`] with the server's settings: one instance serves every request.
pub struct Gate(Arc<GateExtension>);

impl Gate {
    pub fn new(
        limits: QueryLimits,
        operations: crate::config::Operations,
        introspection: bool,
    ) -> Self {
        Gate(Arc::new(GateExtension {
            limits,
            shapes: limits::Shapes::of_schema(),
            allowlist: operations == crate::config::Operations::Allowlist,
            introspection,
            parsed: ParseCache::shared(),
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
    /// `BIRLIK_INTROSPECTION`: when off, `__schema` and `__type` are refused with a code.
    introspection: bool,
    parsed: &'static ParseCache,
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

    /// What runs over a socket (a subscription's events, and queries and mutations sent there)
    /// skips `request`: its answers get their codes here.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                for error in &mut response.errors {
                    classify(error);
                }
                response
            })
            .boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        limits::check_text(query, variables, &self.limits)?;
        if let Some(kept) = ctx.data_opt::<RequestVariables>() {
            let _ = kept.0.set(variables.clone());
        }
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
        if !self.introspection {
            crate::graphql::coercion::refuse_introspection(&doc)?;
        }
        crate::graphql::literals::ensure_no_nul(&doc)?;
        limits::check_document(&doc, variables, &self.limits, &self.shapes)?;
        check_pages(&doc, variables)?;
        crate::graphql::filters::check_arguments(&doc, variables)?;
        Ok(doc)
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = request
            .data(FieldErrors::default())
            .data(RequestVariables::default());
        next.run(ctx, request).await
    }

    /// A persisted query's text is stored only here, once its document has passed the limits,
    /// parsing and validation (`http::apq`).
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|mut errors| {
            errors
                .iter_mut()
                .for_each(crate::graphql::coercion::name_the_argument);
            errors
        })?;
        if let (Some(persist), Ok(deps)) = (
            ctx.data_opt::<crate::graphql::persist::Persist>(),
            ctx.data::<crate::services::Deps>(),
        ) {
            crate::graphql::persist::store(deps, persist)
                .await
                .map_err(|e| vec![e])?;
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        match ctx.data_opt::<FieldErrors>() {
            Some(kept) => kept.finish(response),
            None => response,
        }
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let mutation = info.parent_type == "Mutation";
        let outcome = match ctx.data_opt::<FieldErrors>() {
            None => next.run(ctx, info).await,
            Some(kept) => {
                let (path, return_type) = (info.path_node, info.return_type);
                let (parent_type, field) = (info.parent_type, info.field);
                let outcome = next.run(ctx, info).await.map_err(|error| {
                    crate::graphql::coercion::locate(ctx, parent_type, field, error)
                });
                kept.settle(path, return_type, outcome)
            }
        };
        if mutation {
            wrote(ctx);
        }
        outcome
    }
}

/// Notes that the caller has just run a mutation (whatever its outcome): for the replica lag
/// bound, their reads go to the primary (`services::reads`).
fn wrote(ctx: &ExtensionContext<'_>) {
    if let (Some(rc), Some(deps)) = (
        ctx.data_opt::<crate::context::RequestCtx>(),
        ctx.data_opt::<crate::services::Deps>(),
    ) {
        deps.reads.wrote(&rc.actor);
    }
}

/// Whether a message is one of async-graphql's for a value it could not coerce to an input
/// type: `InputValueError`'s three shapes (`expected_type`, `custom` and the `propagate`d form
/// of either), the argument and variable validation rules' words. Raised at a field, these are
/// the client's mistakes all the same.
fn input_coercion(message: &str) -> bool {
    const PREFIXES: [&str; 4] = [
        "Expected input type ",
        "Failed to parse ",
        "Invalid value for argument",
        "Variable ",
    ];
    PREFIXES.iter().any(|prefix| message.starts_with(prefix))
        || (message.ends_with("\")") && message.contains(" (occurred while parsing \""))
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
    if error.path.is_empty() || input_coercion(&error.message) {
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
                    if let Some(ConstValue::Number(n)) = resolve(&value.node)
                        && n.as_i64()
                            .is_none_or(|n| !(0..=i64::from(MAX_PAGE_SIZE)).contains(&n))
                    {
                        return Err(refuse(
                            arg,
                            format!("`{arg}` must be between 0 and {MAX_PAGE_SIZE}"),
                            value.pos,
                        ));
                    }
                }
                "ids" => {
                    if let Some(ConstValue::List(ids)) = resolve(&value.node)
                        && ids.len() > MAX_PAGE_SIZE as usize
                    {
                        return Err(refuse(
                            arg,
                            format!("at most {MAX_PAGE_SIZE} ids"),
                            value.pos,
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::InputValueError;

    #[test]
    fn every_shape_of_an_input_coercion_error_is_the_clients() {
        let pos = async_graphql::Pos::default();
        let expected = InputValueError::<i32>::expected_type(async_graphql::Value::Null);
        let custom = InputValueError::<i32>::custom("too large");
        let propagated = InputValueError::<i32>::custom("too large").propagate::<Vec<i32>>();
        for mut error in [
            expected.into_server_error(pos),
            custom.into_server_error(pos),
            propagated.into_server_error(pos),
        ] {
            error.path = vec![async_graphql::PathSegment::Field("donations".into())];
            classify(&mut error);
            let code = error
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .cloned();
            assert_eq!(
                code,
                Some(async_graphql::Value::from("BAD_USER_INPUT")),
                "{}",
                error.message
            );
        }
        let mut escaped = ServerError::new("column \"x\" does not exist", None);
        escaped.path = vec![async_graphql::PathSegment::Field("donations".into())];
        classify(&mut escaped);
        assert_eq!(escaped.message, "internal error");
    }
}
