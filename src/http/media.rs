//! `GET /media/{name}`: stored offer photos, from the database, so every
//! instance serves every image. Names are content hashes, so a response
//! never changes and may be cached for good.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::HttpState;
use super::error::{ApiError, ErrorBody};

const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// A JPEG file's bytes, for the document: a binary string, not the array
/// of integers `Vec<u8>` would say.
pub struct Jpeg;

impl utoipa::PartialSchema for Jpeg {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .content_media_type("image/jpeg")
            .into()
    }
}

impl utoipa::ToSchema for Jpeg {}

/// `<64 lowercase hex>-display.jpg` or `<64 lowercase hex>-thumb.jpg`, as
/// `media::process_photo` names them.
pub fn is_media_name(name: &str) -> bool {
    let Some((hash, kind)) = name.split_at_checked(64) else {
        return false;
    };
    hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (kind == "-display.jpg" || kind == "-thumb.jpg")
}

/// A stored image.
#[utoipa::path(
    get,
    path = "/media/{name}",
    tag = "media",
    params(("name" = String, Path, description = "The image's name, as in `photo_url` and `thumb_url`",
        pattern = "^[0-9a-f]{64}-(display|thumb)\\.jpg$")),
    responses(
        (status = 200, description = "The JPEG; cacheable for good (`immutable`), `ETag` is the name",
            content_type = "image/jpeg", body = inline(Jpeg)),
        (status = 304, description = "Not modified (`If-None-Match` matched)"),
        (status = 400, description = "Not an image name", body = ErrorBody),
        (status = 404, description = "No such image", body = ErrorBody),
        (status = 429, description = "Too many requests from this client", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 500, description = "Server error", body = ErrorBody),
    )
)]
pub async fn get_media(
    State(state): State<HttpState>,
    name: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let not_a_name = || ApiError::bad("name", "not an image name");
    let Path(name) = name.map_err(|_| not_a_name())?;
    if !is_media_name(&name) {
        return Err(not_a_name());
    }
    let etag = format!("\"{name}\"");
    let cache_headers = [(header::CACHE_CONTROL, CACHE_FOREVER.to_string()), (header::ETAG, etag.clone())];
    // The name is the content hash, so a matching tag means the client's
    // copy is this image: no need to read the database at all.
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| etag_matches(v, &etag)) {
        return Ok((StatusCode::NOT_MODIFIED, cache_headers).into_response());
    }
    let image =
        state.store.image(&name).await?.ok_or_else(|| ApiError::NotFound("there is no image with that name".into()))?;
    let content_type =
        HeaderValue::from_str(&image.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, content_type)], cache_headers, image.bytes).into_response())
}

fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == etag || t == "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_names() {
        let hash = "0123456789abcdef".repeat(4);
        assert!(is_media_name(&format!("{hash}-display.jpg")));
        assert!(is_media_name(&format!("{hash}-thumb.jpg")));
        for bad in [
            format!("{hash}-original.jpg"),
            format!("{}-thumb.jpg", hash.to_uppercase()),
            format!("{}-thumb.jpg", &hash[1..]),
            format!("../{hash}-thumb.jpg"),
            format!("{hash}-thumb.jpg/"),
            "é".repeat(40),
            String::new(),
        ] {
            assert!(!is_media_name(&bad), "{bad:?}");
        }
    }

    #[test]
    fn etags() {
        assert!(etag_matches("\"a\"", "\"a\""));
        assert!(etag_matches("\"b\", W/\"a\"", "\"a\""));
        assert!(etag_matches("*", "\"a\""));
        assert!(!etag_matches("\"b\"", "\"a\""));
    }
}
