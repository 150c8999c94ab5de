//! The SQL of the analysts' filters: one scalar comparison ([`Cmp`], [`Text`]) and one boolean
//! tree ([`Tree`]) for every list, over each entity's typed leaves (`store::shipment::Where`,
//! `store::donation::Where`, …). Callers hand in checked values (ids decoded, masses in grams);
//! nothing here refuses input, and nothing is filtered in memory: a tree becomes one `WHERE`.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{Condition, DbBackend, Value};

/// The comparisons of one column, ANDed; absent ones compare nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct Cmp<V> {
    /// Equal to.
    pub eq: Option<V>,
    /// Not equal to.
    pub ne: Option<V>,
    /// One of.
    pub is_in: Option<Vec<V>>,
    /// None of.
    pub not_in: Option<Vec<V>>,
    /// Less than.
    pub lt: Option<V>,
    /// Less than or equal to.
    pub lte: Option<V>,
    /// Greater than.
    pub gt: Option<V>,
    /// Greater than or equal to.
    pub gte: Option<V>,
    /// Absent (true) or present (false).
    pub is_null: Option<bool>,
}

impl<V> Default for Cmp<V> {
    fn default() -> Self {
        Cmp {
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

impl<V> Cmp<V> {
    /// The same comparisons over values converted by `f`; the first error stops.
    pub fn try_map<W, E>(self, mut f: impl FnMut(V) -> Result<W, E>) -> Result<Cmp<W>, E> {
        let eq = self.eq.map(&mut f).transpose()?;
        let ne = self.ne.map(&mut f).transpose()?;
        let is_in = match self.is_in {
            Some(vs) => Some(vs.into_iter().map(&mut f).collect::<Result<_, E>>()?),
            None => None,
        };
        let not_in = match self.not_in {
            Some(vs) => Some(vs.into_iter().map(&mut f).collect::<Result<_, E>>()?),
            None => None,
        };
        Ok(Cmp {
            eq,
            ne,
            is_in,
            not_in,
            lt: self.lt.map(&mut f).transpose()?,
            lte: self.lte.map(&mut f).transpose()?,
            gt: self.gt.map(&mut f).transpose()?,
            gte: self.gte.map(&mut f).transpose()?,
            is_null: self.is_null,
        })
    }

    /// The same comparisons over values converted by `f`.
    pub fn map<W>(self, mut f: impl FnMut(V) -> W) -> Cmp<W> {
        match self.try_map(|v| Ok::<_, std::convert::Infallible>(f(v))) {
            Ok(cmp) => cmp,
            Err(never) => match never {},
        }
    }
}

impl<V: Into<Value>> Cmp<V> {
    /// The condition on `column`.
    pub fn condition(self, column: SimpleExpr) -> Condition {
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

impl<V: sea_orm::ActiveEnum<Value = String>> Cmp<V> {
    /// The condition on an enum `column`, compared by the values it stores.
    pub fn enum_condition(self, column: SimpleExpr) -> Condition {
        self.map(|v| v.to_value()).condition(column)
    }
}

/// Comparisons of text (case-sensitive), ANDed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    /// Equality, membership and absence.
    pub cmp: Cmp<String>,
    /// Contains this text.
    pub contains: Option<String>,
    /// Starts with this text.
    pub starts_with: Option<String>,
}

impl Text {
    /// The condition on `column` on `backend`'s database.
    pub fn condition(self, column: SimpleExpr, backend: DbBackend) -> Condition {
        let mut all = self.cmp.condition(column.clone());
        // Position of the text in the column: 0 absent, 1 at the start. Case-sensitive on both
        // databases, and free of LIKE's wildcards.
        let position = |needle: String| match backend {
            DbBackend::Postgres => {
                Expr::cust_with_exprs("strpos($1, $2)", [column.clone(), Expr::val(needle)])
            }
            _ => Expr::cust_with_exprs("instr(?, ?)", [column.clone(), Expr::val(needle)]),
        };
        if let Some(needle) = self.contains {
            all = all.add(Expr::expr(position(needle)).gt(0));
        }
        if let Some(prefix) = self.starts_with {
            all = all.add(Expr::expr(position(prefix)).eq(1));
        }
        all
    }
}

/// `column IN (SELECT id FROM region WHERE code …)`: filters by region code without a join.
pub fn region_code(column: SimpleExpr, code: Text, backend: DbBackend) -> Condition {
    use birlik_entity::region;
    use sea_orm::EntityName;
    let codes = Query::select()
        .column(region::Column::Id)
        .from(region::Entity.table_ref())
        .cond_where(code.condition(Expr::col(region::Column::Code), backend))
        .to_owned();
    Condition::all().add(Expr::expr(column).in_subquery(codes))
}

/// One condition on a row of some table: an entity's typed filter leaf.
pub trait Leaf {
    /// The SQL condition on `backend`'s database.
    fn condition(self, backend: DbBackend) -> Condition;
}

/// A boolean combination of leaves.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree<L> {
    /// All of these (none: every row).
    All(Vec<Tree<L>>),
    /// Any of these (none: no row).
    Any(Vec<Tree<L>>),
    /// Not this.
    Not(Box<Tree<L>>),
    /// One condition.
    Leaf(L),
}

impl<L> Default for Tree<L> {
    fn default() -> Self {
        Tree::All(Vec::new())
    }
}

impl<L> Tree<L> {
    /// Whether every leaf of the tree passes `test` (a tree of none does).
    pub fn every_leaf(&self, test: &impl Fn(&L) -> bool) -> bool {
        match self {
            Tree::All(trees) | Tree::Any(trees) => trees.iter().all(|t| t.every_leaf(test)),
            Tree::Not(tree) => tree.every_leaf(test),
            Tree::Leaf(leaf) => test(leaf),
        }
    }
}

impl<L: Leaf> Tree<L> {
    /// The SQL condition the tree stands for on `backend`'s database.
    pub fn condition(self, backend: DbBackend) -> Condition {
        match self {
            Tree::All(trees) => trees
                .into_iter()
                .fold(Condition::all(), |all, t| all.add(t.condition(backend))),
            Tree::Any(trees) => trees
                .into_iter()
                .fold(Condition::any(), |any, t| any.add(t.condition(backend))),
            Tree::Not(tree) => tree.condition(backend).not(),
            Tree::Leaf(leaf) => leaf.condition(backend),
        }
    }
}

/// The condition of a filter on `db`'s database: the value handed across to the services, which
/// AND it with the caller's scope.
pub fn condition<L: Leaf>(db: &impl sea_orm::ConnectionTrait, tree: Tree<L>) -> Condition {
    tree.condition(db.get_database_backend())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_map_converts_every_value_and_stops_at_the_first_error() {
        let cmp = Cmp {
            eq: Some(1),
            is_in: Some(vec![2, 3]),
            is_null: Some(false),
            ..Cmp::default()
        };
        let doubled = cmp.clone().map(|v| v * 2);
        assert_eq!(doubled.eq, Some(2));
        assert_eq!(doubled.is_in, Some(vec![4, 6]));
        assert_eq!(doubled.is_null, Some(false));
        let refused = cmp.try_map(|v| if v == 3 { Err(v) } else { Ok(v) });
        assert_eq!(refused, Err(3));
    }
}
