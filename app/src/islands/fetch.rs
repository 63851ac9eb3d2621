//! Browser-side calls to the read API. A `401` means the session ended: go to sign-in.

#[cfg(feature = "hydrate")]
mod browser {
    use serde::{de::DeserializeOwned, Serialize};

    async fn decode<T: DeserializeOwned>(resp: gloo_net::http::Response) -> Result<T, String> {
        if resp.status() == 401 {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href("/login?next=%2F");
            }
            return Err("signed out".into());
        }
        if !resp.ok() {
            return Err(format!("server answered {}", resp.status()));
        }
        resp.json::<T>().await.map_err(|e| e.to_string())
    }

    /// Opens the live channel (`/ws` on this origin) and calls `on_event` with each
    /// event's text. `None` when the browser cannot open it (the 30 s refresh remains).
    pub fn live(on_event: impl Fn(String) + 'static) -> Option<web_sys::WebSocket> {
        use wasm_bindgen::{closure::Closure, JsCast};
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let ws =
            web_sys::WebSocket::new(&format!("{scheme}://{}/ws", location.host().ok()?)).ok()?;
        let handler =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(text) = e.data().as_string() {
                    on_event(text);
                }
            });
        ws.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        // The socket lives as long as the page; so does its handler.
        handler.forget();
        Some(ws)
    }

    pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
        let resp = gloo_net::http::Request::get(url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        decode(resp).await
    }

    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        url: &str,
        body: &B,
    ) -> Result<T, String> {
        let resp = gloo_net::http::Request::post(url)
            .json(body)
            .map_err(|e| e.to_string())?
            .send()
            .await
            .map_err(|e| e.to_string())?;
        decode(resp).await
    }

    /// Local wall-clock time, e.g. `14:03:27`.
    pub fn local_time_now() -> String {
        js_sys::Date::new_0().to_locale_time_string("en-GB").into()
    }
}

#[cfg(feature = "hydrate")]
pub use browser::*;
