//! The RUM beacon wire format and its validation.
//!
//! Body: `{"context": {...}, "beacons": [<beacon>, ...]}` (or a bare array of beacons).
//! The optional `context` applies to every beacon: `session`, `release`, `environment`,
//! `tags` (e.g. `restaurant_id`) and `user`. A beacon has a `type`:
//!
//! | type | fields (times in ms, unix ms for `ts`) |
//! | --- | --- |
//! | `pageload` | `page`, `ttfb`, `dcl`, `load`, `fp`, `fcp` (a page view) |
//! | `vitals` | `page`, `lcp`, `cls`, `inp`, `fcp`, `ttfb` (final values, sent when the page hides) |
//! | `api` | `page`, `method`, `url`, `status` (0: no answer), `duration` |
//! | `memory` | `page`, `used`, `total`, `limit` (bytes of JS heap) |
//! | `error` | `page`, `name`, `message`, `stack`, `breadcrumbs` |
//!
//! Every beacon may carry `ts` and `session`. Unknown fields are ignored so newer SDKs
//! keep working. [`convert`] turns beacons into storage rows.

pub mod convert;
pub mod stack;

use serde::Deserialize;
use serde_json::{Map, Value};

/// Longest accepted page name, characters.
pub const MAX_PAGE_LEN: usize = 512;
/// Longest accepted session id, characters.
pub const MAX_SESSION_LEN: usize = 128;
/// Largest accepted timing, milliseconds (one hour: anything above is a broken clock).
pub const MAX_TIMING_MS: f64 = 3_600_000.0;
/// Longest accepted error message or stack, characters.
pub const MAX_TEXT_LEN: usize = 16_384;
const TYPES: &str = "pageload, vitals, api, memory, error";

/// What the SDK knows about the page and person, shared by a request's beacons.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Context {
    pub session: Option<String>,
    pub release: Option<String>,
    pub environment: Option<String>,
    #[serde(default)]
    pub tags: Map<String, Value>,
    pub user: Option<Map<String, Value>>,
    /// The SDK's `sampleRate` when below 1: each row stands for `1 / sampleRate`.
    #[serde(rename = "sampleRate")]
    pub sample_rate: Option<f64>,
}

/// Every field any beacon type has, all optional: one typed pass reads any mix.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Raw {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub page: Option<String>,
    pub ts: Option<i64>,
    pub session: Option<String>,
    pub ttfb: Option<f64>,
    pub dcl: Option<f64>,
    pub load: Option<f64>,
    pub fp: Option<f64>,
    pub fcp: Option<f64>,
    pub lcp: Option<f64>,
    pub cls: Option<f64>,
    pub inp: Option<f64>,
    pub method: Option<String>,
    pub url: Option<String>,
    pub status: Option<u16>,
    pub duration: Option<f64>,
    pub used: Option<f64>,
    pub total: Option<f64>,
    pub limit: Option<f64>,
    pub name: Option<String>,
    pub message: Option<String>,
    pub stack: Option<String>,
    pub breadcrumbs: Option<Vec<Value>>,
}

/// A validated beacon.
#[derive(Debug, Clone, PartialEq)]
pub struct Beacon {
    pub kind: Kind,
    pub page: String,
    pub raw: Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pageload,
    Vitals,
    Api,
    Memory,
    Error,
}

/// A parsed body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    pub context: Context,
    pub beacons: Vec<Beacon>,
}

/// Why a body was refused; the text names the offending field.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

#[derive(Deserialize)]
struct Typed {
    #[serde(default)]
    context: Context,
    beacons: Vec<Raw>,
}

#[derive(Deserialize)]
struct Loose {
    #[serde(default)]
    context: Value,
    beacons: Vec<Value>,
}

/// Parses and validates a body.
pub fn parse(body: &[u8], max_beacons: usize) -> Result<Batch, Invalid> {
    let (context, raws) = match parse_fast(body) {
        Some(ok) => ok,
        None => parse_precisely(body)?,
    };
    if raws.is_empty() {
        return Err(Invalid("beacons: must hold at least one beacon".into()));
    }
    if raws.len() > max_beacons {
        return Err(Invalid(format!(
            "beacons: {} beacons in one request; at most {max_beacons}",
            raws.len()
        )));
    }
    check_context(&context)?;
    let beacons = raws
        .into_iter()
        .enumerate()
        .map(|(i, r)| validate(r).map_err(|e| Invalid(format!("beacons[{i}].{}", e.0))))
        .collect::<Result<_, _>>()?;
    Ok(Batch { context, beacons })
}

