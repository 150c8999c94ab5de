//! Checks of input values at the edge: each names the field it refuses.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

use crate::error::{ApiError, ApiResult};

/// Heaviest single donation or item accepted: 1,000 tonnes.
pub const MAX_GRAMS: i64 = 1_000_000_000;

/// Kilograms → grams: positive, at most [`MAX_GRAMS`], exact to the gram.
pub fn grams(field: &'static str, kilograms: Decimal) -> ApiResult<i64> {
    let g = crate::mass::grams_of(field, kilograms)?;
    if g <= 0 {
        return Err(ApiError::bad_input(field, "kilograms must be more than 0"));
    }
    if g > MAX_GRAMS {
        return Err(ApiError::bad_input(
            field,
            "kilograms must be at most 1,000,000 (1,000 t)",
        ));
    }
    Ok(g)
}

/// Text that is present (after trimming), at most `max` characters, without NUL or control
/// characters other than newlines and tabs.
pub fn text(field: &'static str, value: &str, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    optional_text(field, Some(value), max).map(|v| v.unwrap_or_default())
}

/// Like [`text`], but absent or blank is `None`.
pub fn optional_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> ApiResult<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::bad_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(value.to_owned()))
}

/// A Kazakhstan mobile number in E.164 (`+77011234567`), from what people type
/// (`8 701 123 45 67`, `+7 (701) 123-45-67`).
pub fn phone(field: &'static str, value: &str) -> ApiResult<String> {
    let digits: String = value.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = match digits.len() {
        11 if digits.starts_with('7') || digits.starts_with('8') => &digits[1..],
        10 => &digits[..],
        _ => {
            return Err(ApiError::bad_input(
                field,
                "not a Kazakhstan phone number (+7 7XX XXX XX XX)",
            ));
        }
    };
    if !value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        || !national.starts_with('7')
    {
        return Err(ApiError::bad_input(
            field,
            "not a Kazakhstan phone number (+7 7XX XXX XX XX)",
        ));
    }
    Ok(format!("+7{national}"))
}

/// A lower-cased email address of plausible shape.
pub fn email(field: &'static str, value: &str) -> ApiResult<String> {
    let value = value.trim().to_lowercase();
    let valid = value.len() <= 254
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(ApiError::bad_input(field, "not an email address"));
    }
    Ok(value)
}

/// An instant that is not in the future (a few minutes of clock skew allowed) nor before 2000.
pub fn past(field: &'static str, at: DateTime<Utc>) -> ApiResult<DateTime<Utc>> {
    if at > Utc::now() + Duration::minutes(5) {
        return Err(ApiError::bad_input(field, "must not be in the future"));
    }
    if at.timestamp() < 946_684_800 {
        return Err(ApiError::bad_input(field, "must be after 2000"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_or_refused() {
        assert_eq!(phone("p", "8 701 123 45 67").unwrap(), "+77011234567");
        assert_eq!(phone("p", "+7 (701) 123-45-67").unwrap(), "+77011234567");
        assert!(phone("p", "+1 555 123 4567").is_err());
        assert!(phone("p", "7011234567x").is_err());
    }

    #[test]
    fn masses_are_positive_exact_and_bounded() {
        assert_eq!(grams("k", Decimal::new(12_505, 3)).unwrap(), 12_505);
        assert!(grams("k", Decimal::ZERO).is_err());
        assert!(grams("k", Decimal::new(-1, 0)).is_err());
        assert!(grams("k", Decimal::new(1, 4)).is_err());
        assert!(grams("k", Decimal::new(2_000_000, 0)).is_err());
    }

    #[test]
    fn text_is_trimmed_bounded_and_clean() {
        assert_eq!(text("t", "  flour ", 10).unwrap(), "flour");
        assert!(text("t", "   ", 10).is_err());
        assert!(text("t", "a\0b", 10).is_err());
        assert!(grams("k", Decimal::MAX).is_err(), "no overflow");
        assert!(text("t", "ab", 1).is_err());
    }
}
