//! Restaurant OS Monitor RUM SDK.
//!
//! Two halves. The loader `sdk/js/rum.js` is the thin JS shell: it finds its script tag
//! (`data-key`) or is called as `init(options)`, listens to page events and sends request
//! bodies (`sendBeacon`, `fetch` with `keepalive` as fallback). This crate is the core:
//! it reads the options ([`options`]), decides sampling, keeps the session
//! ([`session`]), the context (release, environment, tags, user) and the ignore patterns,
//! computes the web vitals from the observers' entries ([`vitals`]: CLS session windows,
//! INP), and keeps the bounded queue and encodes batches ([`queue`]). Measuring the page
//! load and templating URLs are a few lines of JS each in the shell: the same logic in
//! the wasm cost 2 KB gzip of bindings, over the 15 KB budget. Hooks that must wrap browser APIs (fetch, XHR,
//! observers) belong in the shell and hand their raw data here.
//!
//! Rules every module keeps: never throw into the host page (no `unwrap`; the shell
//! also catches), never block it, set no cookies, and stay small: no `serde`, no
//! formatting (JSON comes from the browser's `JSON.stringify`), no closures (their glue
//! is large; the shell owns the event listeners).
//!
//! On wasm32 the crate is `no_std`: a panic traps instead of formatting a message, and a
//! small free-list allocator replaces dlmalloc.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without atomics runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

mod options;
mod queue;
mod session;
mod text;
mod vitals;

use alloc::string::String;
use js_sys::{Object, Reflect};
use options::Options;
use queue::Queue;
use vitals::Vitals;
use wasm_bindgen::prelude::*;

fn set(o: &Object, name: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(name), v);
}

fn get(o: &JsValue, name: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A started SDK instance; the loader holds it and drives it from page events.
#[wasm_bindgen]
pub struct Rum {
    opts: Options,
    queue: Queue,
    vitals: Vitals,
    /// Sent with every batch: session, release, environment, sample rate, tags, user.
    context: Object,
    tags: Object,
}

#[wasm_bindgen]
impl Rum {
    /// Starts the SDK; `undefined` when disabled, sampled out, or the options are unusable.
    pub fn start(options: JsValue) -> Option<Rum> {
        let opts = Options::from_js(&options)?;
        if !opts.enabled || js_sys::Math::random() >= opts.sample_rate {
            return None;
        }
        let context = Object::new();
        let tags = Object::new();
        set(&context, "tags", &tags);
        for (name, v) in [
            ("release", &opts.release),
            ("environment", &opts.environment),
        ] {
            if let Some(v) = v {
                set(&context, name, &JsValue::from_str(v));
            }
        }
        if let Some(s) = session::session_id() {
            set(&context, "session", &JsValue::from_str(&s));
        }
        // The server weights sampled rows by it: a 10 % sample counts ten times.
        if opts.sample_rate < 1.0 {
            set(&context, "sampleRate", &JsValue::from_f64(opts.sample_rate));
        }
        Some(Rum {
            opts,
            queue: Queue::default(),
            vitals: Vitals::default(),
            context,
            tags,
        })
    }

    /// Where batches go (the key rides in the query: `sendBeacon` sets no headers).
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.opts.beacon_url()
    }

    /// Queues a beacon the shell built (api, memory, error, a soft navigation). An error
    /// whose message matches an `ignore` pattern is dropped: `false`.
    pub fn add(&mut self, beacon: Object) -> bool {
        if get(&beacon, "type").as_string().as_deref() == Some("error") {
            let message = get(&beacon, "message").as_string().unwrap_or_default();
            if self.opts.ignore.iter().any(|p| text::contains(&message, p)) {
                return false;
            }
        }
        self.queue.push(beacon);
        true
    }

    #[wasm_bindgen(js_name = setTag)]
    pub fn set_tag(&mut self, key: &str, value: &str) {
        set(&self.tags, key, &JsValue::from_str(value));
    }

    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&mut self, user: JsValue) {
        set(&self.context, "user", &user);
    }

    pub fn lcp(&mut self, start_time: f64) {
        self.vitals.lcp(start_time);
    }

    pub fn shift(&mut self, value: f64, time: f64) {
        self.vitals.shift(value, time);
    }

    pub fn interaction(&mut self, duration: f64) {
        self.vitals.interaction(duration);
    }

    /// Queues the page's final LCP, CLS and INP (when the page hides or the route
    /// changes) and starts over for the next page.
    pub fn vitals(&mut self, page: &str) {
        if self.vitals.is_empty() {
            return;
        }
        let (lcp, cls, inp) = self.vitals.values();
        let beacon = Object::new();
        set(&beacon, "type", &JsValue::from_str("vitals"));
        set(&beacon, "page", &JsValue::from_str(page));
        for (name, v) in [("lcp", lcp), ("cls", cls), ("inp", inp)] {
            if let Some(v) = v {
                set(&beacon, name, &JsValue::from_f64(v));
            }
        }
        self.queue.push(beacon);
        self.vitals = Vitals::default();
    }

    /// The next request body, or `undefined` when nothing is queued.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&mut self) -> Option<String> {
        self.queue.next_batch(&self.context)
    }
}
