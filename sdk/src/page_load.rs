//! Page-load timing from the Navigation Timing and Paint Timing APIs: TTFB
//! (`responseStart`), DOMContentLoaded and load (`…EventEnd`), first paint and first
//! contentful paint, all in milliseconds since navigation start; plus the page and a
//! per-tab session id.

use crate::options::Options;
use alloc::string::String;
use js_sys::{Date, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::PerformanceNavigationTiming;

fn set(o: &Object, name: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(name), v);
}

fn set_ms(o: &Object, name: &str, v: f64) {
    // Zero means "did not happen" in Navigation Timing; report only what happened.
    if v > 0.0 && v.is_finite() {
        set(
            o,
            name,
            &JsValue::from_f64(js_sys::Math::round(v * 10.0) / 10.0),
        );
    }
}

/// The page-load beacon, or `None` where the browser has no navigation timing.
pub fn measure(opts: &Options) -> Option<Object> {
    let window = web_sys::window()?;
    let perf = window.performance()?;
    let nav: PerformanceNavigationTiming = perf
        .get_entries_by_type("navigation")
        .get(0)
        .dyn_into()
        .ok()?;
    let beacon = Object::new();
    set(&beacon, "type", &JsValue::from_str("pageload"));
    let page = opts
        .page
        .clone()
        .or_else(|| window.location().pathname().ok())
        .unwrap_or_else(|| "/".into());
    set(&beacon, "page", &JsValue::from_str(&page));
    set(&beacon, "ts", &JsValue::from_f64(Date::now()));
    if let Some(s) = session_id() {
        set(&beacon, "session", &JsValue::from_str(&s));
    }
    set_ms(&beacon, "ttfb", nav.response_start());
    set_ms(&beacon, "dcl", nav.dom_content_loaded_event_end());
    set_ms(&beacon, "load", nav.load_event_end());
    for entry in perf.get_entries_by_type("paint").iter() {
        let Ok(e) = entry.dyn_into::<web_sys::PerformanceEntry>() else {
            continue;
        };
        match e.name().as_str() {
            "first-paint" => set_ms(&beacon, "fp", e.start_time()),
            "first-contentful-paint" => set_ms(&beacon, "fcp", e.start_time()),
            _ => {}
        }
    }
    Some(beacon)
}

/// Key of the per-tab session id in `sessionStorage` (no cookies).
const SESSION_KEY: &str = "rosm_session";

/// A per-tab session id, or `None` where storage is unavailable (some private modes).
fn session_id() -> Option<String> {
    let storage = web_sys::window()?.session_storage().ok()??;
    if let Ok(Some(s)) = storage.get_item(SESSION_KEY) {
        return Some(s);
    }
    let mut id = String::with_capacity(16);
    push_random_hex(&mut id);
    push_random_hex(&mut id);
    let _ = storage.set_item(SESSION_KEY, &id);
    Some(id)
}

/// Appends 8 random hex digits (no float formatting: it would bloat the wasm).
fn push_random_hex(out: &mut String) {
    let n = (js_sys::Math::random() * 4_294_967_296.0) as u32;
    for shift in (0..8).rev() {
        out.push(char::from_digit((n >> (shift * 4)) & 0xf, 16).unwrap_or('0'));
    }
}
