//! Alert rules as written in `alerts.toml` (and, later, stored from the dashboard). A bad
//! file is refused with its path, line and the field at fault.

use super::schedule::Weekly;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, path::Path, time::Duration};

/// The rules shipped with the platform, used when no `alerts.toml` is found.
pub const DEFAULT_RULES: &str = include_str!("../../../alerts.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = ">")]
    Above,
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = "==")]
    Equal,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::AtLeast => ">=",
            Comparison::Below => "<",
            Comparison::AtMost => "<=",
            Comparison::Equal => "==",
        }
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Below => value < threshold,
            Comparison::AtMost => value <= threshold,
            Comparison::Equal => (value - threshold).abs() < f64::EPSILON,
        }
    }
}

/// Which data a rule looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restaurant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Issue alerts: the events' level (`error`, `fatal`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Issue alerts: the events' release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Issue alerts: tags the issue's events carried (`restaurant_id = "r-1"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// How a series is summed up over a rule's window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// The mean of every point in the window: "over 15 minutes" means sustained.
    #[default]
    Mean,
    Max,
    Min,
    /// The latest minute's mean.
    Last,
    P95,
}

impl Aggregate {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Mean => "mean",
            Aggregate::Max => "max",
            Aggregate::Min => "min",
            Aggregate::Last => "last",
            Aggregate::P95 => "p95",
        }
    }

    pub fn parse(s: &str) -> Result<Aggregate, String> {
        [
            Aggregate::Mean,
            Aggregate::Max,
            Aggregate::Min,
            Aggregate::Last,
            Aggregate::P95,
        ]
        .into_iter()
        .find(|a| a.as_str() == s.trim())
        .ok_or_else(|| format!("{s:?} is not one of mean, max, min, last, p95"))
    }
}

/// `"15s"`, `"5m"`, `"1h"`, `"1d"` as written in the file.
mod duration {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn parse(s: &str) -> Result<Duration, String> {
        let s = s.trim();
        let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let n: u64 = n
            .parse()
            .map_err(|_| format!("{s:?} is not a duration like \"30s\", \"5m\", \"1h\", \"1d\""))?;
        let secs = match unit {
            "s" => n,
            "m" => n * 60,
            "h" => n * 3600,
            "d" => n * 86_400,
            _ => return Err(format!("{s:?}: the unit must be s, m, h or d")),
        };
        Ok(Duration::from_secs(secs))
    }

    pub fn format(d: Duration) -> String {
        let s = d.as_secs();
        match s {
            s if s % 86_400 == 0 && s > 0 => format!("{}d", s / 86_400),
            s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
            s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
            s => format!("{s}s"),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use std::time::Duration;

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| super::parse(&s).map_err(serde::de::Error::custom))
                .transpose()
        }

        pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&super::format(*d)),
                None => s.serialize_none(),
            }
        }
    }
}

pub use duration::{format as format_duration, parse as parse_duration};

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// Reminders while an alert keeps firing come this often (as Alertmanager's default).
pub const REPEAT_INTERVAL: Duration = Duration::from_secs(4 * 3600);

fn repeat_default() -> Duration {
    REPEAT_INTERVAL
}

