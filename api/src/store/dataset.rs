//! Bulk loads of rows that come with their own ids (the demo data set), and the check that a
//! database holds nothing but reference data. Each table's `insert_many` is a named entry into
//! [`insert_with_ids`]; no rule is decided here.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, Iterable,
    Statement,
};

/// True when no table beyond the reference regions holds a row.
pub async fn holds_only_reference_data(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let stmt = Statement::from_string(
        db.get_database_backend(),
        "SELECT CAST((SELECT COUNT(*) FROM organization) + (SELECT COUNT(*) FROM volunteer) \
         + (SELECT COUNT(*) FROM user_account) + (SELECT COUNT(*) FROM donation) \
         + (SELECT COUNT(*) FROM shipment) + (SELECT COUNT(*) FROM task) AS BIGINT) AS n",
    );
    let row = db
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("no row from a count".into()))?;
    Ok(row.try_get::<i64>("", "n")? == 0)
}

/// Inserts rows that carry their ids, in batches that stay under SQLite's and PostgreSQL's
/// bound-parameter limits; on PostgreSQL the table's identity sequence then moves past them.
pub async fn insert_with_ids<A>(
    db: &impl ConnectionTrait,
    rows: Vec<<A::Entity as EntityTrait>::Model>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + From<<A::Entity as EntityTrait>::Model> + Send,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count();
    let batch = (30_000 / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows
            .by_ref()
            .take(batch)
            .map(|m| A::from(m).reset_all())
            .collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    if db.get_database_backend() == DbBackend::Postgres {
        let table = <A::Entity as Default>::default().table_name().to_owned();
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        ))
        .await?;
    }
    Ok(())
}
