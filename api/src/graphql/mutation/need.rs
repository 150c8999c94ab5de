//! `raiseNeed`, `closeNeed`, `cancelNeed`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::enums::DonationCategory;
use crate::graphql::types::need::{Need, NeedCloseReason, NeedPriority};
use crate::mass::Decimal;
use crate::services;

/// Kilograms of one category a need asks for.
#[derive(InputObject)]
pub struct NeedLineInput {
    /// What is needed (each category at most once in a need).
    pub category: DonationCategory,
    /// How much, in kilograms, exact to the gram (more than 0, at most 1,000,000).
    pub kilograms: Decimal,
}

/// A need to raise.
#[derive(InputObject)]
pub struct RaiseNeedInput {
    /// The affected region it is for (`KZ-23`).
    pub region_code: String,
    /// The settlement, district or shelter it is for (at most 200 characters).
    pub place: String,
    /// A shelter of that region it is for, if any.
    pub shelter_id: Option<ID>,
    /// How urgent it is.
    pub priority: NeedPriority,
    /// When it is needed by.
    pub needed_by: DateTime<Utc>,
    /// A phone to call about it. Personal data.
    pub contact_phone: Option<String>,
    /// Anything the senders should know (at most 2,000 characters).
    pub note: Option<String>,
    /// What is needed: 1 to 10 lines, one per category.
    pub lines: Vec<NeedLineInput>,
    /// A key of the client's choosing (a UUID): retrying with the same key never raises twice.
    pub idempotency_key: String,
}

/// A need after a change.
#[derive(SimpleObject)]
pub struct NeedPayload {
    /// The need as it now stands.
    pub need: Need,
}

#[derive(Default)]
pub struct NeedMutation;

fn need_id(id: &ID) -> ApiResult<i32> {
    relay::decode("Need", "needId", id)
}

#[Object]
impl NeedMutation {
    /// Records what an affected place needs, category by category (staff of a verified
    /// organization with a collection point or its headquarters in the region, and the ministry).
    /// Refused, with nothing written, for a region that is not affected.
    async fn raise_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need to raise.")] input: RaiseNeedInput,
    ) -> async_graphql::Result<NeedPayload> {
        let (rc, deps) = ctx.request();
        let raising = services::need::Raising {
            region_code: input.region_code,
            place: input.place,
            shelter_id: input
                .shelter_id
                .as_ref()
                .map(|id| relay::decode("Shelter", "input.shelterId", id))
                .transpose()
                .extend()?,
            priority: input.priority.into(),
            needed_by: input.needed_by,
            contact_phone: input.contact_phone,
            note: input.note,
            lines: input
                .lines
                .into_iter()
                .map(|l| (l.category.into(), l.kilograms.0))
                .collect(),
        };
        let need = services::need::raise(rc, deps, raising, Some(&input.idempotency_key))
            .await
            .extend()?;
        Ok(NeedPayload { need: Need(need) })
    }

    /// Closes an open need, met or no longer needed (the raising organization's staff or the
    /// ministry); what was allocated to it still arrives. A stale `expectedVersion` is refused
    /// with CONFLICT and the current need in `extensions.current`.
    async fn close_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need.")] need_id: ID,
        #[graphql(desc = "Why it is closed.")] reason: NeedCloseReason,
        #[graphql(desc = "The need's version the client last saw.")] expected_version: i32,
    ) -> async_graphql::Result<NeedPayload> {
        let (rc, deps) = ctx.request();
        let id = self::need_id(&need_id).extend()?;
        let need = services::need::close(rc, deps, id, reason.into(), expected_version)
            .await
            .extend()?;
        Ok(NeedPayload { need: Need(need) })
    }

    /// Cancels an open need raised in error (the raising organization's staff or the ministry).
    /// A stale `expectedVersion` is refused with CONFLICT.
    async fn cancel_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The need.")] need_id: ID,
        #[graphql(desc = "The need's version the client last saw.")] expected_version: i32,
    ) -> async_graphql::Result<NeedPayload> {
        let (rc, deps) = ctx.request();
        let id = self::need_id(&need_id).extend()?;
        let need = services::need::cancel(rc, deps, id, expected_version)
            .await
            .extend()?;
        Ok(NeedPayload { need: Need(need) })
    }
}
