//! Filters and orderings of the analysts' lists of shipments, tasks, volunteers and
//! organizations, and the connections they return.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, InputObject, Object};
use birlik_entity::{enums, organization, shipment, task, volunteer};
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::context::ContextExt;
use crate::error::{ApiResult, ResultExt};
use crate::graphql::filters::{
    BooleanFilter, DateTimeFilter, FilterCx, FilterTree, IdFilter, IntFilter, OrderDirection,
    StringFilter, enum_filter, region_code_condition,
};
use crate::graphql::relay;
use crate::graphql::types::enums::{OrganizationKind, ShipmentStatus, TaskKind, TaskStatus};
use crate::graphql::types::organization::Organization;
use crate::graphql::types::shipment::Shipment;
use crate::graphql::types::task::Task;
use crate::graphql::types::volunteer::Volunteer;
use crate::store::lists::{OrganizationField, ShipmentField, TaskField, VolunteerField};
use crate::store::page::{self, Field, Page};

enum_filter!(
    ShipmentStatusFilter,
    ShipmentStatus,
    enums::ShipmentStatus,
    "Compares a shipment status."
);
enum_filter!(
    TaskKindFilter,
    TaskKind,
    enums::TaskKind,
    "Compares a task kind."
);
enum_filter!(
    TaskStatusFilter,
    TaskStatus,
    enums::TaskStatus,
    "Compares a task status."
);
enum_filter!(
    OrganizationKindFilter,
    OrganizationKind,
    enums::OrganizationKind,
    "Compares an organization kind."
);

/// Declares an order input (field enum + direction) and its conversion to a store ordering.
macro_rules! order_input {
    ($input:ident, $enum:ident, $field:ident, $doc:literal, $default:expr, { $($variant:ident: $vdoc:literal),* }) => {
        #[doc = $doc]
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $enum {
            $(#[doc = $vdoc] $variant,)*
        }

        /// One sort key.
        #[derive(InputObject, Clone, Copy, Debug)]
        pub struct $input {
            /// The field.
            pub field: $enum,
            /// The direction (descending by default).
            #[graphql(default)]
            pub direction: OrderDirection,
        }

        impl $input {
            /// The ordering an `orderBy` argument asks for (the default when absent or empty).
            pub fn ordering(order_by: Option<&[$input]>) -> page::Ordering<$field> {
                let keys: Vec<($field, bool)> = order_by
                    .unwrap_or_default()
                    .iter()
                    .map(|o| (match o.field { $($enum::$variant => $field::$variant,)* }, o.direction == OrderDirection::Desc))
                    .collect();
                if keys.is_empty() { page::Ordering(vec![$default]) } else { page::Ordering(keys) }
            }
        }
    };
}

order_input!(ShipmentOrder, ShipmentOrderField, ShipmentField, "What shipments can be ordered by.", (ShipmentField::CreatedAt, true), {
    CreatedAt: "When it was planned.", UpdatedAt: "When it last changed.", Status: "Status.", Id: "Id."
});
order_input!(TaskOrder, TaskOrderField, TaskField, "What tasks can be ordered by.", (TaskField::CreatedAt, true), {
    CreatedAt: "When it was posted.", UpdatedAt: "When it last changed.", StartsAt: "When it starts.", EndsAt: "When it ends.",
    Status: "Status.", Kind: "Kind.", VolunteersNeeded: "Places.", Id: "Id."
});
order_input!(VolunteerOrder, VolunteerOrderField, VolunteerField, "What volunteers can be ordered by.", (VolunteerField::CreatedAt, true), {
    CreatedAt: "When they joined.", UpdatedAt: "When their record last changed.", FullName: "Name.", Id: "Id."
});
order_input!(OrganizationOrder, OrganizationOrderField, OrganizationField, "What organizations can be ordered by.", (OrganizationField::CreatedAt, true), {
    CreatedAt: "When it was registered.", Name: "Name.", Kind: "Kind.", Id: "Id."
});

/// Conditions on shipments. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ShipmentFilter {
    /// All of these.
    pub and: Option<Vec<ShipmentFilter>>,
    /// Any of these.
    pub or: Option<Vec<ShipmentFilter>>,
    /// Not this.
    pub not: Option<Box<ShipmentFilter>>,
    /// The shipment's id.
    pub id: Option<IdFilter>,
    /// Status.
    pub status: Option<ShipmentStatusFilter>,
    /// The ISO code of the region it leaves from.
    pub origin_region_code: Option<StringFilter>,
    /// The ISO code of the region it goes to.
    pub destination_region_code: Option<StringFilter>,
    /// The sending organization.
    pub organization_id: Option<IdFilter>,
    /// The vehicle.
    pub vehicle: Option<StringFilter>,
    /// When it left.
    pub dispatched_at: Option<DateTimeFilter>,
    /// When it arrived.
    pub delivered_at: Option<DateTimeFilter>,
    /// When it was planned.
    pub created_at: Option<DateTimeFilter>,
    /// When it last changed.
    pub updated_at: Option<DateTimeFilter>,
}