/// The common case in one typed pass; any failure goes to the path that names the field.
fn parse_fast(body: &[u8]) -> Option<(Context, Vec<Raw>)> {
    match body.iter().find(|b| !b.is_ascii_whitespace())? {
        b'{' => serde_json::from_slice::<Typed>(body)
            .ok()
            .map(|t| (t.context, t.beacons)),
        b'[' => serde_json::from_slice::<Vec<Raw>>(body)
            .ok()
            .map(|b| (Context::default(), b)),
        _ => None,
    }
}

fn located(prefix: &str, e: serde_path_to_error::Error<serde_json::Error>) -> Invalid {
    match e.path().to_string().as_str() {
        "." => Invalid(format!("{prefix}: {}", e.inner())),
        p => Invalid(format!("{prefix}.{p}: {}", e.inner())),
    }
}

/// The slow path: through `serde_json::Value`, so an error names the beacon and field.
fn parse_precisely(body: &[u8]) -> Result<(Context, Vec<Raw>), Invalid> {
    let (context, items) = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => (
            Value::Null,
            serde_json::from_slice::<Vec<Value>>(body)
                .map_err(|e| Invalid(format!("body: {e}")))?,
        ),
        Some(b'{') => {
            let mut de = serde_json::Deserializer::from_slice(body);
            let loose: Loose = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                match e.path().to_string().as_str() {
                    "." => Invalid(format!("body: {}", e.inner())),
                    p => Invalid(format!("{p}: {}", e.inner())),
                }
            })?;
            (loose.context, loose.beacons)
        }
        None => {
            return Err(Invalid(
                "body is empty; expected {\"beacons\": [...]}".into(),
            ))
        }
        Some(_) => {
            return Err(Invalid(
                "body is not JSON; expected {\"beacons\": [...]}".into(),
            ))
        }
    };
    let context = match context {
        Value::Null => Context::default(),
        v => serde_path_to_error::deserialize(v).map_err(|e| located("context", e))?,
    };
    let raws = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            if !item.is_object() {
                return Err(Invalid(format!("beacons[{i}]: must be an object")));
            }
            serde_path_to_error::deserialize(item).map_err(|e| located(&format!("beacons[{i}]"), e))
        })
        .collect::<Result<_, _>>()?;
    Ok((context, raws))
}

fn too_long(name: &str, v: Option<&String>, max: usize) -> Result<(), Invalid> {
    match v {
        Some(s) if s.chars().count() > max => {
            Err(Invalid(format!("{name}: longer than {max} characters")))
        }
        _ => Ok(()),
    }
}

fn check_context(c: &Context) -> Result<(), Invalid> {
    too_long("context.session", c.session.as_ref(), MAX_SESSION_LEN)?;
    too_long("context.release", c.release.as_ref(), 200)?;
    too_long("context.environment", c.environment.as_ref(), 64)?;
    if c.tags.len() > 50 {
        return Err(Invalid("context.tags: at most 50 tags".into()));
    }
    Ok(())
}

fn in_range(name: &str, v: Option<f64>, max: f64) -> Result<(), Invalid> {
    match v {
        Some(v) if !(0.0..=max).contains(&v) => {
            Err(Invalid(format!("{name}: {v} is outside 0..={max}")))
        }
        _ => Ok(()),
    }
}

