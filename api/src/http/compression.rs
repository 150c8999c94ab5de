//! Compression above a small size. actix-web's `Compress` encodes every answer the client accepts
//! compressed; an answer of a few hundred bytes fits one packet either way, and gzip's framing
//! would only add bytes and work. [`mark_small`] runs inside `Compress` and marks such answers as
//! already encoded, which `Compress` leaves alone; [`unmark`] runs outside and removes the mark.

use actix_web::Error;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_ENCODING, HeaderValue};
use actix_web::middleware::Next;

/// Answers shorter than this go uncompressed.
pub const MIN_BYTES: u64 = 860;

const MARK: HeaderValue = HeaderValue::from_static("identity");

/// Marks short answers so that `Compress` passes them through.
pub async fn mark_small(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    if matches!(res.response().body().size(), BodySize::Sized(n) if n < MIN_BYTES)
        && !res.headers().contains_key(CONTENT_ENCODING)
    {
        res.headers_mut().insert(CONTENT_ENCODING, MARK);
    }
    Ok(res)
}

/// Removes the mark before the answer leaves.
pub async fn unmark(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    if res.headers().get(CONTENT_ENCODING) == Some(&MARK) {
        res.headers_mut().remove(CONTENT_ENCODING);
    }
    Ok(res)
}
