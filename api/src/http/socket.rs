//! GraphQL subscriptions over WebSocket, `graphql-transport-ws` and the older `graphql-ws`.
//!
//! async-graphql speaks the protocols; every operation a socket sends (subscriptions, queries
//! and mutations alike) runs through the gate that HTTP uses (`gate::Gated`: the client's
//! rate, `/metrics`, the time limit). This module owns the socket around them, so that it can
//! close it when the server must:
//! - an address already holds `BIRLIK_WS_PER_ADDRESS` sockets that have not signed in: the
//!   upgrade is refused with 429 and `Retry-After` (graphql-ws clients retry with a back-off;
//!   a close code in 44xx would make them give up for good), and an account already holds
//!   `BIRLIK_WS_PER_ACCOUNT` sockets: `connection_init` is refused with 4429;
//! - `connection_init` carries a token that is not valid (4403, forbidden), whose account is
//!   disabled (4403), or that has expired (4401);
//! - the access token from `connection_init` expires (close code 4401), unless the client sends a
//!   fresher one for the same account in a `ping` message's payload first
//!   (`{"type":"ping","payload":{"Authorization":"Bearer …"}}`, answered by a `pong` carrying the
//!   new `expiresAt`), which keeps every subscription running;
//! - the account is disabled (4403), on any instance;
//! - no `connection_init` arrives within [`INIT_WAIT`] (4408);
//! - the client stops answering pings for two and a half intervals, or takes longer than an
//!   interval to read what it is sent (1001). A slow reader never makes the server buffer more than
//!   a few frames: its events lag and skip, and it is disconnected;
//! - the server is stopping (1001).
//!
//! Size: one connection's state machine (handshake, subscriptions, the account check, the
//! close codes) reads best whole; it is a little over 400 lines.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseReason, Session};
use async_graphql::Data;
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::auth::extract;
use crate::context::{Actor, Lang, RequestCtx};
use crate::error::ApiError;
use crate::events::{Delivery, Event};
use crate::graphql::AppSchema;
use crate::graphql::loaders::Loaders;
use crate::http::State;
use crate::http::gate::{self, Gated, SocketSlot};

/// How long a socket may stay open without `connection_init`.
pub const INIT_WAIT: Duration = Duration::from_secs(10);
/// The largest message a client may send.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Client messages waiting for the protocol to read them; more is a flood, and closes the socket.
const INBOUND_QUEUE: usize = 32;

/// graphql-transport-ws: the token is missing, invalid or expired.
const UNAUTHORIZED: u16 = 4401;
/// graphql-transport-ws: the account may no longer subscribe.
const FORBIDDEN: u16 = 4403;
/// graphql-transport-ws: no `connection_init` in time.
const INIT_TIMEOUT: u16 = 4408;
/// RFC 6455: the endpoint is going away (here: the peer stopped answering or reading).
const GOING_AWAY: u16 = 1001;
/// RFC 6455: a protocol error.
const PROTOCOL_ERROR: u16 = 1002;
/// RFC 6455: a policy violation (here: a flood of messages).
const POLICY_VIOLATION: u16 = 1008;
/// RFC 6455: a message too big to process.
const TOO_BIG: u16 = 1009;
/// graphql-transport-ws's "too many": here, the account holds as many sockets as it may.
const TOO_MANY: u16 = 4429;
/// Seconds a client refused a socket is asked to wait.
const RETRY_SOCKET_S: u64 = 10;

/// Who the socket was opened for, once `connection_init` is accepted.
#[derive(Clone, Copy, Debug)]
struct Authenticated {
    user_id: Option<i32>,
    expires_at: Option<DateTime<Utc>>,
}

