//! `Region`: one of the 20 regions, with its names and the campaign's figures for it.

use async_graphql::{Context, ID, Object};
use birlik_entity::region;

use crate::context::{ContextExt, Lang};
use crate::graphql::relay;
use crate::graphql::types::enums::RegionKind;
use crate::mass::{self, Decimal};
use crate::store::stats::RegionFigures;

/// A region or city of republican significance, with its volunteer headquarters.
pub struct Region {
    pub model: region::Model,
    pub figures: RegionFigures,
}

#[Object]
impl Region {
    /// Global object id.
    async fn id(&self) -> ID {
        relay::encode("Region", self.model.id)
    }

    /// ISO 3166-2:KZ code, such as `KZ-71`.
    async fn code(&self) -> &str {
        &self.model.code
    }

    /// Name in the language of `Accept-Language` (Kazakh, Russian or English; Russian by default).
    async fn name(&self, ctx: &Context<'_>) -> &str {
        let (rc, _) = ctx.request();
        match rc.lang {
            Lang::Kk => &self.model.name_kk,
            Lang::Ru => &self.model.name_ru,
            Lang::En => &self.model.name_en,
        }
    }

    /// Official name in Kazakh.
    async fn name_kk(&self) -> &str {
        &self.model.name_kk
    }

    /// Name in Russian.
    async fn name_ru(&self) -> &str {
        &self.model.name_ru
    }

    /// Name in English.
    async fn name_en(&self) -> &str {
        &self.model.name_en
    }

    /// City or region.
    async fn kind(&self) -> RegionKind {
        self.model.kind.into()
    }

    /// Under the state of emergency declared on 6 April 2024.
    async fn affected(&self) -> bool {
        self.model.affected
    }

    /// Named by the campaign as a region that collects aid.
    async fn collects(&self) -> bool {
        self.model.collects
    }

    /// At least one collection point is registered here.
    async fn has_collection_point(&self) -> bool {
        self.figures.collection_point_count > 0
    }

    /// Collection points registered here.
    async fn collection_point_count(&self) -> i64 {
        self.figures.collection_point_count
    }

    /// Volunteers attached to this region's headquarters.
    async fn volunteer_count(&self) -> i64 {
        self.figures.volunteer_count
    }

    /// Tonnes of non-cancelled donations received at this region's collection points.
    async fn collected_tonnes(&self) -> Decimal {
        mass::tonnes(self.figures.collected_grams)
    }

    /// Tonnes on dispatched or delivered shipments that left this region.
    async fn shipped_out_tonnes(&self) -> Decimal {
        mass::tonnes(self.figures.shipped_out_grams)
    }

    /// Tonnes delivered into this region.
    async fn received_tonnes(&self) -> Decimal {
        mass::tonnes(self.figures.received_grams)
    }

    /// Kilograms collected here (exact).
    async fn collected_kilograms(&self) -> Decimal {
        mass::kilograms(self.figures.collected_grams)
    }

    /// Kilograms shipped out of here (exact).
    async fn shipped_out_kilograms(&self) -> Decimal {
        mass::kilograms(self.figures.shipped_out_grams)
    }

    /// Kilograms delivered into here (exact).
    async fn received_kilograms(&self) -> Decimal {
        mass::kilograms(self.figures.received_grams)
    }
}
