//! The list machinery of the schema: filter inputs (the scalar ones in [`scalar`], each entity's
//! beside its type, declared with [`entity_filter!`]), order inputs ([`order_input!`]), the limits
//! on both, and [`list`], the one body of every filtered, ordered list resolver. Inputs only
//! check and convert into the store's typed trees (`store::filter`); the store writes the SQL.

mod arguments;
mod scalar;

use async_graphql::Enum;
use async_graphql::connection::{Connection, ConnectionNameType, EdgeNameType, EmptyFields};
use sea_orm::Condition;

use crate::services::Deps;

use crate::error::{ApiError, ApiResult, ResultExt};
use crate::graphql::relay;
use crate::store::filter::Tree;
use crate::store::page::{Field, Ordering, Page, PageRequest};

pub use arguments::check_arguments;
pub use scalar::{BooleanFilter, DateTimeFilter, IdFilter, IntFilter, MassFilter, StringFilter};
pub(crate) use scalar::{enum_filter, scalar_filter};

/// How deep `and` / `or` / `not` may nest.
pub const MAX_FILTER_DEPTH: usize = 8;
/// Most items in one list of a filter (`and`, `or`, `in`, `notIn`) or of any other list
/// argument of a query (`status`, `groupBy`).
pub const MAX_FILTER_WIDTH: usize = 100;
/// Most values (leaves: numbers, texts, ids, booleans, enum values) in one filter, over its whole
/// tree: each becomes a term of the SQL `WHERE`.
pub const MAX_FILTER_TERMS: usize = 200;
/// Longest text (in characters) a filter compares with.
pub const MAX_FILTER_TEXT: usize = 200;

/// Ascending or descending.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest, earliest, first.
    Asc,
    /// Largest, latest, first.
    #[default]
    Desc,
}

/// Refuses filters nested deeper than [`MAX_FILTER_DEPTH`].
pub fn ensure_depth(depth: usize) -> ApiResult<()> {
    if depth > MAX_FILTER_DEPTH {
        return Err(ApiError::bad_input(
            "filter",
            format!("filters nest at most {MAX_FILTER_DEPTH} levels deep"),
        ));
    }
    Ok(())
}

/// The nested filters of an entity's filter input, as [`entity_filter!`] declares them.
pub trait Nested: Sized {
    /// Takes out the nested filters: `and`, `or`, `not`.
    #[expect(
        clippy::type_complexity,
        reason = "the three nested fields, as declared"
    )]
    fn take_nested(&mut self) -> (Option<Vec<Self>>, Option<Vec<Self>>, Option<Box<Self>>);
}

/// An entity's filter input: its own fields (ANDed), combined with nested `and` / `or` / `not`.
/// [`entity_filter!`] declares the input; its conversion into store leaves is written beside it.
pub trait EntityFilter: Nested {
    /// The store's leaf for one of its fields.
    type Leaf;

    /// The conditions of its own fields, checked, in the order they are declared.
    fn leaves(self) -> ApiResult<Vec<Self::Leaf>>;

    /// The whole filter as a store tree, refusing filters nested too deep.
    fn tree(self) -> ApiResult<Tree<Self::Leaf>> {
        self.tree_at(1)
    }

    /// [`Self::tree`] at a nesting depth.
    fn tree_at(mut self, depth: usize) -> ApiResult<Tree<Self::Leaf>> {
        ensure_depth(depth)?;
        let (and, or, not) = self.take_nested();
        let mut all = Vec::new();
        for f in and.unwrap_or_default() {
            all.push(f.tree_at(depth + 1)?);
        }
        if let Some(filters) = or {
            let any = filters
                .into_iter()
                .map(|f| f.tree_at(depth + 1))
                .collect::<ApiResult<_>>()?;
            all.push(Tree::Any(any));
        }
        if let Some(f) = not {
            all.push(Tree::Not(Box::new(f.tree_at(depth + 1)?)));
        }
        let own = self.leaves()?.into_iter().map(Tree::Leaf).collect();
        all.push(Tree::All(own));
        Ok(Tree::All(all))
    }
}

