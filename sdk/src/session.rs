//! The per-tab session id, kept in `sessionStorage` (no cookies).

use alloc::string::String;

/// Key of the per-tab session id in `sessionStorage` (no cookies).
const SESSION_KEY: &str = "rosm_session";

/// A per-tab session id, or `None` where storage is unavailable (some private modes).
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
