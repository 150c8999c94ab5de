//! Keyset pagination: a page is "the rows after (or before) this row in this order", so a cursor
//! stays valid while rows are inserted. The order always ends with `id` as a tiebreaker, and the
//! cursor carries the row's value of every sort key.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{Condition, Order, QueryFilter, QueryOrder, QuerySelect, Value};
use serde::{Deserialize, Serialize};

/// One sort key's value in a cursor.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Int(i64),
    Time(DateTime<Utc>),
    Text(String),
}

impl From<KeyValue> for Value {
    fn from(v: KeyValue) -> Value {
        match v {
            KeyValue::Int(i) => i.into(),
            KeyValue::Time(t) => t.into(),
            KeyValue::Text(s) => s.into(),
        }
    }
}

/// One column of an ordering.
#[derive(Clone, Debug)]
pub struct SortKey {
    pub column: SimpleExpr,
    pub descending: bool,
}

/// Which page to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// Rows wanted (the query reads one more to know whether there is another page).
    pub limit: u64,
    /// Start after the row with these key values.
    pub after: Option<Vec<KeyValue>>,
    /// End before the row with these key values.
    pub before: Option<Vec<KeyValue>>,
    /// Read the last `limit` rows (`last:`) instead of the first.
    pub from_end: bool,
}

/// A page of rows in the requested order.
#[derive(Debug)]
pub struct Page<M> {
    pub rows: Vec<M>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// Rows strictly beyond `values` in the order `keys` (or strictly before it when `backward`).
pub(crate) fn beyond(keys: &[SortKey], values: &[KeyValue], backward: bool) -> Condition {
    let mut any = Condition::any();
    for i in 0..keys.len() {
        let mut all = Condition::all();
        for (key, value) in keys.iter().zip(values).take(i) {
            all = all.add(Expr::expr(key.column.clone()).eq(Value::from(value.clone())));
        }
        let key = &keys[i];
        let value = Value::from(values[i].clone());
        let greater = key.descending == backward;
        let cmp = if greater {
            Expr::expr(key.column.clone()).gt(value)
        } else {
            Expr::expr(key.column.clone()).lt(value)
        };
        any = any.add(all.add(cmp));
    }
    any
}

/// Applies cursor bounds, order and limit to a select. `keys` must end with the unique id.
pub fn bound<S>(select: S, keys: &[SortKey], req: &PageRequest) -> S
where
    S: QueryFilter + QueryOrder + QuerySelect,
{
    let mut select = select;
    if let Some(after) = &req.after {
        select = select.filter(beyond(keys, after, false));
    }
    if let Some(before) = &req.before {
        select = select.filter(beyond(keys, before, true));
    }
    for (column, order) in directions(keys, req) {
        select = select.order_by(column, order);
    }
    select.limit(req.limit + 1)
}

/// Each key with the direction a page reads it in: reading from the end walks the order
/// backwards (the caller reverses the rows after, [`finish`]).
fn directions<'a>(
    keys: &'a [SortKey],
    req: &'a PageRequest,
) -> impl Iterator<Item = (SimpleExpr, Order)> + 'a {
    keys.iter().map(|key| {
        let descending = key.descending != req.from_end;
        let order = if descending { Order::Desc } else { Order::Asc };
        (key.column.clone(), order)
    })
}

/// Orders a statement as [`bound`] orders a page (for a page read as a derived table whose
/// alias is its table's name, which the keys' columns name).
pub fn order(
    select: &mut sea_orm::sea_query::SelectStatement,
    keys: &[SortKey],
    req: &PageRequest,
) {
    for (column, order) in directions(keys, req) {
        select.order_by_expr(column, order);
    }
}

/// Turns the `limit + 1` rows read into a page in the requested order.
pub fn finish<M>(mut rows: Vec<M>, req: &PageRequest) -> Page<M> {
    let more = rows.len() as u64 > req.limit;
    rows.truncate(req.limit as usize);
    if req.from_end {
        rows.reverse();
        Page {
            rows,
            has_next_page: req.before.is_some(),
            has_previous_page: more,
        }
    } else {
        Page {
            rows,
            has_next_page: more,
            has_previous_page: req.after.is_some(),
        }
    }
}

