//! Per-request DataLoaders: every relation a resolver follows goes through one of these, so a
//! page of N rows costs one statement per relation, not N.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use birlik_entity::enums::DonationCategory;
use birlik_entity::{
    collection_point, donation, organization, shipment, shipment_item, task, user_account,
    volunteer,
};
use sea_orm::{Condition, DatabaseConnection, EntityTrait};

use crate::context::Actor;
use crate::error::{ApiError, ErrorExtensions as _};
use crate::store;
use crate::store::scope;
use crate::store::stats::RegionFigures;

/// A row keyed by its `id`.
pub trait Keyed {
    fn key(&self) -> i32;
}

macro_rules! keyed {
    ($($module:ident),*) => {$(
        impl Keyed for $module::Model {
            fn key(&self) -> i32 {
                self.id
            }
        }
    )*};
}
keyed!(
    shipment_item,
    organization,
    collection_point,
    donation,
    shipment,
    task,
    volunteer,
    user_account
);

/// Loads rows of one table by id, within the request's actor's scope (`store::scope`): a row
/// outside it is absent, as if it did not exist.
pub struct ById<E> {
    db: DatabaseConnection,
    scope: Condition,
    _entity: PhantomData<fn() -> E>,
}

fn graphql_error(err: sea_orm::DbErr) -> async_graphql::Error {
    ApiError::from(err).extend()
}

impl<E> Loader<i32> for ById<E>
where
    E: EntityTrait + Default,
    E::Model: Keyed + Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, E::Model>, Self::Error> {
        let rows = store::rows::by_ids::<E>(&self.db, keys, self.scope.clone())
            .await
            .map_err(graphql_error)?;
        Ok(rows.into_iter().map(|row| (row.key(), row)).collect())
    }
}

/// The lines of shipments, by shipment id, within the actor's scope of shipment items.
pub struct ShipmentItems(DatabaseConnection, Condition);

impl Loader<i32> for ShipmentItems {
    type Value = Arc<Vec<shipment_item::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = store::shipment::items_of(&self.0, keys, self.1.clone())
            .await
            .map_err(graphql_error)?;
        let mut map: HashMap<i32, Vec<shipment_item::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            map.entry(row.shipment_id).or_default().push(row);
        }
        Ok(map.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// Grams a shipment carries, by shipment id, within the actor's scope of shipment items.
pub struct ShipmentTotals(DatabaseConnection, Condition);

impl Loader<i32> for ShipmentTotals {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, i64>, Self::Error> {
        let mut totals: HashMap<i32, i64> = keys.iter().map(|k| (*k, 0)).collect();
        totals.extend(
            store::shipment::totals(&self.0, keys, self.1.clone())
                .await
                .map_err(graphql_error)?,
        );
        Ok(totals)
    }
}

/// The category of a shipment item (its donation's), by item id, within the actor's scope of
/// shipment items.
pub struct ItemCategories(DatabaseConnection, Condition);

impl Loader<i32> for ItemCategories {
    type Value = DonationCategory;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, DonationCategory>, Self::Error> {
        store::shipment::item_categories(&self.0, keys, self.1.clone())
            .await
            .map_err(graphql_error)
    }
}

/// A region's figures, by region id, from the instance's figures cache.
pub struct RegionFiguresById(
    Arc<crate::services::stats::FiguresCache>,
    DatabaseConnection,
);

impl Loader<i32> for RegionFiguresById {
    type Value = RegionFigures;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, RegionFigures>, Self::Error> {
        use async_graphql::ErrorExtensions;
        let (rows, _) = self.0.get(&self.1).await.map_err(|e| e.extend())?;
        Ok(rows
            .iter()
            .filter(|f| keys.contains(&f.region_id))
            .map(|f| (f.region_id, *f))
            .collect())
    }
}

/// A relation to a row that may belong to another owner, through its scoped loader: the row, or
/// `FORBIDDEN` (with `why`) when it lies outside the caller's scope. Rows are never deleted, so an
/// absent row is always one the caller may not read.
pub async fn related<E>(
    loader: &DataLoader<ById<E>>,
    id: i32,
    why: &str,
) -> async_graphql::Result<E::Model>
where
    E: EntityTrait + Default,
    E::Model: Keyed + Clone + Send + Sync + 'static,
{
    loader
        .load_one(id)
        .await?
        .ok_or_else(|| ApiError::Forbidden(why.to_owned()).extend())
}

/// Every loader of one request.
pub struct Loaders {
    pub organization: DataLoader<ById<organization::Entity>>,
    pub collection_point: DataLoader<ById<collection_point::Entity>>,
    pub donation: DataLoader<ById<donation::Entity>>,
    pub shipment: DataLoader<ById<shipment::Entity>>,
    pub task: DataLoader<ById<task::Entity>>,
    pub volunteer: DataLoader<ById<volunteer::Entity>>,
    pub user: DataLoader<ById<user_account::Entity>>,
    pub shipment_item: DataLoader<ById<shipment_item::Entity>>,
    pub shipment_items: DataLoader<ShipmentItems>,
    pub shipment_totals: DataLoader<ShipmentTotals>,
    pub item_categories: DataLoader<ItemCategories>,
    pub region_figures: DataLoader<RegionFiguresById>,
}

/// A loader that gathers the keys asked for within async-graphql's default 1 ms, on the
/// runtime's own timer (async-graphql's `tokio-timer`; without it every batch woke a timer
/// thread of async-io's). The window is needed: fetching as soon as the request's task yields
/// split a page's batch whenever resolving the page yielded part-way (tokio's cooperative
/// budget), one statement more in about one large OrganizationDonations page in three. The
/// batch runs under the deadline of the request that asked for it (`db::spawn`).
fn loader<T: Loader<i32>>(inner: T) -> DataLoader<T> {
    DataLoader::new(inner, crate::db::spawn)
}

fn by_id<E>(db: &DatabaseConnection, scope: Condition) -> DataLoader<ById<E>>
where
    E: EntityTrait + Default,
    E::Model: Keyed + Clone + Send + Sync + 'static,
{
    loader(ById {
        db: db.clone(),
        scope,
        _entity: PhantomData,
    })
}

impl Loaders {
    /// Fresh loaders for one request (no cache carried between requests), each within the
    /// actor's scope of its type.
    pub fn new(state: &crate::context::AppState, actor: &Actor) -> Arc<Self> {
        let db = &state.db;
        let items = scope::shipment_item(actor);
        Arc::new(Loaders {
            organization: by_id(db, Condition::all()),
            collection_point: by_id(db, Condition::all()),
            donation: by_id(db, scope::donation(actor)),
            shipment: by_id(db, scope::shipment(actor)),
            task: by_id(db, scope::task(actor)),
            volunteer: by_id(db, scope::volunteer(actor)),
            user: by_id(db, scope::user(actor)),
            shipment_item: by_id(db, items.clone()),
            shipment_items: loader(ShipmentItems(db.clone(), items.clone())),
            shipment_totals: loader(ShipmentTotals(db.clone(), items.clone())),
            item_categories: loader(ItemCategories(db.clone(), items)),
            region_figures: loader(RegionFiguresById(state.figures.clone(), db.clone())),
        })
    }
}
