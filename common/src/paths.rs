//! API paths, named once so the app's fetches and the server's routes agree.

pub const HEALTH: &str = "/api/health";
pub const OPENAPI: &str = "/api/openapi.json";
pub const SIGNUP: &str = "/api/auth/signup";
pub const LOGIN: &str = "/api/auth/login";
pub const LOGOUT: &str = "/api/auth/logout";
pub const ME: &str = "/api/me";
pub const PROFILE: &str = "/api/settings/profile";
pub const TIME_ZONES: &str = "/api/settings/time-zones";

/// Header that must carry the session's CSRF token on every state-changing request.
pub const CSRF_HEADER: &str = "x-csrf-token";
