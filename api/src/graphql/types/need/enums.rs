//! The GraphQL enums of needs (SCREAMING_SNAKE_CASE on the wire).

use async_graphql::Enum;
use birlik_entity::enums;

use crate::store::need::Fulfilment;

/// How urgent a need is, from URGENT to LOW.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::NeedPriority")]
pub enum NeedPriority {
    /// Lives depend on it now.
    Urgent,
    /// Needed within days.
    High,
    /// Needed soon.
    Medium,
    /// Welcome when it comes.
    Low,
}

/// Where a need stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::NeedStatus")]
pub enum NeedStatus {
    /// Still asked for.
    Open,
    /// Met, or no longer needed (`closeReason` says which).
    Closed,
    /// Called off (raised in error).
    Cancelled,
}

/// Why a need was closed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::NeedCloseReason")]
pub enum NeedCloseReason {
    /// What was asked for arrived, or enough of it.
    Met,
    /// The place no longer needs it.
    NoLongerNeeded,
}

/// How far a need or one of its lines is met, from what has been delivered.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedFulfilment {
    /// Nothing delivered yet.
    None,
    /// Something delivered, not all of it.
    Partial,
    /// Everything asked for delivered.
    Complete,
}

impl From<Fulfilment> for NeedFulfilment {
    fn from(f: Fulfilment) -> Self {
        match f {
            Fulfilment::None => NeedFulfilment::None,
            Fulfilment::Partial => NeedFulfilment::Partial,
            Fulfilment::Complete => NeedFulfilment::Complete,
        }
    }
}

impl From<NeedFulfilment> for Fulfilment {
    fn from(f: NeedFulfilment) -> Self {
        match f {
            NeedFulfilment::None => Fulfilment::None,
            NeedFulfilment::Partial => Fulfilment::Partial,
            NeedFulfilment::Complete => Fulfilment::Complete,
        }
    }
}
