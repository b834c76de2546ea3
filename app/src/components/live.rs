//! Small shared pieces of the staff pages: live updates pushed by the server (a signal that
//! changes when something the page shows changed, whichever instance changed it), times, and
//! status badges.

use leptos::prelude::*;

/// A signal that changes when the server says one of `topics` changed (`waba:12`, `waba:*`,
/// `signup:*`, `intent:*`, `inbox`; docs/LIVE.md): the page's resources read it and re-read.
/// It also changes once right after the stream opens (what changed since the page was
/// rendered). Bursts are folded into one change per [`COALESCE_MS`]. If the stream closes
/// for good (the session ended), it changes every [`FALLBACK_MS`] instead. Never changes on
/// the server.
pub fn use_live(topics: impl Fn() -> String + Send + Sync + 'static) -> ReadSignal<u32> {
    let (tick, set_tick) = signal(0u32);
    Effect::new(move |_| {
        let topics = topics();
        #[cfg(feature = "hydrate")]
        {
            let stream =
                browser::Stream::open(&topics, move || set_tick.update(|t| *t = t.wrapping_add(1)));
            let stream = send_wrapper::SendWrapper::new(stream);
            on_cleanup(move || drop(stream));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (topics, set_tick);
    });
    tick
}

/// Changes closer together than this make one re-read.
pub const COALESCE_MS: u64 = 500;
/// Re-read this often when the stream is closed for good.
pub const FALLBACK_MS: u64 = 15_000;

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::{set_interval_with_handle, set_timeout, IntervalHandle};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    /// One open `EventSource` and its handlers; closed when dropped.
    pub struct Stream {
        source: Option<web_sys::EventSource>,
        _on_change: Closure<dyn FnMut(web_sys::Event)>,
        _on_error: Closure<dyn FnMut(web_sys::Event)>,
        fallback: Rc<RefCell<Option<IntervalHandle>>>,
    }

    impl Stream {
        pub fn open(topics: &str, bump: impl Fn() + Clone + 'static) -> Stream {
            let fallback: Rc<RefCell<Option<IntervalHandle>>> = Rc::default();
            let pending = Rc::new(Cell::new(false));
            let on_change = {
                let bump = bump.clone();
                Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    if pending.replace(true) {
                        return;
                    }
                    let (pending, bump) = (pending.clone(), bump.clone());
                    set_timeout(
                        move || {
                            pending.set(false);
                            bump();
                        },
                        Duration::from_millis(super::COALESCE_MS),
                    );
                })
            };
            let url = format!("/live?topics={topics}");
            let source = web_sys::EventSource::new(&url).ok();
            let on_error = {
                let (fallback, source, bump) = (fallback.clone(), source.clone(), bump.clone());
                Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    // CONNECTING: the browser reconnects by itself (with Last-Event-ID).
                    // CLOSED: it gave up (a 401 after the session ended): a timer instead.
                    let closed = source
                        .as_ref()
                        .is_none_or(|s| s.ready_state() == web_sys::EventSource::CLOSED);
                    if closed && fallback.borrow().is_none() {
                        *fallback.borrow_mut() = set_interval_with_handle(
                            bump.clone(),
                            Duration::from_millis(super::FALLBACK_MS),
                        )
                        .ok();
                    }
                })
            };
            match &source {
                Some(source) => {
                    let _ = source.add_event_listener_with_callback(
                        "change",
                        on_change.as_ref().unchecked_ref(),
                    );
                    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
                }
                None => {
                    *fallback.borrow_mut() = set_interval_with_handle(
                        bump.clone(),
                        Duration::from_millis(super::FALLBACK_MS),
                    )
                    .ok();
                }
            }
            Stream {
                source,
                _on_change: on_change,
                _on_error: on_error,
                fallback,
            }
        }
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            if let Some(source) = &self.source {
                source.close();
            }
            if let Some(handle) = self.fallback.borrow_mut().take() {
                handle.clear();
            }
        }
    }
}

/// `2026-11-26 20:31 UTC` from Unix milliseconds (no time-zone database in the browser bundle).
pub fn format_time(millis: i64) -> String {
    let rest = millis.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        crate::calendar::utc_day(millis),
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// What each onboarding status means, for the badge's tooltip.
pub fn status_help(status: &str) -> &'static str {
    match status {
        "ONBOARDED" => "Onboarded: the business signed the MM API terms and can send marketing messages.",
        "ELIGIBLE" => "Eligible: can be onboarded; waiting for the business to accept the terms.",
        "PENDING_INTERNAL_SETUP" => "Meta is finishing its setup of the account; usually minutes.",
        "PENDING_VALID_PAYMENT_METHOD" => "The business must add a valid payment method to the WABA.",
        "INELIGIBLE_ON_BEHALF_OF_WABA" => "Owned on behalf of the business by a partner (OBO): ownership must move to the business first.",
        "INELIGIBLE_INACTIVE_OR_RESTRICTED" => "The account is inactive or restricted by Meta.",
        "INELIGIBLE_COUNTRY_NOT_SUPPORTED" => "MM API is not available in the business's country.",
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP" => "The number is only on the WhatsApp Business app.",
        _ => "A status this portal does not know yet; shown as Meta sent it.",
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "ONBOARDED" => "badge ok",
        "ELIGIBLE" | "PENDING_INTERNAL_SETUP" => "badge info",
        "PENDING_VALID_PAYMENT_METHOD" => "badge warn",
        s if s.starts_with("INELIGIBLE") => "badge bad",
        _ => "badge",
    }
}

#[component]
pub fn StatusBadge(status: Option<String>) -> impl IntoView {
    let text = status.unwrap_or_else(|| "UNKNOWN".into());
    let help = status_help(&text);
    view! {
        <span class=status_class(&text) title=help data-testid="status-badge">
            {text.replace('_', " ").to_lowercase()}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_795_725_060_000), "2026-11-26 20:31 UTC");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
