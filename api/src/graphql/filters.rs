//! Filter inputs for analysts' ad-hoc queries: one input per scalar type with the operators it
//! supports, and one per entity combining them with `and` / `or` / `not`. Each translates into a
//! sea-query `Condition` that becomes part of one SQL `WHERE`; nothing is filtered in memory.

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{Condition, DbBackend, Value};

use crate::error::{ApiError, ApiResult};
use crate::graphql::relay;
use crate::mass::Decimal;

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

/// What a translation needs to know.
#[derive(Clone, Copy, Debug)]
pub struct FilterCx {
    pub backend: DbBackend,
}

/// Ascending or descending.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest, earliest, first.
    Asc,
    /// Largest, latest, first.
    #[default]
    Desc,
}

/// The comparisons of one column, ANDed.
pub(crate) struct Ops<V> {
    pub(crate) eq: Option<V>,
    pub(crate) ne: Option<V>,
    pub(crate) is_in: Option<Vec<V>>,
    pub(crate) not_in: Option<Vec<V>>,
    pub(crate) lt: Option<V>,
    pub(crate) lte: Option<V>,
    pub(crate) gt: Option<V>,
    pub(crate) gte: Option<V>,
    pub(crate) is_null: Option<bool>,
}

impl<V> Default for Ops<V> {
    fn default() -> Self {
        Ops {
            eq: None,
            ne: None,
            is_in: None,
            not_in: None,
            lt: None,
            lte: None,
            gt: None,
            gte: None,
            is_null: None,
        }
    }
}

impl<V: Into<Value>> Ops<V> {
    pub(crate) fn condition(self, column: SimpleExpr) -> Condition {
        let col = || Expr::expr(column.clone());
        let mut all = Condition::all();
        if let Some(v) = self.eq {
            all = all.add(col().eq(v.into()));
        }
        if let Some(v) = self.ne {
            all = all.add(col().ne(v.into()));
        }
        if let Some(vs) = self.is_in {
            all = all.add(col().is_in(vs.into_iter().map(Into::into)));
        }
        if let Some(vs) = self.not_in {
            all = all.add(col().is_not_in(vs.into_iter().map(Into::into)));
        }
        if let Some(v) = self.lt {
            all = all.add(col().lt(v.into()));
        }
        if let Some(v) = self.lte {
            all = all.add(col().lte(v.into()));
        }
        if let Some(v) = self.gt {
            all = all.add(col().gt(v.into()));
        }
        if let Some(v) = self.gte {
            all = all.add(col().gte(v.into()));
        }
        match self.is_null {
            Some(true) => all = all.add(col().is_null()),
            Some(false) => all = all.add(col().is_not_null()),
            None => {}
        }
        all
    }
}

/// Compares an integer.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IntFilter {
    /// Equal to.
    pub eq: Option<i64>,
    /// Not equal to.
    pub ne: Option<i64>,
    /// One of.
    #[graphql(name = "in")]
    pub is_in: Option<Vec<i64>>,
    /// None of.
    pub not_in: Option<Vec<i64>>,
    /// Less than.
    pub lt: Option<i64>,
    /// Less than or equal to.
    pub lte: Option<i64>,
    /// Greater than.
    pub gt: Option<i64>,
    /// Greater than or equal to.
    pub gte: Option<i64>,
    /// Absent (true) or present (false).
    pub is_null: Option<bool>,
}

impl IntFilter {
    pub fn condition(&self, column: SimpleExpr) -> Condition {
        let f = self.clone();
        Ops {
            eq: f.eq,
            ne: f.ne,
            is_in: f.is_in,
            not_in: f.not_in,
            lt: f.lt,
            lte: f.lte,
            gt: f.gt,
            gte: f.gte,
            is_null: f.is_null,
        }
        .condition(column)
    }
}

/// Compares a mass in kilograms (exact decimals; numbers or strings).
#[derive(InputObject, Clone, Debug, Default)]
pub struct MassFilter {
    /// Equal to.
    pub eq: Option<Decimal>,
    /// Not equal to.
    pub ne: Option<Decimal>,
    /// One of.
    #[graphql(name = "in")]
    pub is_in: Option<Vec<Decimal>>,
    /// None of.
    pub not_in: Option<Vec<Decimal>>,
    /// Less than.
    pub lt: Option<Decimal>,
    /// Less than or equal to.
    pub lte: Option<Decimal>,
    /// Greater than.
    pub gt: Option<Decimal>,
    /// Greater than or equal to.
    pub gte: Option<Decimal>,
}

/// Kilograms → grams through the one checked conversion of a client's mass.
fn grams(field: &'static str, kg: Decimal) -> ApiResult<i64> {
    crate::mass::grams_of(field, kg.0)
}

