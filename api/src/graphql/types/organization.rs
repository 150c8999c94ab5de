//! `Organization`: who takes part; the organizations' filter, order and connection.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::{enums, organization};
use chrono::{DateTime, Utc};

use crate::error::ApiResult;
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    BooleanFilter, DateTimeFilter, EntityFilter, IdFilter, Leaves, StringFilter, entity_filter,
    enum_filter, list_totals, order_input,
};
use crate::graphql::relay;
use crate::graphql::types::enums::OrganizationKind;
use crate::graphql::types::region::Region;
use crate::store::organization::{SortField, Where, newest_first};

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
        ctx.deps().region(self.0.region_id).cloned().map(Region)
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

enum_filter!(
    OrganizationKindFilter,
    OrganizationKind,
    enums::OrganizationKind,
    "Compares an organization kind."
);

entity_filter!(
    /// Conditions on organizations. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    OrganizationFilter {
        /// The organization's id.
        id: IdFilter,
        /// Name.
        name: StringFilter,
        /// Kind.
        kind: OrganizationKindFilter,
        /// The ISO code of its headquarters' region.
        region_code: StringFilter,
        /// Verified by the ministry.
        verified: BooleanFilter,
        /// When it was verified.
        verified_at: DateTimeFilter,
        /// When it was registered.
        created_at: DateTimeFilter,
    }
);

impl EntityFilter for OrganizationFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        use Where as W;
        Leaves::default()
            .check(self.id, |f| Ok(W::Id(f.rows("Organization", "filter.id")?)))?
            .add(self.name, |f| W::Name(f.text()))
            .add(self.kind, |f| W::Kind(f.stored()))
            .add(self.region_code, |f| W::RegionCode(f.text()))
            .add(self.verified, |f| W::Verified(f.cmp()))
            .add(self.verified_at, |f| W::VerifiedAt(f.cmp()))
            .add(self.created_at, |f| W::CreatedAt(f.cmp()))
            .done()
    }
}

order_input!(
    /// One sort key.
    OrganizationOrder,
    /// What organizations can be ordered by.
    OrganizationOrderField => SortField, default newest_first(),
    {
        /// When it was registered.
        CreatedAt,
        /// Name.
        Name,
        /// Kind.
        Kind,
        /// Id.
        Id,
    }
);

list_totals!(
    /// Counts over every page of an organization list.
    OrganizationTotals of organization::Model
);

/// A page of organizations.
pub type OrganizationConnection = Connection<String, Organization, OrganizationTotals>;
