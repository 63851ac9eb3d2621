//! The bounded beacon queue and the batch encoding the server reads:
//! `{"beacons": [...]}`, at most [`MAX_BATCH`] per request.

use alloc::{string::String, vec::Vec};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::JsValue;

/// Most beacons held while waiting to be sent; the oldest are dropped beyond it.
pub const MAX_QUEUE: usize = 50;
/// Most beacons per request (the server accepts up to 100).
pub const MAX_BATCH: usize = 20;

#[derive(Default)]
pub struct Queue {
    beacons: Vec<Object>,
}

impl Queue {
    pub fn push(&mut self, beacon: Object) {
        if self.beacons.len() >= MAX_QUEUE {
            self.beacons.remove(0);
        }
        self.beacons.push(beacon);
    }

    /// Encodes and removes up to [`MAX_BATCH`] beacons, oldest first.
    pub fn next_batch(&mut self) -> Option<String> {
        if self.beacons.is_empty() {
            return None;
        }
        let n = self.beacons.len().min(MAX_BATCH);
        let batch: Array = self.beacons.drain(..n).collect();
        let body = Object::new();
        Reflect::set(&body, &JsValue::from_str("beacons"), &batch).ok()?;
        JSON::stringify(&body).ok()?.as_string()
    }
}
