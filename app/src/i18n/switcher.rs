//! The language switcher of the public pages: plain links (`?lang=`), since these pages run no
//! WebAssembly; the server remembers the choice in a cookie.

use leptos::prelude::*;

use super::{request_lang, t, Lang};

#[component]
pub fn LangSwitcher(
    /// The page's path, which each link keeps.
    path: String,
) -> impl IntoView {
    let current = request_lang();
    view! {
        <nav class="lang-switch" aria-label=t(current, "language-label") data-testid="lang-switch">
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    let href = format!("{path}?lang={}", lang.code());
                    view! {
                        <a
                            href=href
                            hreflang=lang.code()
                            lang=lang.code()
                            data-lang=lang.code()
                            aria-current=(lang == current).then_some("true")
                        >
                            {lang.native_name()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
