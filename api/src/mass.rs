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

/// A client's kilograms as exact grams: the one conversion every mass a client sends goes
/// through (inputs and filters), so none can overflow or lose a fraction. Refuses, naming
/// `field`, a value finer than a gram or beyond what grams in an `i64` hold; the sign is kept
/// (callers that need a positive mass check it).
pub fn grams_of(field: &'static str, kilograms: Inner) -> crate::error::ApiResult<i64> {
    use crate::error::ApiError;
    let out_of_range = || ApiError::bad_input(field, "kilograms out of range");
    let grams = kilograms
        .checked_mul(Inner::from(1000))
        .ok_or_else(out_of_range)?;
    if !grams.fract().is_zero() {
        return Err(ApiError::bad_input(
            field,
            "kilograms are exact to the gram (3 decimals)",
        ));
    }
    i64::try_from(grams).map_err(|_| out_of_range())
}

/// Grams as exact kilograms.
pub fn kilograms(grams: i64) -> Decimal {
    Decimal(Inner::new(grams, 3).normalize())
}

/// Grams as exact tonnes.
pub fn tonnes(grams: i64) -> Decimal {
    Decimal(Inner::new(grams, 6).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kilograms_become_grams_without_overflow() {
        assert_eq!(grams_of("k", Inner::new(12_505, 3)).unwrap(), 12_505);
        assert_eq!(grams_of("k", Inner::new(-2, 0)).unwrap(), -2_000);
        assert!(
            grams_of("k", Inner::new(1, 4)).is_err(),
            "finer than a gram"
        );
        for huge in [Inner::MAX, Inner::MIN, Inner::MAX / Inner::from(999)] {
            assert!(grams_of("k", huge).is_err(), "{huge} overflows");
        }
        // Past i64 once in grams, though the Decimal itself holds it.
        assert!(grams_of("k", Inner::from(i64::MAX / 100)).is_err());
    }
}
