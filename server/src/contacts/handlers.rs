//! Contacts API handlers.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ksuite_common::{
    AddressBookInfo, AddressBookKind, CalendarAccess, CalendarShare, Contact, ContactImportReport,
    ContactInput, ContactSort, ContactSummary, CreateAddressBookRequest, DIRECTORY_ID, ErrorCode,
    Field, Problem, Rule, SkippedItem,
};
use serde::Deserialize;

use super::store::{self, ContactIndex};
use super::vcard;
use crate::auth::session::Session;
use crate::collections::handlers::ShareQuery;
use crate::collections::{self, Grant, Kind};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::resource::{changed_meanwhile, if_match, require_if_match, with_etag};
use crate::state::AppState;

/// Most contacts one list answer carries.
const LIST_LIMIT: i64 = 5000;
const AUTOCOMPLETE_LIMIT: i64 = 10;

fn book_name(n: &str) -> Result<String, ApiError> {
    let n = n.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(ApiError::invalid(
            Problem::length(Field::Name, 100),
            "An address book name needs 1 to 100 characters.",
        ));
    }
    Ok(n.to_string())
}

/// The user's address books, shared ones and the organization directory.
#[utoipa::path(get, path = "/api/address-books", tag = "contacts", responses((status = 200, body = Vec<AddressBookInfo>)))]
pub async fn list_books(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<AddressBookInfo>>> {
    let mut books = store::list_books(&state.db, session.user_id).await?;
    books.push(AddressBookInfo {
        id: DIRECTORY_ID,
        name: "Directory".into(),
        kind: AddressBookKind::Directory,
        is_default: false,
        access: CalendarAccess::Read,
        owner_email: None,
    });
    Ok(Json(books))
}

#[utoipa::path(post, path = "/api/address-books", tag = "contacts", request_body = CreateAddressBookRequest,
    responses((status = 201, body = AddressBookInfo), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create_book(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<CreateAddressBookRequest>,
) -> ApiResult<(StatusCode, Json<AddressBookInfo>)> {
    let name = book_name(&req.name)?;
    let mut conn = state.db.acquire().await?;
    let id = store::create_book(&mut conn, session.user_id, &name, false).await?;
    let info = AddressBookInfo {
        id,
        name,
        kind: AddressBookKind::Personal,
        is_default: false,
        access: CalendarAccess::Owner,
        owner_email: None,
    };
    Ok((StatusCode::CREATED, Json(info)))
}

#[utoipa::path(patch, path = "/api/address-books/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = CreateAddressBookRequest,
    responses((status = 204), (status = 403, body = ksuite_common::ErrorBody), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn rename_book(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<CreateAddressBookRequest>,
) -> ApiResult<StatusCode> {
    let owner = Grant::of(&state.db, Kind::AddressBook, session.user_id, id)
        .await?
        .owned()?;
    let name = book_name(&req.name)?;
    collections::store::update_owned(&state.db, &owner, Some(&name), None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/address-books/{id}", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ksuite_common::ErrorBody), (status = 409, body = ksuite_common::ErrorBody)))]
pub async fn delete_book(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    // Someone else's address book shared with the caller: deleting it means leaving it.
    collections::handlers::delete_or_leave(&state, session.user_id, Kind::AddressBook, id).await
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Matches names, e-mails, phone digits and organization.
    #[serde(default)]
    q: Option<String>,
    /// Only contacts of this group.
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    sort: ContactSort,
}

/// Contacts of one address book (or of the directory, id 0).
#[utoipa::path(get, path = "/api/address-books/{id}/contacts", tag = "contacts", params(("id" = i64, Path), ListQuery),
    responses((status = 200, body = Vec<ContactSummary>), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn list_contacts(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ContactSummary>>> {
    let text = q.q.unwrap_or_default();
    if id == DIRECTORY_ID {
        return Ok(Json(store::directory(&state.db, &text, LIST_LIMIT).await?));
    }
    Grant::of(&state.db, Kind::AddressBook, session.user_id, id).await?;
    let group = q.group.as_deref().filter(|g| !g.is_empty());
    Ok(Json(
        store::search(&state.db, &[id], &text, group, q.sort, LIST_LIMIT).await?,
    ))
}

/// Groups used in an address book.
#[utoipa::path(get, path = "/api/address-books/{id}/groups", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<String>), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn list_groups(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<String>>> {
    Grant::of(&state.db, Kind::AddressBook, session.user_id, id).await?;
    Ok(Json(store::groups(&state.db, id).await?))
}

fn contact_of(book_id: i64, uid: String, etag: String, card: &calcard::vcard::VCard) -> Contact {
    Contact {
        uid,
        book_id,
        etag,
        has_photo: vcard::photo(card).is_some(),
        fields: vcard::fields(card),
    }
}

#[utoipa::path(post, path = "/api/address-books/{id}/contacts", tag = "contacts", params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 403, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create_contact(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::AddressBook, session.user_id, id)
        .await?
        .writable()?;
    vcard::validate(&input)?;
    let uid = crate::resource::new_uid();
    let card = vcard::apply(None, &uid, &input);
    let text = card.to_string();
    let idx = ContactIndex::of(&vcard::fields(&card));
    check_contact_quota(&state, id, 1).await?;
    let etag = store::insert_contact(
        &state.db,
        &grant,
        &uid,
        &crate::resource::object_name(&uid, ".vcf"),
        &text,
        &idx,
    )
    .await?
    .ok_or_else(|| ApiError::internal("generated UID collided"))?;
    Ok(with_etag(
        StatusCode::CREATED,
        &etag,
        contact_of(id, uid, etag.clone(), &card),
    ))
}

#[utoipa::path(get, path = "/api/address-books/{id}/contacts/{uid}", tag = "contacts", params(("id" = i64, Path), ("uid" = String, Path)),
    responses((status = 200, body = Contact), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn get_contact(
    State(state): State<AppState>,
    session: Session,
    Path((id, uid)): Path<(i64, String)>,
) -> ApiResult<Response> {
    Grant::of(&state.db, Kind::AddressBook, session.user_id, id).await?;
    let row = store::get_contact(&state.db, id, &uid).await?;
    let card = vcard::parse_one(&row.vcard).map_err(ApiError::internal)?;
    Ok(with_etag(
        StatusCode::OK,
        &row.etag,
        contact_of(id, row.uid, row.etag.clone(), &card),
    ))
}

/// Replace the editable fields (If-Match required); other vCard properties are kept.
#[utoipa::path(put, path = "/api/address-books/{id}/contacts/{uid}", tag = "contacts", params(("id" = i64, Path), ("uid" = String, Path)),
    request_body = ContactInput,
    responses((status = 200, body = Contact), (status = 412, body = ksuite_common::ErrorBody), (status = 428, body = ksuite_common::ErrorBody)))]
pub async fn update_contact(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid)): Path<(i64, String)>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::AddressBook, session.user_id, id)
        .await?
        .writable()?;
    let expected = require_if_match(&headers)?;
    vcard::validate(&input)?;
    let row = store::get_contact(&state.db, id, &uid).await?;
    if row.etag != expected {
        return Err(changed_meanwhile());
    }
    let existing = vcard::parse_one(&row.vcard).map_err(ApiError::internal)?;
    let card = vcard::apply(Some(existing), &uid, &input);
    let text = card.to_string();
    let idx = ContactIndex::of(&vcard::fields(&card));
    let etag = store::replace_contact(&state.db, &grant, &uid, &expected, &text, &idx)
        .await?
        .ok_or_else(changed_meanwhile)?;
    Ok(with_etag(
        StatusCode::OK,
        &etag,
        contact_of(id, uid, etag.clone(), &card),
    ))
}

#[utoipa::path(delete, path = "/api/address-books/{id}/contacts/{uid}", tag = "contacts", params(("id" = i64, Path), ("uid" = String, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody), (status = 412, body = ksuite_common::ErrorBody)))]
pub async fn delete_contact(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let grant = Grant::of(&state.db, Kind::AddressBook, session.user_id, id)
        .await?
        .writable()?;
    if collections::objects::delete(&state.db, &grant, &uid, if_match(&headers).as_deref()).await? {
        return Ok(StatusCode::NO_CONTENT);
    }
    store::get_contact(&state.db, id, &uid).await?;
    Err(changed_meanwhile())
}

/// Import a .vcf file (vCard 3.0 or 4.0, many cards), or a CSV export of Google Contacts
/// or Outlook when sent as `text/csv`.
#[utoipa::path(post, path = "/api/address-books/{id}/import", tag = "contacts", params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/vcard"),
    responses((status = 200, body = ContactImportReport), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: String,
) -> ApiResult<Json<ContactImportReport>> {
    let grant = Grant::of(&state.db, Kind::AddressBook, session.user_id, id)
        .await?
        .writable()?;
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/csv"));
    if is_csv {
        return import_csv(&state, &grant, &body).await.map(Json);
    }
    let sources = vcard::split_cards(&body);
    if sources.is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::File, Rule::Invalid),
            "This file contains no vCard.",
        ));
    }
    check_contact_quota(&state, id, sources.len() as i64).await?;
    let mut skipped = Vec::new();
    let mut imported = 0;
    for source in sources {
        let mut card = match vcard::parse_one(&source) {
            Ok(card) => card,
            Err(reason) => {
                skipped.push(SkippedItem {
                    uid: None,
                    reason: format!("unreadable card: {reason}"),
                });
                continue;
            }
        };
        let fields = vcard::fields(&card);
        if fields.display_name.trim().is_empty() {
            skipped.push(SkippedItem {
                uid: vcard::uid_of(&card),
                reason: "the card has no name, organization or e-mail".into(),
            });
            continue;
        }
        // The source is stored as sent; only a card without UID is rewritten to get one.
        let (uid, text) = match vcard::uid_of(&card) {
            Some(uid) => (uid, source),
            None => {
                let uid = crate::resource::new_uid();
                vcard::ensure_uid(&mut card, &uid);
                (uid, card.to_string())
            }
        };
        match store::insert_contact(
            &state.db,
            &grant,
            &uid,
            &crate::resource::object_name(&uid, ".vcf"),
            &text,
            &ContactIndex::of(&fields),
        )
        .await?
        {
            Some(_) => imported += 1,
            None => skipped.push(SkippedItem {
                uid: Some(uid),
                reason: "a contact with this UID is already in the address book".into(),
            }),
        }
    }
    Ok(Json(ContactImportReport { imported, skipped }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MergeRequest {
    /// The duplicate to merge into this contact; it is deleted afterwards.
    other_uid: String,
}

/// Merge a duplicate into this contact without losing any field.
#[utoipa::path(post, path = "/api/address-books/{id}/contacts/{uid}/merge", tag = "contacts",
    params(("id" = i64, Path), ("uid" = String, Path)), request_body = MergeRequest,
    responses((status = 200, body = Contact), (status = 404, body = ksuite_common::ErrorBody), (status = 412, body = ksuite_common::ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    session: Session,
    Path((id, uid)): Path<(i64, String)>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::AddressBook, session.user_id, id)
        .await?
        .writable()?;
    if req.other_uid == uid {
        return Err(ApiError::invalid(
            Problem::new(Field::Contact, Rule::ItSelf),
            "A contact cannot be merged with itself.",
        ));
    }
    let primary = store::get_contact(&state.db, id, &uid).await?;
    let other = store::get_contact(&state.db, id, &req.other_uid).await?;
    let a = vcard::parse_one(&primary.vcard).map_err(ApiError::internal)?;
    let b = vcard::parse_one(&other.vcard).map_err(ApiError::internal)?;
    let card = vcard::merge(a, &b, &uid);
    let idx = ContactIndex::of(&vcard::fields(&card));
    let keep = store::Version {
        uid: &uid,
        etag: &primary.etag,
    };
    let drop = store::Version {
        uid: &req.other_uid,
        etag: &other.etag,
    };
    let etag = store::commit_merge(&state.db, &grant, keep, drop, &card.to_string(), &idx)
        .await?
        .ok_or_else(changed_meanwhile)?;
    Ok(with_etag(
        StatusCode::OK,
        &etag,
        contact_of(id, uid, etag.clone(), &card),
    ))
}

/// Refuses writes that would take the address book owner's contacts past their quota.
pub async fn check_contact_quota(state: &AppState, book_id: i64, adding: i64) -> ApiResult<()> {
    let current =
        collections::store::owner_object_count(&state.db, Kind::AddressBook, book_id).await?;
    crate::quota::check("contacts", current, adding, state.settings.quotas.contacts)
}

async fn import_csv(
    state: &AppState,
    grant: &Grant,
    body: &str,
) -> Result<ContactImportReport, ApiError> {
    let (rows, mut skipped) = super::csv_format::parse(body)
        .map_err(|e| ApiError::invalid(Problem::new(Field::File, Rule::Invalid), e))?;
    check_contact_quota(state, grant.id(), rows.len() as i64).await?;
    let mut imported = 0;
    for input in rows {
        if let Err(reason) = vcard::validate(&input) {
            skipped.push(SkippedItem {
                uid: None,
                reason: format!("{}: {}", input.display_name, reason.message),
            });
            continue;
        }
        let uid = crate::resource::new_uid();
        let card = vcard::apply(None, &uid, &input);
        let idx = ContactIndex::of(&vcard::fields(&card));
        if store::insert_contact(
            &state.db,
            grant,
            &uid,
            &crate::resource::object_name(&uid, ".vcf"),
            &card.to_string(),
            &idx,
        )
        .await?
        .is_some()
        {
            imported += 1;
        }
    }
    Ok(ContactImportReport { imported, skipped })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `vcf` (default) or `csv` (Google Contacts layout).
    #[serde(default)]
    format: Option<String>,
}

/// Export the address book as one .vcf file, or as CSV with `?format=csv`.
#[utoipa::path(get, path = "/api/address-books/{id}/export", tag = "contacts", params(("id" = i64, Path), ExportQuery),
    responses((status = 200, content_type = "text/vcard", body = String), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::AddressBook, session.user_id, id).await?;
    let (name, sources) = collections::export::sources(&state.db, &grant).await?;
    let (body, content_type, ext) = if q.format.as_deref() == Some("csv") {
        let fields: Vec<ContactInput> = sources
            .iter()
            .filter_map(|s| vcard::parse_one(s).ok())
            .map(|c| vcard::fields(&c))
            .collect();
        (
            super::csv_format::write(&fields).map_err(ApiError::internal)?,
            "text/csv; charset=utf-8",
            "csv",
        )
    } else {
        (sources.concat(), "text/vcard; charset=utf-8", "vcf")
    };
    Ok(collections::export::attachment(
        body,
        content_type,
        &name,
        "contacts",
        ext,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AutocompleteQuery {
    q: String,
}

/// Contacts with an e-mail whose name or address matches, for the mail composer.
#[utoipa::path(get, path = "/api/contacts/autocomplete", tag = "contacts", params(AutocompleteQuery),
    responses((status = 200, body = Vec<ContactSummary>)))]
pub async fn autocomplete(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<AutocompleteQuery>,
) -> ApiResult<Json<Vec<ContactSummary>>> {
    let text = q.q.trim();
    if text.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let ids: Vec<i64> = store::list_books(&state.db, session.user_id)
        .await?
        .iter()
        .map(|b| b.id)
        .collect();
    let mut found = store::search(
        &state.db,
        &ids,
        text,
        None,
        ContactSort::FirstName,
        AUTOCOMPLETE_LIMIT,
    )
    .await?;
    found.retain(|c| c.email.is_some());
    found.extend(store::directory(&state.db, text, AUTOCOMPLETE_LIMIT).await?);
    let mut seen = std::collections::HashSet::new();
    found.retain(|c| seen.insert(c.email.clone().unwrap_or_default().to_lowercase()));
    found.truncate(AUTOCOMPLETE_LIMIT as usize);
    Ok(Json(found))
}

#[utoipa::path(get, path = "/api/address-books/{id}/shares", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CalendarShare>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn list_shares(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    collections::handlers::list_shares(&state, session.user_id, Kind::AddressBook, id).await
}

/// Share with another user of this server (read or read_write).
#[utoipa::path(put, path = "/api/address-books/{id}/shares", tag = "contacts", params(("id" = i64, Path)), request_body = CalendarShare,
    responses((status = 200, body = Vec<CalendarShare>), (status = 403, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn put_share(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(share): ApiJson<CalendarShare>,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    collections::handlers::put_share(&state, session.user_id, Kind::AddressBook, id, &share).await
}

#[utoipa::path(delete, path = "/api/address-books/{id}/shares", tag = "contacts", params(("id" = i64, Path), ShareQuery),
    responses((status = 200, body = Vec<CalendarShare>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn delete_share(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<ShareQuery>,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    collections::handlers::delete_share(&state, session.user_id, Kind::AddressBook, id, &q.email)
        .await
}

/// The contact's photo, with its media type.
#[utoipa::path(get, path = "/api/address-books/{id}/contacts/{uid}/photo", tag = "contacts",
    params(("id" = i64, Path), ("uid" = String, Path)),
    responses((status = 200, content_type = "image/*", body = Vec<u8>), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn get_photo(
    State(state): State<AppState>,
    session: Session,
    Path((id, uid)): Path<(i64, String)>,
) -> ApiResult<Response> {
    Grant::of(&state.db, Kind::AddressBook, session.user_id, id).await?;
    let row = store::get_contact(&state.db, id, &uid).await?;
    let card = vcard::parse_one(&row.vcard).map_err(ApiError::internal)?;
    let (bytes, media) = vcard::photo(&card).ok_or_else(ApiError::not_found)?;
    // Only image types we recognise are served, so a crafted "photo" cannot become HTML.
    let media = vcard::sniff_image(&bytes)
        .filter(|m| media.eq_ignore_ascii_case(m))
        .ok_or_else(ApiError::not_found)?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(resp)
}

/// Set the photo (body: the image, JPEG/PNG/GIF/WebP, at most 1 MiB; If-Match required).
#[utoipa::path(put, path = "/api/address-books/{id}/contacts/{uid}/photo", tag = "contacts",
    params(("id" = i64, Path), ("uid" = String, Path)), request_body(content = Vec<u8>, content_type = "image/*"),
    responses((status = 200, body = Contact), (status = 413, body = ksuite_common::ErrorBody), (status = 415, body = ksuite_common::ErrorBody),
              (status = 412, body = ksuite_common::ErrorBody)))]
pub async fn put_photo(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    if body.len() > ksuite_common::MAX_PHOTO_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "A photo may be at most 1 MB.",
        ));
    }
    let media = vcard::sniff_image(&body).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::Validation,
            "The photo must be a JPEG, PNG, GIF or WebP image.",
        )
    })?;
    change_photo(
        &state,
        session,
        &headers,
        id,
        &uid,
        Some((body.to_vec(), media)),
    )
    .await
}