/// A column rows can be ordered by, for keyset pages of one table.
pub trait Field: Copy + PartialEq + 'static {
    /// The row type.
    type Model;
    /// The unique id, the tiebreaker of every ordering.
    const ID: Self;
    /// The name used in cursors.
    fn name(self) -> &'static str;
    /// The qualified column.
    fn column(self) -> SimpleExpr;
    /// A row's value of this column.
    fn value(self, row: &Self::Model) -> KeyValue;
}

/// Declares the sort fields of one table, once: the enum the GraphQL order inputs map onto, the
/// services pass on and the store orders and bounds by, with each field's cursor name, column and
/// row value. The variant `Id` (the tiebreaker) must be among them.
macro_rules! sort_fields {
    ($(#[doc = $doc:literal])* $name:ident of $module:ident { $($variant:ident => $label:literal, $column:ident, |$row:ident| $value:expr;)* }) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $(
                #[doc = concat!("`", $label, "`.")]
                $variant,
            )*
        }

        impl $crate::store::page::Field for $name {
            type Model = $module::Model;
            const ID: Self = $name::Id;

            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            fn column(self) -> sea_orm::sea_query::SimpleExpr {
                match self {
                    $($name::$variant => sea_orm::sea_query::Expr::col(($module::Entity, $module::Column::$column)),)*
                }
            }

            fn value(self, row: &$module::Model) -> $crate::store::page::KeyValue {
                match self {
                    $($name::$variant => { let $row = row; $value },)*
                }
            }
        }
    };
}
pub(crate) use sort_fields;

/// An ordering: the requested keys, then the id in the direction of the last one, so the order
/// is total and a cursor names one place in it.
#[derive(Clone, Debug)]
pub struct Ordering<F>(pub Vec<(F, bool)>);

impl<F: Field> Ordering<F> {
    /// The requested keys (most significant first, `true` descending), or `default` when none
    /// were asked for.
    pub fn or(keys: Vec<(F, bool)>, default: Ordering<F>) -> Self {
        if keys.is_empty() {
            default
        } else {
            Ordering(keys)
        }
    }

    fn full(&self) -> Vec<(F, bool)> {
        let mut keys: Vec<(F, bool)> = Vec::new();
        for key in &self.0 {
            if !keys.iter().any(|(f, _)| *f == key.0) {
                keys.push(*key);
            }
        }
        if !keys.iter().any(|(f, _)| *f == F::ID) {
            let descending = keys.last().is_none_or(|k| k.1);
            keys.push((F::ID, descending));
        }
        keys
    }

    /// The text cursors carry, so a cursor of one ordering is refused by another.
    pub fn signature(&self) -> String {
        self.full()
            .iter()
            .map(|(f, desc)| format!("{}:{}", f.name(), if *desc { "DESC" } else { "ASC" }))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The keys to order and bound by.
    pub fn sort_keys(&self) -> Vec<SortKey> {
        self.full()
            .into_iter()
            .map(|(f, descending)| SortKey {
                column: f.column(),
                descending,
            })
            .collect()
    }

    /// A row's cursor values.
    pub fn key_values(&self, row: &F::Model) -> Vec<KeyValue> {
        self.full().into_iter().map(|(f, _)| f.value(row)).collect()
    }
}

/// A page of any table's rows matching `condition`, in `ordering`.
pub async fn read<E, F>(
    db: &impl sea_orm::ConnectionTrait,
    condition: Condition,
    ordering: &Ordering<F>,
    req: &PageRequest,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    F: Field<Model = E::Model>,
{
    let select = bound(E::find().filter(condition), &ordering.sort_keys(), req);
    Ok(finish(select.all(db).await?, req))
}

/// How many rows of a table match `condition`.
pub async fn count<E>(
    db: &impl sea_orm::ConnectionTrait,
    condition: Condition,
) -> Result<i64, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::PaginatorTrait;
    Ok(E::find().filter(condition).count(db).await? as i64)
}

/// The alias of a list's figures beside its page ([`read_with_totals`]); their columns come back
/// named with this and an underscore before each name (`list_totals_count`), clear of the
/// table's own.
pub const TOTALS: &str = "list_totals";

/// A list's figures over all its pages (a count, sums): each a named aggregate.
pub type TotalsColumns = Vec<(&'static str, SimpleExpr)>;

/// A list's row count, its only figure ([`count_columns`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct Count {
    pub count: i64,
}

/// The aggregate of [`Count`].
pub fn count_columns() -> TotalsColumns {
    vec![(
        "count",
        Expr::col(sea_orm::sea_query::Asterisk)
            .count()
            .cast_as("BIGINT"),
    )]
}

/// The statement of a list's figures alone: one row, one column per aggregate of `columns`.
pub fn totals_query<E: sea_orm::EntityTrait>(
    condition: Condition,
    columns: TotalsColumns,
) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QueryTrait;
    let mut select = E::find().select_only();
    for (name, aggregate) in columns {
        select = select.column_as(aggregate, name);
    }
    select.filter(condition).into_query()
}

