//! Page-load timing from the Navigation Timing and Paint Timing APIs: TTFB
//! (`responseStart`), DOMContentLoaded and load (`…EventEnd`), first paint and first
//! contentful paint, all in milliseconds since navigation start.

use crate::options::Options;
use js_sys::{Date, Object, Reflect};
use wasm_bindgen::{prelude::*, JsCast};
use web_sys::PerformanceNavigationTiming;

/// Runs `f` once the load event has finished (so `loadEventEnd` is set).
pub fn when_loaded(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let later = Closure::once_into_js(f);
    let schedule = move || {
        if let Some(w) = web_sys::window() {
            let _ =
                w.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 0);
        }
    };
    let complete = window
        .document()
        .map(|d| d.ready_state() == "complete")
        .unwrap_or(false);
    if complete {
        schedule();
    } else {
        let on_load = Closure::once_into_js(schedule);
        let _ = window.add_event_listener_with_callback("load", on_load.unchecked_ref());
    }
}

fn set(o: &Object, name: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(name), v);
}

fn set_ms(o: &Object, name: &str, v: f64) {
    // Zero means "did not happen" in Navigation Timing; report only what happened.
    if v > 0.0 && v.is_finite() {
        set(o, name, &JsValue::from_f64((v * 10.0).round() / 10.0));
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
    if let Some(s) = crate::transport::session_id() {
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
