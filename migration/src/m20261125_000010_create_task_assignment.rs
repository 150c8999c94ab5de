//! Task assignments: one volunteer's claim on one task, claimed → in progress → done, or released.
//! A volunteer holds at most one live claim per task (a partial unique index: released claims stay
//! on record beside a later claim).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, pk_auto, string, string_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::common::{fk, index, one_of, sync_columns};

#[derive(DeriveIden)]
enum TaskAssignment {
    Table,
    Id,
    TaskId,
    VolunteerId,
    Status,
    ClaimedAt,
    StartedAt,
    FinishedAt,
    ReleasedAt,
    ReleaseReason,
}

#[derive(DeriveIden)]
enum Task {
    Table,
}

#[derive(DeriveIden)]
enum Volunteer {
    Table,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let status = |s: &str| Expr::col(TaskAssignment::Status).eq(s);
        let set = |c: TaskAssignment| Expr::col(c).is_not_null();
        let mut table = Table::create();
        table
            .table(TaskAssignment::Table)
            .col(pk_auto(TaskAssignment::Id))
            .col(integer(TaskAssignment::TaskId))
            .col(integer(TaskAssignment::VolunteerId))
            .col(string(TaskAssignment::Status).default("claimed"))
            .col(timestamp_with_time_zone(TaskAssignment::ClaimedAt))
            .col(timestamp_with_time_zone_null(TaskAssignment::StartedAt))
            .col(timestamp_with_time_zone_null(TaskAssignment::FinishedAt))
            .col(timestamp_with_time_zone_null(TaskAssignment::ReleasedAt))
            .col(string_null(TaskAssignment::ReleaseReason))
            .check((
                "task_assignment_status_known",
                one_of(
                    TaskAssignment::Status,
                    &["claimed", "in_progress", "done", "released"],
                ),
            ))
            .check((
                "task_assignment_release_reason_known",
                Expr::col(TaskAssignment::ReleaseReason)
                    .is_null()
                    .or(one_of(
                        TaskAssignment::ReleaseReason,
                        &["volunteer", "not_started", "task_cancelled"],
                    )),
            ))
            .check((
                "task_assignment_status_timestamps",
                status("released")
                    .eq(set(TaskAssignment::ReleasedAt))
                    .and(
                        status("in_progress")
                            .not()
                            .or(set(TaskAssignment::StartedAt)),
                    )
                    .and(status("done").eq(set(TaskAssignment::FinishedAt))),
            ))
            .foreign_key(&mut fk(
                TaskAssignment::Table,
                TaskAssignment::TaskId,
                Task::Table,
            ))
            .foreign_key(&mut fk(
                TaskAssignment::Table,
                TaskAssignment::VolunteerId,
                Volunteer::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        manager
            .create_index(index(
                TaskAssignment::Table,
                &["volunteer_id", "updated_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(TaskAssignment::Table, &["task_id"], false))
            .await?;
        // sea-query builds no partial index; this statement reads the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX task_assignment_live_claim_key \
                 ON task_assignment (task_id, volunteer_id) WHERE status <> 'released'",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaskAssignment::Table).to_owned())
            .await
    }
}
