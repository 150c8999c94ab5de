//! Per-request DataLoaders: every relation a resolver follows goes through one of these, so a
//! page of N rows costs one statement per relation, not N. Each batch is one call into `store`
//! (no SQL here); a loader keeps its actor's scope as the opaque value `store::scope` gave it.
//! Size: one short loader per relation of every type, beside the one registry of them all.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use birlik_entity::enums::DonationCategory;
use birlik_entity::{
    collection_point, donation, need, need_line, organization, shelter, shipment, shipment_item,
    task, user_account, volunteer, write_off,
};
use sea_orm::DatabaseConnection;

use crate::context::Actor;
use crate::error::{ApiError, ErrorExtensions as _};
use crate::store;
use crate::store::page::{Page, PageRequest};
use crate::store::scope::{self, Scope};
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
    user_account,
    need,
    shelter,
    write_off
);

/// Loads rows of one table by id, within the request's actor's scope (`store::scope`): a row
/// outside it is absent, as if it did not exist.
pub struct ById<E> {
    db: DatabaseConnection,
    scope: Scope,
    _entity: PhantomData<fn() -> E>,
}

fn graphql_error(err: sea_orm::DbErr) -> async_graphql::Error {
    ApiError::from(err).extend()
}

impl<E> Loader<i32> for ById<E>
where
    E: store::rows::Table,
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

/// Rows of a small public table (organizations, collection points) by id: the first ask reads the
/// whole table once for the request, and every later ask is answered from it. However the asks
/// of thousands of rows fall into a loader's windows (a stats answer of 4,000 groups took longer
/// than one window to resolve, and cost 30 statements), the table costs one statement.
pub struct Whole<E: store::rows::Table> {
    db: DatabaseConnection,
    rows: tokio::sync::OnceCell<Arc<HashMap<i32, E::Model>>>,
}

impl<E> Loader<i32> for Whole<E>
where
    E: store::rows::Table,
    E::Model: Keyed + Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, E::Model>, Self::Error> {
        let rows = self
            .rows
            .get_or_try_init(|| async {
                let rows = store::rows::all::<E>(&self.db)
                    .await
                    .map_err(graphql_error)?;
                Ok::<_, async_graphql::Error>(Arc::new(
                    rows.into_iter().map(|row| (row.key(), row)).collect(),
                ))
            })
            .await?;
        Ok(keys
            .iter()
            .filter_map(|k| rows.get(k).map(|row| (*k, row.clone())))
            .collect())
    }
}

fn whole<E>(db: &DatabaseConnection) -> DataLoader<Whole<E>>
where
    E: store::rows::Table,
    E::Model: Keyed + Clone + Send + Sync + 'static,
{
    loader(Whole {
        db: db.clone(),
        rows: tokio::sync::OnceCell::new(),
    })
}

/// The lines of shipments, by shipment id, within the actor's scope of shipment items.
pub struct ShipmentItems(DatabaseConnection, Scope);

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
pub struct ShipmentTotals(DatabaseConnection, Scope);

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

/// The lines of needs, by need id (needs are public: no scope).
pub struct NeedLines(DatabaseConnection);

impl Loader<i32> for NeedLines {
    type Value = Arc<Vec<need_line::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = store::need::lines_of(&self.0, keys)
            .await
            .map_err(graphql_error)?;
        let mut map: HashMap<i32, Vec<need_line::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            map.entry(row.need_id).or_default().push(row);
        }
        Ok(map.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// The category of a shipment item (its donation's), by item id, within the actor's scope of
/// shipment items.
pub struct ItemCategories(DatabaseConnection, Scope);

impl Loader<i32> for ItemCategories {
    type Value = DonationCategory;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, DonationCategory>, Self::Error> {
        store::shipment::item_categories(&self.0, keys, self.1.clone())
            .await
            .map_err(graphql_error)
    }
}

/// Pages of every region's collection points, by page asked for, fetched once per request.
type RegionPages = Arc<HashMap<i32, Arc<Page<collection_point::Model>>>>;

/// A page of a region's collection points, by region id and the page asked for. The first ask
/// for a page reads that page of all 20 regions in one statement and keeps it for the request:
/// a DataLoader's window alone splits a batch when thousands of rows ask over more than a
/// millisecond (26 statements were seen under one `donationStats`), and there are only 20
/// regions, so reading them all costs at most 20 pages.
pub struct CollectionPointPages {
    db: DatabaseConnection,
    regions: Vec<i32>,
    pages: std::sync::Mutex<HashMap<PageRequest, Arc<tokio::sync::OnceCell<RegionPages>>>>,
}

impl CollectionPointPages {
    async fn of_every_region(
        &self,
        req: &PageRequest,
    ) -> Result<RegionPages, async_graphql::Error> {
        let cell = self
            .pages
            .lock()
            .map_err(|_| async_graphql::Error::new("collection point pages poisoned"))?
            .entry(req.clone())
            .or_default()
            .clone();
        let pages = cell
            .get_or_try_init(|| async {
                let rows = store::collection_point::pages_in_regions(&self.db, &self.regions, req)
                    .await
                    .map_err(graphql_error)?;
                let mut of_region: HashMap<i32, Vec<collection_point::Model>> =
                    self.regions.iter().map(|r| (*r, Vec::new())).collect();
                for row in rows {
                    of_region.entry(row.region_id).or_default().push(row);
                }
                Ok::<_, async_graphql::Error>(Arc::new(
                    of_region
                        .into_iter()
                        .map(|(region, rows)| (region, Arc::new(store::page::finish(rows, req))))
                        .collect(),
                ))
            })
            .await?;
        Ok(pages.clone())
    }
}

impl Loader<(i32, PageRequest)> for CollectionPointPages {
    type Value = Arc<Page<collection_point::Model>>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(i32, PageRequest)],
    ) -> Result<HashMap<(i32, PageRequest), Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (region, req) in keys {
            let pages = self.of_every_region(req).await?;
            if let Some(page) = pages.get(region) {
                found.insert((*region, req.clone()), page.clone());
            }
        }
        Ok(found)
    }
}