fn is_repeat_default(d: &Duration) -> bool {
    *d == REPEAT_INTERVAL
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub severity: Severity,
    /// A catalogue metric (`error_rate`, ...) or `custom:<name>`.
    pub metric: String,
    pub comparison: Comparison,
    pub threshold: f64,
    #[serde(with = "duration")]
    pub window: Duration,
    /// The shortest time between two notifications of one alert.
    #[serde(with = "duration")]
    pub cooldown: Duration,
    /// How often a still-firing alert is told again (not when acknowledged).
    #[serde(
        default = "repeat_default",
        with = "duration",
        skip_serializing_if = "is_repeat_default"
    )]
    pub repeat_interval: Duration,
    /// How long the condition must hold before the alert fires (pending until then).
    #[serde(
        rename = "for",
        default,
        with = "duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub hold_for: Option<Duration>,
    /// How long the condition must be clear before a firing alert resolves (flap guard).
    #[serde(
        default,
        with = "duration::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub resolve_after: Option<Duration>,
    #[serde(default)]
    pub filters: Filters,
    #[serde(default)]
    pub split_by_restaurant: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What on-call people should know or do, sent with the notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Ratio metrics: fewer events than this in the window is nothing to judge (3
    /// failed of 3 requests is no outage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_volume: Option<f64>,
    /// Series metrics (servers' figures, the monitor's, custom metrics): how the window's
    /// points become one value.
    #[serde(default, skip_serializing_if = "is_default")]
    pub aggregate: Aggregate,
    /// When the rule is judged at all (`"mon-fri 08:00-22:00"`, in `timezone`); always
    /// when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_hours: Option<Weekly>,
    /// The time zone of `active_hours` (IANA name); UTC when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Split by restaurant: a restaurant is judged only while it is open (its opening
    /// hours, from the config or the dashboard); one without hours is never judged.
    #[serde(default, skip_serializing_if = "is_false")]
    pub only_when_open: bool,
}

impl Rule {
    pub fn severity_name(&self) -> &'static str {
        match self.severity {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
        }
    }
}

/// Checks one rule; `Err` starts with the field at fault.
pub fn check(r: &Rule) -> Result<(), String> {
    if r.name.trim().is_empty() || r.name.len() > 100 {
        return Err("name: 1 to 100 characters".into());
    }
    if r.name.chars().any(char::is_control) {
        return Err("name: no control characters".into());
    }
    if !r.threshold.is_finite() {
        return Err("threshold: must be a number".into());
    }
    if r.window.is_zero() {
        return Err("window: must be longer than 0s".into());
    }
    if r.description.as_ref().is_some_and(|d| d.len() > 2000) {
        return Err("description: at most 2000 characters".into());
    }
    let Some(info) = super::catalogue::info(&r.metric) else {
        return Err(format!(
            "metric: {:?} is not in the catalogue (see README \"Alerting\"; custom metrics are \"custom:<name>\")",
            r.metric
        ));
    };
    if (r.split_by_restaurant || r.filters.restaurant.is_some()) && !info.by_restaurant {
        return Err(format!(
            "split_by_restaurant: {} has no restaurant dimension (it cannot be split or filtered by restaurant)",
            r.metric
        ));
    }
    if r.filters.environment.is_some() && !info.by_environment {
        return Err(format!(
            "filters.environment: {} has no environment dimension",
            r.metric
        ));
    }
    let is_issue = matches!(info.source, super::catalogue::Source::Issue(_));
    let f = &r.filters;
    if !is_issue && (f.level.is_some() || f.release.is_some() || !f.tags.is_empty()) {
        return Err(format!(
            "filters: level, release and tags are for issue alerts (issue.*), not {}",
            r.metric
        ));
    }
    if is_issue && (r.split_by_restaurant || f.restaurant.is_some()) {
        return Err(
            "split_by_restaurant: issue alerts are per issue; filter with filters.tags.restaurant_id"
                .into(),
        );
    }
    if let Some(v) = r.min_volume {
        if !info.ratio {
            return Err(format!("min_volume: {} is not a ratio of events", r.metric));
        }
        if !v.is_finite() || v < 0.0 {
            return Err("min_volume: must be a number of events, 0 or more".into());
        }
    }
    if r.repeat_interval.is_zero() {
        return Err("repeat_interval: must be longer than 0s".into());
    }
    if r.only_when_open && !r.split_by_restaurant {
        return Err("only_when_open: needs split_by_restaurant (it judges each restaurant)".into());
    }
    super::schedule::time_zone(r.timezone.as_deref()).map_err(|e| format!("timezone: {e}"))?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "rule")]
    rules: Vec<Rule>,
}

