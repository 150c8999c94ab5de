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
