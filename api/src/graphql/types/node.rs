//! The Relay `Node` interface: every object with a global id.

use async_graphql::{ID, Interface};

use crate::graphql::types::collection_point::CollectionPoint;
use crate::graphql::types::donation::Donation;
use crate::graphql::types::need::Need;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::graphql::types::shelter::Shelter;
use crate::graphql::types::shipment::{Shipment, ShipmentItem};
use crate::graphql::types::stock::WriteOff;
use crate::graphql::types::task::Task;
use crate::graphql::types::volunteer::{User, Volunteer};

/// An object with a global id, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global object id."))]
pub enum Node {
    Region(Region),
    Organization(Organization),
    CollectionPoint(CollectionPoint),
    Volunteer(Volunteer),
    User(User),
    Donation(Donation),
    Shipment(Shipment),
    ShipmentItem(ShipmentItem),
    Task(Task),
    Need(Need),
    WriteOff(WriteOff),
    Shelter(Shelter),
}
