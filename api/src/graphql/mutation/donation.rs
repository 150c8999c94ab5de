//! `registerDonation`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::donation::Donation;
use crate::graphql::types::enums::DonationCategory;
use crate::mass::Decimal;
use crate::services;

/// A donation received at a collection point.
#[derive(InputObject)]
pub struct RegisterDonationInput {
    /// One of your organization's collection points.
    pub collection_point_id: ID,
    /// What it is.
    pub category: DonationCategory,
    /// Mass in kilograms, exact to the gram (more than 0, at most 1,000,000).
    pub kilograms: Decimal,
    /// Number of items, when counted.
    pub item_count: Option<i32>,
    /// What it is, in a few words.
    #[graphql(default)]
    pub description: String,
    /// The donor's name; leave out for an anonymous donor. Personal data.
    pub donor_name: Option<String>,
    /// When it was received (now when absent); not in the future.
    pub received_at: Option<DateTime<Utc>>,
    /// A key of the client's choosing (a UUID): retrying with the same key never registers twice.
    pub idempotency_key: String,
}

/// The registered donation.
#[derive(SimpleObject)]
pub struct RegisterDonationPayload {
    /// The donation as registered.
    pub donation: Donation,
}

#[derive(Default)]
pub struct DonationMutation;

#[Object]
impl DonationMutation {
    /// Registers a donation at one of your organization's collection points (verified
    /// organizations' staff, and the ministry).
    async fn register_donation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The donation received.")] input: RegisterDonationInput,
    ) -> async_graphql::Result<RegisterDonationPayload> {
        let (rc, deps) = ctx.request();
        let registration = services::donation::Registration {
            collection_point_id: relay::decode(
                "CollectionPoint",
                "input.collectionPointId",
                &input.collection_point_id,
            )
            .extend()?,
            category: input.category.into(),
            kilograms: input.kilograms.0,
            item_count: input.item_count,
            description: input.description,
            donor_name: input.donor_name,
            received_at: input.received_at,
        };
        let donation =
            services::donation::register(rc, deps, registration, Some(&input.idempotency_key))
                .await
                .extend()?;
        Ok(RegisterDonationPayload {
            donation: Donation(donation),
        })
    }
}
