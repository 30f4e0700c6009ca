//! chk.me short links: creation, listing, quota, statistics.

use serde::{Deserialize, Serialize};

use crate::Plan;

/// How long a new link works, chosen at creation.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Days7,
    #[default]
    Days30,
    Months6,
    Year1,
    Lifetime,
}

impl Validity {
    pub const ALL: [Validity; 5] = [
        Validity::Days7,
        Validity::Days30,
        Validity::Months6,
        Validity::Year1,
        Validity::Lifetime,
    ];

    /// Lifetime in seconds; `None` for links that never expire.
    pub fn seconds(self) -> Option<i64> {
        const DAY: i64 = 24 * 3600;
        match self {
            Validity::Days7 => Some(7 * DAY),
            Validity::Days30 => Some(30 * DAY),
            Validity::Months6 => Some(182 * DAY),
            Validity::Year1 => Some(365 * DAY),
            Validity::Lifetime => None,
        }
    }
}

/// Longest target URL accepted (browsers and proxies handle far less reliably above).
pub const MAX_URL_LEN: usize = 2048;
pub const MIN_SLUG_LEN: usize = 3;
pub const MAX_SLUG_LEN: usize = 64;

/// Links each plan may create per calendar month (UTC).
pub fn monthly_link_quota(plan: Plan) -> u32 {
    match plan {
        Plan::Free => 50,
        Plan::Standard => 100,
        Plan::Business => 200,
        Plan::Enterprise => 500,
        Plan::My => 50,
        Plan::MyPlus => 50,
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreateLinkRequest {
    pub url: String,
    /// Custom slug; a random one is chosen when absent or empty.
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub validity: Validity,
    /// Visitors must enter this password before being redirected.
    #[serde(default)]
    pub password: Option<String>,
    /// The link stops working after this many visits.
    #[serde(default)]
    pub max_visits: Option<u32>,
}

/// Partial update; absent fields stay unchanged. `clear_password` / `clear_max_visits`
/// remove the protection.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UpdateLinkRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default)]
    pub clear_password: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_visits: Option<u32>,
    #[serde(default)]
    pub clear_max_visits: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Link {
    pub id: i64,
    pub slug: String,
    /// The full short URL to share.
    pub short_url: String,
    pub url: String,
    pub created_at: i64,
    /// Unix seconds; `None` for lifetime links.
    pub expires_at: Option<i64>,
    pub enabled: bool,
    pub has_password: bool,
    pub max_visits: Option<u32>,
    pub visits: u64,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkSort {
    #[default]
    Newest,
    Oldest,
    MostVisited,
    Slug,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema, utoipa::IntoParams))]
pub struct LinkListQuery {
    /// Matches slug or target URL.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub sort: LinkSort,
    /// 1-based page number.
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub per_page: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LinkList {
    pub items: Vec<Link>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LinkQuota {
    pub plan: Plan,
    pub limit: u32,
    pub used: u32,
    pub remaining: u32,
    /// The month the counts are for, `YYYY-MM` (UTC).
    pub month: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub visits: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LinkStats {
    pub total: u64,
    pub per_day: Vec<DayCount>,
}
