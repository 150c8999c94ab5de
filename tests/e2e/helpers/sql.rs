//! Direct SQL on a test database, to check what the API answers.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// The first column of the first row, as an integer.
pub async fn int(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .unwrap_or_else(|| panic!("no row: {sql}"));
    integer(&row)
}

/// An integer column of either width (PostgreSQL tells `integer` from `bigint`).
fn integer(row: &sea_orm::QueryResult) -> i64 {
    row.try_get_by_index::<i64>(0)
        .or_else(|_| row.try_get_by_index::<i32>(0).map(i64::from))
        .unwrap()
}

/// The first column of every row, as integers.
pub async fn ints(db: &DatabaseConnection, sql: &str) -> Vec<i64> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .iter()
        .map(integer)
        .collect()
}

/// Exact decimal text ("1122.416") → thousandths ("kilograms" → grams, "tonnes" → kilograms).
pub fn thousandths(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 3, "more than three decimals: {text}");
    whole.parse::<i64>().unwrap() * 1000 + format!("{frac:0<3}").parse::<i64>().unwrap()
}

/// The first column of the first row, as text.
pub async fn text(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .unwrap_or_else(|| panic!("no row: {sql}"));
    row.try_get_by_index::<String>(0).unwrap()
}
