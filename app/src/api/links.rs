//! Short-link endpoints.

use gloo_net::http::Request;
use ksuite_common::{
    CreateLinkRequest, Link, LinkList, LinkListQuery, LinkQuota, LinkSort, LinkStats,
    UpdateLinkRequest, paths,
};

use super::{ApiError, get_json, send_empty, send_json};

fn sort_code(s: LinkSort) -> &'static str {
    match s {
        LinkSort::Newest => "newest",
        LinkSort::Oldest => "oldest",
        LinkSort::MostVisited => "most_visited",
        LinkSort::Slug => "slug",
    }
}

pub async fn list(q: &LinkListQuery) -> Result<LinkList, ApiError> {
    let search = js_sys::encode_uri_component(q.q.as_deref().unwrap_or(""));
    let url = format!(
        "{}?q={}&sort={}&page={}&per_page={}",
        paths::LINKS,
        String::from(search),
        sort_code(q.sort),
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(20)
    );
    get_json(&url).await
}

pub async fn create(req: &CreateLinkRequest) -> Result<Link, ApiError> {
    send_json(Request::post(paths::LINKS), req).await
}

pub async fn update(id: i64, req: &UpdateLinkRequest) -> Result<Link, ApiError> {
    send_json(Request::patch(&paths::link(id)), req).await
}

pub async fn delete(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&paths::link(id))).await
}

pub async fn quota() -> Result<LinkQuota, ApiError> {
    get_json(paths::LINK_QUOTA).await
}

pub async fn stats(id: i64) -> Result<LinkStats, ApiError> {
    get_json(&paths::link_stats(id)).await
}