/// Upgrades `GET /graphql` to a WebSocket speaking the subprotocol the client asks for.
pub fn start(
    req: &HttpRequest,
    payload: web::Payload,
    schema: AppSchema,
    state: State,
) -> actix_web::Result<HttpResponse> {
    let address = gate::client_address(req, &state);
    if let Err(err) = gate::check_rate(&state, &Actor::Anonymous, address) {
        return Ok(crate::http::graphql::refusal(err));
    }
    let Some(slot) = state.sockets.take(&Actor::Anonymous, address) else {
        tracing::debug!(?address, "refused a WebSocket: the address holds its share");
        return Ok(crate::http::graphql::refusal(ApiError::RateLimited {
            retry_after_s: RETRY_SOCKET_S,
        }));
    };
    let (response, session, stream) =
        actix_ws::handle_with_protocols(req, payload, &["graphql-transport-ws", "graphql-ws"])?;
    let Some(protocol) = response
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|p| p.to_str().ok())
        .and_then(|p| p.parse::<WebSocketProtocols>().ok())
    else {
        return Ok(HttpResponse::BadRequest()
            .content_type("text/plain; charset=utf-8")
            .body("ask for the graphql-transport-ws (or graphql-ws) WebSocket subprotocol"));
    };
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let stream = stream
        .max_frame_size(MAX_MESSAGE_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE_BYTES);
    actix_web::rt::spawn(async move {
        let connection = Connection {
            protocol,
            state,
            lang,
            address,
            slot: Arc::new(Mutex::new(Some(slot))),
            refusal: Arc::default(),
        };
        connection.run(session, stream, schema).await;
    });
    Ok(response)
}

/// One socket's settings.
struct Connection {
    protocol: WebSocketProtocols,
    state: State,
    lang: Lang,
    address: Option<std::net::IpAddr>,
    /// This socket's place among its address's (then its account's) open sockets.
    slot: Arc<Mutex<Option<SocketSlot>>>,
    /// The close code for a refused `connection_init` (async-graphql would send 1002).
    refusal: Arc<Mutex<Option<u16>>>,
}

