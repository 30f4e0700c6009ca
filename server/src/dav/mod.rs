//! CalDAV (RFC 4791) and CardDAV (RFC 6352) for devices, with sync-collection (RFC 6578).
//! `xml` is the wire format, `path` the URL space, `store` the reads; the method modules
//! (`props`, `objects`, `report`) are the handlers. Events and contacts are the same rows
//! the web app uses, so a change on either side shows on the other.

pub mod assistant;
pub mod auth;
pub mod cache;
pub mod filter;
pub mod freebusy;
pub mod model;
pub mod object_cache;
pub mod objects;
pub mod path;
pub mod principals;
pub mod props;
pub mod report;
pub mod store;
pub mod versions;
pub mod xml;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};

use crate::error::ApiError;
use crate::state::AppState;
use auth::DavUser;
use ksuite_common::CalendarAccess;
use path::Target;

/// Largest calendar object or vCard accepted (advertised as `max-resource-size`).
pub const MAX_RESOURCE_SIZE: usize = 4 * 1024 * 1024;
/// Largest request body (a PUT of the largest resource, or a REPORT).
const MAX_BODY: usize = MAX_RESOURCE_SIZE + 64 * 1024;

const ALLOW: &str =
    "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCOL, MKCALENDAR";
/// No `2` (no locking) and no `calendar-auto-schedule` (we do not send invitations).
const DAV_CLASSES: &str = "1, 3, access-control, calendar-access, addressbook, extended-mkcol";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/caldav", any(well_known))
        .route("/.well-known/carddav", any(well_known))
        .route("/dav", any(handle))
        .route("/dav/", any(handle))
        .route("/dav/{*rest}", any(handle))
}

/// The sync assistant's JSON API (under `/api`, signed in with the web session).
pub fn assistant_router() -> Router<AppState> {
    Router::new()
        .route(ksuite_common::paths::SYNC_INFO, get(assistant::sync_info))
        .route(
            ksuite_common::paths::APPLE_PROFILE,
            get(assistant::apple_profile),
        )
}

/// Clients given only the server address (Thunderbird, iOS, python-caldav) ask "/" for
/// their principal: DAV methods on "/" are answered as on "/dav/". Applied around the
/// router, because rewriting a URI inside it would not route again.
pub async fn root_to_dav(mut req: Request, next: axum::middleware::Next) -> Response {
    let dav_method = matches!(req.method().as_str(), "PROPFIND" | "REPORT" | "OPTIONS");
    if dav_method && req.uri().path() == "/" {
        *req.uri_mut() = axum::http::Uri::from_static("/dav/");
    }
    next.run(req).await
}

/// Discovery (RFC 6764): clients are sent to the DAV root, where they find their principal.
async fn well_known() -> Redirect {
    Redirect::permanent("/dav/")
}

/// What a DAV handler answers when it does not answer a success.
#[derive(Debug)]
pub enum DavError {
    Status(StatusCode),
    /// A failed precondition, with its `DAV:error` element.
    Condition(StatusCode, &'static str, &'static str),
    /// A request we cannot read, with the reason for the client's log.
    BadRequest(String),
    Internal(ApiError),
}

impl From<ApiError> for DavError {
    fn from(e: ApiError) -> DavError {
        if e.status.is_server_error() {
            DavError::Internal(e)
        } else {
            DavError::Status(e.status)
        }
    }
}

impl IntoResponse for DavError {
    fn into_response(self) -> Response {
        match self {
            DavError::Status(s) => s.into_response(),
            DavError::Condition(s, ns, name) => (
                s,
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                xml::error_body(ns, name),
            )
                .into_response(),
            DavError::BadRequest(m) => (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{m}\n"),
            )
                .into_response(),
            DavError::Internal(e) => e.into_response(),
        }
    }
}

pub type DavResult = Result<Response, DavError>;

/// One authenticated DAV request.
pub struct Ctx {
    pub state: AppState,
    pub user: DavUser,
    pub headers: HeaderMap,
    pub target: Target,
    /// The target collection once looked up (for the cache key), so handlers reuse it.
    pub resolved: Option<store::Collection>,
}

