//! The Fluent bundles (compiled in from `app/locales`) and the choice of a request's language.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_langneg::{negotiate_languages, NegotiationStrategy};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use super::{Lang, COOKIE};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps each placeable in Unicode isolation marks by default; in HTML and in
        // plain-text mail they are invisible noise that breaks copying a link.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn identifier(lang: Lang) -> LanguageIdentifier {
    lang.code().parse().expect("every Lang code is a valid tag")
}

pub(super) fn lookup(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let id = identifier(lang);
    if args.is_empty() {
        return LOCALES.lookup(&id, key);
    }
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| {
            (
                Cow::Owned(name.to_string()),
                FluentValue::from(value.to_string()),
            )
        })
        .collect();
    LOCALES.lookup_with_args(&id, key, &args)
}

/// `key` in exactly `lang`, without falling back to English: for the completeness test.
/// Every placeable name the files use is given a value, so a message with placeables formats.
pub fn lookup_exact(lang: Lang, key: &str) -> Option<String> {
    let names = [
        "reason", "partner", "seconds", "step", "link", "account", "phones", "email", "status",
    ];
    let args: HashMap<&str, FluentValue> = names
        .into_iter()
        .map(|n| (n, FluentValue::from("x")))
        .collect();
    LOCALES.lookup_no_default_fallback(&identifier(lang), key, Some(&args))
}

/// The language the request's `?lang=` chose, if any (and known).
pub(super) fn query_lang(parts: &http::request::Parts) -> Option<Lang> {
    parts
        .uri
        .query()?
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Lang::from_code)
}

pub(super) fn from_request(parts: &http::request::Parts) -> Lang {
    query_lang(parts)
        .or_else(|| cookie(&parts.headers).and_then(|c| Lang::from_code(&c)))
        .or_else(|| {
            parts
                .headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(from_accept_language)
        })
        .unwrap_or_default()
}

fn cookie(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then(|| value.to_string())
        })
}

/// The best of our languages for an `Accept-Language` header (weights respected; `pt` and
/// `pt-PT` take Brazilian Portuguese, `es-MX` Spanish); English when none matches.
pub fn from_accept_language(header: &str) -> Lang {
    // `accepted_languages::parse` keeps the header's order and ignores `q`: sort by it first.
    let mut ranges: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && q > 0.0).then_some((q, tag))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    let sorted: Vec<&str> = ranges.into_iter().map(|(_, tag)| tag).collect();
    let requested = fluent_langneg::accepted_languages::parse(&sorted.join(","));
    let available: Vec<LanguageIdentifier> = Lang::ALL.into_iter().map(identifier).collect();
    let default = identifier(Lang::En);
    negotiate_languages(
        &requested,
        &available,
        Some(&default),
        NegotiationStrategy::Lookup,
    )
    .first()
    .and_then(|id| Lang::from_code(&id.to_string()))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of the English files, read from the files themselves.
    fn english_keys() -> Vec<String> {
        [
            include_str!("../../locales/en/public.ftl"),
            include_str!("../../locales/en/mail.ftl"),
        ]
        .iter()
        .flat_map(|file| file.lines())
        .filter_map(|line| {
            let (key, _) = line.split_once(" = ")?;
            (!key.starts_with('#') && !key.starts_with(' ')).then(|| key.to_string())
        })
        .collect()
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let keys = english_keys();
        assert!(
            keys.len() > 100,
            "the English files were read: {}",
            keys.len()
        );
        for lang in Lang::ALL {
            let missing: Vec<&String> = keys
                .iter()
                .filter(|k| lookup_exact(lang, k).is_none_or(|text| text.trim().is_empty()))
                .collect();
            assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
        }
    }

    #[test]
    fn placeables_are_filled_in_every_language() {
        for lang in Lang::ALL {
            let text = lookup(lang, "signup-agree-share", &[("partner", "Acme Partner")]);
            assert!(text.contains("Acme Partner"), "{}: {text}", lang.code());
            assert!(!text.contains('\u{2068}'), "no isolation marks");
        }
    }

    #[test]
    fn accept_language_picks_the_best_of_ours() {
        assert_eq!(from_accept_language("es-MX,es;q=0.9,en;q=0.8"), Lang::Es);
        assert_eq!(from_accept_language("pt-BR"), Lang::PtBr);
        assert_eq!(from_accept_language("pt"), Lang::PtBr);
        assert_eq!(from_accept_language("fr-FR,hi;q=0.5"), Lang::Hi);
        assert_eq!(from_accept_language("de-DE"), Lang::En);
        assert_eq!(from_accept_language("en;q=0.2,id;q=0.9"), Lang::Id);
        assert_eq!(from_accept_language(""), Lang::En);
    }

    #[test]
    fn the_query_beats_the_cookie_which_beats_the_header() {
        let request = |uri: &str, cookie: Option<&str>| {
            let mut builder = http::Request::builder()
                .uri(uri)
                .header("accept-language", "hi");
            if let Some(c) = cookie {
                builder = builder.header("cookie", c);
            }
            builder.body(()).unwrap().into_parts().0
        };
        assert_eq!(from_request(&request("/signup", None)), Lang::Hi);
        assert_eq!(
            from_request(&request("/signup", Some("a=b; mm_lang=id"))),
            Lang::Id
        );
        assert_eq!(
            from_request(&request("/signup?lang=pt-br", Some("mm_lang=id"))),
            Lang::PtBr
        );
        assert_eq!(
            from_request(&request("/signup?lang=xx", Some("mm_lang=zz"))),
            Lang::Hi,
            "unknown codes are ignored"
        );
    }
}