impl FilterTree for ShipmentFilter {
    fn nested(&self) -> (Option<&[Self]>, Option<&[Self]>, Option<&Self>) {
        (self.and.as_deref(), self.or.as_deref(), self.not.as_deref())
    }

    fn fields(&self, cx: FilterCx) -> ApiResult<Condition> {
        use shipment::Column as C;
        let c = |column: C| Expr::col((shipment::Entity, column));
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c(C::Id), "Shipment", "filter.id")?);
        }
        if let Some(f) = &self.status {
            all = all.add(f.condition(c(C::Status)));
        }
        if let Some(f) = &self.origin_region_code {
            all = all.add(region_code_condition(c(C::OriginRegionId), f, cx));
        }
        if let Some(f) = &self.destination_region_code {
            all = all.add(region_code_condition(c(C::DestinationRegionId), f, cx));
        }
        if let Some(f) = &self.organization_id {
            all = all.add(f.condition(
                c(C::OrganizationId),
                "Organization",
                "filter.organizationId",
            )?);
        }
        if let Some(f) = &self.vehicle {
            all = all.add(f.condition(c(C::Vehicle), cx));
        }
        for (f, column) in [
            (&self.dispatched_at, C::DispatchedAt),
            (&self.delivered_at, C::DeliveredAt),
            (&self.created_at, C::CreatedAt),
            (&self.updated_at, C::UpdatedAt),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(c(column)));
            }
        }
        Ok(all)
    }
}

/// Conditions on tasks. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct TaskFilter {
    /// All of these.
    pub and: Option<Vec<TaskFilter>>,
    /// Any of these.
    pub or: Option<Vec<TaskFilter>>,
    /// Not this.
    pub not: Option<Box<TaskFilter>>,
    /// The task's id.
    pub id: Option<IdFilter>,
    /// Kind.
    pub kind: Option<TaskKindFilter>,
    /// Status.
    pub status: Option<TaskStatusFilter>,
    /// The ISO code of its region.
    pub region_code: Option<StringFilter>,
    /// The organization that posted it.
    pub organization_id: Option<IdFilter>,
    /// Its collection point.
    pub collection_point_id: Option<IdFilter>,
    /// Its shipment.
    pub shipment_id: Option<IdFilter>,
    /// Title text.
    pub title: Option<StringFilter>,
    /// When it starts.
    pub starts_at: Option<DateTimeFilter>,
    /// When it ends.
    pub ends_at: Option<DateTimeFilter>,
    /// Places.
    pub volunteers_needed: Option<IntFilter>,
    /// Places taken.
    pub volunteers_assigned: Option<IntFilter>,
    /// When it was posted.
    pub created_at: Option<DateTimeFilter>,
    /// When it last changed.
    pub updated_at: Option<DateTimeFilter>,
}

impl FilterTree for TaskFilter {
    fn nested(&self) -> (Option<&[Self]>, Option<&[Self]>, Option<&Self>) {
        (self.and.as_deref(), self.or.as_deref(), self.not.as_deref())
    }

