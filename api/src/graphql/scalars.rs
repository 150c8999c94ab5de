//! Scalars of our own.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("expected YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Checked during validation, so a bad date is refused before anything runs, naming the
    /// argument it was given for.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl Date {
    /// From the `YYYY-MM-DD` text SQL returns.
    pub fn from_sql(text: &str) -> Option<Self> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Date)
    }
}
