//! Silences (maintenance windows): matchers on an alert's labels and a time range. A
//! silenced alert still changes state and is recorded in the history, marked silenced;
//! only its notifications (and escalation) are held back. Silences expire on their own.

use protocol::{Matcher, Silence};

/// The labels silences match on.
pub const FIELDS: [&str; 4] = ["rule", "severity", "restaurant", "metric"];

/// What a silence is matched against.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    pub rule: &'a str,
    pub severity: &'a str,
    /// The instance of a split rule; `''` otherwise.
    pub restaurant: &'a str,
    pub metric: &'a str,
}

/// `*` matches any run of characters; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

fn field<'a>(labels: &Labels<'a>, name: &str) -> &'a str {
    match name {
        "rule" => labels.rule,
        "severity" => labels.severity,
        "restaurant" => labels.restaurant,
        "metric" => labels.metric,
        _ => "",
    }
}

pub fn matches(silence: &Silence, labels: &Labels) -> bool {
    !silence.matchers.is_empty()
        && silence
            .matchers
            .iter()
            .all(|m| glob(&m.value, field(labels, &m.field)))
}

/// The first silence muting `labels` at `now_ms`.
pub fn muting(silences: &[Silence], labels: &Labels, now_ms: i64) -> Option<i64> {
    silences
        .iter()
        .find(|s| s.is_active(now_ms) && matches(s, labels))
        .map(|s| s.id)
}

/// Checks matchers written by people; `Err` names the field.
pub fn check_matchers(matchers: &[Matcher]) -> Result<(), String> {
    if matchers.is_empty() {
        return Err(
            "matchers: at least one (rule, severity, restaurant or metric; `*` matches anything)"
                .into(),
        );
    }
    for m in matchers {
        if !FIELDS.contains(&m.field.as_str()) {
            return Err(format!(
                "matchers: {:?} is not one of rule, severity, restaurant, metric",
                m.field
            ));
        }
        if m.value.is_empty() || m.value.len() > 200 {
            return Err(format!("matchers.{}: 1 to 200 characters", m.field));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silence(matchers: &[(&str, &str)], starts: i64, ends: i64) -> Silence {
        Silence {
            id: 1,
            matchers: matchers
                .iter()
                .map(|(f, v)| Matcher {
                    field: f.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            starts_ms: starts,
            ends_ms: ends,
            comment: String::new(),
            created_by: "a".into(),
            created_at_ms: 0,
        }
    }

    const L: Labels = Labels {
        rule: "low_inventory",
        severity: "warning",
        restaurant: "r-17",
        metric: "inventory_level",
    };

    #[test]
    fn globs_match_like_shell_patterns() {
        assert!(glob("r-*", "r-17") && glob("*", "") && glob("a*c*e", "abcde"));
        assert!(glob("high_error_rate", "high_error_rate"));
        assert!(!glob("r-*", "x-17") && !glob("a*b", "a") && !glob("ab*ba", "aba"));
    }

    #[test]
    fn every_matcher_must_match_inside_the_time_range() {
        let s = silence(&[("rule", "low_*"), ("restaurant", "r-17")], 10, 20);
        assert_eq!(muting(std::slice::from_ref(&s), &L, 15), Some(1));
        assert_eq!(muting(std::slice::from_ref(&s), &L, 20), None, "expired");
        assert_eq!(muting(std::slice::from_ref(&s), &L, 9), None, "not yet");
        let other = silence(&[("rule", "low_*"), ("restaurant", "r-18")], 10, 20);
        assert_eq!(muting(&[other], &L, 15), None);
        assert!(
            !matches(&silence(&[], 0, 99), &L),
            "no matchers mute nothing"
        );
    }

    #[test]
    fn people_get_told_what_is_wrong_with_matchers() {
        assert!(check_matchers(&[]).is_err());
        let bad = silence(&[("host", "x")], 0, 1).matchers;
        assert!(check_matchers(&bad).unwrap_err().contains("host"));
        assert!(check_matchers(&silence(&[("severity", "*")], 0, 1).matchers).is_ok());
    }
}
