//! Error-tracking wire types: the normalized event (also what is stored), issues as
//! listed and detailed, the issue query, inbound filters and ingest outcomes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub function: Option<String>,
    pub module: Option<String>,
    pub filename: Option<String>,
    pub lineno: Option<u64>,
    pub colno: Option<u64>,
    pub in_app: bool,
    pub context_line: Option<String>,
    #[serde(default)]
    pub pre_context: Vec<String>,
    #[serde(default)]
    pub post_context: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exception {
    pub kind: String,
    pub value: Option<String>,
    pub module: Option<String>,
    /// Oldest call first, as Sentry sends them: the last frame is where it was thrown.
    #[serde(default)]
    pub frames: Vec<Frame>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breadcrumb {
    /// Unix seconds.
    pub timestamp: Option<f64>,
    pub category: Option<String>,
    pub message: Option<String>,
    pub level: Option<String>,
    #[serde(default)]
    pub data: Value,
}

/// A Sentry event, normalized: one shape whatever the SDK sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEvent {
    pub event_id: Option<String>,
    pub timestamp_ms: Option<i64>,
    pub level: String,
    pub platform: Option<String>,
    pub release: Option<String>,
    pub environment: Option<String>,
    pub transaction: Option<String>,
    pub message: Option<String>,
    /// Chained exceptions, cause first, the one that was raised last.
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    pub user: Option<Map<String, Value>>,
    #[serde(default)]
    pub contexts: Map<String, Value>,
    #[serde(default)]
    pub breadcrumbs: Vec<Breadcrumb>,
    pub request: Option<Value>,
    pub sdk: Option<Value>,
    pub fingerprint: Option<Vec<String>>,
}

