//! `approveMember`, `declineMember`.

use async_graphql::{Context, ID, Object, SimpleObject};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::volunteer::Volunteer;
use crate::services;

/// A volunteer who has just become a member.
#[derive(SimpleObject)]
pub struct ApproveMemberPayload {
    /// The volunteer, now the organization's member (their contacts visible to its staff).
    pub volunteer: Volunteer,
}

/// A request declined.
#[derive(SimpleObject)]
pub struct DeclineMemberPayload {
    /// The volunteer whose request was declined; they stay outside the organization.
    pub volunteer_id: ID,
}

#[derive(Default)]
pub struct MembershipMutation;

#[Object]
impl MembershipMutation {
    /// Takes a volunteer who asked to join on as a member: the organization's staff, once it is
    /// verified, or the ministry.
    async fn approve_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The volunteer asking to join (`MembershipRequest.volunteerId`).")]
        volunteer_id: ID,
        #[graphql(desc = "Refuse with CONFLICT if the request's version is no longer this.")]
        expected_version: Option<i32>,
    ) -> async_graphql::Result<ApproveMemberPayload> {
        let (rc, deps) = ctx.request();
        let id = relay::decode("Volunteer", "volunteerId", &volunteer_id).extend()?;
        let volunteer = services::membership::decide(rc, deps, id, expected_version, true)
            .await
            .extend()?;
        Ok(ApproveMemberPayload {
            volunteer: Volunteer(volunteer),
        })
    }

    /// Declines a volunteer's request to join: the organization's staff, once it is verified, or
    /// the ministry.
    async fn decline_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The volunteer asking to join (`MembershipRequest.volunteerId`).")]
        volunteer_id: ID,
        #[graphql(desc = "Refuse with CONFLICT if the request's version is no longer this.")]
        expected_version: Option<i32>,
    ) -> async_graphql::Result<DeclineMemberPayload> {
        let (rc, deps) = ctx.request();
        let id = relay::decode("Volunteer", "volunteerId", &volunteer_id).extend()?;
        let volunteer = services::membership::decide(rc, deps, id, expected_version, false)
            .await
            .extend()?;
        Ok(DeclineMemberPayload {
            volunteer_id: relay::encode("Volunteer", volunteer.id),
        })
    }
}
