//! The RUM beacon wire format and its validation.
//!
//! Body: `{"beacons": [<beacon>, ...]}` or a bare JSON array of beacons. A beacon:
//! `{"type": "pageload", "page": "/menu", "ts": <unix ms>, "session": "<id>",
//!   "ttfb": <ms>, "dcl": <ms>, "load": <ms>, "fp": <ms>, "fcp": <ms>}`; timings are
//! optional, unknown fields are ignored so newer SDKs keep working.

use crate::storage::RumEventRow;
use serde::Deserialize;

/// Longest accepted page name, characters.
pub const MAX_PAGE_LEN: usize = 512;
/// Longest accepted session id, characters.
pub const MAX_SESSION_LEN: usize = 128;
/// Largest accepted timing, milliseconds (one hour: anything above is a broken clock).
pub const MAX_TIMING_MS: f64 = 3_600_000.0;

#[derive(Debug, Deserialize)]
struct Envelope {
    beacons: Vec<serde_json::Value>,
}

/// A beacon, by its `type`. New kinds (vitals, API calls, errors) become new variants.
#[derive(Debug, Clone, PartialEq)]
pub enum Beacon {
    Pageload(PageLoad),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PageLoad {
    /// The beacon's `type`, read as a plain field so the common case parses in one pass.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub page: String,
    pub ts: Option<i64>,
    pub session: Option<String>,
    pub ttfb: Option<f64>,
    pub dcl: Option<f64>,
    pub load: Option<f64>,
    pub fp: Option<f64>,
    pub fcp: Option<f64>,
}

/// Why a body was refused; the text names the offending field.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// The common case in one typed pass: the `type` is read as a plain field of the beacon,
/// so nothing is buffered. Any failure goes to the slower path that names the field.
#[derive(Deserialize)]
struct FastEnvelope {
    beacons: Vec<PageLoad>,
}

fn parse_fast(body: &[u8]) -> Option<Vec<Beacon>> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    let beacons = match first {
        b'{' => serde_json::from_slice::<FastEnvelope>(body).ok()?.beacons,
        b'[' => serde_json::from_slice::<Vec<PageLoad>>(body).ok()?,
        _ => return None,
    };
    beacons
        .into_iter()
        .map(|p| (p.kind.as_deref() == Some("pageload")).then_some(Beacon::Pageload(p)))
        .collect()
}

/// Parses and validates a body into beacons.
pub fn parse(body: &[u8], max_beacons: usize) -> Result<Vec<Beacon>, Invalid> {
    let beacons = match parse_fast(body) {
        Some(b) => b,
        None => parse_precisely(body)?,
    };
    if beacons.is_empty() {
        return Err(Invalid("beacons: must hold at least one beacon".into()));
    }
    if beacons.len() > max_beacons {
        return Err(Invalid(format!(
            "beacons: {} beacons in one request; at most {max_beacons}",
            beacons.len()
        )));
    }
    for (i, b) in beacons.iter().enumerate() {
        validate(b).map_err(|e| Invalid(format!("beacons[{i}].{}", e.0)))?;
    }
    Ok(beacons)
}

/// The slow path: through `serde_json::Value`, so an error names the beacon and field.
fn parse_precisely(body: &[u8]) -> Result<Vec<Beacon>, Invalid> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let items = match first {
        Some(b'[') => serde_json::from_slice::<Vec<serde_json::Value>>(body)
            .map_err(|e| Invalid(format!("body: {e}")))?,
        Some(b'{') => {
            let mut de = serde_json::Deserializer::from_slice(body);
            serde_path_to_error::deserialize::<_, Envelope>(&mut de)
                .map_err(|e| Invalid(format!("{}: {}", path_or_body(e.path()), e.inner())))?
                .beacons
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
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| beacon(item).map_err(|e| Invalid(format!("beacons[{i}]{}", e.0))))
        .collect()
}

fn path_or_body(path: &serde_path_to_error::Path) -> String {
    match path.to_string().as_str() {
        "." => "body".to_string(),
        p => p.to_string(),
    }
}

