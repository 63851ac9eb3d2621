//! The options object of `init(options)` (and what the script tag's attributes become).

use alloc::{string::String, vec, vec::Vec};
use js_sys::Reflect;
use wasm_bindgen::JsValue;

pub struct Options {
    /// The project's public key.
    pub key: String,
    /// Absolute URL of the monitor's `/api/rum`.
    pub endpoint: String,
    /// Share of page views measured, 0..=1.
    pub sample_rate: f64,
    pub enabled: bool,
    pub release: Option<String>,
    pub environment: Option<String>,
    /// Errors whose message contains one of these are not reported.
    pub ignore: Vec<String>,
}

/// What `ignore` is when not given: the browsers' harmless ResizeObserver noise.
fn default_ignore() -> Vec<String> {
    vec![
        String::from("ResizeObserver loop limit exceeded"),
        String::from("ResizeObserver loop completed with undelivered notifications"),
    ]
}

fn get(o: &JsValue, name: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

impl Options {
    pub fn from_js(o: &JsValue) -> Option<Options> {
        if !o.is_object() {
            return None;
        }
        let key = get(o, "key").as_string().filter(|k| !k.is_empty())?;
        let endpoint = get(o, "endpoint").as_string()?;
        // Not `f64::clamp`: its NaN assertion would pull float formatting into the wasm.
        // NaN and negatives sample nothing; above 1 samples everything.
        let rate = get(o, "sampleRate").as_f64().unwrap_or(1.0);
        let sample_rate = if rate > 1.0 {
            1.0
        } else if rate > 0.0 {
            rate
        } else {
            0.0
        };
        let enabled = get(o, "enabled").as_bool().unwrap_or(true);
        let ignore = match get(o, "ignore") {
            v if js_sys::Array::is_array(&v) => js_sys::Array::from(&v)
                .iter()
                .filter_map(|p| p.as_string())
                .collect(),
            _ => default_ignore(),
        };
        Some(Options {
            key,
            endpoint,
            sample_rate,
            enabled,
            release: get(o, "release").as_string(),
            environment: get(o, "environment").as_string(),
            ignore,
        })
    }

    /// The beacon URL: the key rides in the query because `sendBeacon` sets no headers.
    pub fn beacon_url(&self) -> String {
        let key: String = js_sys::encode_uri_component(&self.key).into();
        let sep = if self.endpoint.contains('?') {
            "&"
        } else {
            "?"
        };
        [self.endpoint.as_str(), sep, "key=", key.as_str()].concat()
    }
}