/// How many collection points a region has, by region id: every region's count is read in one
/// statement on the first ask and kept for the request (as [`CollectionPointPages`]).
pub struct CollectionPointCounts {
    db: DatabaseConnection,
    regions: Vec<i32>,
    counts: tokio::sync::OnceCell<Arc<HashMap<i32, i64>>>,
}

impl Loader<i32> for CollectionPointCounts {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, i64>, Self::Error> {
        let counts = self
            .counts
            .get_or_try_init(|| async {
                let mut counts: HashMap<i32, i64> = self.regions.iter().map(|r| (*r, 0)).collect();
                counts.extend(
                    store::collection_point::counts_in_regions(&self.db, &self.regions)
                        .await
                        .map_err(graphql_error)?,
                );
                Ok::<_, async_graphql::Error>(Arc::new(counts))
            })
            .await?;
        Ok(keys
            .iter()
            .map(|k| (*k, counts.get(k).copied().unwrap_or(0)))
            .collect())
    }
}

/// A region's figures, by region id, from the rollups, read at most once per request: however
/// many batches a query's regions fall into (their timing decides, not the query), they cost
/// one statement.
pub struct RegionFiguresById {
    reads: crate::services::reads::Reads,
    actor: Actor,
    read: tokio::sync::OnceCell<crate::services::stats::Figures>,
}

impl RegionFiguresById {
    /// Every region's figures and when they were computed, read once for the request.
    pub async fn figures(&self) -> Result<&crate::services::stats::Figures, async_graphql::Error> {
        use async_graphql::ErrorExtensions;
        self.read
            .get_or_try_init(|| crate::services::stats::figures(&self.reads, &self.actor))
            .await
            .map_err(|e| e.extend())
    }
}

impl Loader<i32> for RegionFiguresById {
    type Value = RegionFigures;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, RegionFigures>, Self::Error> {
        let (rows, _) = self.figures().await?;
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
    E: store::rows::Table,
    E::Model: Keyed + Clone + Send + Sync + 'static,
{
    loader
        .load_one(id)
        .await?
        .ok_or_else(|| ApiError::Forbidden(why.to_owned()).extend())
}

/// Every loader of one request.
pub struct Loaders {
    pub organization: DataLoader<Whole<organization::Entity>>,
    pub collection_point: DataLoader<Whole<collection_point::Entity>>,
    pub donation: DataLoader<ById<donation::Entity>>,
    pub shipment: DataLoader<ById<shipment::Entity>>,
    pub task: DataLoader<ById<task::Entity>>,
    pub volunteer: DataLoader<ById<volunteer::Entity>>,
    pub user: DataLoader<ById<user_account::Entity>>,
    pub shipment_item: DataLoader<ById<shipment_item::Entity>>,
    pub shelter: DataLoader<ById<shelter::Entity>>,
    pub write_off: DataLoader<ById<write_off::Entity>>,
    pub shipment_items: DataLoader<ShipmentItems>,
    pub shipment_totals: DataLoader<ShipmentTotals>,
    pub item_categories: DataLoader<ItemCategories>,
    pub need: DataLoader<ById<need::Entity>>,
    pub need_lines: DataLoader<NeedLines>,
    pub region_figures: DataLoader<RegionFiguresById>,
    pub collection_point_pages: DataLoader<CollectionPointPages>,
    pub collection_point_counts: DataLoader<CollectionPointCounts>,
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

fn by_id<E>(db: &DatabaseConnection, scope: Scope) -> DataLoader<ById<E>>
where
    E: store::rows::Table,
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
    pub fn new(deps: &crate::services::Deps, actor: &Actor) -> Arc<Self> {
        let db = &deps.db;
        let items = scope::shipment_item(actor);
        let regions: Vec<i32> = deps.regions.iter().map(|r| r.id).collect();
        Arc::new(Loaders {
            organization: whole(db),
            collection_point: whole(db),
            donation: by_id(db, scope::donation(actor)),
            shipment: by_id(db, scope::shipment(actor)),
            task: by_id(db, scope::task(actor)),
            volunteer: by_id(db, scope::volunteer(actor)),
            user: by_id(db, scope::user(actor)),
            shipment_item: by_id(db, items.clone()),
            shelter: by_id(db, scope::shelter(actor)),
            write_off: by_id(db, scope::write_off(actor)),
            shipment_items: loader(ShipmentItems(db.clone(), items.clone())),
            shipment_totals: loader(ShipmentTotals(db.clone(), items.clone())),
            item_categories: loader(ItemCategories(db.clone(), items)),
            need: by_id(db, scope::need(actor)),
            need_lines: loader(NeedLines(db.clone())),
            region_figures: loader(RegionFiguresById {
                reads: deps.reads.clone(),
                actor: *actor,
                read: Default::default(),
            }),
            // Keyed by region and page; the same window as `loader`'s.
            collection_point_pages: DataLoader::new(
                CollectionPointPages {
                    db: db.clone(),
                    regions: regions.clone(),
                    pages: Default::default(),
                },
                crate::db::spawn,
            ),
            collection_point_counts: loader(CollectionPointCounts {
                db: db.clone(),
                regions,
                counts: Default::default(),
            }),
        })
    }
}