/// One beacon by its `type`; the error text starts with the path inside the beacon.
fn beacon(item: serde_json::Value) -> Result<Beacon, Invalid> {
    let kind = match item.get("type") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(Invalid(".type: must be a string".into())),
        None if item.is_object() => {
            return Err(Invalid(".type: missing; expected \"pageload\"".into()))
        }
        None => return Err(Invalid(": must be an object".into())),
    };
    let fields =
        |e: serde_path_to_error::Error<serde_json::Error>| match e.path().to_string().as_str() {
            "." => Invalid(format!(": {}", e.inner())),
            p => Invalid(format!(".{p}: {}", e.inner())),
        };
    match kind.as_str() {
        "pageload" => serde_path_to_error::deserialize(item)
            .map(Beacon::Pageload)
            .map_err(fields),
        other => Err(Invalid(format!(
            ".type: unknown beacon type {other:?}; expected \"pageload\""
        ))),
    }
}

fn validate(b: &Beacon) -> Result<(), Invalid> {
    let Beacon::Pageload(p) = b;
    if p.page.trim().is_empty() {
        return Err(Invalid("page: must not be empty".into()));
    }
    if p.page.chars().count() > MAX_PAGE_LEN {
        return Err(Invalid(format!(
            "page: longer than {MAX_PAGE_LEN} characters"
        )));
    }
    if p.session
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SESSION_LEN)
    {
        return Err(Invalid(format!(
            "session: longer than {MAX_SESSION_LEN} characters"
        )));
    }
    for (name, v) in [
        ("ttfb", p.ttfb),
        ("dcl", p.dcl),
        ("load", p.load),
        ("fp", p.fp),
        ("fcp", p.fcp),
    ] {
        if let Some(v) = v {
            if !(0.0..=MAX_TIMING_MS).contains(&v) {
                return Err(Invalid(format!(
                    "{name}: {v} is outside 0..={MAX_TIMING_MS} ms"
                )));
            }
        }
    }
    Ok(())
}

/// The rows a validated beacon becomes.
pub fn to_row(
    b: Beacon,
    project_id: i64,
    received_at_ms: i64,
    user_agent: Option<&str>,
) -> RumEventRow {
    let Beacon::Pageload(p) = b;
    RumEventRow {
        project_id,
        received_at_ms,
        client_ts_ms: p.ts,
        page: p.page,
        session_id: p.session,
        user_agent: user_agent.map(|ua| ua.chars().take(512).collect()),
        ttfb: p.ttfb,
        dcl: p.dcl,
        load: p.load,
        fp: p.fp,
        fcp: p.fcp,
        lcp: None,
        cls: None,
        inp: None,
        source: "rum",
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use crate::storage::RumEventRow;

    pub fn row() -> RumEventRow {
        super::to_row(
            super::Beacon::Pageload(super::PageLoad {
                kind: Some("pageload".into()),
                page: "/".into(),
                ts: None,
                session: None,
                ttfb: None,
                dcl: None,
                load: Some(1.0),
                fp: None,
                fcp: None,
            }),
            1,
            0,
            None,
        )
    }
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
        let Beacon::Pageload(p) = &a[0];
        assert_eq!((p.page.as_str(), p.load), ("/menu", Some(812.5)));
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
            "beacons[0].type: unknown beacon type \"click\"; expected \"pageload\""
        );
        assert_eq!(
            err(r#"[{"page":"/"}]"#),
            "beacons[0].type: missing; expected \"pageload\""
        );
        assert_eq!(err("[3]"), "beacons[0]: must be an object");
        assert_eq!(
            err(r#"{"beacons":[{"type":"pageload"}]}"#),
            "beacons[0]: missing field `page`"
        );
        assert_eq!(
            err(r#"{"beacon":[]}"#),
            "body: missing field `beacons` at line 1 column 13"
        );
        assert_eq!(
            err(r#"{"beacons":[{"type":"pageload","page":"/","ttfb":-1}]}"#),
            "beacons[0].ttfb: -1 is outside 0..=3600000 ms"
        );
        assert_eq!(
            err(r#"{"beacons":[{"type":"pageload","page":"  "}]}"#),
            "beacons[0].page: must not be empty"
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
