//! The one way a GraphQL operation runs, whatever carried it: a POST (alone or in a batch), a
//! GET, or a WebSocket message (`subscribe` of graphql-transport-ws, `start` of graphql-ws,
//! queries and mutations included).
//!
//! A transport asks [`admit`] for each operation (or [`admit_batch`] for a batch): it counts one
//! against the client's rate, takes a turn of the instance's admission control (waiting a
//! moment in a bounded queue at most, else refused at once with SERVICE_UNAVAILABLE: see
//! [`admission`](crate::http::admission)), counts one in `/metrics`, and returns the
//! [`Admitted`] without which [`run`] cannot be called; the turn is held until the answer is
//! made. [`run`]
//! executes within `BIRLIK_REQUEST_TIMEOUT_MS`, the operation's statements bound to the same
//! deadline (`db::within`: SQLite interrupts them, PostgreSQL cancels them). Over a socket,
//! async-graphql's protocol drives [`Gated`], an executor that does both for every message.
//! Nothing here may run an operation any other way.
//!
//! The client's address is read in one place, [`client_address`]; open sockets are counted per
//! address and per account in [`SocketCounts`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use actix_web::HttpRequest;
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response};
use futures_util::stream::{BoxStream, StreamExt};
use std::sync::atomic::Ordering;

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ErrorExtensions};
use crate::graphql::AppSchema;
use crate::http::State;
use crate::http::admission::Turns;
use crate::rate_limit::Client;

/// The address a request or socket comes from, as throttles key it (`http::client_address`:
/// `X-Forwarded-For` only behind a trusted proxy; IPv6 by its /64).
pub fn client_address(req: &HttpRequest, state: &State) -> Option<IpAddr> {
    crate::http::client_address(req, &state.trusted_proxies)
}

/// Proof that one operation was counted against its client's rate and in `/metrics`, holding
/// its turn of admission control (given back when it is dropped, with the answer made).
#[derive(Debug)]
pub struct Admitted(#[expect(dead_code, reason = "held for its drop")] Option<Turns>);

/// Counts one operation of a client and takes its turn; over the client's rate, or with every
/// turn and place in the queue taken, the refusal, with nothing counted in `/metrics`' requests.
pub async fn admit(
    state: &State,
    actor: &Actor,
    address: Option<IpAddr>,
) -> Result<Admitted, ApiError> {
    check_rate(state, actor, address)?;
    let turns = state.admission.enter(1).await?;
    state.requests.fetch_add(1, Ordering::Relaxed);
    Ok(Admitted(Some(turns)))
}

/// [`admit`] for each of a batch's `operations`: each is counted against the rate alone, and
/// those within it wait for their turns together; refused, they all are.
pub async fn admit_batch(
    state: &State,
    actor: &Actor,
    address: Option<IpAddr>,
    operations: usize,
) -> Vec<Result<Admitted, ApiError>> {
    let rated: Vec<_> = (0..operations)
        .map(|_| check_rate(state, actor, address))
        .collect();
    let within = rated.iter().filter(|r| r.is_ok()).count();
    if within == 0 {
        return rated
            .into_iter()
            .map(|r| r.map(|()| Admitted(None)))
            .collect();
    }
    let mut turns = match state
        .admission
        .enter(u32::try_from(within).unwrap_or(u32::MAX))
        .await
    {
        Ok(turns) => Some(turns),
        Err(_) => {
            return (0..operations)
                .map(|_| Err(ApiError::Unavailable))
                .collect();
        }
    };
    state.requests.fetch_add(within as u64, Ordering::Relaxed);
    rated
        .into_iter()
        .map(|r| {
            r.map(|()| {
                let one = turns.as_mut().and_then(Turns::split_one);
                Admitted(one.or_else(|| turns.take()))
            })
        })
        .collect()
}

/// Counts one request of a client against its rate (an operation through [`admit`], or the
/// opening of a socket).
pub fn check_rate(state: &State, actor: &Actor, address: Option<IpAddr>) -> Result<(), ApiError> {
    state
        .rate_limiter
        .check(&Client::of(actor, address))
        .map_err(|wait| ApiError::RateLimited {
            retry_after_s: wait.as_secs_f64().ceil().max(1.0) as u64,
        })
}

/// Runs one admitted operation within the time limit. The request carries its own data
/// (`RequestCtx`, loaders).
pub async fn run(
    schema: &AppSchema,
    state: &State,
    _admitted: Admitted,
    request: Request,
) -> Response {
    within_limit(state, schema.execute(request)).await
}

/// `work` within `BIRLIK_REQUEST_TIMEOUT_MS`. Past it, the work is dropped (an open transaction
/// rolls back), its statement stopped, and the client told to retry later. An answer that
/// comes back only after the deadline because a statement was stopped counts as timed out too.
async fn within_limit(
    state: &State,
    work: impl std::future::Future<Output = Response>,
) -> Response {
    let deadline = tokio::time::Instant::now() + state.request_timeout;
    let answer =
        tokio::time::timeout_at(deadline, crate::db::within(deadline.into_std(), work)).await;
    match answer {
        Ok(response) if !(tokio::time::Instant::now() >= deadline && stopped(&response)) => {
            response
        }
        _ => {
            tracing::warn!(timeout = ?state.request_timeout, "a GraphQL request ran out of time");
            let error = crate::error::request_error(
                format!(
                    "the request took longer than {} ms; nothing of it was kept",
                    state.request_timeout.as_millis()
                ),
                ApiError::Unavailable.code(),
                |_| {},
            );
            Response::from_errors(vec![error])
        }
    }
}

/// Whether an answer holds a SERVICE_UNAVAILABLE error (what a stopped statement becomes).
fn stopped(response: &Response) -> bool {
    let unavailable = async_graphql::Value::from(ApiError::Unavailable.code());
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == unavailable)
    })
}

