//! The scalar filter inputs: one per scalar type, each the operators of the one store comparison
//! ([`Cmp`], [`Text`]) that type supports, declared by [`scalar_filter!`] (and [`enum_filter!`]
//! for enums). They only convert: ids decoded, kilograms to grams; the store writes the SQL.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use crate::error::ApiResult;
use crate::graphql::relay;
use crate::mass::Decimal;
use crate::store::filter::{Cmp, Text};

/// Declares a scalar filter input over values of one type: the listed operators of [`Cmp`]
/// (`one` value, `many` values or a `flag`), each with its documentation, and `cmp()`, the
/// comparison it asks for.
macro_rules! scalar_filter {
    (@ty one $v:ty) => { Option<$v> };
    (@ty many $v:ty) => { Option<Vec<$v>> };
    (@ty flag $v:ty) => { Option<bool> };
    ($(#[doc = $doc:literal])* $name:ident($v:ty) { $($(#[$attr:meta])* $op:ident: $kind:ident,)* }) => {
        $(#[doc = $doc])*
        #[derive(async_graphql::InputObject, Clone, Debug, Default)]
        pub struct $name {
            $($(#[$attr])* pub $op: $crate::graphql::filters::scalar_filter!(@ty $kind $v),)*
        }

        impl $name {
            /// The comparison this input asks for, over the values as sent.
            pub fn cmp(self) -> $crate::store::filter::Cmp<$v> {
                let mut cmp = $crate::store::filter::Cmp::default();
                $(cmp.$op = self.$op;)*
                cmp
            }
        }
    };
}
pub(crate) use scalar_filter;

/// Declares the filter input of a GraphQL enum (`eq`, `ne`, `in`, `notIn`), compared by the
/// stored enum it converts into.
macro_rules! enum_filter {
    ($name:ident, $enum:ty, $stored:ty, $doc:literal) => {
        $crate::graphql::filters::scalar_filter!(
            #[doc = $doc]
            $name($enum) {
                /// Equal to.
                eq: one,
                /// Not equal to.
                ne: one,
                /// One of.
                #[graphql(name = "in")]
                is_in: many,
                /// None of.
                not_in: many,
            }
        );

        impl $name {
            /// The comparison over the stored enum.
            pub fn stored(self) -> $crate::store::filter::Cmp<$stored> {
                self.cmp().map(<$stored>::from)
            }
        }
    };
}
pub(crate) use enum_filter;

scalar_filter!(
    /// Compares an integer.
    IntFilter(i64) {
        /// Equal to.
        eq: one,
        /// Not equal to.
        ne: one,
        /// One of.
        #[graphql(name = "in")]
        is_in: many,
        /// None of.
        not_in: many,
        /// Less than.
        lt: one,
        /// Less than or equal to.
        lte: one,
        /// Greater than.
        gt: one,
        /// Greater than or equal to.
        gte: one,
        /// Absent (true) or present (false).
        is_null: flag,
    }
);

scalar_filter!(
    /// Compares a mass in kilograms (exact decimals; numbers or strings).
    MassFilter(Decimal) {
        /// Equal to.
        eq: one,
        /// Not equal to.
        ne: one,
        /// One of.
        #[graphql(name = "in")]
        is_in: many,
        /// None of.
        not_in: many,
        /// Less than.
        lt: one,
        /// Less than or equal to.
        lte: one,
        /// Greater than.
        gt: one,
        /// Greater than or equal to.
        gte: one,
    }
);

impl MassFilter {
    /// The comparison in grams, through the one checked conversion of a client's mass; a mass
    /// out of range is a bad `field`.
    pub fn grams(self, field: &'static str) -> ApiResult<Cmp<i64>> {
        self.cmp().try_map(|kg| crate::mass::grams_of(field, kg.0))
    }
}

scalar_filter!(
    /// Compares an instant (RFC 3339).
    DateTimeFilter(DateTime<Utc>) {
        /// At.
        eq: one,
        /// Not at.
        ne: one,
        /// One of.
        #[graphql(name = "in")]
        is_in: many,
        /// None of.
        not_in: many,
        /// Before.
        lt: one,
        /// At or before.
        lte: one,
        /// After.
        gt: one,
        /// At or after.
        gte: one,
        /// Absent (true) or present (false).
        is_null: flag,
    }
);

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
    /// The text comparison this input asks for.
    pub fn text(self) -> Text {
        Text {
            cmp: Cmp {
                eq: self.eq,
                ne: self.ne,
                is_in: self.is_in,
                not_in: self.not_in,
                is_null: self.is_null,
                ..Cmp::default()
            },
            contains: self.contains,
            starts_with: self.starts_with,
        }
    }
}

scalar_filter!(
    /// Compares a global object id of one type.
    IdFilter(ID) {
        /// Equal to.
        eq: one,
        /// Not equal to.
        ne: one,
        /// One of.
        #[graphql(name = "in")]
        is_in: many,
        /// None of.
        not_in: many,
    }
);

impl IdFilter {
    /// The comparison of row ids; an id of another type than `kind`, or no id at all, is a bad
    /// `field`.
    pub fn rows(self, kind: &str, field: &'static str) -> ApiResult<Cmp<i32>> {
        self.cmp().try_map(|id| relay::decode(kind, field, &id))
    }
}

scalar_filter!(
    /// Compares a yes/no value.
    BooleanFilter(bool) {
        /// Equal to.
        eq: one,
        /// Not equal to.
        ne: one,
    }
);