impl MassFilter {
    pub fn condition(&self, column: SimpleExpr, field: &'static str) -> ApiResult<Condition> {
        let one = |v: Option<Decimal>| v.map(|kg| grams(field, kg)).transpose();
        let many = |v: &Option<Vec<Decimal>>| {
            v.as_ref()
                .map(|vs| {
                    vs.iter()
                        .map(|kg| grams(field, *kg))
                        .collect::<ApiResult<Vec<_>>>()
                })
                .transpose()
        };
        Ok(Ops {
            eq: one(self.eq)?,
            ne: one(self.ne)?,
            is_in: many(&self.is_in)?,
            not_in: many(&self.not_in)?,
            lt: one(self.lt)?,
            lte: one(self.lte)?,
            gt: one(self.gt)?,
            gte: one(self.gte)?,
            is_null: None,
        }
        .condition(column))
    }
}

/// Compares an instant (RFC 3339).
#[derive(InputObject, Clone, Debug, Default)]
pub struct DateTimeFilter {
    /// At.
    pub eq: Option<DateTime<Utc>>,
    /// Not at.
    pub ne: Option<DateTime<Utc>>,
    /// One of.
    #[graphql(name = "in")]
    pub is_in: Option<Vec<DateTime<Utc>>>,
    /// None of.
    pub not_in: Option<Vec<DateTime<Utc>>>,
    /// Before.
    pub lt: Option<DateTime<Utc>>,
    /// At or before.
    pub lte: Option<DateTime<Utc>>,
    /// After.
    pub gt: Option<DateTime<Utc>>,
    /// At or after.
    pub gte: Option<DateTime<Utc>>,
    /// Absent (true) or present (false).
    pub is_null: Option<bool>,
}

impl DateTimeFilter {
    pub fn condition(&self, column: SimpleExpr) -> Condition {
        let f = self.clone();
        Ops {
            eq: f.eq,
            ne: f.ne,
            is_in: f.is_in,
            not_in: f.not_in,
            lt: f.lt,
            lte: f.lte,
            gt: f.gt,
            gte: f.gte,
            is_null: f.is_null,
        }
        .condition(column)
    }
}

/// Compares text (case-sensitive).
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringFilter {
    /// Equal to.
    pub eq: Option<String>,
    /// Not equal to.
    pub ne: Option<String>,
    /// One of.
    #[graphql(name = "in")]
    pub is_in: Option<Vec<String>>,
    /// None of.
    pub not_in: Option<Vec<String>>,
    /// Contains this text.
    pub contains: Option<String>,
    /// Starts with this text.
    pub starts_with: Option<String>,
    /// Absent (true) or present (false).
    pub is_null: Option<bool>,
}

impl StringFilter {
    pub fn condition(&self, column: SimpleExpr, cx: FilterCx) -> Condition {
        let f = self.clone();
        let mut all = Ops {
            eq: f.eq,
            ne: f.ne,
            is_in: f.is_in,
            not_in: f.not_in,
            is_null: f.is_null,
            ..Ops::default()
        }
        .condition(column.clone());
        // Position of the text in the column: 0 absent, 1 at the start. Case-sensitive on both
        // databases, and free of LIKE's wildcards.
        let position = |needle: String| match cx.backend {
            DbBackend::Postgres => {
                Expr::cust_with_exprs("strpos($1, $2)", [column.clone(), Expr::val(needle)])
            }
            _ => Expr::cust_with_exprs("instr(?, ?)", [column.clone(), Expr::val(needle)]),
        };
        if let Some(needle) = f.contains {
            all = all.add(Expr::expr(position(needle)).gt(0));
        }
        if let Some(prefix) = f.starts_with {
            all = all.add(Expr::expr(position(prefix)).eq(1));
        }
        all
    }
}

/// Compares a global object id of one type.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IdFilter {
    /// Equal to.
    pub eq: Option<ID>,
    /// Not equal to.
    pub ne: Option<ID>,
    /// One of.
    #[graphql(name = "in")]
    pub is_in: Option<Vec<ID>>,
    /// None of.
    pub not_in: Option<Vec<ID>>,
}

impl IdFilter {
    pub fn condition(
        &self,
        column: SimpleExpr,
        kind: &str,
        field: &'static str,
    ) -> ApiResult<Condition> {
        let one = |v: &Option<ID>| {
            v.as_ref()
                .map(|id| relay::decode(kind, field, id))
                .transpose()
        };
        let many = |v: &Option<Vec<ID>>| {
            v.as_ref()
                .map(|ids| {
                    ids.iter()
                        .map(|id| relay::decode(kind, field, id))
                        .collect::<ApiResult<Vec<_>>>()
                })
                .transpose()
        };
        Ok(Ops {
            eq: one(&self.eq)?,
            ne: one(&self.ne)?,
            is_in: many(&self.is_in)?,
            not_in: many(&self.not_in)?,
            ..Ops::default()
        }
        .condition(column))
    }
}