#[utoipa::path(delete, path = "/api/address-books/{id}/contacts/{uid}/photo", tag = "contacts",
    params(("id" = i64, Path), ("uid" = String, Path)),
    responses((status = 200, body = Contact), (status = 412, body = ksuite_common::ErrorBody)))]
pub async fn delete_photo(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid)): Path<(i64, String)>,
) -> ApiResult<Response> {
    change_photo(&state, session, &headers, id, &uid, None).await
}

async fn change_photo(
    state: &AppState,
    session: Session,
    headers: &HeaderMap,
    id: i64,
    uid: &str,
    photo: Option<(Vec<u8>, &str)>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::AddressBook, session.user_id, id)
        .await?
        .writable()?;
    let expected = require_if_match(headers)?;
    let row = store::get_contact(&state.db, id, uid).await?;
    if row.etag != expected {
        return Err(changed_meanwhile());
    }
    let mut card = vcard::parse_one(&row.vcard).map_err(ApiError::internal)?;
    vcard::set_photo(&mut card, photo);
    let idx = ContactIndex::of(&vcard::fields(&card));
    let etag = store::replace_contact(&state.db, &grant, uid, &expected, &card.to_string(), &idx)
        .await?
        .ok_or_else(changed_meanwhile)?;
    Ok(with_etag(
        StatusCode::OK,
        &etag,
        contact_of(id, uid.to_string(), etag.clone(), &card),
    ))
}
