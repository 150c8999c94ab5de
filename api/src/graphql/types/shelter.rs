//! `Shelter`: an evacuation centre and its latest head count. Public: counts only, never names.

use async_graphql::{Context, Enum, ID, Object};
use birlik_entity::{enums, shelter};
use chrono::{DateTime, Utc};

use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;

/// Whether a shelter takes people in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::ShelterStatus")]
pub enum ShelterStatus {
    /// Takes people in.
    Open,
    /// Closed: counts are no longer reported.
    Closed,
}

/// An evacuation centre (a school, a sports hall) in an affected region, with its latest head
/// count. Counts only, never names.
pub struct Shelter(pub shelter::Model);

impl From<shelter::Model> for Shelter {
    fn from(m: shelter::Model) -> Self {
        Shelter(m)
    }
}

/// An evacuation centre (a school, a sports hall) in an affected region, with its latest head
/// count. Counts only, never names.
#[Object]
impl Shelter {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Shelter", self.0.id)
    }

    /// Name, such as the school's.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Street address.
    async fn address(&self) -> &str {
        &self.0.address
    }

    /// Open (takes people in) or closed.
    async fn status(&self) -> ShelterStatus {
        self.0.status.into()
    }

    /// When it was closed, if it was.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// How many people it can hold.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// People at the latest count; null before the first.
    async fn people(&self) -> Option<i32> {
        self.0.people
    }

    /// Children among them at the latest count; null before the first.
    async fn children(&self) -> Option<i32> {
        self.0.children
    }

    /// When the latest count was taken; null before the first.
    async fn counted_at(&self) -> Option<DateTime<Utc>> {
        self.0.counted_at
    }

    /// The latest count exceeds the capacity (recorded, never refused).
    async fn over_capacity(&self) -> bool {
        self.0.people.is_some_and(|p| p > self.0.capacity)
    }

    /// The region it is in.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps().region(self.0.region_id).cloned().map(Region)
    }

    /// The organization that runs it; null when the ministry opened it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organization
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (a count, a closing).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Incremented on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
