//! `Region`: one of the 20 regions, with its names and the campaign's figures for it.

use async_graphql::{Context, ID, Object};
use birlik_entity::region;

use crate::context::Lang;
use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::collection_point::{CollectionPointConnection, connection};
use crate::graphql::types::enums::RegionKind;
use crate::mass::{self, Decimal};
use crate::store::stats::RegionFigures;

/// A region or city of republican significance, with its volunteer headquarters.
pub struct Region(pub region::Model);

impl Region {
    async fn figures(&self, ctx: &Context<'_>) -> async_graphql::Result<RegionFigures> {
        ctx.loaders()
            .region_figures
            .load_one(self.0.id)
            .await?
            .ok_or_else(|| async_graphql::Error::new("no figures for this region"))
    }
}

/// A region's name in the request's language.
pub fn localized(model: &region::Model, lang: Lang) -> &str {
    match lang {
        Lang::Kk => &model.name_kk,
        Lang::Ru => &model.name_ru,
        Lang::En => &model.name_en,
    }
}

/// A region or city of republican significance, with its volunteer headquarters.
#[Object]
impl Region {
    /// Global object id.
    pub async fn id(&self) -> ID {
        relay::encode("Region", self.0.id)
    }

    /// ISO 3166-2:KZ code, such as `KZ-71`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Name in the language of `Accept-Language` (Kazakh, Russian or English; Russian by default).
    async fn name(&self, ctx: &Context<'_>) -> &str {
        localized(&self.0, ctx.request().0.lang)
    }

    /// Official name in Kazakh.
    async fn name_kk(&self) -> &str {
        &self.0.name_kk
    }

    /// Name in Russian.
    async fn name_ru(&self) -> &str {
        &self.0.name_ru
    }

    /// Name in English.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }

    /// City or region.
    async fn kind(&self) -> RegionKind {
        self.0.kind.into()
    }

    /// Under the state of emergency declared on 6 April 2024.
    async fn affected(&self) -> bool {
        self.0.affected
    }

    /// Named by the campaign as a region that collects aid.
    async fn collects(&self) -> bool {
        self.0.collects
    }

    /// At least one collection point is registered here.
    async fn has_collection_point(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.figures(ctx).await?.collection_point_count > 0)
    }

    /// Collection points registered here.
    async fn collection_point_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.figures(ctx).await?.collection_point_count)
    }

    /// Volunteers attached to this region's headquarters.
    async fn volunteer_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.figures(ctx).await?.volunteer_count)
    }

    /// Tonnes of non-cancelled donations received at this region's collection points.
    async fn collected_tonnes(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::tonnes(self.figures(ctx).await?.collected_grams))
    }

    /// Tonnes on dispatched or delivered shipments that left this region.
    async fn shipped_out_tonnes(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::tonnes(self.figures(ctx).await?.shipped_out_grams))
    }

    /// Tonnes delivered into this region.
    async fn received_tonnes(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::tonnes(self.figures(ctx).await?.received_grams))
    }

    /// Tonnes of this region's donations written off (taken out of stock unshipped).
    async fn written_off_tonnes(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::tonnes(self.figures(ctx).await?.written_off_grams))
    }

    /// Tonnes this region's open needs still lack: requested minus what shipments cover.
    async fn outstanding_need_tonnes(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::tonnes(
            self.figures(ctx).await?.outstanding_need_grams,
        ))
    }

    /// Needs of this region still open.
    async fn open_need_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.figures(ctx).await?.open_need_count)
    }

    /// People in this region's open shelters, at each one's latest count.
    async fn people_in_shelters(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.figures(ctx).await?.people_in_shelters)
    }

    /// Children among them.
    async fn children_in_shelters(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.figures(ctx).await?.children_in_shelters)
    }

    /// This region's open shelters.
    async fn open_shelter_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.figures(ctx).await?.open_shelter_count)
    }

    /// How many people this region's open shelters can hold.
    async fn shelter_capacity(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.figures(ctx).await?.shelter_capacity)
    }

    /// Kilograms collected here (exact).
    async fn collected_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.figures(ctx).await?.collected_grams))
    }

    /// Kilograms shipped out of here (exact).
    async fn shipped_out_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.figures(ctx).await?.shipped_out_grams))
    }

    /// Kilograms delivered into here (exact).
    async fn received_kilograms(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(mass::kilograms(self.figures(ctx).await?.received_grams))
    }

    /// Where donors can bring aid in this region, in registration order. Public.
    async fn collection_points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (at most 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the edge to start after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor of the edge to end before.")] before: Option<String>,
    ) -> async_graphql::Result<CollectionPointConnection> {
        let req = relay::page_request(
            first,
            after.as_deref(),
            last,
            before.as_deref(),
            &crate::store::collection_point::by_id(),
            20,
        )
        .extend()?;
        let page = ctx
            .loaders()
            .collection_point_pages
            .load_one((self.0.id, req))
            .await?
            .ok_or_else(|| async_graphql::Error::new("no page for this region"))?;
        Ok(connection(&page, self.0.id))
    }
}
