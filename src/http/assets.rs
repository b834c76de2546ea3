//! The front end over the wire: compressed, and cached as long as it can be.
//!
//! - `/pkg/…` (the bundle, the style sheet, the public pages' scripts) is served from the built
//!   site with the `.br` or `.gz` file `scripts/assets.mjs` wrote beside each, when the browser
//!   accepts it: nothing is compressed per request.
//! - A file whose name carries its content hash (`signup.3f9c0a1b2c4d5e6f.js`) is kept by
//!   browsers for a year (`immutable`): a new build gives it a new name. Everything else, pages
//!   included, is `no-cache` (kept, but checked with the server before each use).
//! - Pages and JSON answers are compressed on the fly (Brotli, else gzip) by
//!   [`compression`]; answers that are already compressed, tiny, or Server-Sent Events are not.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// `Cache-Control` of a file that can never change under its name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The fingerprint list the build wrote, if the site was built with one.
pub fn manifest_path(site_root: &Path) -> Option<std::path::PathBuf> {
    let path = site_root.join("pkg").join("hash.txt");
    path.exists().then_some(path)
}

/// The fingerprinted names, for the pages' links.
pub fn load(site_root: &Path) -> app::assets::Assets {
    manifest_path(site_root)
        .and_then(|path| std::fs::read_to_string(path).ok())
        .map(|text| app::assets::Assets::from_manifest(&text))
        .unwrap_or_default()
}

/// `/pkg/…` from the built site, precompressed where the build compressed it.
pub fn router(site_root: &Path) -> Router {
    let files = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new().nest_service("/pkg", files)
}

/// Compresses what is worth compressing, Brotli first.
pub fn compression() -> CompressionLayer {
    CompressionLayer::new().br(true).gzip(true)
}

/// Sets `Cache-Control` on answers that did not choose one: a year for fingerprinted files,
/// `no-cache` for the rest of `/pkg/` and for pages.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    // A precompressed file is one of several answers for its address: say on what it depends
    // (the on-the-fly compression says so itself).
    if path.starts_with("/pkg/") && !response.headers().contains_key(header::VARY) {
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if response.headers().contains_key(header::CACHE_CONTROL) || !response.status().is_success() {
        return response;
    }
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let value = if path.starts_with("/pkg/") && is_fingerprinted(&path) {
        IMMUTABLE
    } else if path.starts_with("/pkg/") || html {
        "no-cache"
    } else {
        return response;
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Whether the file name has a 16-hex-digit hash before its extension, as the build names them.
fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.rsplit('.');
    let (_ext, hash) = (parts.next(), parts.next());
    parts.next().is_some()
        && hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_the_build_s_hash_are_fingerprinted() {
        assert!(is_fingerprinted("/pkg/signup.3f9c0a1b2c4d5e6f.js"));
        assert!(is_fingerprinted("/pkg/mm_portal.00112233aabbccdd.wasm"));
        assert!(!is_fingerprinted("/pkg/signup.js"));
        assert!(!is_fingerprinted("/pkg/3f9c0a1b2c4d5e6f.js"));
        assert!(!is_fingerprinted("/pkg/signup.3f9c0a1b2c4d5e6.js"));
        assert!(!is_fingerprinted("/pkg/hash.txt"));
    }
}