impl Ctx {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Depth` header: 0 or 1 (`infinity` is answered as 1).
    pub fn depth(&self, default: u8) -> u8 {
        match self.header("depth").map(str::trim) {
            Some("0") => 0,
            Some(_) => 1,
            None => default,
        }
    }

    /// Whether `email` names the signed-in user's own home or principal.
    pub fn is_me(&self, email: &str) -> bool {
        email == self.user.email
    }

    /// The signed-in user's collection at `segment` under their own home, or 404.
    pub async fn collection(
        &self,
        kind: path::Kind,
        owner: &str,
        segment: &str,
    ) -> Result<store::Collection, DavError> {
        if !self.is_me(owner) {
            return Err(DavError::Status(StatusCode::NOT_FOUND));
        }
        if let Some(c) = self
            .resolved
            .as_ref()
            .filter(|c| c.kind == kind && c.segment == segment)
        {
            return Ok(c.clone());
        }
        let state = &self.state;
        if let Some(c) = state
            .dav_collections
            .get(self.user.id, kind, segment, &state.dav_versions)
        {
            return Ok(c);
        }
        // Requests on the collection itself may read or change its dead properties.
        let with_dead = matches!(self.target, Target::Collection(..));
        let c = store::collection(&state.db, self.user.id, kind, segment, with_dead)
            .await?
            .ok_or(DavError::Status(StatusCode::NOT_FOUND))?;
        // Only complete copies of one's own collections are kept: a share can be
        // withdrawn without a ctag change.
        if with_dead && c.access == CalendarAccess::Owner && !c.directory {
            state
                .dav_versions
                .observe(c.kind, c.id, c.generation, c.ctag);
            state.dav_collections.put(self.user.id, &c);
        }
        Ok(c)
    }
}

/// A 207 Multi-Status answer.
pub fn multistatus(body: String) -> Response {
    (
        StatusCode::MULTI_STATUS,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn multistatus_bytes(body: Bytes) -> Response {
    (
        StatusCode::MULTI_STATUS,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn options() -> Response {
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    h.insert("dav", HeaderValue::from_static(DAV_CLASSES));
    r
}

async fn handle(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let method = req.method().clone();
    // OPTIONS reveals nothing about the account; clients probe it before signing in.
    if method == Method::OPTIONS {
        return options();
    }
    let user = match Box::pin(auth::authenticate(&state, req.headers(), peer.ip())).await {
        Ok(u) => u,
        Err(r) => {
            // Clients send the body before they see the challenge: read a small one so
            // the connection stays usable for the signed-in retry.
            crate::http_limits::drain(
                req.into_body(),
                256 * 1024,
                std::time::Duration::from_secs(5),
            )
            .await;
            return r;
        }
    };
    let Some(target) = path::parse(req.uri().path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (parts, body) = req.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return DavError::Condition(
                StatusCode::PAYLOAD_TOO_LARGE,
                xml::CALDAV,
                "max-resource-size",
            )
            .into_response();
        }
    };
    let mut ctx = Ctx {
        state,
        user,
        headers: parts.headers,
        target,
        resolved: None,
    };
    // Collection listings and reports are answered from the cache while the ctag holds.
    let cacheable = matches!(method.as_str(), "PROPFIND" | "REPORT");
    let cached_collection = match (&ctx.target, cacheable) {
        (Target::Collection(k, owner, seg), true) => {
            Box::pin(ctx.collection(*k, owner, seg)).await.ok()
        }
        _ => None,
    };
    ctx.resolved = cached_collection.clone();
    let key = cached_collection.as_ref().map(|c| cache::Key {
        user_id: ctx.user.id,
        collection: c,
        method: method.as_str(),
        depth: ctx.depth(1),
        body: &body,
    });
    if let Some(hit) = key.as_ref().and_then(|k| ctx.state.dav_cache.get(k)) {
        return multistatus_bytes(hit);
    }
    // Each method's work is boxed: inline, this future would be as large as the largest
    // of them (reports, with their queries), and every request, GETs answered from
    // memory included, would pay for copying it as it moves through the layers.
    let result = match method.as_str() {
        "PROPFIND" => Box::pin(props::propfind(&ctx, &body)).await,
        "PROPPATCH" => Box::pin(props::proppatch(&ctx, &body)).await,
        "REPORT" => Box::pin(report::report(&ctx, &body)).await,
        "GET" => Box::pin(objects::get(&ctx, false)).await,
        "HEAD" => Box::pin(objects::get(&ctx, true)).await,
        "PUT" => Box::pin(objects::put(&ctx, &body)).await,
        "DELETE" => Box::pin(objects::delete(&ctx)).await,
        "MKCALENDAR" => Box::pin(objects::make_collection(&ctx, &body, true)).await,
        "MKCOL" => Box::pin(objects::make_collection(&ctx, &body, false)).await,
        _ => Err(DavError::Status(StatusCode::METHOD_NOT_ALLOWED)),
    };
    match result {
        Ok(r) => match key {
            Some(k) if r.status() == StatusCode::MULTI_STATUS => {
                match axum::body::to_bytes(r.into_body(), usize::MAX).await {
                    Ok(bytes) => {
                        ctx.state.dav_cache.put(&k, bytes.clone());
                        multistatus_bytes(bytes)
                    }
                    Err(e) => ApiError::internal(e).into_response(),
                }
            }
            _ => r,
        },
        Err(DavError::Status(StatusCode::METHOD_NOT_ALLOWED)) => {
            let mut r = StatusCode::METHOD_NOT_ALLOWED.into_response();
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(ALLOW));
            r
        }
        Err(e) => e.into_response(),
    }
}