/// Declares an entity's filter input: `and`, `or` and `not` over itself, then its fields.
macro_rules! entity_filter {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[$attr:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[doc = $doc])*
        #[derive(async_graphql::InputObject, Clone, Debug, Default)]
        pub struct $name {
            /// All of these.
            pub and: Option<Vec<$name>>,
            /// Any of these.
            pub or: Option<Vec<$name>>,
            /// Not this.
            pub not: Option<Box<$name>>,
            $($(#[$attr])* pub $field: Option<$ty>,)*
        }

        impl $crate::graphql::filters::Nested for $name {
            fn take_nested(&mut self) -> (Option<Vec<Self>>, Option<Vec<Self>>, Option<Box<Self>>) {
                (self.and.take(), self.or.take(), self.not.take())
            }
        }
    };
}
pub(crate) use entity_filter;

/// The leaves of one filter, gathered field by field in declaration order.
pub struct Leaves<L>(Vec<L>);

impl<L> Default for Leaves<L> {
    fn default() -> Self {
        Leaves(Vec::new())
    }
}

impl<L> Leaves<L> {
    /// Adds the leaf of a field, when it was given.
    pub fn add<F>(mut self, field: Option<F>, leaf: impl FnOnce(F) -> L) -> Self {
        self.0.extend(field.map(leaf));
        self
    }

    /// Adds the leaf of a field whose conversion may refuse it.
    pub fn check<F>(
        mut self,
        field: Option<F>,
        leaf: impl FnOnce(F) -> ApiResult<L>,
    ) -> ApiResult<Self> {
        if let Some(f) = field {
            self.0.push(leaf(f)?);
        }
        Ok(self)
    }

    /// The leaves.
    pub fn done(self) -> ApiResult<Vec<L>> {
        Ok(self.0)
    }
}

/// The SQL condition of an optional filter (none: every row) on `db`'s database, as the store
/// writes it: the opaque value the services AND with the caller's scope.
pub fn condition_of<F>(filter: Option<F>, deps: &Deps) -> ApiResult<Condition>
where
    F: EntityFilter,
    F::Leaf: crate::store::filter::Leaf,
{
    let tree = match filter {
        Some(f) => f.tree()?,
        None => Tree::default(),
    };
    Ok(crate::services::lists::condition(deps, tree))
}

/// A client's filter as its tree of typed conditions (every row when absent), for a service
/// that looks at which conditions it holds before writing them as SQL (`services::lists::condition`).
pub fn tree_of<F: EntityFilter>(filter: Option<F>) -> ApiResult<Tree<F::Leaf>> {
    match filter {
        Some(f) => f.tree(),
        None => Ok(Tree::default()),
    }
}

/// Declares an order input (field enum + direction) and the ordering it asks for, in the store's
/// sort fields of the same names.
macro_rules! order_input {
    (
        $(#[doc = $doc:literal])* $input:ident,
        $(#[doc = $edoc:literal])* $enum:ident => $field:ident, default $default:expr,
        { $($(#[doc = $vdoc:literal])* $variant:ident,)* }
    ) => {
        $(#[doc = $edoc])*
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $enum {
            $($(#[doc = $vdoc])* $variant,)*
        }

        $(#[doc = $doc])*
        #[derive(async_graphql::InputObject, Clone, Copy, Debug)]
        pub struct $input {
            /// The field.
            pub field: $enum,
            /// The direction (descending by default).
            #[graphql(default)]
            pub direction: $crate::graphql::filters::OrderDirection,
        }

        impl $input {
            /// The ordering an `orderBy` argument asks for (the default when absent or empty).
            pub fn ordering(order_by: Option<Vec<$input>>) -> $crate::store::page::Ordering<$field> {
                let keys = order_by
                    .unwrap_or_default()
                    .into_iter()
                    .map(|o| {
                        let field = match o.field {
                            $($enum::$variant => $field::$variant,)*
                        };
                        (field, o.direction == $crate::graphql::filters::OrderDirection::Desc)
                    })
                    .collect();
                $crate::store::page::Ordering::or(keys, $default)
            }
        }
    };
}
pub(crate) use order_input;

/// The Relay page arguments of a list field.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    /// Page size from the start.
    pub first: Option<i32>,
    /// Cursor of the edge to start after.
    pub after: Option<String>,
    /// Page size from the end.
    pub last: Option<i32>,
    /// Cursor of the edge to end before.
    pub before: Option<String>,
}

impl PageArgs {
    /// The page these arguments ask for in `ordering`, `default_size` rows when they name none.
    pub fn request<F: Field>(
        &self,
        ordering: &Ordering<F>,
        default_size: i32,
    ) -> ApiResult<PageRequest> {
        relay::page_request(
            self.first,
            self.after.as_deref(),
            self.last,
            self.before.as_deref(),
            ordering,
            default_size,
        )
    }
}

/// Whether the query selects any of `fields` on the connection this resolver returns (through
/// fragments too): a list then reads its totals in the page's statement rather than in one of
/// their own. Should a selection slip past it, the totals are still read when resolved.
pub fn selects_any(ctx: &async_graphql::Context<'_>, fields: &[&str]) -> bool {
    let look = ctx.look_ahead();
    fields.iter().any(|f| look.field(f).exists())
}

/// The one body of a filtered, ordered list: checks the page arguments against the ordering,
/// turns the filter into its condition, lets `read` (a service) read the page within the caller's
/// scope, and returns the connection with the totals made from the whole list's condition.
pub async fn list<Filter, F, Fut, N, T, Name, EdgeName>(
    deps: &Deps,
    filter: Option<Filter>,
    ordering: Ordering<F>,
    args: PageArgs,
    read: impl FnOnce(Condition, Ordering<F>, PageRequest) -> Fut,
    totals: impl FnOnce(Condition) -> T,
) -> async_graphql::Result<Connection<String, N, T, EmptyFields, Name, EdgeName>>
where
    Filter: EntityFilter,
    Filter::Leaf: crate::store::filter::Leaf,
    F: Field,
    Fut: Future<Output = ApiResult<(Page<F::Model>, Condition)>>,
    N: From<F::Model> + async_graphql::OutputType,
    T: async_graphql::ObjectType,
    Name: ConnectionNameType,
    EdgeName: EdgeNameType,
{
    let req = args.request(&ordering, 20).extend()?;
    let filter = condition_of(filter, deps).extend()?;
    let (page, condition) = read(filter, ordering.clone(), req).await.extend()?;
    Ok(relay::connection(page, &ordering, totals(condition)))
}

/// Declares the totals of a list connection of one entity's rows: `totalCount` over all pages,
/// counted by the services from the whole list's condition.
macro_rules! list_totals {
    ($(#[doc = $doc:literal])* $name:ident of $model:ty) => {
        $(#[doc = $doc])*
        pub struct $name {
            /// The condition that selects the whole list.
            pub condition: sea_orm::Condition,
        }

        $(#[doc = $doc])*
        #[async_graphql::Object]
        impl $name {
            /// How many the list holds, over all pages.
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<i64> {
                use $crate::graphql::ContextExt as _;
                use $crate::error::ResultExt as _;
                $crate::services::lists::count::<$model>(ctx.request().1, self.condition.clone())
                    .await
                    .extend()
            }
        }
    };
}
pub(crate) use list_totals;
