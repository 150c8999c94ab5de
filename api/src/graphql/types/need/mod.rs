//! `Need` and `NeedLine`; their enums, filter, ordering and list totals (`list`); the rows of
//! `needStats` and `neededCategories` (`stats`).

mod enums;
mod list;
mod stats;

pub use enums::{NeedCloseReason, NeedFulfilment, NeedPriority, NeedStatus};
pub use list::{NeedConnection, NeedFilter, NeedOrder, NeedTotals};
pub use stats::{NeedDimension, NeedStatsRow, NeededCategory};

use async_graphql::{Context, ID, Object};
use birlik_entity::{enums as stored, need, need_line};
use chrono::{DateTime, Utc};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::enums::DonationCategory;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::graphql::types::shelter::Shelter;
use crate::mass::{self, Decimal};
use crate::services;

/// What an affected place asks for, category by category, and how much shipments cover.
pub struct Need(pub need::Model);

impl From<need::Model> for Need {
    fn from(m: need::Model) -> Self {
        Need(m)
    }
}

/// What an affected place asks for, category by category, and how much shipments cover of it.
/// Public; only `contactPhone` is personal.
#[Object]
impl Need {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Need", self.0.id)
    }

    /// The affected region it is for.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps().region(self.0.region_id).cloned().map(Region)
    }

    /// The shelter it is for, if any (in its region).
    async fn shelter(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Shelter>> {
        match self.0.shelter_id {
            Some(id) => Ok(ctx.loaders().shelter.load_one(id).await?.map(Shelter)),
            None => Ok(None),
        }
    }

    /// The settlement, district or shelter it is for.
    async fn place(&self) -> &str {
        &self.0.place
    }

    /// The organization that raised it; null when the ministry did.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => Ok(ctx
                .loaders()
                .organization
                .load_one(id)
                .await?
                .map(Organization)),
            None => Ok(None),
        }
    }

    /// Whether the ministry raised it (rather than an organization).
    async fn raised_by_ministry(&self) -> bool {
        self.0.organization_id.is_none()
    }

    /// How urgent it is.
    async fn priority(&self) -> NeedPriority {
        self.0.priority.into()
    }

    /// When it is needed by.
    async fn needed_by(&self) -> DateTime<Utc> {
        self.0.needed_by
    }

    /// The requester's phone. Personal data: the raising organization's staff and the ministry
    /// only (others get null and a FORBIDDEN error on this field).
    async fn contact_phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        services::need::ensure_contact_visible(&ctx.request().0.actor, &self.0).extend()?;
        Ok(self.0.contact_phone.as_deref())
    }

    /// What the requester wrote about it.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Open, then closed or cancelled.
    async fn status(&self) -> NeedStatus {
        self.0.status.into()
    }

    /// Why it was closed, when it was.
    async fn close_reason(&self) -> Option<NeedCloseReason> {
        self.0.close_reason.map(Into::into)
    }

    /// When it was closed or cancelled.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// COMPLETE when every line is, NONE when no line has anything delivered, else PARTIAL.
    async fn fulfilment(&self) -> NeedFulfilment {
        services::need::fulfilment(&self.0).into()
    }

    /// What it asks for, one line per category, in the order asked.
    async fn lines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<NeedLine>> {
        let lines = ctx.loaders().need_lines.load_one(self.0.id).await?;
        Ok(lines
            .map(|ls| {
                ls.iter()
                    .map(|l| NeedLine(l.clone(), self.0.status))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Kilograms asked for, over all lines (exact).
    async fn requested_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.requested_grams)
    }

    /// Kilograms on shipments serving it that are not cancelled.
    async fn allocated_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.allocated_grams)
    }

    /// Kilograms on its way or arrived.
    async fn dispatched_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.dispatched_grams)
    }

    /// Kilograms arrived.
    async fn delivered_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.delivered_grams)
    }

    /// Kilograms no shipment covers yet (requested − allocated) while open; 0 once closed or
    /// cancelled.
    async fn outstanding_kilograms(&self) -> Decimal {
        let n = &self.0;
        mass::kilograms(services::need::outstanding(
            n.status,
            n.requested_grams,
            n.allocated_grams,
        ))
    }

    /// When it was raised.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Incremented on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// The kilograms of one category a need asks for, and what shipments cover of them.
pub struct NeedLine(pub need_line::Model, pub stored::NeedStatus);

/// The kilograms of one category a need asks for, and what shipments cover of them.
#[Object]
impl NeedLine {
    /// Global id of the line (what a shipment item names to serve it).
    async fn id(&self) -> ID {
        relay::encode("NeedLine", self.0.id)
    }

    /// What it asks for.
    async fn category(&self) -> DonationCategory {
        self.0.category.into()
    }

    /// The category in the language of `Accept-Language`.
    async fn category_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.category, ctx.request().0.lang)
    }

    /// Kilograms asked for (exact).
    async fn requested_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.requested_grams)
    }

    /// Kilograms on shipments serving it that are not cancelled.
    async fn allocated_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.allocated_grams)
    }

    /// Kilograms on its way or arrived.
    async fn dispatched_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.dispatched_grams)
    }

    /// Kilograms arrived.
    async fn delivered_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.delivered_grams)
    }

    /// Kilograms no shipment covers yet (requested − allocated) while its need is open; 0 once
    /// the need is closed or cancelled.
    async fn outstanding_kilograms(&self) -> Decimal {
        mass::kilograms(services::need::outstanding(
            self.1,
            self.0.requested_grams,
            self.0.allocated_grams,
        ))
    }

    /// NONE until something arrives, COMPLETE once what was asked for has, else PARTIAL.
    async fn fulfilment(&self) -> NeedFulfilment {
        services::need::line_fulfilment(&self.0).into()
    }
}
