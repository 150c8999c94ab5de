//! The entities under their table names, for `use birlik_entity::prelude::*`.

pub use crate::audit_event::Entity as AuditEvent;
pub use crate::collection_point::Entity as CollectionPoint;
pub use crate::donation::Entity as Donation;
pub use crate::need::Entity as Need;
pub use crate::need_line::Entity as NeedLine;
pub use crate::organization::Entity as Organization;
pub use crate::region::Entity as Region;
pub use crate::shelter::Entity as Shelter;
pub use crate::shelter_count::Entity as ShelterCount;
pub use crate::shipment::Entity as Shipment;
pub use crate::shipment_item::Entity as ShipmentItem;
pub use crate::task::Entity as Task;
pub use crate::task_assignment::Entity as TaskAssignment;
pub use crate::user_account::Entity as UserAccount;
pub use crate::volunteer::Entity as Volunteer;
pub use crate::write_off::Entity as WriteOff;