impl Connection {
    /// The socket's loop. Its future is what an idle socket keeps, so the awaits on paths it
    /// rarely takes (a pong, a ping, a send, re-authentication, the account check, the close)
    /// are boxed: their futures are allocated while they run instead of widening every socket's
    /// state (3,944 → 3,120 bytes in a debug build).
    async fn run(
        self,
        mut session: Session,
        mut stream: actix_ws::AggregatedMessageStream,
        schema: AppSchema,
    ) {
        let (auth_tx, mut auth_rx) = watch::channel(None::<Authenticated>);
        let (inbound, inbound_rx) = mpsc::channel::<Bytes>(INBOUND_QUEUE);
        let init = self.on_connection_init(auth_tx);
        let mut graphql = WebSocket::new(
            Gated::new(schema, self.state.clone()),
            tokio_stream::wrappers::ReceiverStream::new(inbound_rx),
            self.protocol,
        )
        .on_connection_init(init);
        let mut events =
            tokio_stream::wrappers::BroadcastStream::new(self.state.deps.events.subscribe());
        let interval = self.state.ws_ping;
        let mut pings = tokio::time::interval_at(Instant::now() + interval, interval);
        let init_deadline = tokio::time::sleep(INIT_WAIT);
        tokio::pin!(init_deadline);
        let mut last_heard = Instant::now();
        let mut auth: Option<Authenticated> = None;
        let mut stopping = self.state.stopping.clone();

        let close: Option<(u16, &str)> = loop {
            let expiry = auth.and_then(|a| a.expires_at).map(instant_of);
            tokio::select! {
                incoming = stream.next() => {
                    last_heard = Instant::now();
                    let message = match incoming {
                        None => break None,
                        Some(Err(actix_ws::ProtocolError::Overflow)) => {
                            break Some((TOO_BIG, "message too big"));
                        }
                        Some(Err(_)) => break Some((PROTOCOL_ERROR, "malformed frame")),
                        Some(Ok(message)) => message,
                    };
                    let text = match message {
                        AggregatedMessage::Text(text) => text.into_bytes(),
                        AggregatedMessage::Binary(bytes) => bytes,
                        AggregatedMessage::Ping(bytes) => {
                            if Box::pin(session.pong(&bytes)).await.is_err() {
                                break None;
                            }
                            continue;
                        }
                        AggregatedMessage::Pong(_) => continue,
                        AggregatedMessage::Close(_) => break Some((1000, "")),
                    };
                    if let (Some(current), Some(token)) = (auth, self.reauthentication(&text)) {
                        match Box::pin(self.reauthenticate(current, &token)).await {
                            Ok(renewed) => {
                                auth = Some(renewed);
                                let pong = serde_json::json!({
                                    "type": "pong",
                                    "payload": { "expiresAt": renewed.expires_at },
                                });
                                if !self.send(&mut session, pong.to_string()).await {
                                    break Some((GOING_AWAY, "the client does not read"));
                                }
                                continue;
                            }
                            Err(code) => break Some((code, "the new token is not accepted")),
                        }
                    }
                    if inbound.try_send(text).is_err() {
                        break Some((POLICY_VIOLATION, "too many messages"));
                    }
                }
                outgoing = graphql.next() => match outgoing {
                    Some(WsMessage::Text(text)) => {
                        if !self.send(&mut session, text).await {
                            break Some((GOING_AWAY, "the client does not read"));
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => {
                        let refused = self.refusal.lock().unwrap_or_else(|e| e.into_inner()).take();
                        let code = refused.unwrap_or(code);
                        tracing::debug!(code, reason, "closing a WebSocket");
                        let _ = Box::pin(close(session, code, &reason, interval)).await;
                        return;
                    }
                    None => break Some((1000, "")),
                },
                changed = auth_rx.changed() => {
                    if changed.is_ok() {
                        auth = *auth_rx.borrow_and_update();
                    }
                }
                _ = pings.tick() => {
                    if last_heard.elapsed() > interval * 5 / 2 {
                        break Some((GOING_AWAY, "no answer to pings"));
                    }
                    if Box::pin(tokio::time::timeout(interval, session.ping(b""))).await.is_err() {
                        break Some((GOING_AWAY, "the client does not read"));
                    }
                    // The older protocol's clients watch for its own keepalive message.
                    if auth.is_some()
                        && self.protocol == WebSocketProtocols::SubscriptionsTransportWS
                        && !self.send(&mut session, r#"{"type":"ka"}"#.to_owned()).await
                    {
                        break Some((GOING_AWAY, "the client does not read"));
                    }
                }
                _ = &mut init_deadline, if auth.is_none() => {
                    break Some((INIT_TIMEOUT, "connection initialisation timeout"));
                }
                _ = tokio::time::sleep_until(expiry.unwrap_or_else(Instant::now)), if expiry.is_some() => {
                    break Some((UNAUTHORIZED, "token expired"));
                }
                // A dropped sender is a server that is gone: stopping too.
                _ = stopping.wait_for(|stopping| *stopping) => {
                    break Some((GOING_AWAY, "the server is stopping"));
                }
                event = events.next() => {
                    let Some(event) = event else {
                        break Some((GOING_AWAY, "the server is stopping"));
                    };
                    let Some(user_id) = auth.and_then(|a| a.user_id) else { continue };
                    let disabled = match event {
                        Ok(Delivery {
                            event: Event::AccountDisabled(disabled),
                            ..
                        }) => disabled.user_id == user_id,
                        // Fell behind the bus: whatever was missed, the account is checked anew.
                        Err(_) => !Box::pin(self.still_active(user_id)).await,
                        Ok(_) => false,
                    };
                    if disabled {
                        break Some((FORBIDDEN, "account disabled"));
                    }
                }
            }
        };
        match close {
            Some((code, reason)) => {
                tracing::debug!(code, reason, "closing a WebSocket");
                let _ = Box::pin(self::close(session, code, reason, interval)).await;
            }
            None => drop(session),
        }
    }

    /// The `connection_init` handler: the token (if any) becomes the socket's actor.
    fn on_connection_init(
        &self,
        auth: watch::Sender<Option<Authenticated>>,
    ) -> impl FnOnce(
        serde_json::Value,
    ) -> futures_util::future::BoxFuture<'static, async_graphql::Result<Data>>
    + Send
    + 'static {
        let state = self.state.clone();
        let (lang, address) = (self.lang, self.address);
        let (slot, refusal) = (self.slot.clone(), self.refusal.clone());
        move |payload| {
            Box::pin(async move {
                let refuse = |code: u16, message: &str| {
                    *refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(code);
                    async_graphql::Error::new(message)
                };
                let token = authorization(&payload);
                let (actor, expires_at) = extract::actor_until(token.as_deref(), &state.deps.keys)
                    .map_err(|_| match token.as_deref() {
                        Some(token) if state.deps.keys.expired(strip_bearer(token)) => {
                            refuse(UNAUTHORIZED, "token expired")
                        }
                        _ => refuse(FORBIDDEN, "the token is not valid"),
                    })?;
                extract::ensure_active(&state.deps, &actor)
                    .await
                    .map_err(|_| refuse(FORBIDDEN, "the account may not sign in"))?;
                if actor != Actor::Anonymous {
                    // A signed-in socket counts against its account, no longer its address.
                    let taken = state.sockets.take(&actor, address).ok_or_else(|| {
                        refuse(TOO_MANY, "this account holds as many sockets as it may")
                    })?;
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(taken);
                }
                let _ = auth.send(Some(Authenticated {
                    user_id: actor.user_id(),
                    expires_at,
                }));
                let mut data = Data::default();
                data.insert(RequestCtx {
                    actor,
                    lang,
                    address,
                });
                data.insert(Loaders::new(&state.deps, &actor));
                Ok(data)
            })
        }
    }

    /// The token of a re-authenticating `ping` (graphql-transport-ws only).
    fn reauthentication(&self, text: &[u8]) -> Option<String> {
        if self.protocol != WebSocketProtocols::GraphQLWS {
            return None;
        }
        let message: serde_json::Value = serde_json::from_slice(text).ok()?;
        if message.get("type")?.as_str()? != "ping" {
            return None;
        }
        authorization(message.get("payload")?)
    }

    /// Accepts a fresher token for the same account, or names the close code that refuses it.
    async fn reauthenticate(
        &self,
        current: Authenticated,
        token: &str,
    ) -> Result<Authenticated, u16> {
        let (actor, expires_at) =
            extract::actor_until(Some(token), &self.state.deps.keys).map_err(|_| UNAUTHORIZED)?;
        if actor == Actor::Anonymous || actor.user_id() != current.user_id {
            return Err(FORBIDDEN);
        }
        extract::ensure_active(&self.state.deps, &actor)
            .await
            .map_err(|_| FORBIDDEN)?;
        Ok(Authenticated {
            user_id: actor.user_id(),
            expires_at,
        })
    }

    async fn still_active(&self, user_id: i32) -> bool {
        !matches!(
            crate::services::account::active(&self.state.deps, user_id).await,
            Ok(Some(false)) | Ok(None)
        )
    }

    /// Sends a text frame, unless the client has not made room for it within a ping interval.
    async fn send(&self, session: &mut Session, text: String) -> bool {
        matches!(
            Box::pin(tokio::time::timeout(self.state.ws_ping, session.text(text))).await,
            Ok(Ok(()))
        )
    }
}

/// The `Authorization` entry of a `connection_init` or `ping` payload.
fn authorization(payload: &serde_json::Value) -> Option<String> {
    ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
}

/// The token of an `Authorization` value, without its `Bearer` prefix.
fn strip_bearer(value: &str) -> &str {
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .unwrap_or(value)
        .trim()
}

/// When a wall-clock instant falls, on the monotonic clock.
fn instant_of(at: DateTime<Utc>) -> Instant {
    let left = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
    Instant::now() + left
}

/// Sends a close frame (unless the client cannot take it) and ends the socket.
async fn close(
    session: Session,
    code: u16,
    reason: &str,
    wait: Duration,
) -> Result<(), actix_ws::Closed> {
    let reason = CloseReason {
        code: code.into(),
        description: (!reason.is_empty()).then(|| reason.to_owned()),
    };
    tokio::time::timeout(wait, session.close(Some(reason)))
        .await
        .unwrap_or(Err(actix_ws::Closed))
}
