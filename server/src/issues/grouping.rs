//! Which issue an event belongs to. In order: the event's own `fingerprint` (where
//! `{{ default }}` stands for the default grouping); else the exception type plus its
//! in-app frames (all frames when none is in-app); else the message with the parts that
//! vary between occurrences (numbers, UUIDs, hex) replaced.

use crate::ingest::sentry::event::{Event, Frame};
use regex::Regex;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
        .expect("uuid pattern")
});
static HEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(0x[0-9a-f]+|[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*|[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*)\b").expect("hex pattern")
});
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(\.\d+)?").expect("number pattern"));

/// The message with what varies between occurrences replaced by placeholders.
pub fn normalize_message(message: &str) -> String {
    let m = UUID.replace_all(message, "<uuid>");
    let m = HEX.replace_all(&m, |c: &regex::Captures| {
        // Plain words made of a-f letters ("bad", "face") are not ids.
        if c[0].len() >= 6 || c[0].starts_with("0x") || c[0].starts_with("0X") {
            "<hex>".to_string()
        } else {
            c[0].to_string()
        }
    });
    NUMBER.replace_all(&m, "<n>").into_owned()
}

fn frame_key(f: &Frame) -> String {
    let place = f.module.as_deref().or(f.filename.as_deref()).unwrap_or("?");
    format!("{place}:{}", f.function.as_deref().unwrap_or("?"))
}

/// The default grouping components of an event.
pub fn default_components(e: &Event) -> Vec<String> {
    if let Some(ex) = e.main_exception() {
        let in_app: Vec<&Frame> = ex.frames.iter().filter(|f| f.in_app).collect();
        let frames: Vec<&Frame> = if in_app.is_empty() {
            ex.frames.iter().collect()
        } else {
            in_app
        };
        let mut parts = vec![ex.kind.clone()];
        if frames.is_empty() {
            parts.push(normalize_message(ex.value.as_deref().unwrap_or("")));
        }
        parts.extend(frames.into_iter().map(frame_key));
        return parts;
    }
    vec![normalize_message(
        e.message.as_deref().unwrap_or("<no message>"),
    )]
}

/// The grouping components after applying a custom fingerprint.
pub fn components(e: &Event) -> Vec<String> {
    match &e.fingerprint {
        Some(fp) if !fp.is_empty() => fp
            .iter()
            .flat_map(|part| {
                if part == "{{ default }}" || part == "{{default}}" {
                    default_components(e)
                } else {
                    vec![part.clone()]
                }
            })
            .collect(),
        _ => default_components(e),
    }
}

/// The issue key: a hash of the grouping components.
pub fn fingerprint(e: &Event) -> String {
    let mut h = Sha256::new();
    for c in components(e) {
        h.update(c.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sentry::event::normalize;

    fn ev(json: &str) -> Event {
        normalize(json.as_bytes()).unwrap()
    }

    const ERR_A1: &str = r#"{"exception":{"values":[{"type":"TypeError","value":"order 17 failed",
        "stacktrace":{"frames":[{"function":"vendor","filename":"v.js"},{"function":"pay","module":"checkout","in_app":true,"lineno":10}]}}]}}"#;
    const ERR_A2: &str = r#"{"exception":{"values":[{"type":"TypeError","value":"order 99 failed",
        "stacktrace":{"frames":[{"function":"vendor2","filename":"v.js"},{"function":"pay","module":"checkout","in_app":true,"lineno":12}]}}]}}"#;
    const ERR_B: &str = r#"{"exception":{"values":[{"type":"TypeError","value":"order 17 failed",
        "stacktrace":{"frames":[{"function":"refund","module":"checkout","in_app":true}]}}]}}"#;

    #[test]
    fn same_error_from_the_same_code_is_one_issue() {
        assert_eq!(
            fingerprint(&ev(ERR_A1)),
            fingerprint(&ev(ERR_A2)),
            "values, lines and vendor frames vary"
        );
        assert_ne!(
            fingerprint(&ev(ERR_A1)),
            fingerprint(&ev(ERR_B)),
            "different in-app function"
        );
    }

    #[test]
    fn messages_group_without_their_varying_parts() {
        let a = ev(
            r#"{"message":"Order 123 for 4f1c2d3e-1111-2222-3333-444455556666 timed out after 30.5s at 0xdeadbeef"}"#,
        );
        let b = ev(
            r#"{"message":"Order 9 for 00000000-aaaa-bbbb-cccc-000000000000 timed out after 2s at 0x1f"}"#,
        );
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_eq!(
            normalize_message("Order 123 for 4f1c2d3e-1111-2222-3333-444455556666 took 30.5s, hash a1b2c3d4e5, bad face"),
            "Order <n> for <uuid> took <n>s, hash <hex>, bad face"
        );
        assert_ne!(
            fingerprint(&a),
            fingerprint(&ev(r#"{"message":"Payment declined"}"#))
        );
    }

    #[test]
    fn a_custom_fingerprint_wins_and_can_extend_the_default() {
        let custom = ev(r#"{"message":"x","fingerprint":["payments","gateway-timeout"]}"#);
        let other = ev(r#"{"message":"y","fingerprint":["payments","gateway-timeout"]}"#);
        assert_eq!(fingerprint(&custom), fingerprint(&other));
        let extended = ev(&ERR_A1.replacen('{', r#"{"fingerprint":["{{ default }}","r-17"],"#, 1));
        let mut expected = default_components(&ev(ERR_A1));
        expected.push("r-17".into());
        assert_eq!(components(&extended), expected);
        assert_ne!(fingerprint(&extended), fingerprint(&ev(ERR_A1)));
    }
}
