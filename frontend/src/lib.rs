//! Browser entry of the dashboard. Pages are rendered on the server; only the
//! `#[island]` components of `app` are hydrated here, which keeps the bundle small.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Calling into `app` links it, and with it the islands it exports.
    app::hydrate_islands();
}
