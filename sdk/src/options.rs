//! The options object of `init(options)` (and what the script tag's attributes become).

use alloc::string::String;
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
    /// Page name to report instead of `location.pathname`.
    pub page: Option<String>,
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
        let page = get(o, "page").as_string();
        Some(Options {
            key,
            endpoint,
            sample_rate,
            enabled,
            page,
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
