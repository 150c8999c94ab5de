//! `Volunteer` and `User`; the volunteers' filter, order and connection.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use birlik_entity::{user_account, volunteer};
use chrono::{DateTime, Utc};

use crate::context::Actor;
use crate::error::{ApiError, ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    BooleanFilter, DateTimeFilter, EntityFilter, IdFilter, Leaves, StringFilter, entity_filter,
    list_totals, order_input,
};
use crate::graphql::relay;
use crate::graphql::types::enums::Role;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::store::volunteer::{SortField, Where, newest_first};

/// A volunteer attached to a regional headquarters.
pub struct Volunteer(pub volunteer::Model);

impl From<volunteer::Model> for Volunteer {
    fn from(m: volunteer::Model) -> Self {
        Volunteer(m)
    }
}

/// The volunteer themself, their organization's staff, and the ministry may read their contacts.
fn ensure_contacts(actor: &Actor, v: &volunteer::Model) -> Result<(), ApiError> {
    match actor {
        Actor::Ministry { .. } => Ok(()),
        Actor::Volunteer { volunteer_id, .. } if *volunteer_id == v.id => Ok(()),
        Actor::Ngo {
            organization_id, ..
        } if Some(*organization_id) == v.organization_id => Ok(()),
        _ => Err(ApiError::Forbidden(
            "a volunteer's contacts are visible to them, their organization and the ministry"
                .into(),
        )),
    }
}

/// A volunteer attached to a regional headquarters.
#[Object]
impl Volunteer {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Volunteer", self.0.id)
    }

    /// Full name.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }

    /// Mobile phone (E.164). Personal data: the volunteer, their organization's staff and the
    /// ministry only.
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        ensure_contacts(&ctx.request().0.actor, &self.0).extend()?;
        Ok(Some(&self.0.phone))
    }

    /// Email. Personal data, like `phone`.
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        ensure_contacts(&ctx.request().0.actor, &self.0).extend()?;
        Ok(self.0.email.as_deref())
    }

    /// What they can do, in their own words.
    async fn skills(&self) -> Vec<String> {
        self.0
            .skills
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ready to take tasks.
    async fn available(&self) -> bool {
        self.0.available
    }

    /// The regional headquarters they are attached to.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        ctx.deps().region(self.0.region_id).cloned().map(Region)
    }

    /// Their organization, if any.
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

    /// When they joined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When their record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Incremented on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Someone who can log in.
pub struct User(pub user_account::Model);

impl From<user_account::Model> for User {
    fn from(m: user_account::Model) -> Self {
        User(m)
    }
}

fn ensure_self_or_ministry(actor: &Actor, user_id: i32) -> Result<(), ApiError> {
    match actor {
        Actor::Ministry { .. } => Ok(()),
        Actor::Volunteer { user_id: own, .. } | Actor::Ngo { user_id: own, .. }
            if *own == user_id =>
        {
            Ok(())
        }
        _ => Err(ApiError::Forbidden(
            "an account's login is visible to its owner and the ministry".into(),
        )),
    }
}

/// Someone who can log in.
#[Object]
impl User {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("User", self.0.id)
    }

    /// What the account may do.
    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// The name shown for the account.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Login email. Personal data: the owner and the ministry only.
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        ensure_self_or_ministry(&ctx.request().0.actor, self.0.id).extend()?;
        Ok(self.0.email.as_deref())
    }

    /// Login phone. Personal data: the owner and the ministry only.
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        ensure_self_or_ministry(&ctx.request().0.actor, self.0.id).extend()?;
        Ok(self.0.phone.as_deref())
    }

    /// The volunteer record of a volunteer's account.
    async fn volunteer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Volunteer>> {
        match self.0.volunteer_id {
            Some(id) => Ok(ctx.loaders().volunteer.load_one(id).await?.map(Volunteer)),
            None => Ok(None),
        }
    }

    /// The organization of an NGO staff account.
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

    /// Disabled accounts cannot log in.
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }
}

entity_filter!(
    /// Conditions on volunteers. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    VolunteerFilter {
        /// The volunteer's id.
        id: IdFilter,
        /// Full name.
        full_name: StringFilter,
        /// The ISO code of their headquarters' region.
        region_code: StringFilter,
        /// Their organization.
        organization_id: IdFilter,
        /// Ready to take tasks.
        available: BooleanFilter,
        /// When they joined.
        created_at: DateTimeFilter,
        /// When their record last changed.
        updated_at: DateTimeFilter,
    }
);

impl EntityFilter for VolunteerFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        use Where as W;
        Leaves::default()
            .check(self.id, |f| Ok(W::Id(f.rows("Volunteer", "filter.id")?)))?
            .add(self.full_name, |f| W::FullName(f.text()))
            .add(self.region_code, |f| W::RegionCode(f.text()))
            .check(self.organization_id, |f| {
                Ok(W::OrganizationId(
                    f.rows("Organization", "filter.organizationId")?,
                ))
            })?
            .add(self.available, |f| W::Available(f.cmp()))
            .add(self.created_at, |f| W::CreatedAt(f.cmp()))
            .add(self.updated_at, |f| W::UpdatedAt(f.cmp()))
            .done()
    }
}

order_input!(
    /// One sort key.
    VolunteerOrder,
    /// What volunteers can be ordered by.
    VolunteerOrderField => SortField, default newest_first(),
    {
        /// When they joined.
        CreatedAt,
        /// When their record last changed.
        UpdatedAt,
        /// Name.
        FullName,
        /// Id.
        Id,
    }
);

list_totals!(
    /// Counts over every page of a volunteer list.
    VolunteerTotals of volunteer::Model
);

/// A page of volunteers.
pub type VolunteerConnection = Connection<String, Volunteer, VolunteerTotals>;
