//! `GET /ws`: the dashboard's live channel (signed in, like every admin route). The
//! server pushes JSON events (`alert`, `probe`, `metrics`); the client may send
//! `ping` and gets `pong`. `?restaurant=` tags the connection for the per-restaurant count.

use crate::{http::error::ApiError, state::AppState};
use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        Query, State,
    },
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

#[derive(Deserialize)]
struct WsQuery {
    restaurant: Option<String>,
}

async fn upgrade(
    State(state): State<AppState>,
    Query(q): Query<WsQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Browsers send cookies with cross-site WebSocket handshakes; only our pages may open
    // one with the session (cross-site WebSocket hijacking).
    if !crate::http::guard::same_origin(&headers) {
        return ApiError::Forbidden("cross-site WebSocket refused").into_response();
    }
    let restaurant = q.restaurant.filter(|r| !r.is_empty() && r.len() <= 100);
    ws.max_message_size(64 * 1024)
        .on_upgrade(move |socket| serve(state, socket, restaurant))
}

async fn serve(state: AppState, mut socket: WebSocket, restaurant: Option<String>) {
    let hub = &state.live;
    let mut events = hub.subscribe();
    hub.opened(restaurant.as_deref());
    let started = std::time::Instant::now();
    let hello = serde_json::json!({"type": "hello"}).to_string();
    if socket.send(Message::Text(hello.into())).await.is_ok() {
        hub.sent();
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(text) => {
                        if socket.send(Message::Text(text.as_ref().into())).await.is_err() {
                            hub.error();
                            break;
                        }
                        hub.sent();
                    }
                    // Too slow: it missed events; tell it to reload rather than hold memory.
                    Err(RecvError::Lagged(_)) => {
                        let resync = serde_json::json!({"type": "resync"}).to_string();
                        if socket.send(Message::Text(resync.into())).await.is_err() {
                            break;
                        }
                        hub.sent();
                    }
                    Err(RecvError::Closed) => break,
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(t))) => {
                        hub.received();
                        if t.as_str() == "ping" {
                            if socket.send(Message::Text("pong".into())).await.is_err() {
                                break;
                            }
                            hub.sent();
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Ok(_)) => hub.received(),
                    Some(Err(_)) => {
                        hub.error();
                        break;
                    }
                },
            }
        }
    } else {
        hub.error();
    }
    hub.closed(restaurant.as_deref(), started.elapsed().as_millis() as u64);
}
