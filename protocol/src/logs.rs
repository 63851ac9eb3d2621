//! Structured log lines and their search, as the Logs page and the read API use them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub id: i64,
    pub project_id: i64,
    pub at_ms: i64,
    /// `error`, `warn`, `info`, `http`, `verbose`, `debug`, `silly`.
    pub level: String,
    pub service: Option<String>,
    pub environment: Option<String>,
    pub restaurant_id: Option<String>,
    pub message: String,
    /// The line as sent (JSON).
    pub body: String,
}

/// A log search: every filter optional; newest first; `before` pages to older lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogQuery {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub level: Option<String>,
    pub service: Option<String>,
    pub restaurant: Option<String>,
    /// `key=value` on any field of the line (top level).
    pub fields: Vec<(String, String)>,
    /// Free text in the message or anywhere in the line, case-insensitive.
    pub text: Option<String>,
    /// `(at_ms, id)` of the last line of the previous page.
    pub before: Option<(i64, i64)>,
    pub limit: Option<u32>,
}

/// A field name a search may use: letters, digits, `_`, `-`, `.`.
pub fn valid_field(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

impl LogQuery {
    /// Reads `q` (text), `level`, `service`, `restaurant`, `field=key:value` (repeatable),
    /// `range` (`1h`, `24h`, `7d`, `30d` before `now_ms`), `before=<at_ms>:<id>`, `limit`.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        now_ms: i64,
    ) -> Result<LogQuery, String> {
        let mut q = LogQuery::default();
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        for (k, v) in pairs {
            match k {
                "q" | "text" => q.text = text(v),
                "level" => q.level = text(v).filter(|l| l != "all"),
                "service" => q.service = text(v),
                "restaurant" => q.restaurant = text(v),
                "field" if v.trim().is_empty() => {}
                "field" => {
                    let (key, value) = v
                        .split_once(':')
                        .map(|(k, v)| (k.trim(), v.trim()))
                        .filter(|(k, _)| valid_field(k))
                        .ok_or_else(|| format!("field: {v:?} is not key:value"))?;
                    q.fields.push((key.to_string(), value.to_string()));
                }
                "range" if v.is_empty() => {}
                "range" => q.from_ms = Some(now_ms - crate::range::range_span(v)?),
                "before" if v.is_empty() => {}
                "before" => {
                    let bad = || format!("before: {v:?} is not <at_ms>:<id>");
                    let (a, i) = v.split_once(':').ok_or_else(bad)?;
                    q.before = Some((a.parse().map_err(|_| bad())?, i.parse().map_err(|_| bad())?));
                }
                "limit" => q.limit = Some(v.parse().map_err(|_| format!("limit: {v:?}"))?),
                _ => {}
            }
        }
        Ok(q)
    }
}
