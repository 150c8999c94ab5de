//! Reading an import file: UTF-8 CSV (a byte-order mark tolerated; `,`, or `;` or a tab as the
//! spreadsheets of the region write it) whose header row names the columns of
//! [`COLUMNS`](super::COLUMNS) in any order. Every cell is read here into a [`Draft`]; what a
//! cell means is checked by [`check_cells`](super::check_cells) and the service.

use birlik_entity::enums::DonationCategory;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveEnum, Iterable};

use super::{COLUMNS, Draft, PointRef, RowError};
use crate::error::{ApiError, ApiResult};
use crate::labels::Label;

/// The columns a file must have.
const REQUIRED: [&str; 3] = ["collectionPointId", "category", "kilograms"];

/// Reads a file into drafts, one per row, with the file's line numbers. A header that names an
/// unknown, repeated or missing column is `Ok(Err(report))` (line 1); more than `max_rows` rows,
/// or a file that is not UTF-8 CSV, is a BAD_USER_INPUT error. `point_id` reads a collection
/// point's global id (anything else in that column is taken for its name).
pub fn parse(
    content: &[u8],
    max_rows: usize,
    point_id: impl Fn(&str) -> Option<i32>,
) -> ApiResult<Result<Vec<Draft>, Vec<RowError>>> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let text = std::str::from_utf8(content)
        .map_err(|_| ApiError::bad_input("body", "the file is not UTF-8 text"))?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(',') {
        b','
    } else if first_line.contains(';') {
        b';'
    } else if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let malformed = |e: ::csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or_default();
        ApiError::bad_input("body", format!("line {line} is not CSV: {e}"))
    };
    let header = reader.headers().map_err(malformed)?.clone();
    let mut columns: Vec<Option<usize>> = vec![None; COLUMNS.len()];
    let mut errors = Vec::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim();
        match COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name)) {
            Some(known) if columns[known].is_some() => {
                errors.push(RowError::new(1, name, "this column is named twice"));
            }
            Some(known) => columns[known] = Some(index),
            None => errors.push(RowError::new(
                1,
                name,
                format!("unknown column; the columns are {}", COLUMNS.join(", ")),
            )),
        }
    }
    for required in REQUIRED {
        let known = COLUMNS
            .iter()
            .position(|c| *c == required)
            .unwrap_or_default();
        if columns[known].is_none() {
            errors.push(RowError::new(1, required, "this column is missing"));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut drafts = Vec::new();
    let (mut line, mut counted_to) = (1, 0);
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        if drafts.len() >= max_rows {
            return Err(too_many_rows(max_rows));
        }
        // The line a record starts on, counted in the text itself: the reader's own count
        // leaves out the blank lines it skips, and people look for the line their editor shows.
        let mut start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(counted_to)
            .clamp(counted_to, text.len());
        // Its position may lie before the blank lines the reader skipped to reach it.
        start += text.as_bytes()[start..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = start;
        // A short row (a spreadsheet drops empty trailing cells) has those cells empty; a long
        // one is refused as a whole.
        let shape = (record.len() > header.len()).then(|| {
            format!(
                "the row has {} fields, the header {}",
                record.len(),
                header.len()
            )
        });
        let cell = |i: usize| {
            columns[i]
                .and_then(|c| record.get(c))
                .map(str::trim)
                .unwrap_or_default()
        };
        drafts.push(Draft {
            line,
            point: required(cell(0)).map(|text| match point_id(text) {
                Some(id) => PointRef::Id(id),
                None => PointRef::Name(text.to_owned()),
            }),
            category: required(cell(1)).and_then(category),
            kilograms: required(cell(2)).and_then(kilograms),
            item_count: optional(cell(3))
                .map(|n| {
                    n.parse::<i32>()
                        .map_err(|_| "not a whole number".to_owned())
                })
                .transpose(),
            description: cell(4).to_owned(),
            donor_name: optional(cell(5)).map(str::to_owned),
            received_at: optional(cell(6)).map(received_at).transpose(),
            shape,
        });
    }
    Ok(Ok(drafts))
}

/// The refusal of a file over the row limit: the one error of `rows` [`parse`] gives.
pub fn too_many_rows(max_rows: usize) -> ApiError {
    ApiError::bad_input("rows", format!("a file holds at most {max_rows} rows"))
}

fn required(cell: &str) -> Result<&str, String> {
    if cell.is_empty() {
        Err("missing".into())
    } else {
        Ok(cell)
    }
}

fn optional(cell: &str) -> Option<&str> {
    Some(cell).filter(|c| !c.is_empty())
}

/// A category by its code (`FOOD`, `drinking_water`) or its name in Kazakh, Russian or English,
/// whatever the case.
pub fn category(cell: &str) -> Result<DonationCategory, String> {
    let wanted = cell.trim().to_lowercase();
    DonationCategory::iter()
        .find(|c| {
            let (kk, ru, en) = c.names();
            c.to_value() == wanted.replace([' ', '-'], "_")
                || [kk, ru, en]
                    .iter()
                    .any(|name| name.to_lowercase() == wanted)
        })
        .ok_or_else(|| {
            format!(
                "unknown category; give a code ({}) or its name in Kazakh, Russian or English",
                DonationCategory::iter()
                    .map(|c| c.to_value().to_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// Kilograms: a decimal number, with a point or (as Russian and Kazakh write it) a comma.
fn kilograms(cell: &str) -> Result<Decimal, String> {
    let text = if cell.contains('.') {
        cell.to_owned()
    } else {
        cell.replacen(',', ".", 1)
    };
    text.parse::<Decimal>()
        .map_err(|_| "not a number of kilograms".to_owned())
}

/// An RFC 3339 time, or a date (`2024-04-08`: its start in Kazakhstan, UTC+5).
fn received_at(cell: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(cell) {
        return Ok(at.with_timezone(&Utc));
    }
    let kazakhstan = FixedOffset::east_opt(5 * 3600).ok_or("no offset")?;
    NaiveDate::parse_from_str(cell, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(kazakhstan).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| "not a date (2024-04-08, or 2024-04-08T10:30:00+05:00)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_read_by_code_or_any_label() {
        assert_eq!(category("FOOD"), Ok(DonationCategory::Food));
        assert_eq!(
            category(" drinking_water "),
            Ok(DonationCategory::DrinkingWater)
        );
        assert_eq!(
            category("Питьевая вода"),
            Ok(DonationCategory::DrinkingWater)
        );
        assert_eq!(category("киім"), Ok(DonationCategory::Clothing));
        assert_eq!(
            category("baby supplies"),
            Ok(DonationCategory::BabySupplies)
        );
        assert!(category("toys").is_err());
    }

    #[test]
    fn lines_are_the_files_and_columns_any_order() {
        let file = "\u{feff}kilograms;category;collectionPointId\n12,5;FOOD;Q29sbGVjdGlvblBvaW50OjE\n\n3;Одежда;Main hall\n";
        let drafts = parse(file.as_bytes(), 10, |s| (s.len() > 20).then_some(1))
            .unwrap()
            .unwrap();
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].line, 2);
        assert_eq!(drafts[0].kilograms, Ok(Decimal::new(125, 1)));
        assert_eq!(drafts[0].point, Ok(PointRef::Id(1)));
        assert_eq!(drafts[1].line, 4);
        assert_eq!(drafts[1].point, Ok(PointRef::Name("Main hall".into())));
    }

    #[test]
    fn unknown_and_missing_columns_are_refused_on_line_one() {
        let report = parse(b"category,kg\nFOOD,1\n", 10, |_| None)
            .unwrap()
            .unwrap_err();
        let columns: Vec<_> = report.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            columns,
            [(1, "kg"), (1, "collectionPointId"), (1, "kilograms")]
        );
        assert!(
            parse(
                b"category,kilograms,collectionPointId\nFOOD,1,a\nFOOD,1,b\n",
                1,
                |_| None
            )
            .is_err()
        );
    }
}
