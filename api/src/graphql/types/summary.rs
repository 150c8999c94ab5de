//! `ReliefSummary`: the campaign's headline figures.

use async_graphql::Object;
use chrono::{DateTime, Utc};

use crate::mass::{self, Decimal};
use crate::services::stats::{CONTACT_CENTER_PHONE, Summary};

/// The campaign's headline figures as the press release gives them, computed from the records at
/// `asOf`. Cancelled donations count in none of them.
pub struct ReliefSummary(pub Summary);

/// The campaign's headline figures as the press release gives them, computed from the records at
/// `asOf`. Cancelled donations count in none of them.
#[Object]
impl ReliefSummary {
    /// Tonnes collected: every donation that is not cancelled.
    async fn collected_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.collected_grams)
    }

    /// Tonnes delivered: what delivered shipments carried.
    async fn delivered_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.delivered_grams)
    }

    /// Tonnes collected but neither delivered nor written off: in transit, planned, or not yet
    /// loaded.
    async fn pending_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.pending_grams())
    }

    /// Tonnes taken out of stock without being shipped (damaged, expired, lost, handed out at a
    /// collection point, returned to the donor).
    async fn written_off_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.written_off_grams)
    }

    /// Tonnes open needs still lack: requested minus what shipments already cover.
    async fn outstanding_need_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.outstanding_need_grams)
    }

    /// Needs still open.
    async fn open_need_count(&self) -> i64 {
        self.0.open_need_count
    }

    /// People in open shelters, at each one's latest count.
    async fn people_in_shelters(&self) -> i64 {
        self.0.people_in_shelters
    }

    /// Children among them.
    async fn children_in_shelters(&self) -> i64 {
        self.0.children_in_shelters
    }

    /// Shelters open now.
    async fn open_shelter_count(&self) -> i64 {
        self.0.open_shelter_count
    }

    /// How many people the open shelters can hold.
    async fn shelter_capacity(&self) -> i64 {
        self.0.shelter_capacity
    }

    /// Kilograms collected (exact).
    async fn collected_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.collected_grams)
    }

    /// Kilograms delivered (exact).
    async fn delivered_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.delivered_grams)
    }

    /// Kilograms pending (exact).
    async fn pending_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.pending_grams())
    }

    /// Regions with at least one collection point.
    async fn collection_region_count(&self) -> i64 {
        self.0.collection_region_count
    }

    /// Regions under the state of emergency.
    async fn affected_region_count(&self) -> i64 {
        self.0.affected_region_count
    }

    /// Volunteers attached to the regional headquarters.
    async fn volunteer_count(&self) -> i64 {
        self.0.volunteer_count
    }

    /// Organizations verified by the ministry.
    async fn organization_count(&self) -> i64 {
        self.0.organization_count
    }

    /// The contact centre that coordinates help for victims and volunteers, as written.
    async fn contact_center_phone(&self) -> &'static str {
        CONTACT_CENTER_PHONE
    }

    /// When these figures were computed (RFC 3339, UTC).
    async fn as_of(&self) -> DateTime<Utc> {
        self.0.as_of
    }
}
