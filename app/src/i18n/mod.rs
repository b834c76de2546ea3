//! The language of the public pages and of the emails to business admins (I18N.md).
//!
//! The texts are Fluent files in `app/locales/<language>/` that a translator edits; they are
//! compiled into the server only. The public pages carry no WebAssembly (FRONTEND.md), so the
//! browser bundle holds no translations: in the hydrate build [`t`] answers the key, and the
//! staff application links to the public pages with full page loads (`rel="external"`).

use serde::{Deserialize, Serialize};

/// The languages of the public pages and emails, English first (the fallback).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    PtBr,
    Id,
    Hi,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Es, Lang::PtBr, Lang::Id, Lang::Hi];

    /// The BCP 47 tag: `<html lang>`, `?lang=`, the cookie and the locale directory.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::PtBr => "pt-BR",
            Lang::Id => "id",
            Lang::Hi => "hi",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::PtBr => "Português (Brasil)",
            Lang::Id => "Bahasa Indonesia",
            Lang::Hi => "हिन्दी",
        }
    }

    /// The Facebook SDK's locale (`connect.facebook.net/<locale>/sdk.js`), so Meta's window
    /// opens in the page's language.
    pub fn facebook_locale(self) -> &'static str {
        match self {
            Lang::En => "en_US",
            Lang::Es => "es_LA",
            Lang::PtBr => "pt_BR",
            Lang::Id => "id_ID",
            Lang::Hi => "hi_IN",
        }
    }

    /// A tag as given in `?lang=` or the cookie: exact codes, case-insensitive.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// The Facebook SDK's address in `lang`: Meta's `…/en_US/sdk.js` takes the locale as a path
/// segment; another address (the sandbox's `/sandbox/sdk.js`) gets it as `?locale=`.
pub fn sdk_url_in(url: &str, lang: Lang) -> String {
    let locale = lang.facebook_locale();
    let is_locale = |segment: &str| {
        let b = segment.as_bytes();
        b.len() == 5
            && b[2] == b'_'
            && b[..2].iter().all(u8::is_ascii_lowercase)
            && b[3..].iter().all(u8::is_ascii_uppercase)
    };
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segments: Vec<&str> = path.split('/').collect();
    if segments.iter().any(|s| is_locale(s)) {
        let localised: Vec<&str> = segments
            .into_iter()
            .map(|s| if is_locale(s) { locale } else { s })
            .collect();
        let path = localised.join("/");
        return if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
    }
    let separator = if query.is_empty() { '?' } else { '&' };
    format!("{url}{separator}locale={locale}")
}

/// The cookie that keeps a language chosen with the switcher.
pub const COOKIE: &str = "mm_lang";

/// The text of `key` in `lang`, English when the language lacks it.
pub fn t(lang: Lang, key: &str) -> String {
    t_args(lang, key, &[])
}

/// The text of `key` in `lang` with its placeables filled from `args`.
#[cfg(feature = "ssr")]
pub fn t_args(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    server::lookup(lang, key, args)
}

/// In the browser there are no translations (see the module's comment): the key itself.
#[cfg(not(feature = "ssr"))]
pub fn t_args(_lang: Lang, key: &str, _args: &[(&str, &str)]) -> String {
    key.to_string()
}

/// The language of the request being handled: `?lang=`, else the cookie, else the best match
/// of `Accept-Language`, else English. Outside a request (and in the browser) English.
pub fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| server::from_request(&parts))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::En
    }
}

#[cfg(feature = "ssr")]
pub mod server;

pub mod switcher;

/// Keeps a language chosen with `?lang=` in a cookie for a year, so the status page opened
/// after the signup and later visits stay in it. Only on public pages (the staff app is in
/// English).
pub fn remember_choice() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let chosen =
            use_context::<http::request::Parts>().and_then(|parts| server::query_lang(&parts));
        if let (Some(lang), Some(response)) =
            (chosen, use_context::<leptos_axum::ResponseOptions>())
        {
            let cookie = format!(
                "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                lang.code()
            );
            if let Ok(value) = http::HeaderValue::from_str(&cookie) {
                response.append_header(http::header::SET_COOKIE, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_loads_in_the_pages_language() {
        assert_eq!(
            sdk_url_in("https://connect.facebook.net/en_US/sdk.js", Lang::PtBr),
            "https://connect.facebook.net/pt_BR/sdk.js"
        );
        assert_eq!(
            sdk_url_in("/sandbox/sdk.js", Lang::Hi),
            "/sandbox/sdk.js?locale=hi_IN"
        );
        assert_eq!(
            sdk_url_in("https://cdn.example/sdk.js?v=2", Lang::Es),
            "https://cdn.example/sdk.js?v=2&locale=es_LA"
        );
    }

    #[test]
    fn codes_round_trip_and_unknown_ones_are_refused() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("PT-br"), Some(Lang::PtBr));
        assert_eq!(Lang::from_code("fr"), None);
    }
}