/// A refusal as a GraphQL response (over a socket, or in its place in a batch).
pub fn refused(err: ApiError) -> Response {
    let extended = err.extend();
    let mut error = async_graphql::ServerError::new(extended.message, None);
    error.extensions = extended.extensions;
    Response::from_errors(vec![error])
}

/// The kind of operation a request would run, when its document parses and names one (parsed
/// through the process's parse cache, where the gate finds it again to run it).
pub fn operation_type(request: &Request) -> Option<OperationType> {
    use async_graphql::parser::types::DocumentOperations;
    let doc = crate::graphql::parse_cache::ParseCache::shared().document(&request.query)?;
    match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    }
}

/// The schema behind the gate, as async-graphql's WebSocket protocol drives it: each operation
/// a socket sends is admitted, and a query or mutation runs within the time limit. A
/// subscription's events are resolved from what the event carries, so only its start is timed.
#[derive(Clone)]
pub struct Gated {
    schema: AppSchema,
    state: State,
}

impl Gated {
    pub fn new(schema: AppSchema, state: State) -> Self {
        Gated { schema, state }
    }
}

/// The socket's `RequestCtx`, put in its data at `connection_init`.
fn request_ctx(data: &Data) -> Option<&RequestCtx> {
    data.get(&std::any::TypeId::of::<RequestCtx>())
        .and_then(|d| d.downcast_ref::<RequestCtx>())
}

impl Executor for Gated {
    async fn execute(&self, request: Request) -> Response {
        let (actor, address) = request_ctx(&request.data)
            .map(|rc| (rc.actor, rc.address))
            .unwrap_or((Actor::Anonymous, None));
        match admit(&self.state, &actor, address).await {
            Ok(admitted) => run(&self.schema, &self.state, admitted, request).await,
            Err(err) => refused(err),
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let session_data = session_data.unwrap_or_default();
        let (actor, address) = request_ctx(&session_data)
            .map(|rc| (rc.actor, rc.address))
            .unwrap_or((Actor::Anonymous, None));
        let (schema, state) = (self.schema.clone(), self.state.clone());
        futures_util::stream::once(async move {
            let admitted = match admit(&state, &actor, address).await {
                Ok(admitted) => admitted,
                Err(err) => return futures_util::stream::iter([refused(err)]).boxed(),
            };
            if operation_type(&request) == Some(OperationType::Subscription) {
                // A subscription holds no turn while it waits for events.
                drop(admitted);
                return schema.execute_stream_with_session_data(request, session_data);
            }
            let work = async move {
                schema
                    .execute_stream_with_session_data(request, session_data)
                    .next()
                    .await
                    .unwrap_or_default()
            };
            let response = within_limit(&state, work).await;
            drop(admitted);
            futures_util::stream::iter([response]).boxed()
        })
        .flatten()
        .boxed()
    }
}

/// Open WebSockets: per address until they sign in as an account, then per account.
#[derive(Clone, Debug)]
pub struct SocketCounts {
    open: Arc<Mutex<HashMap<Client, u32>>>,
    per_address: u32,
    per_account: u32,
}

/// One open socket's place in [`SocketCounts`]; given back when dropped.
#[derive(Debug)]
pub struct SocketSlot {
    counts: SocketCounts,
    client: Client,
}

impl SocketCounts {
    pub fn new(per_address: u32, per_account: u32) -> Self {
        SocketCounts {
            open: Arc::default(),
            per_address,
            per_account,
        }
    }

    /// A place for a socket of this client (an account, else its address), unless it already
    /// holds as many as it may.
    pub fn take(&self, actor: &Actor, address: Option<IpAddr>) -> Option<SocketSlot> {
        let client = Client::of(actor, address);
        let max = match client {
            Client::Account(_) => self.per_account,
            Client::Address(_) | Client::Unknown => self.per_address,
        };
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(client.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            counts: self.clone(),
            client,
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}
