//! Mass: stored as exact integer grams, served as exact decimal kilograms and tonnes.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use rust_decimal::Decimal as Inner;

/// An exact decimal number, written as a JSON string (`"10520"`, `"0.25"`) so that no client
/// parses it into a float; accepted as a string or a number literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Decimal(pub Inner);

/// Exact decimal number, serialized as a string such as "10520" or "0.25". Inputs accept a string
/// or a number literal.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        read(&value)
            .map(Decimal)
            .ok_or_else(|| InputValueError::custom("expected a decimal number"))
    }

    /// Checked during validation, so a value that is no decimal (`"NaN"`, `1e40`, `true`) is
    /// refused before anything runs, with the argument and input field it was given for.
    fn is_valid(value: &Value) -> bool {
        read(value).is_some()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.normalize().to_string())
    }
}

fn read(value: &Value) -> Option<Inner> {
    match value {
        Value::String(s) => s.trim().parse::<Inner>().ok(),
        Value::Number(n) => n.to_string().parse::<Inner>().ok(),
        _ => None,
    }
}

/// Grams as exact kilograms.
pub fn kilograms(grams: i64) -> Decimal {
    Decimal(Inner::new(grams, 3).normalize())
}

/// Grams as exact tonnes.
pub fn tonnes(grams: i64) -> Decimal {
    Decimal(Inner::new(grams, 6).normalize())
}