impl ErrorEvent {
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The exception that was raised last (the one the user saw).
    pub fn main_exception(&self) -> Option<&Exception> {
        self.exceptions.last()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    #[default]
    Unresolved,
    Resolved,
    Ignored,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 3] = [
        IssueStatus::Unresolved,
        IssueStatus::Resolved,
        IssueStatus::Ignored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Unresolved => "unresolved",
            IssueStatus::Resolved => "resolved",
            IssueStatus::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<IssueStatus> {
        IssueStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// An issue as listed: counts, people and places affected, a 24-hour sparkline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueSummary {
    pub id: i64,
    pub title: String,
    pub culprit: Option<String>,
    pub level: String,
    pub status: IssueStatus,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    pub events: u64,
    pub users: u64,
    pub restaurants: u64,
    /// Distinct `order_id` tags (or `order_details.order_id`): the business impact.
    pub orders: u64,
    /// When it last came back after being resolved.
    pub regressed_at_ms: Option<i64>,
    /// Events per hour over the last 24 hours, oldest first (empty where not asked for).
    #[serde(default)]
    pub sparkline: Vec<u64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueSort {
    #[default]
    LastSeen,
    FirstSeen,
    Events,
    Users,
}

impl IssueSort {
    pub const ALL: [IssueSort; 4] = [
        IssueSort::LastSeen,
        IssueSort::FirstSeen,
        IssueSort::Events,
        IssueSort::Users,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueSort::LastSeen => "last_seen",
            IssueSort::FirstSeen => "first_seen",
            IssueSort::Events => "events",
            IssueSort::Users => "users",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IssueSort::LastSeen => "Last seen",
            IssueSort::FirstSeen => "First seen",
            IssueSort::Events => "Events",
            IssueSort::Users => "Users",
        }
    }

    pub fn parse(s: &str) -> Option<IssueSort> {
        IssueSort::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Which issues to list. Also the query string of `GET /api/v1/issues` and of the
/// Issues page (`tag` as `key:value`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueQuery {
    /// Substring of the title or culprit, case-insensitive.
    pub search: Option<String>,
    pub status: Option<IssueStatus>,
    pub level: Option<String>,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// Any tag, e.g. `("restaurant_id", "r-17")`; all must match.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    #[serde(default)]
    pub sort: IssueSort,
    pub limit: Option<u32>,
}

impl IssueQuery {
    /// Reads `search`, `status`, `level`, `environment`, `release`, `tag=key:value`
    /// (repeatable), `sort` and `limit` from decoded query pairs; `Err` names the field.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<IssueQuery, String> {
        let mut q = IssueQuery::default();
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        for (k, v) in pairs {
            match k {
                "search" | "q" => q.search = text(v),
                "status" if v.is_empty() || v == "all" => q.status = None,
                "status" => {
                    q.status = Some(IssueStatus::parse(v).ok_or_else(|| {
                        format!("status: {v:?} is not one of unresolved, resolved, ignored, all")
                    })?)
                }
                "level" => q.level = text(v),
                "environment" => q.environment = text(v),
                "release" => q.release = text(v),
                "tag" if v.trim().is_empty() => {}
                "tag" => {
                    let (key, value) = v
                        .split_once(':')
                        .filter(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
                        .ok_or_else(|| format!("tag: {v:?} is not key:value"))?;
                    q.tags
                        .push((key.trim().to_string(), value.trim().to_string()));
                }
                "sort" => {
                    q.sort = IssueSort::parse(v).ok_or_else(|| {
                        format!("sort: {v:?} is not one of last_seen, first_seen, events, users")
                    })?
                }
                "limit" => {
                    q.limit = Some(
                        v.parse()
                            .map_err(|_| format!("limit: {v:?} is not a number"))?,
                    )
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The query string that [`IssueQuery::from_pairs`] reads back (without `?`).
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = vec![];
        let mut opt = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        };
        opt("search", &self.search);
        opt("level", &self.level);
        opt("environment", &self.environment);
        opt("release", &self.release);
        pairs.push((
            "status",
            self.status.map_or("all", IssueStatus::as_str).to_string(),
        ));
        for (k, v) in &self.tags {
            pairs.push(("tag", format!("{k}:{v}")));
        }
        if self.sort != IssueSort::default() {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        if let Some(l) = self.limit {
            pairs.push(("limit", l.to_string()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The values of one tag on an issue's events, most frequent first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagDistribution {
    pub key: String,
    /// Events carrying this tag.
    pub total: u64,
    /// Distinct values.
    pub distinct: u64,
    /// The most frequent values with their event counts.
    pub top: Vec<(String, u64)>,
}

/// The Issue detail page and `GET /api/v1/issues/{id}?detail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueDetail {
    pub issue: IssueSummary,
    pub tags: Vec<TagDistribution>,
    /// Newest first; the first one is shown in full.
    pub events: Vec<ErrorEvent>,
}

/// Inbound filters of a project: events they match are dropped and counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundFilters {
    /// Case-insensitive substrings of the message or exception value.
    pub messages: Vec<String>,
    /// Drop errors whose frames come from browser extensions.
    pub browser_extensions: bool,
    /// Environments whose events are dropped, e.g. `development`.
    pub environments: Vec<String>,
}

impl Default for InboundFilters {
    fn default() -> Self {
        InboundFilters {
            messages: vec![
                "ResizeObserver loop limit exceeded".into(),
                "ResizeObserver loop completed with undelivered notifications".into(),
            ],
            browser_extensions: true,
            environments: vec![],
        }
    }
}

/// Events accepted but not stored, by why (over a period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeCount {
    /// `filtered`, `rate_limited` or `client` (dropped by the SDK, from client reports).
    pub source: String,
    pub reason: String,
    pub category: String,
    pub quantity: u64,
}

/// The filters of a project with what they (and the SDKs) dropped in the last 24 hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiltersView {
    pub project: String,
    pub filters: InboundFilters,
    pub dropped_24h: Vec<OutcomeCount>,
}

/// Release health over a period, from Sentry `session`/`sessions` items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionHealth {
    pub total: u64,
    pub errored: u64,
    pub crashed: u64,
    pub abnormal: u64,
}

impl SessionHealth {
    /// Share of sessions that did not crash; `None` without sessions.
    pub fn crash_free_rate(&self) -> Option<f64> {
        (self.total > 0).then(|| 1.0 - self.crashed.min(self.total) as f64 / self.total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in IssueStatus::ALL {
            assert_eq!(IssueStatus::parse(s.as_str()), Some(s));
        }
        for s in IssueSort::ALL {
            assert_eq!(IssueSort::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            serde_json::to_string(&IssueStatus::Ignored).unwrap(),
            "\"ignored\""
        );
    }

    #[test]
    fn issue_queries_round_trip_through_their_query_string() {
        let q = IssueQuery::from_pairs([
            ("search", " card declined "),
            ("status", "resolved"),
            ("tag", "restaurant_id:r-17"),
            ("tag", "url:https://x/y"),
            ("sort", "users"),
            ("limit", "20"),
            ("unknown", "ignored"),
        ])
        .unwrap();
        assert_eq!(q.search.as_deref(), Some("card declined"));
        assert_eq!(
            q.tags[1],
            ("url".into(), "https://x/y".into()),
            "split at the first colon"
        );
        let qs = q.to_query_string();
        assert!(qs.contains("search=card%20declined"), "{qs}");
        let pairs: Vec<(String, String)> = qs
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), decode(v))
            })
            .collect();
        let back = IssueQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back.unwrap(), q);
        assert!(IssueQuery::from_pairs([("tag", "nocolon")])
            .unwrap_err()
            .starts_with("tag:"));
        assert!(IssueQuery::from_pairs([("sort", "x")]).is_err());
        assert_eq!(
            IssueQuery::from_pairs([("status", "all")]).unwrap().status,
            None
        );
    }

    fn decode(v: &str) -> String {
        let bytes = v.as_bytes();
        let mut out = vec![];
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn crash_free_rate_is_the_share_without_a_crash() {
        assert_eq!(SessionHealth::default().crash_free_rate(), None);
        let h = SessionHealth {
            total: 200,
            errored: 10,
            crashed: 3,
            abnormal: 1,
        };
        assert!((h.crash_free_rate().unwrap() - 0.985).abs() < 1e-9);
    }
}
