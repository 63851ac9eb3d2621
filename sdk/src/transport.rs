//! Batches beacons and sends them with `navigator.sendBeacon` (text/plain, so no CORS
//! preflight), falling back to `fetch(…, {keepalive: true})`. Pending beacons are also
//! flushed when the page is hidden or unloaded. The queue is bounded; failures are
//! dropped silently rather than surfacing in the host page.

use crate::options::Options;
use js_sys::{Array, Object, Reflect, JSON};
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{prelude::*, JsCast};

/// Most beacons held while waiting to be sent; older ones are dropped beyond it.
const MAX_QUEUE: usize = 50;
/// Most beacons per request (the server accepts up to 100).
const MAX_BATCH: usize = 20;
const SESSION_KEY: &str = "rosm_session";

#[derive(Clone)]
pub struct Transport {
    url: Rc<str>,
    queue: Rc<RefCell<Vec<Object>>>,
}

/// A per-tab session id kept in `sessionStorage` (no cookies); `None` where storage is
/// unavailable (some private modes).
pub fn session_id() -> Option<String> {
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

impl Transport {
    pub fn new(opts: &Options) -> Transport {
        Transport {
            url: opts.beacon_url().into(),
            queue: Rc::new(RefCell::new(Vec::new())),
        }
    }

    pub fn push(&self, beacon: Object) {
        let mut q = self.queue.borrow_mut();
        if q.len() >= MAX_QUEUE {
            q.remove(0);
        }
        q.push(beacon);
    }

    /// Sends everything queued, in batches.
    pub fn flush(&self) {
        loop {
            let batch: Vec<Object> = {
                let mut q = self.queue.borrow_mut();
                let n = q.len().min(MAX_BATCH);
                q.drain(..n).collect()
            };
            if batch.is_empty() {
                return;
            }
            self.send(&batch);
        }
    }

    fn send(&self, batch: &[Object]) {
        let beacons: Array = batch.iter().collect();
        let body = Object::new();
        let _ = Reflect::set(&body, &JsValue::from_str("beacons"), &beacons);
        let Some(text) = JSON::stringify(&body).ok().and_then(|s| s.as_string()) else {
            return;
        };
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Ok(true) = window
            .navigator()
            .send_beacon_with_opt_str(&self.url, Some(&text))
        {
            return;
        }
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&text));
        // `keepalive` is not in web-sys's stable API; set it on the plain JS object.
        let _ = Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
        let promise = window.fetch_with_str_and_init(&self.url, &init);
        // Observe the rejection so an offline monitor never shows up in the host page.
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
        let _ = promise.catch(&ignore);
        ignore.forget();
    }

    /// Flushes on `visibilitychange` to hidden and on `pagehide`.
    pub fn flush_on_page_hide(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let t = self.clone();
        let on_hide = Closure::<dyn FnMut()>::new(move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .map(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
                .unwrap_or(true);
            if hidden {
                t.flush();
            }
        });
        let f: &js_sys::Function = on_hide.as_ref().unchecked_ref();
        let _ = window.add_event_listener_with_callback("pagehide", f);
        if let Some(doc) = window.document() {
            let _ = doc.add_event_listener_with_callback("visibilitychange", f);
        }
        on_hide.forget();
    }
}