/// A list's figures alone (when its page is not read, or was empty).
pub async fn totals<E, T>(
    db: &impl sea_orm::ConnectionTrait,
    condition: Condition,
    columns: TotalsColumns,
) -> Result<T, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    T: sea_orm::FromQueryResult + Default,
{
    match db.query_one(&totals_query::<E>(condition, columns)).await? {
        Some(row) => T::from_query_result(&row, ""),
        None => Ok(T::default()),
    }
}

/// A page of any table's rows matching `condition`, in `ordering`, with the whole list's
/// figures (`columns`) read in the same statement: the figures as a one-row derived table
/// joined to the page (`CROSS JOIN (SELECT COUNT(*), … WHERE condition) AS list_totals`), which
/// PostgreSQL and SQLite compute once, leaving the page's own plan (its index order and limit)
/// as it was. One statement and round trip instead of two, and the figures and the page from
/// the same snapshot. An empty page carries no figures: without a cursor the list is empty and
/// its figures are `T::default()` (so each aggregate must be zero over no rows, as `COUNT` and
/// `COALESCE(SUM(…), 0)` are); after or before a cursor they are read alone.
pub async fn read_with_totals<E, F, T>(
    db: &impl sea_orm::ConnectionTrait,
    condition: Condition,
    ordering: &Ordering<F>,
    req: &PageRequest,
    columns: TotalsColumns,
) -> Result<(Page<E::Model>, T), sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    F: Field<Model = E::Model>,
    T: sea_orm::FromQueryResult + Default,
{
    use sea_orm::sea_query::{Alias, IntoIden, TableRef};
    use sea_orm::{FromQueryResult, QueryTrait};
    let names: Vec<&'static str> = columns.iter().map(|(name, _)| *name).collect();
    let figures = totals_query::<E>(condition.clone(), columns.clone());
    let mut query = bound(
        E::find().filter(condition.clone()),
        &ordering.sort_keys(),
        req,
    )
    .into_query();
    query.cross_join(TableRef::SubQuery(
        Box::new(figures),
        Alias::new(TOTALS).into_iden(),
    ));
    for name in names {
        query.expr_as(
            Expr::col((Alias::new(TOTALS), Alias::new(name))),
            Alias::new(format!("{TOTALS}_{name}")),
        );
    }
    let rows = db.query_all(&query).await?;
    let prefix = format!("{TOTALS}_");
    let totals = match rows.first() {
        Some(row) => T::from_query_result(row, &prefix)?,
        // No row at all matches: the figures of nothing (zero, as `T::default()` has them).
        None if req.after.is_none() && req.before.is_none() => T::default(),
        None => totals::<E, T>(db, condition, columns).await?,
    };
    let models = rows
        .iter()
        .map(|row| E::Model::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((finish(models, req), totals))
}