/// Declares the filter input of a GraphQL enum: `eq`, `ne`, `in`, `notIn`.
macro_rules! enum_filter {
    ($name:ident, $enum:ty, $stored:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $name {
            /// Equal to.
            pub eq: Option<$enum>,
            /// Not equal to.
            pub ne: Option<$enum>,
            /// One of.
            #[graphql(name = "in")]
            pub is_in: Option<Vec<$enum>>,
            /// None of.
            pub not_in: Option<Vec<$enum>>,
        }

        impl $name {
            pub fn condition(&self, column: sea_orm::sea_query::SimpleExpr) -> sea_orm::Condition {
                use sea_orm::ActiveEnum;
                let value = |v: $enum| <$stored>::from(v).to_value();
                $crate::graphql::filters::Ops {
                    eq: self.eq.map(value),
                    ne: self.ne.map(value),
                    is_in: self
                        .is_in
                        .as_ref()
                        .map(|vs| vs.iter().copied().map(value).collect()),
                    not_in: self
                        .not_in
                        .as_ref()
                        .map(|vs| vs.iter().copied().map(value).collect()),
                    ..$crate::graphql::filters::Ops::default()
                }
                .condition(column)
            }
        }
    };
}
pub(crate) use enum_filter;

/// `column IN (SELECT id FROM region WHERE code …)`: filters by region code without a join.
pub fn region_code_condition(column: SimpleExpr, filter: &StringFilter, cx: FilterCx) -> Condition {
    use birlik_entity::region;
    use sea_orm::EntityName;
    let codes = Query::select()
        .column(region::Column::Id)
        .from(region::Entity.table_ref())
        .cond_where(filter.condition(Expr::col(region::Column::Code), cx))
        .to_owned();
    Condition::all().add(Expr::expr(column).in_subquery(codes))
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

/// An entity filter: its own field conditions, combined with nested `and` / `or` / `not`.
/// The SQL condition of an optional filter (none: every row) on `db`'s database.
pub fn condition_of<F: FilterTree + Default>(
    filter: Option<F>,
    db: &impl sea_orm::ConnectionTrait,
) -> ApiResult<Condition> {
    filter.unwrap_or_default().condition(FilterCx {
        backend: db.get_database_backend(),
    })
}

pub trait FilterTree: Sized {
    /// The nested filters: `and`, `or`, `not`.
    fn nested(&self) -> (Option<&[Self]>, Option<&[Self]>, Option<&Self>);

    /// The conditions of this filter's own fields, ANDed.
    fn fields(&self, cx: FilterCx) -> ApiResult<Condition>;

    /// The SQL condition the whole filter stands for.
    fn condition(&self, cx: FilterCx) -> ApiResult<Condition> {
        self.condition_at(cx, 1)
    }

    /// [`Self::condition`] at a nesting depth, refusing filters nested too deep.
    fn condition_at(&self, cx: FilterCx, depth: usize) -> ApiResult<Condition> {
        ensure_depth(depth)?;
        let (and, or, not) = self.nested();
        let mut all = Condition::all();
        for f in and.unwrap_or_default() {
            all = all.add(f.condition_at(cx, depth + 1)?);
        }
        if let Some(filters) = or {
            let mut any = Condition::any();
            for f in filters {
                any = any.add(f.condition_at(cx, depth + 1)?);
            }
            all = all.add(any);
        }
        if let Some(f) = not {
            all = all.add(f.condition_at(cx, depth + 1)?.not());
        }
        Ok(all.add(self.fields(cx)?))
    }
}

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
            if let ConstValue::String(text) = leaf {
                if text.chars().count() > MAX_FILTER_TEXT {
                    return Err(refuse(format!(
                        "`{at}` is longer than {MAX_FILTER_TEXT} characters"
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Compares a yes/no value.
#[derive(InputObject, Clone, Debug, Default)]
pub struct BooleanFilter {
    /// Equal to.
    pub eq: Option<bool>,
    /// Not equal to.
    pub ne: Option<bool>,
}

impl BooleanFilter {
    pub fn condition(&self, column: SimpleExpr) -> Condition {
        Ops {
            eq: self.eq,
            ne: self.ne,
            ..Ops::default()
        }
        .condition(column)
    }
}
