//! The one error type of services and resolvers, and how it crosses into GraphQL: a stable
//! `extensions.code`, a message fit for a client, and never SQL or a stack trace (internal causes
//! are logged under an `errorId` that the client receives instead). `graphql::errors` renders it;
//! a CONFLICT's `current` is a typed [`Current`], so services build it without knowing GraphQL.

pub use async_graphql::ErrorExtensions;
use birlik_entity::enums::{NeedStatus, ShipmentStatus, TaskStatus};
use chrono::{DateTime, Utc};
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// What went wrong, in the terms a client can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    BadUserInput {
        field: Option<&'static str>,
        message: String,
    },
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("{message}")]
    Conflict {
        message: String,
        current: Option<Current>,
    },
    #[error("too many requests")]
    RateLimited { retry_after_s: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// The record a CONFLICT was about, as it is now: what the client needs to retry or merge. The
/// GraphQL layer renders it (`graphql::errors`), with global ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Current {
    /// A task's status, places and version.
    Task {
        id: i32,
        status: TaskStatus,
        volunteers_needed: i32,
        volunteers_assigned: i32,
        version: i32,
        updated_at: DateTime<Utc>,
    },
    /// A shipment's status and version.
    Shipment {
        id: i32,
        status: ShipmentStatus,
        version: i32,
    },
    /// A shipment's status and version, without its id (a move from the wrong status).
    ShipmentState {
        status: ShipmentStatus,
        version: i32,
    },
    /// An organization's version and whether it is verified.
    Organization {
        id: i32,
        version: i32,
        verified: bool,
    },
    /// The donation that refused the change.
    Donation { id: i32 },
    /// A donation's stock as it is now: its grams, shipped, written off, still on hand, and its
    /// version (what a write-off of more than is on hand is refused with).
    Stock {
        id: i32,
        grams: i64,
        shipped_grams: i64,
        written_off_grams: i64,
        remaining_grams: i64,
        version: i32,
    },
    /// A volunteer's request to join an organization: the volunteer and the request's version.
    MembershipRequest { volunteer_id: i32, version: i32 },
    /// A need's status and version.
    Need {
        id: i32,
        status: NeedStatus,
        version: i32,
        updated_at: DateTime<Utc>,
    },
    /// A shelter's status and version.
    Shelter {
        id: i32,
        status: birlik_entity::enums::ShelterStatus,
        version: i32,
    },
    /// The need line a shipment item could not serve: its need's status and, when the line had
    /// not the kilograms left, its requested and allocated grams.
    NeedLine {
        id: i32,
        need_status: NeedStatus,
        requested_grams: Option<i64>,
        allocated_grams: Option<i64>,
    },
}

/// The result of every service call.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// The `extensions.code` clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::BadUserInput { .. } => "BAD_USER_INPUT",
            ApiError::NotFound { .. } => "NOT_FOUND",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
            ApiError::Unavailable => "SERVICE_UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// A bad argument, named.
    pub fn bad_input(field: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadUserInput {
            field: Some(field),
            message: message.into(),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return ApiError::Conflict {
                    message: "that record already exists".into(),
                    current: None,
                };
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return ApiError::BadUserInput {
                    field: None,
                    message: "a referenced record does not exist".into(),
                };
            }
            _ => {}
        }
        if is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            return ApiError::Unavailable;
        }
        ApiError::Internal(anyhow::Error::new(err))
    }
}

/// A lost, refused or exhausted connection: the database is away, not the request wrong.
pub(crate) fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            connection_lost(e)
        }
        _ => false,
    }
}

/// The connection broke or the server refuses work for now: I/O, a closed or exhausted pool,
/// PostgreSQL's connection exceptions (class 08), operator intervention (57P01 shutdown, 57P02
/// crash, 57P03 cannot connect now, 57014 a statement cancelled: its request ran out of time)
/// and too many connections (53300), SQLite's busy lock and its interrupt (the same timeout).
fn connection_lost(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            code.starts_with("08")
                || code.starts_with("57P")
                || code == "57014"
                || code == "53300"
                || db.message().contains("database is locked")
                || db.message() == "interrupted"
        }
        other => other
            .to_string()
            .contains("error communicating with database"),
    }
}

/// Turns a service result into a resolver result with the error's code attached.
pub trait ResultExt<T> {
    /// `services::x::y(..).await.extend()?` in every resolver.
    fn extend(self) -> async_graphql::Result<T>;
}

impl<T> ResultExt<T> for ApiResult<T> {
    fn extend(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

/// A whole-request error (raised outside any resolver: no path) with its code, and any further
/// extensions `more` sets.
pub fn request_error(
    message: impl Into<String>,
    code: &str,
    more: impl FnOnce(&mut async_graphql::ErrorExtensionValues),
) -> async_graphql::ServerError {
    let mut err = async_graphql::ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    more(&mut ext);
    err.extensions = Some(ext);
    err
}
