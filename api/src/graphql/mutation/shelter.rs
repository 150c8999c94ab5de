//! `openShelter`, `closeShelter`, `reportShelterCount`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::shelter::Shelter;
use crate::services;

/// An evacuation centre to open.
#[derive(InputObject)]
pub struct OpenShelterInput {
    /// The ISO code of an affected region (`KZ-23`).
    pub region_code: String,
    /// Name, such as the school's.
    pub name: String,
    /// Street address.
    pub address: String,
    /// How many people it can hold (1 to 100,000).
    pub capacity: i32,
    /// A key of the client's choosing (a UUID): retrying with the same key never opens twice.
    pub idempotency_key: String,
}

/// A head count of a shelter.
#[derive(InputObject)]
pub struct ShelterCountInput {
    /// The shelter counted (open).
    pub shelter_id: ID,
    /// People in it (0 or more; above capacity is recorded and flagged, never refused).
    pub people: i32,
    /// Children among them (0 to `people`).
    pub children: i32,
    /// When they were counted (now when absent); not in the future.
    pub counted_at: Option<DateTime<Utc>>,
    /// A key of the client's choosing (a UUID): retrying with the same key never counts twice.
    pub idempotency_key: String,
}

/// The shelter as the mutation left it.
#[derive(SimpleObject)]
pub struct ShelterPayload {
    /// The shelter, with its latest count.
    pub shelter: Shelter,
}

#[derive(Default)]
pub struct ShelterMutation;

#[Object]
impl ShelterMutation {
    /// Opens a shelter in an affected region: the ministry, or staff of a verified organization
    /// working there (a collection point or its headquarters in the region), which then runs it.
    async fn open_shelter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shelter to open.")] input: OpenShelterInput,
    ) -> async_graphql::Result<ShelterPayload> {
        let (rc, deps) = ctx.request();
        let opening = services::shelter::Opening {
            region_code: input.region_code,
            name: input.name,
            address: input.address,
            capacity: input.capacity,
        };
        let shelter = services::shelter::open(rc, deps, opening, Some(&input.idempotency_key))
            .await
            .extend()?;
        Ok(ShelterPayload {
            shelter: Shelter(shelter),
        })
    }

    /// Closes an open shelter (its organization's staff, or the ministry). A stale
    /// `expectedVersion` is a CONFLICT carrying the shelter as it is.
    async fn close_shelter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shelter to close.")] shelter_id: ID,
        #[graphql(desc = "The version the caller last saw.")] expected_version: i32,
    ) -> async_graphql::Result<ShelterPayload> {
        let (rc, deps) = ctx.request();
        let id = relay::decode("Shelter", "shelterId", &shelter_id).extend()?;
        let shelter = services::shelter::close(rc, deps, id, expected_version)
            .await
            .extend()?;
        Ok(ShelterPayload {
            shelter: Shelter(shelter),
        })
    }

    /// Reports a head count of an open shelter (its organization's staff, or the ministry):
    /// appended to its history and, unless a later count is on record, its latest. Counts only.
    async fn report_shelter_count(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The count.")] input: ShelterCountInput,
    ) -> async_graphql::Result<ShelterPayload> {
        let (rc, deps) = ctx.request();
        let count = services::shelter::Count {
            shelter_id: relay::decode("Shelter", "input.shelterId", &input.shelter_id).extend()?,
            people: input.people,
            children: input.children,
            counted_at: input.counted_at,
        };
        let shelter =
            services::shelter::report_count(rc, deps, count, Some(&input.idempotency_key))
                .await
                .extend()?;
        Ok(ShelterPayload {
            shelter: Shelter(shelter),
        })
    }
}
