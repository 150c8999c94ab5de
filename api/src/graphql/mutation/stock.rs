//! `writeOffStock`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::enums::WriteOffReason;
use crate::graphql::types::stock::WriteOff;
use crate::mass::Decimal;
use crate::services;

/// Kilograms of a donation to take out of stock.
#[derive(InputObject)]
pub struct WriteOffInput {
    /// The donation they come from (your organization's; any for the ministry).
    pub donation_id: ID,
    /// Kilograms, exact to the gram: more than 0, and at most what is still on hand.
    pub kilograms: Decimal,
    /// Why they leave stock.
    pub reason: WriteOffReason,
    /// What happened, in a few words.
    pub note: Option<String>,
    /// A key of the client's choosing (a UUID): retrying with the same key never writes off twice.
    pub idempotency_key: String,
}

/// The recorded write-off.
#[derive(SimpleObject)]
pub struct WriteOffStockPayload {
    /// The write-off as recorded; its donation shows the stock left.
    pub write_off: WriteOff,
}

#[derive(Default)]
pub struct StockMutation;

#[Object]
impl StockMutation {
    /// Takes kilograms of a donation out of stock without shipping them (damaged, expired, lost,
    /// handed out at the point, returned to the donor): the staff of its organization, once
    /// verified, and the ministry. More than is on hand is refused with CONFLICT and the
    /// donation's current figures in `extensions.current`; nothing is written.
    async fn write_off_stock(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write off.")] input: WriteOffInput,
    ) -> async_graphql::Result<WriteOffStockPayload> {
        let (rc, deps) = ctx.request();
        let write_off = services::stock::WriteOff {
            donation_id: relay::decode("Donation", "input.donationId", &input.donation_id)
                .extend()?,
            kilograms: input.kilograms.0,
            reason: input.reason.into(),
            note: input.note,
        };
        let row = services::stock::write_off(rc, deps, write_off, Some(&input.idempotency_key))
            .await
            .extend()?;
        Ok(WriteOffStockPayload {
            write_off: WriteOff(row),
        })
    }
}
