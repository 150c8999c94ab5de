//! Donations: reading pages and totals within the caller's scope.

use birlik_entity::donation;
use sea_orm::{Condition, DatabaseConnection};

use crate::context::RequestCtx;
use crate::error::ApiResult;
use crate::services::access;
use crate::store;
use crate::store::donation::{Ordering, Totals};
use crate::store::page::{Page, PageRequest};

/// A page of the donations the caller may see that match `filter`, and the condition that selects
/// all of them (for the totals).
pub async fn page(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    filter: Condition,
    ordering: &Ordering,
    req: PageRequest,
) -> ApiResult<(Page<donation::Model>, Condition)> {
    let condition = Condition::all()
        .add(access::donations(&rc.actor)?)
        .add(filter);
    let page = store::donation::page(db, condition.clone(), ordering, &req).await?;
    Ok((page, condition))
}

/// Count and mass of the donations a condition selects.
pub async fn totals(db: &DatabaseConnection, condition: Condition) -> ApiResult<Totals> {
    Ok(store::donation::totals(db, condition).await?)
}
