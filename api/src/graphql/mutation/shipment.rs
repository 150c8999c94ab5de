//! `planShipment`, `dispatchShipment`, `confirmDelivery`, `cancelShipment`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::error::{ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::shipment::Shipment;
use crate::mass::Decimal;
use crate::services;

/// Kilograms of one donation to load.
#[derive(InputObject)]
pub struct ShipmentItemInput {
    /// A donation of your organization's stock.
    pub donation_id: ID,
    /// How much of it, exact to the gram; no more than is left of it.
    pub kilograms: Decimal,
    /// The need line it serves, if any: the shipment must go to the need's region, the donation
    /// be of the line's category, the need be open, and the line's allocated kilograms stay
    /// within its requested ones (else CONFLICT naming the line).
    pub need_line_id: Option<ID>,
}

/// A shipment to plan.
#[derive(InputObject)]
pub struct PlanShipmentInput {
    /// The affected region it goes to (`KZ-39`).
    pub destination_region_code: String,
    /// What it carries: donations of one organization's stock in one region (1 to 500 items).
    pub items: Vec<ShipmentItemInput>,
    /// The vehicle: make and plate.
    pub vehicle: String,
    /// The driver's name.
    pub driver_name: String,
    /// The driver's phone. Personal data.
    pub driver_phone: Option<String>,
    /// A key of the client's choosing (a UUID): retrying with the same key never plans twice.
    pub idempotency_key: String,
}

/// A shipment after a change.
#[derive(SimpleObject)]
pub struct ShipmentPayload {
    /// The shipment as it now stands.
    pub shipment: Shipment,
}

#[derive(Default)]
pub struct ShipmentMutation;

fn shipment_id(id: &ID) -> ApiResult<i32> {
    relay::decode("Shipment", "shipmentId", id)
}

#[Object]
impl ShipmentMutation {
    /// Loads donations (whole or in part) onto a new shipment to an affected region. Refused,
    /// with nothing changed, if any donation would be shipped beyond its kilograms.
    async fn plan_shipment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shipment to plan.")] input: PlanShipmentInput,
    ) -> async_graphql::Result<ShipmentPayload> {
        let (rc, _) = ctx.request();
        let items = input
            .items
            .iter()
            .map(|i| {
                Ok(services::shipment::PlanItem {
                    donation_id: relay::decode(
                        "Donation",
                        "input.items.donationId",
                        &i.donation_id,
                    )?,
                    kilograms: i.kilograms.0,
                    need_line_id: i
                        .need_line_id
                        .as_ref()
                        .map(|id| relay::decode("NeedLine", "input.items.needLineId", id))
                        .transpose()?,
                })
            })
            .collect::<ApiResult<Vec<_>>>()
            .extend()?;
        let plan = services::shipment::Plan {
            destination_region_code: input.destination_region_code,
            items,
            vehicle: input.vehicle,
            driver_name: input.driver_name,
            driver_phone: input.driver_phone,
        };
        let shipment = services::shipment::plan(rc, ctx.deps(), plan, Some(&input.idempotency_key))
            .await
            .extend()?;
        Ok(ShipmentPayload {
            shipment: Shipment(shipment),
        })
    }

    /// Puts a planned shipment on the road (the sending organization or the ministry).
    async fn dispatch_shipment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shipment.")] shipment_id: ID,
        #[graphql(desc = "Refuse with CONFLICT if the shipment's version is no longer this.")]
        expected_version: Option<i32>,
    ) -> async_graphql::Result<ShipmentPayload> {
        let (rc, _) = ctx.request();
        let id = self::shipment_id(&shipment_id).extend()?;
        let shipment = services::shipment::dispatch(rc, ctx.deps(), id, expected_version)
            .await
            .extend()?;
        Ok(ShipmentPayload {
            shipment: Shipment(shipment),
        })
    }

    /// Confirms that a dispatched shipment arrived (the sender, an organization with a collection
    /// point in the destination region, or the ministry).
    async fn confirm_delivery(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shipment.")] shipment_id: ID,
        #[graphql(desc = "What the receiving side noted.")] note: Option<String>,
        #[graphql(desc = "Refuse with CONFLICT if the shipment's version is no longer this.")]
        expected_version: Option<i32>,
    ) -> async_graphql::Result<ShipmentPayload> {
        let (rc, _) = ctx.request();
        let id = self::shipment_id(&shipment_id).extend()?;
        let shipment =
            services::shipment::confirm_delivery(rc, ctx.deps(), id, note, expected_version)
                .await
                .extend()?;
        Ok(ShipmentPayload {
            shipment: Shipment(shipment),
        })
    }

    /// Calls off a planned shipment (the sending organization or the ministry): what it carried
    /// is in stock again, and the need lines it served have those kilograms outstanding again.
    async fn cancel_shipment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shipment.")] shipment_id: ID,
        #[graphql(desc = "Refuse with CONFLICT if the shipment's version is no longer this.")]
        expected_version: Option<i32>,
    ) -> async_graphql::Result<ShipmentPayload> {
        let (rc, _) = ctx.request();
        let id = self::shipment_id(&shipment_id).extend()?;
        let shipment = services::shipment::cancel(rc, ctx.deps(), id, expected_version)
            .await
            .extend()?;
        Ok(ShipmentPayload {
            shipment: Shipment(shipment),
        })
    }
}