/// A rules file that cannot be used, with where and why.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RulesError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses and checks a rules file; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Vec<Rule>, RulesError> {
    let err = |line, message: String| RulesError {
        file: file.to_string(),
        line,
        message,
    };
    let parsed: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        err(line, e.message().trim().to_string())
    })?;
    let mut seen = std::collections::HashSet::new();
    for r in &parsed.rules {
        // The line of the rule's `name = "..."`, to point at the rule that is wrong.
        let at = text
            .find(&format!("\"{}\"", r.name))
            .map(|o| line_of(text, o))
            .unwrap_or(1);
        if !seen.insert(r.name.clone()) {
            return Err(err(at, format!("name: {:?} is used by two rules", r.name)));
        }
        check(r).map_err(|m| err(at, format!("{}: {m}", r.name)))?;
    }
    Ok(parsed.rules)
}

/// The rules in `path`, or the shipped defaults when it does not exist.
pub fn load(path: &Path) -> Result<Vec<Rule>, RulesError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            parse(DEFAULT_RULES, "alerts.toml (built in)")
        }
        Err(e) => Err(RulesError {
            file: path.display().to_string(),
            line: 0,
            message: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_are_the_platforms_standard_set() {
        let rules = parse(DEFAULT_RULES, "alerts.toml").unwrap();
        let find = |n: &str| rules.iter().find(|r| r.name == n).unwrap();
        // The platform's thirteen, and the monitor's own: rows refused as invalid.
        assert_eq!(rules.len(), 14);
        assert_eq!(find("ingest_rows_dropped").metric, "ingest_dropped_events");
        let db = find("database_down");
        assert_eq!(
            (db.severity, db.threshold, db.cooldown),
            (Severity::Critical, 0.0, Duration::from_secs(60))
        );
        let errors = find("high_error_rate");
        assert_eq!(
            (errors.threshold, errors.window, errors.cooldown),
            (0.05, Duration::from_secs(300), Duration::from_secs(600))
        );
        assert_eq!(find("response_time_p99").cooldown, Duration::from_secs(900));
        assert_eq!(find("high_cpu_usage").severity, Severity::Warning);
        assert_eq!(
            find("low_inventory").cooldown,
            Duration::from_secs(4 * 3600)
        );
        assert!(find("low_inventory").split_by_restaurant);
        assert_eq!(find("bundle_size_exceeded").threshold, 102_400.0);
        assert!(rules.iter().all(|r| r.enabled));
    }

    #[test]
    fn a_bad_file_names_the_line_and_field() {
        let text = "[[rule]]\nname = \"a\"\nseverity = \"critical\"\nmetric = \"error_rate\"\ncomparison = \">\"\nthreshold = 1\nwindow = \"5m\"\ncooldown = \"1m\"\ntreshold = 2\n";
        let e = parse(text, "alerts.toml").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("alerts.toml", 9));
        assert!(e.message.contains("treshold"), "{e}");

        let bad_duration = text
            .replace("window = \"5m\"", "window = \"5 minutes\"")
            .replace("treshold = 2\n", "");
        let e = parse(&bad_duration, "a.toml").unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        assert!(e.message.contains("the unit must be"), "{e}");

        let unknown = text
            .replace("error_rate", "eror_rate")
            .replace("treshold = 2\n", "");
        let e = parse(&unknown, "a.toml").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("not in the catalogue"), "{e}");

        let twice = format!("{0}{0}", text.replace("treshold = 2\n", ""));
        assert!(parse(&twice, "a.toml")
            .unwrap_err()
            .message
            .contains("used by two rules"));
        assert_eq!(
            parse("[[rule]]\nname = 1\n", "x.toml")
                .unwrap_err()
                .to_string(),
            "x.toml:2: invalid type: integer `1`, expected a string"
        );
    }

    #[test]
    fn durations_read_and_print_alike() {
        for s in ["15s", "5m", "1h", "4h", "1d"] {
            assert_eq!(duration::format(parse_duration(s).unwrap()), s);
        }
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("m").is_err());
        assert!(Comparison::Equal.holds(0.0, 0.0));
        assert!(Comparison::Below.holds(9.0, 10.0) && !Comparison::Above.holds(10.0, 10.0));
    }
}
