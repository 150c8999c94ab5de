//! `node(id:)`, `nodes(ids:)` and `me`: refetching any object by its global id, within what the
//! caller may read.

use async_graphql::{Context, ID, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::context::Actor;
use crate::error::{ApiError, ApiResult, ErrorExtensions, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::donation::Donation;
use crate::graphql::types::need::Need;
use crate::graphql::types::node::Node;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::graphql::types::shelter::Shelter;
use crate::graphql::types::shipment::{Shipment, ShipmentItem};
use crate::graphql::types::stock::WriteOff;
use crate::graphql::types::task::Task;
use crate::graphql::types::volunteer::{User, Volunteer};

#[derive(Default)]
pub struct NodeQuery;

/// The type name inside a global id.
fn kind_of(id: &str) -> ApiResult<String> {
    let bad = || ApiError::bad_input("id", "not a valid id");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(id).map_err(|_| bad())?).map_err(|_| bad())?;
    Ok(text.split_once(':').ok_or_else(bad)?.0.to_owned())
}

/// The object behind a global id, through the request's scoped loaders (`store::scope`): an
/// object outside the caller's scope is absent. Every kind loads in batches, so `nodes(ids:)`
/// costs one statement per kind, whatever the number of ids.
async fn load(ctx: &Context<'_>, id: &str) -> async_graphql::Result<Option<Node>> {
    let kind = kind_of(id).extend()?;
    let row = |k: &'static str| relay::decode(k, "id", id).extend();
    let loaders = ctx.loaders();
    Ok(match kind.as_str() {
        "Region" => ctx
            .deps()
            .region(row("Region")?)
            .cloned()
            .map(|r| Node::Region(Region(r))),
        "Organization" => loaders
            .organization
            .load_one(row("Organization")?)
            .await?
            .map(|o| Node::Organization(Organization(o))),
        "CollectionPoint" => loaders
            .collection_point
            .load_one(row("CollectionPoint")?)
            .await?
            .map(|c| Node::CollectionPoint(CollectionPoint(c))),
        "Donation" => loaders
            .donation
            .load_one(row("Donation")?)
            .await?
            .map(|d| Node::Donation(Donation(d))),
        "Shipment" => loaders
            .shipment
            .load_one(row("Shipment")?)
            .await?
            .map(|s| Node::Shipment(Shipment(s))),
        "ShipmentItem" => loaders
            .shipment_item
            .load_one(row("ShipmentItem")?)
            .await?
            .map(|i| Node::ShipmentItem(ShipmentItem(i))),
        "Task" => loaders
            .task
            .load_one(row("Task")?)
            .await?
            .map(|t| Node::Task(Task(t))),
        "Volunteer" => loaders
            .volunteer
            .load_one(row("Volunteer")?)
            .await?
            .map(|v| Node::Volunteer(Volunteer(v))),
        "Need" => loaders
            .need
            .load_one(row("Need")?)
            .await?
            .map(|n| Node::Need(Need(n))),
        "WriteOff" => loaders
            .write_off
            .load_one(row("WriteOff")?)
            .await?
            .map(|w| Node::WriteOff(WriteOff(w))),
        "Shelter" => loaders
            .shelter
            .load_one(row("Shelter")?)
            .await?
            .map(|s| Node::Shelter(Shelter(s))),
        "User" => loaders
            .user
            .load_one(row("User")?)
            .await?
            .map(|u| Node::User(User(u))),
        _ => return Err(ApiError::bad_input("id", "not a valid id").extend()),
    })
}

/// The most ids one `nodes` call takes.
const MAX_NODES: usize = 100;

#[Object]
impl NodeQuery {
    /// The object with this global id, if it exists and the caller may read it (`NOT_FOUND`
    /// otherwise).
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global object id.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        match load(ctx, &id).await? {
            Some(node) => Ok(Some(node)),
            None => Err(ApiError::NotFound { entity: "node" }
                .extend()
                .extend_with(|_, e| e.set("field", "id"))),
        }
    }

    /// The objects with these global ids, in the same order; null for each that does not exist
    /// or that the caller may not read. At most 100 ids.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global object ids (at most 100).")] ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input("ids", format!("at most {MAX_NODES} ids")).extend());
        }
        let loads = ids.iter().map(|id| load(ctx, id));
        futures_util::future::try_join_all(loads).await
    }

    /// The caller's own account. `UNAUTHENTICATED` without a token.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let (rc, _) = ctx.request();
        let user_id = match rc.actor {
            Actor::Anonymous => return Err(ApiError::Unauthenticated.extend()),
            Actor::Volunteer { user_id, .. }
            | Actor::Ngo { user_id, .. }
            | Actor::Ministry { user_id } => user_id,
        };
        Ok(ctx.loaders().user.load_one(user_id).await?.map(User))
    }
}
