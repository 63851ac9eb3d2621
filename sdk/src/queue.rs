//! The bounded beacon queue and the batch encoding the server reads:
//! `{"context": {...}, "beacons": [...]}`, at most [`MAX_BATCH`] beacons per request.
//! A `VecDeque` popped one by one: `Vec::remove` and `drain` carry bounds checks whose
//! panic messages would link the formatting machinery into the wasm.

use alloc::{collections::VecDeque, string::String};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::JsValue;

/// Most beacons held while waiting to be sent; the oldest are dropped beyond it.
pub const MAX_QUEUE: usize = 100;
/// Most beacons per request (the server accepts up to 100).
pub const MAX_BATCH: usize = 20;

#[derive(Default)]
pub struct Queue {
    beacons: VecDeque<Object>,
}

impl Queue {
    pub fn push(&mut self, beacon: Object) {
        if self.beacons.len() >= MAX_QUEUE {
            self.beacons.pop_front();
        }
        self.beacons.push_back(beacon);
    }

    /// Encodes and removes up to [`MAX_BATCH`] beacons, oldest first.
    pub fn next_batch(&mut self, context: &Object) -> Option<String> {
        if self.beacons.is_empty() {
            return None;
        }
        let batch = Array::new();
        for _ in 0..MAX_BATCH {
            match self.beacons.pop_front() {
                Some(b) => batch.push(&b),
                None => break,
            };
        }
        let body = Object::new();
        Reflect::set(&body, &JsValue::from_str("context"), context).ok()?;
        Reflect::set(&body, &JsValue::from_str("beacons"), &batch).ok()?;
        JSON::stringify(&body).ok()?.as_string()
    }
}
