//! `Organization`: who takes part.

use async_graphql::{Context, ID, Object};
use birlik_entity::organization;
use chrono::{DateTime, Utc};

use crate::context::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::enums::OrganizationKind;
use crate::graphql::types::region::Region;

/// A participating organization. It may register donations once the ministry has verified it.
pub struct Organization(pub organization::Model);

impl From<organization::Model> for Organization {
    fn from(m: organization::Model) -> Self {
        Organization(m)
    }
}

/// A participating organization. It may register donations once the ministry has verified it.
#[Object]
impl Organization {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Organization", self.0.id)
    }

    /// Registered name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of body it is.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }

    /// The kind in the language of `Accept-Language`.
    async fn kind_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.kind, ctx.request().0.lang)
    }

    /// Verified by the ministry.
    async fn verified(&self) -> bool {
        self.0.verified_at.is_some()
    }

    /// When the ministry verified it.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }

    /// The region of its headquarters.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.state().region(self.0.region_id).cloned().map(Region)
    }

    /// Public contact email.
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }

    /// Public contact phone.
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }

    /// When it was registered.
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
