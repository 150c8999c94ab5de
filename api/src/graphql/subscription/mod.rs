//! The subscription root: `taskEvents`.

use async_graphql::{Context, Enum, SimpleObject, Subscription};
use futures_util::Stream;
use futures_util::stream::StreamExt;

use crate::context::Actor;
use crate::error::{ApiError, ErrorExtensions};
use crate::events::{Delivery, Event, ShipmentEventKind, TaskEventKind};
use crate::graphql::ContextExt;
use crate::graphql::types::shipment::Shipment;
use crate::graphql::types::task::Task;

/// What happened to a shipment.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "ShipmentEventKind")]
pub enum ShipmentEventType {
    /// It was planned.
    Planned,
    /// It left.
    Dispatched,
    /// Its delivery was confirmed.
    Delivered,
    /// It was called off before it left.
    Cancelled,
}

/// A shipment event for the subscribed organization.
#[derive(SimpleObject)]
pub struct ShipmentEvent {
    /// What happened.
    pub kind: ShipmentEventType,
    /// The shipment as it now stands.
    pub shipment: Shipment,
}

/// What happened to a task.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "TaskEventKind")]
pub enum TaskEventType {
    /// You got a place on it.
    Assigned,
    /// It changed.
    Changed,
    /// It was called off.
    Cancelled,
    /// Your place on it ended.
    Released,
}

/// A task event for the subscribed volunteer.
#[derive(SimpleObject)]
pub struct TaskEvent {
    /// What happened.
    pub kind: TaskEventType,
    /// The task as it now stands.
    pub task: Task,
}

/// Every live event Birlik pushes.
#[derive(Default)]
pub struct Subscription;

/// Every live event Birlik pushes.
#[Subscription]
impl Subscription {
    /// Events of the calling volunteer's tasks: a place assigned or released, a task changed or
    /// cancelled. The access token comes in `connection_init`.
    async fn task_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = TaskEvent> + use<>> {
        let (rc, _) = ctx.request();
        let volunteer_id = match rc.actor {
            Actor::Volunteer { volunteer_id, .. } => volunteer_id,
            Actor::Anonymous => return Err(ApiError::Unauthenticated.extend()),
            _ => return Err(ApiError::Forbidden("task events are a volunteer's".into()).extend()),
        };
        let receiver = tokio_stream::wrappers::BroadcastStream::new(ctx.deps().events.subscribe());
        Ok(receiver.filter_map(move |delivery| async move {
            let Ok(Delivery {
                event: Event::Task(event),
                task: Some(task),
                ..
            }) = delivery
            else {
                return None;
            };
            event
                .volunteer_ids
                .contains(&volunteer_id)
                .then(|| TaskEvent {
                    kind: event.kind.into(),
                    task: Task((*task).clone()),
                })
        }))
    }

    /// Events of the shipments the caller reads (an organization those it sends and those coming
    /// into a region where it runs a collection point; the ministry all): planned, dispatched,
    /// delivered.
    async fn shipment_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = ShipmentEvent> + use<>> {
        let (rc, _) = ctx.request();
        match rc.actor {
            Actor::Ngo { .. } | Actor::Ministry { .. } => {}
            Actor::Anonymous => return Err(ApiError::Unauthenticated.extend()),
            Actor::Volunteer { .. } => {
                return Err(
                    ApiError::Forbidden("shipment events are an organization's".into()).extend(),
                );
            }
        }
        // Each event's shipment passes the subscriber's scope of shipments (`store::scope`), in
        // SQL, through the connection's scoped loader: the same rule as every other path.
        let loaders = ctx
            .data_unchecked::<std::sync::Arc<crate::graphql::loaders::Loaders>>()
            .clone();
        let receiver = tokio_stream::wrappers::BroadcastStream::new(ctx.deps().events.subscribe());
        Ok(receiver.filter_map(move |delivery| {
            let loaders = loaders.clone();
            async move {
                let Ok(Delivery {
                    event: Event::Shipment(event),
                    shipment: Some(shipment),
                    ..
                }) = delivery
                else {
                    return None;
                };
                loaders
                    .shipment
                    .load_one(shipment.id)
                    .await
                    .ok()
                    .flatten()
                    .map(|_| ShipmentEvent {
                        kind: event.kind.into(),
                        shipment: Shipment((*shipment).clone()),
                    })
            }
        }))
    }
}