    fn fields(&self, cx: FilterCx) -> ApiResult<Condition> {
        use task::Column as C;
        let c = |column: C| Expr::col((task::Entity, column));
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c(C::Id), "Task", "filter.id")?);
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(c(C::Kind)));
        }
        if let Some(f) = &self.status {
            all = all.add(f.condition(c(C::Status)));
        }
        if let Some(f) = &self.region_code {
            all = all.add(region_code_condition(c(C::RegionId), f, cx));
        }
        if let Some(f) = &self.organization_id {
            all = all.add(f.condition(
                c(C::OrganizationId),
                "Organization",
                "filter.organizationId",
            )?);
        }
        if let Some(f) = &self.collection_point_id {
            all = all.add(f.condition(
                c(C::CollectionPointId),
                "CollectionPoint",
                "filter.collectionPointId",
            )?);
        }
        if let Some(f) = &self.shipment_id {
            all = all.add(f.condition(c(C::ShipmentId), "Shipment", "filter.shipmentId")?);
        }
        if let Some(f) = &self.title {
            all = all.add(f.condition(c(C::Title), cx));
        }
        for (f, column) in [
            (&self.volunteers_needed, C::VolunteersNeeded),
            (&self.volunteers_assigned, C::VolunteersAssigned),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(c(column)));
            }
        }
        for (f, column) in [
            (&self.starts_at, C::StartsAt),
            (&self.ends_at, C::EndsAt),
            (&self.created_at, C::CreatedAt),
            (&self.updated_at, C::UpdatedAt),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(c(column)));
            }
        }
        Ok(all)
    }
}

/// Conditions on volunteers. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct VolunteerFilter {
    /// All of these.
    pub and: Option<Vec<VolunteerFilter>>,
    /// Any of these.
    pub or: Option<Vec<VolunteerFilter>>,
    /// Not this.
    pub not: Option<Box<VolunteerFilter>>,
    /// The volunteer's id.
    pub id: Option<IdFilter>,
    /// Full name.
    pub full_name: Option<StringFilter>,
    /// The ISO code of their headquarters' region.
    pub region_code: Option<StringFilter>,
    /// Their organization.
    pub organization_id: Option<IdFilter>,
    /// Ready to take tasks.
    pub available: Option<BooleanFilter>,
    /// When they joined.
    pub created_at: Option<DateTimeFilter>,
    /// When their record last changed.
    pub updated_at: Option<DateTimeFilter>,
}

impl FilterTree for VolunteerFilter {
    fn nested(&self) -> (Option<&[Self]>, Option<&[Self]>, Option<&Self>) {
        (self.and.as_deref(), self.or.as_deref(), self.not.as_deref())
    }

    fn fields(&self, cx: FilterCx) -> ApiResult<Condition> {
        use volunteer::Column as C;
        let c = |column: C| Expr::col((volunteer::Entity, column));
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c(C::Id), "Volunteer", "filter.id")?);
        }
        if let Some(f) = &self.full_name {
            all = all.add(f.condition(c(C::FullName), cx));
        }
        if let Some(f) = &self.region_code {
            all = all.add(region_code_condition(c(C::RegionId), f, cx));
        }
        if let Some(f) = &self.organization_id {
            all = all.add(f.condition(
                c(C::OrganizationId),
                "Organization",
                "filter.organizationId",
            )?);
        }
        if let Some(f) = &self.available {
            all = all.add(f.condition(c(C::Available)));
        }
        for (f, column) in [
            (&self.created_at, C::CreatedAt),
            (&self.updated_at, C::UpdatedAt),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(c(column)));
            }
        }
        Ok(all)
    }
}

/// Conditions on organizations. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OrganizationFilter {
    /// All of these.
    pub and: Option<Vec<OrganizationFilter>>,
    /// Any of these.
    pub or: Option<Vec<OrganizationFilter>>,
    /// Not this.
    pub not: Option<Box<OrganizationFilter>>,
    /// The organization's id.
    pub id: Option<IdFilter>,
    /// Name.
    pub name: Option<StringFilter>,
    /// Kind.
    pub kind: Option<OrganizationKindFilter>,
    /// The ISO code of its headquarters' region.
    pub region_code: Option<StringFilter>,
    /// Verified by the ministry.
    pub verified: Option<BooleanFilter>,
    /// When it was verified.
    pub verified_at: Option<DateTimeFilter>,
    /// When it was registered.
    pub created_at: Option<DateTimeFilter>,
}

