//! Rows of `needStats` and `neededCategories`.

use async_graphql::{Context, Enum, Object};

use super::{NeedFulfilment, NeedPriority};
use crate::graphql::ContextExt;
use crate::graphql::types::enums::DonationCategory;
use crate::graphql::types::organization::Organization;
use crate::graphql::types::region::Region;
use crate::mass::{self, Decimal};
use crate::store::need::{self as store, NeedGroup};

/// A dimension to group need lines by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedDimension {
    /// The need's region.
    Region,
    /// The line's category.
    Category,
    /// The need's priority.
    Priority,
    /// The line's fulfilment.
    Fulfilment,
    /// The organization that raised the need (null for the ministry's).
    Organization,
}

impl From<NeedDimension> for store::NeedDimension {
    fn from(d: NeedDimension) -> Self {
        match d {
            NeedDimension::Region => store::NeedDimension::Region,
            NeedDimension::Category => store::NeedDimension::Category,
            NeedDimension::Priority => store::NeedDimension::Priority,
            NeedDimension::Fulfilment => store::NeedDimension::Fulfilment,
            NeedDimension::Organization => store::NeedDimension::Organization,
        }
    }
}

/// One group of need lines: its keys (null where not grouped) and its figures.
pub struct NeedStatsRow(pub NeedGroup);

/// One group of need lines: its keys (null where not grouped) and its figures.
#[Object]
impl NeedStatsRow {
    /// The region, when grouped by REGION.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0
            .region_id
            .and_then(|id| ctx.deps().region(id).cloned())
            .map(Region)
    }

    /// The category, when grouped by CATEGORY.
    async fn category(&self) -> Option<DonationCategory> {
        self.0.category.map(Into::into)
    }

    /// The priority, when grouped by PRIORITY.
    async fn priority(&self) -> Option<NeedPriority> {
        self.0.priority.map(Into::into)
    }

    /// The lines' fulfilment, when grouped by FULFILMENT.
    async fn fulfilment(&self) -> Option<NeedFulfilment> {
        self.0.fulfilment.map(Into::into)
    }

    /// The raising organization, when grouped by ORGANIZATION (null for the ministry's needs).
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

    /// Need lines in the group.
    async fn line_count(&self) -> i64 {
        self.0.line_count
    }

    /// Kilograms asked for (exact).
    async fn requested_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.requested_grams)
    }

    /// Kilograms on shipments serving them that are not cancelled.
    async fn allocated_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.allocated_grams)
    }

    /// Kilograms arrived.
    async fn delivered_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.delivered_grams)
    }

    /// Kilograms no shipment covers yet, of open needs.
    async fn outstanding_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.outstanding_grams)
    }

    /// Tonnes asked for (exact).
    async fn requested_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.requested_grams)
    }

    /// Tonnes arrived (exact).
    async fn delivered_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.delivered_grams)
    }
}

/// What open needs still lack of one category.
pub struct NeededCategory(pub store::NeededCategory);

/// What open needs still lack of one category: what no shipment covers yet, how urgent the most
/// urgent of them is, and the regions that lack it.
#[Object]
impl NeededCategory {
    /// The category.
    async fn category(&self) -> DonationCategory {
        self.0.category.into()
    }

    /// The category in the language of `Accept-Language`.
    async fn category_label(&self, ctx: &Context<'_>) -> &'static str {
        crate::labels::Label::label(&self.0.category, ctx.request().0.lang)
    }

    /// Tonnes open needs ask for that no shipment covers yet (exact).
    async fn outstanding_tonnes(&self) -> Decimal {
        mass::tonnes(self.0.outstanding_grams)
    }

    /// The same in kilograms (exact).
    async fn outstanding_kilograms(&self) -> Decimal {
        mass::kilograms(self.0.outstanding_grams)
    }

    /// The priority of the most urgent need that lacks it.
    async fn highest_priority(&self) -> NeedPriority {
        self.0.highest_priority.into()
    }

    /// The regions that lack it, the most lacking first.
    async fn regions(&self, ctx: &Context<'_>) -> Vec<Region> {
        self.0
            .regions
            .iter()
            .filter_map(|(id, _)| ctx.deps().region(*id).cloned())
            .map(Region)
            .collect()
    }
}
