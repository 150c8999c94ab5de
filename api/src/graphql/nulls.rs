//! Field errors as the GraphQL spec's "Handling Field Errors" asks: a field that fails (or is
//! withheld) is `null` in `data`, its key present, and its error is in `errors` once, with its
//! `path`; a failed non-null field makes its nearest nullable parent `null` instead.
//!
//! async-graphql 7.2 drops the key of a failed field and leaves its parent as it is (its issues
//! #1272 and #1549), which Apollo Client's cache cannot read back and generated mobile parsers
//! reject. [`FieldErrors`] fixes this where every field passes: the `Gate` extension's `resolve`
//! hook hands each field's outcome to [`FieldErrors::settle`], which turns an error into `null`
//! and keeps the error here instead of letting async-graphql drop the key; its `execute` hook
//! hands the response to [`FieldErrors::finish`], which adds the kept errors and nulls `data` when
//! a non-null root field failed.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{
    PathSegment, QueryPathNode, QueryPathSegment, Response, ServerError, ServerResult, Value,
};

/// One request's field errors, kept in its request data from `prepare_request` on.
#[derive(Default)]
pub struct FieldErrors {
    inner: Mutex<Kept>,
    /// Non-null fields that resolved to `null` and whose parent has not yet been nulled.
    pending: AtomicUsize,
}

#[derive(Default)]
struct Kept {
    errors: Vec<ServerError>,
    /// Paths of non-null fields now `null`: their parent field nulls itself (or more) when it
    /// completes.
    violations: Vec<Vec<PathSegment>>,
}

impl FieldErrors {
    /// Settles one field's outcome: an error becomes `null` with the error kept; a value that
    /// holds a failed non-null field is nulled up to the nearest nullable level.
    pub fn settle(
        &self,
        field: &QueryPathNode<'_>,
        return_type: &str,
        outcome: ServerResult<Option<Value>>,
    ) -> ServerResult<Option<Value>> {
        // The common case, a value with nothing failed below it, costs one atomic load.
        match outcome {
            Err(mut error) => {
                let layers = Layers::of(return_type);
                let path = path_of(field);
                if error.path.is_empty() {
                    error.path.clone_from(&path);
                }
                let mut kept = self.lock();
                kept.errors.push(error);
                if layers.non_null(0) {
                    kept.violations.push(path);
                    self.pending.fetch_add(1, Ordering::SeqCst);
                }
                Ok(Some(Value::Null))
            }
            Ok(Some(mut value)) if self.pending.load(Ordering::SeqCst) > 0 => {
                let layers = Layers::of(return_type);
                let path = path_of(field);
                let mut kept = self.lock();
                let (inside, others): (Vec<_>, Vec<_>) = std::mem::take(&mut kept.violations)
                    .into_iter()
                    .partition(|v| v.len() > path.len() && v.starts_with(&path));
                kept.violations = others;
                let mut settled = inside.len();
                let mut itself = false;
                for violation in inside {
                    // Only list indices lie between this field and the failed one: every field
                    // in between has settled already.
                    let indices: Vec<usize> = violation[path.len()..violation.len() - 1]
                        .iter()
                        .filter_map(|s| match s {
                            PathSegment::Index(i) => Some(*i),
                            PathSegment::Field(_) => None,
                        })
                        .collect();
                    let mut depth = indices.len();
                    null_at(&mut value, &indices[..depth]);
                    while depth > 0 && layers.non_null(depth) {
                        depth -= 1;
                        null_at(&mut value, &indices[..depth]);
                    }
                    itself |= depth == 0 && layers.non_null(0);
                }
                if itself {
                    value = Value::Null;
                    kept.violations.push(path);
                    settled -= 1;
                }
                self.pending.fetch_sub(settled, Ordering::SeqCst);
                Ok(Some(value))
            }
            other => other,
        }
    }

    /// Adds the kept errors to a response; a failed non-null root field nulls `data`.
    pub fn finish(&self, mut response: Response) -> Response {
        let mut kept = self.lock();
        if kept.violations.iter().any(|v| v.len() == 1) {
            response.data = Value::Null;
        }
        kept.violations.clear();
        self.pending.store(0, Ordering::SeqCst);
        response.errors.append(&mut kept.errors);
        response
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The nullability of a return type's levels: the value itself, then each list's items.
struct Layers(Vec<bool>);

impl Layers {
    fn of(mut ty: &str) -> Self {
        let mut non_null = Vec::new();
        loop {
            let this = ty.ends_with('!');
            ty = ty.strip_suffix('!').unwrap_or(ty);
            non_null.push(this);
            match ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                Some(inner) => ty = inner,
                None => break,
            }
        }
        Layers(non_null)
    }

    fn non_null(&self, depth: usize) -> bool {
        self.0.get(depth).copied().unwrap_or(false)
    }
}

/// Sets the item at these list indices to `null` (nothing when a level above is `null` already).
fn null_at(value: &mut Value, indices: &[usize]) {
    let mut target = value;
    for i in indices {
        match target {
            Value::List(items) if *i < items.len() => target = &mut items[*i],
            _ => return,
        }
    }
    *target = Value::Null;
}

fn path_of(field: &QueryPathNode<'_>) -> Vec<PathSegment> {
    let mut path: Vec<PathSegment> = std::iter::once(field)
        .chain(field.parents())
        .map(|node| match node.segment {
            QueryPathSegment::Index(i) => PathSegment::Index(i),
            QueryPathSegment::Name(name) => PathSegment::Field(name.to_owned()),
        })
        .collect();
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use super::Layers;

    #[test]
    fn layers_read_each_level_of_a_type() {
        assert_eq!(Layers::of("String").0, [false]);
        assert_eq!(Layers::of("User!").0, [true]);
        assert_eq!(Layers::of("[Node]!").0, [true, false]);
        assert_eq!(Layers::of("[[Task!]]").0, [false, false, true]);
    }
}