impl FilterTree for OrganizationFilter {
    fn nested(&self) -> (Option<&[Self]>, Option<&[Self]>, Option<&Self>) {
        (self.and.as_deref(), self.or.as_deref(), self.not.as_deref())
    }

    fn fields(&self, cx: FilterCx) -> ApiResult<Condition> {
        use organization::Column as C;
        let c = |column: C| Expr::col((organization::Entity, column));
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c(C::Id), "Organization", "filter.id")?);
        }
        if let Some(f) = &self.name {
            all = all.add(f.condition(c(C::Name), cx));
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(c(C::Kind)));
        }
        if let Some(f) = &self.region_code {
            all = all.add(region_code_condition(c(C::RegionId), f, cx));
        }
        if let Some(f) = &self.verified {
            // "verified" is "verified_at is set".
            let verified = |v: bool| {
                if v {
                    Expr::expr(c(C::VerifiedAt)).is_not_null()
                } else {
                    Expr::expr(c(C::VerifiedAt)).is_null()
                }
            };
            if let Some(v) = f.eq {
                all = all.add(verified(v));
            }
            if let Some(v) = f.ne {
                all = all.add(verified(!v));
            }
        }
        for (f, column) in [
            (&self.verified_at, C::VerifiedAt),
            (&self.created_at, C::CreatedAt),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(c(column)));
            }
        }
        Ok(all)
    }
}

/// Declares the totals object of a list connection: `totalCount` over all pages.
macro_rules! totals {
    ($name:ident, $entity:path, $doc:literal) => {
        #[doc = $doc]
        pub struct $name {
            pub condition: Condition,
        }

        #[Object]
        impl $name {
            /// How many the list holds, over all pages.
            async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
                page::count::<$entity>(ctx.request().1, self.condition.clone())
                    .await
                    .map_err(crate::error::ApiError::from)
                    .extend()
            }
        }
    };
}

totals!(
    ShipmentTotals,
    shipment::Entity,
    "Counts over every page of a shipment list."
);
totals!(
    TaskListTotals,
    task::Entity,
    "Counts over every page of a task list."
);
totals!(
    VolunteerTotals,
    volunteer::Entity,
    "Counts over every page of a volunteer list."
);
totals!(
    OrganizationTotals,
    organization::Entity,
    "Counts over every page of an organization list."
);

/// A page of shipments.
pub type ShipmentConnection = Connection<String, Shipment, ShipmentTotals>;
/// A page of volunteers.
pub type VolunteerConnection = Connection<String, Volunteer, VolunteerTotals>;
/// A page of organizations.
pub type OrganizationConnection = Connection<String, Organization, OrganizationTotals>;

/// Names the connection of the `tasks` list (its edges are tasks, as `openTasks`' are).
pub struct TaskListName;

impl async_graphql::connection::ConnectionNameType for TaskListName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "TaskListConnection".into()
    }
}

impl async_graphql::connection::EdgeNameType for TaskListName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "TaskListEdge".into()
    }
}

/// A page of tasks in any order.
pub type TaskListConnection = Connection<
    String,
    Task,
    TaskListTotals,
    async_graphql::connection::EmptyFields,
    TaskListName,
    TaskListName,
>;

/// The connection over a page read in `ordering`.
pub fn connection<M, N, T, F, Name, EdgeName>(
    page: Page<M>,
    ordering: &page::Ordering<F>,
    totals: T,
) -> Connection<String, N, T, async_graphql::connection::EmptyFields, Name, EdgeName>
where
    F: Field<Model = M>,
    N: From<M> + async_graphql::OutputType,
    T: async_graphql::ObjectType,
    Name: async_graphql::connection::ConnectionNameType,
    EdgeName: async_graphql::connection::EdgeNameType,
{
    relay::connection(
        page,
        &ordering.signature(),
        |row| ordering.key_values(row),
        totals,
    )
}
