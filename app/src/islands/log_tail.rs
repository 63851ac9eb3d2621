use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use serde::Deserialize;

/// Lines the tail keeps on screen.
#[cfg(feature = "hydrate")]
const KEEP: usize = 200;

#[cfg(feature = "hydrate")]
#[derive(Clone, Debug, Deserialize)]
struct TailLine {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    message: String,
}

/// The Logs page's live tail: when switched on, lines arrive over the live channel
/// (`log` events) and are shown newest first.
#[island]
pub fn LogTail() -> impl IntoView {
    let on = RwSignal::new(false);
    let lines = RwSignal::new(Vec::<(String, String)>::new());
    #[cfg(feature = "hydrate")]
    let socket = StoredValue::new_local(None::<web_sys::WebSocket>);
    let toggle = move |_| {
        let now_on = !on.get_untracked();
        on.set(now_on);
        #[cfg(feature = "hydrate")]
        {
            if now_on {
                let ws = super::fetch::live(move |text| {
                    if let Ok(l) = serde_json::from_str::<TailLine>(&text) {
                        if l.kind == "log" {
                            lines.update(|v| {
                                let who = l.service.map(|s| format!(" [{s}]")).unwrap_or_default();
                                v.insert(
                                    0,
                                    (l.level.clone(), format!("{}{who} {}", l.level, l.message)),
                                );
                                v.truncate(KEEP);
                            });
                        }
                    }
                });
                socket.set_value(ws);
            } else if let Some(ws) = socket.get_value() {
                let _ = ws.close();
                socket.set_value(None);
            }
        }
    };
    view! {
        <section class="panel log-tail">
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || on.get() on:change=toggle/>
                " Live tail"
            </label>
            <ul class="tail-lines">
                {move || lines.get().into_iter().map(|(level, text)| view! {
                    <li class=format!("log-{level}")><code>{text}</code></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
