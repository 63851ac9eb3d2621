//! Restaurant OS Monitor RUM SDK (v0).
//!
//! Two halves. The loader `sdk/js/rum.js` is the thin JS shell: it finds its script tag
//! (`data-key`) or is called as `init(options)`, listens to page events and sends request
//! bodies (`sendBeacon`, `fetch` with `keepalive` as fallback). This crate is the core:
//! it reads the options ([`options`]), decides sampling, measures ([`page_load`] now;
//! vitals, API timing, memory and errors later, each its own module), keeps the bounded
//! queue and encodes batches ([`queue`]). Hooks that must wrap browser APIs (fetch, XHR,
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
mod page_load;
mod queue;

use alloc::string::String;
use options::Options;
use queue::Queue;
use wasm_bindgen::prelude::*;

/// A started SDK instance; the loader holds it and drives it from page events.
#[wasm_bindgen]
pub struct Rum {
    opts: Options,
    queue: Queue,
}

#[wasm_bindgen]
impl Rum {
    /// Starts the SDK; `undefined` when disabled, sampled out, or the options are unusable.
    pub fn start(options: JsValue) -> Option<Rum> {
        let opts = Options::from_js(&options)?;
        if !opts.enabled || js_sys::Math::random() >= opts.sample_rate {
            return None;
        }
        Some(Rum {
            opts,
            queue: Queue::default(),
        })
    }

    /// Where batches go (the key rides in the query: `sendBeacon` sets no headers).
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.opts.beacon_url()
    }

    /// Measures the finished page load and queues its beacon. Call after `load`.
    #[wasm_bindgen(js_name = pageLoaded)]
    pub fn page_loaded(&mut self) {
        if let Some(beacon) = page_load::measure(&self.opts) {
            self.queue.push(beacon);
        }
    }

    /// The next request body, or `undefined` when nothing is queued.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&mut self) -> Option<String> {
        self.queue.next_batch()
    }
}