/// Checks one beacon; the error names the field (without the `beacons[i].` prefix).
fn validate(r: Raw) -> Result<Beacon, Invalid> {
    let kind = match r.kind.as_deref() {
        Some("pageload") => Kind::Pageload,
        Some("vitals") => Kind::Vitals,
        Some("api") => Kind::Api,
        Some("memory") => Kind::Memory,
        Some("error") => Kind::Error,
        Some(other) => {
            return Err(Invalid(format!(
                "type: unknown beacon type {other:?}; expected one of {TYPES}"
            )))
        }
        None => return Err(Invalid(format!("type: missing; expected one of {TYPES}"))),
    };
    let page = r.page.clone().unwrap_or_default();
    if page.trim().is_empty() {
        return Err(Invalid("page: must not be empty".into()));
    }
    too_long("page", Some(&page), MAX_PAGE_LEN)?;
    too_long("session", r.session.as_ref(), MAX_SESSION_LEN)?;
    for (name, v) in [
        ("ttfb", r.ttfb),
        ("dcl", r.dcl),
        ("load", r.load),
        ("fp", r.fp),
        ("fcp", r.fcp),
        ("lcp", r.lcp),
        ("inp", r.inp),
        ("duration", r.duration),
    ] {
        in_range(name, v, MAX_TIMING_MS)?;
    }
    in_range("cls", r.cls, 100.0)?;
    for (name, v) in [("used", r.used), ("total", r.total), ("limit", r.limit)] {
        in_range(name, v, 1e12)?;
    }
    let required = |name: &str, present: bool| {
        if present {
            Ok(())
        } else {
            Err(Invalid(format!("{name}: required for this beacon type")))
        }
    };
    match kind {
        Kind::Api => {
            required("url", r.url.as_ref().is_some_and(|u| !u.is_empty()))?;
            required("duration", r.duration.is_some())?;
            too_long("url", r.url.as_ref(), 2048)?;
            too_long("method", r.method.as_ref(), 16)?;
        }
        Kind::Memory => required("used", r.used.is_some())?,
        Kind::Error => {
            required(
                "message",
                r.message.is_some() || r.name.is_some() || r.stack.is_some(),
            )?;
            too_long("message", r.message.as_ref(), MAX_TEXT_LEN)?;
            too_long("stack", r.stack.as_ref(), MAX_TEXT_LEN)?;
            too_long("name", r.name.as_ref(), 200)?;
        }
        Kind::Pageload | Kind::Vitals => {}
    }
    Ok(Beacon { kind, page, raw: r })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        parse(body.as_bytes(), 10).expect_err("must be refused").0
    }

    #[test]
    fn accepts_the_envelope_and_a_bare_array() {
        let one = r#"{"type":"pageload","page":"/menu","load":812.5,"extra":"ignored"}"#;
        let a = parse(format!(r#"{{"beacons":[{one}]}}"#).as_bytes(), 10).unwrap();
        let b = parse(format!("[{one}]").as_bytes(), 10).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.beacons[0].kind, Kind::Pageload);
        assert_eq!(
            (a.beacons[0].page.as_str(), a.beacons[0].raw.load),
            ("/menu", Some(812.5))
        );
    }

    #[test]
    fn reads_every_beacon_type_and_the_context_in_one_body() {
        let b = parse(
            br#"{"context":{"session":"s1","release":"pos@2","tags":{"restaurant_id":"r-9"},"user":{"id":"u1"}},
            "beacons":[{"type":"pageload","page":"/"},{"type":"vitals","page":"/","lcp":1200,"cls":0.02,"inp":80},
            {"type":"api","page":"/","method":"GET","url":"/api/menu/7","status":200,"duration":2600},
            {"type":"memory","page":"/","used":52428800,"total":60000000,"limit":2000000000},
            {"type":"error","page":"/","name":"TypeError","message":"x is undefined","stack":"TypeError: x\n    at f (https://p/app.js:1:2)"}]}"#,
            10,
        )
        .unwrap();
        let kinds: Vec<Kind> = b.beacons.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Pageload,
                Kind::Vitals,
                Kind::Api,
                Kind::Memory,
                Kind::Error
            ]
        );
        assert_eq!(b.context.tags["restaurant_id"], "r-9");
        assert_eq!(b.beacons[2].raw.duration, Some(2600.0));
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        assert_eq!(
            err(
                r#"{"beacons":[{"type":"pageload","page":"/"},{"type":"pageload","page":"/","load":"slow"}]}"#
            ),
            "beacons[1].load: invalid type: string \"slow\", expected f64"
        );
        assert_eq!(
            err(r#"[{"type":"click","page":"/"}]"#),
            format!("beacons[0].type: unknown beacon type \"click\"; expected one of {TYPES}")
        );
        assert_eq!(
            err(r#"[{"page":"/"}]"#),
            format!("beacons[0].type: missing; expected one of {TYPES}")
        );
        assert_eq!(err("[3]"), "beacons[0]: must be an object");
        assert_eq!(
            err(r#"{"beacons":[{"type":"pageload"}]}"#),
            "beacons[0].page: must not be empty"
        );
        assert_eq!(
            err(r#"{"beacon":[]}"#),
            "body: missing field `beacons` at line 1 column 13"
        );
        assert_eq!(
            err(r#"{"beacons":[{"type":"pageload","page":"/","ttfb":-1}]}"#),
            "beacons[0].ttfb: -1 is outside 0..=3600000"
        );
        assert_eq!(
            err(r#"{"beacons":[{"type":"api","page":"/","url":"/x"}]}"#),
            "beacons[0].duration: required for this beacon type"
        );
        assert_eq!(
            err(r#"{"context":{"tags":[]},"beacons":[{"type":"pageload","page":"/"}]}"#),
            "context.tags: invalid type: sequence, expected a map"
        );
        assert_eq!(
            err(r#"{"beacons":[]}"#),
            "beacons: must hold at least one beacon"
        );
        assert_eq!(
            err("hello"),
            "body is not JSON; expected {\"beacons\": [...]}"
        );
        assert!(err(r#"{"beacons":[{"type":"pageload","page":"/"}"#).contains("EOF while parsing"));
    }

    #[test]
    fn refuses_more_beacons_than_allowed() {
        let many = format!("[{}]", [r#"{"type":"pageload","page":"/"}"#; 11].join(","));
        assert_eq!(err(&many), "beacons: 11 beacons in one request; at most 10");
    }
}
