//! Restaurant OS Monitor RUM SDK (v0).
//!
//! Loaded by `/sdk/rum.js`, which starts it from its script tag's `data-key` or through
//! `init(options)`. v0 measures page-load timing once per page view and sends it with
//! `navigator.sendBeacon`. The crate is laid out for the full SDK: [`options`] reads the
//! configuration, each measurement lives in its own module ([`page_load`] now; vitals,
//! API timing, memory and errors later), and [`transport`] batches and sends.
//!
//! Rules every module keeps: never throw into the host page (no `unwrap`, errors are
//! swallowed), never block it, set no cookies, and stay small (no `serde`, no
//! formatting machinery: JSON is built with the browser's own `JSON.stringify`).

mod options;
mod page_load;
mod transport;

use options::Options;
use transport::Transport;
use wasm_bindgen::prelude::*;

/// Starts the SDK; `false` when disabled, sampled out, or the options are unusable.
#[wasm_bindgen]
pub fn start(options: JsValue) -> bool {
    let Some(opts) = Options::from_js(&options) else {
        return false;
    };
    if !opts.enabled || js_sys::Math::random() >= opts.sample_rate {
        return false;
    }
    let transport = Transport::new(&opts);
    transport.flush_on_page_hide();
    page_load::when_loaded(move || {
        if let Some(beacon) = page_load::measure(&opts) {
            transport.push(beacon);
            transport.flush();
        }
    });
    true
}
