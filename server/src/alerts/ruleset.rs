//! The rules in force: those of `alerts.toml`, overridden or extended by rules saved from
//! the dashboard (stored in the database). A file rule edited in the dashboard is an
//! override of the same name: the file stays untouched (it is configuration, often in
//! version control), the override wins until it is reverted. Rules created in the
//! dashboard can be deleted; file rules can be disabled, never deleted.

use super::{
    rule::{
        check, format_duration, parse_duration, Aggregate, Comparison, Filters, Rule, Severity,
        REPEAT_INTERVAL,
    },
    schedule::Weekly,
};
use crate::services::Services;
use protocol::RuleView;
use store::StoredRule;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    File,
    Overridden,
    Dashboard,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::File => "file",
            Origin::Overridden => "overridden",
            Origin::Dashboard => "dashboard",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Effective {
    pub rule: Rule,
    pub origin: Origin,
    pub updated_by: Option<String>,
}

/// File rules in file order, each replaced by its stored override; then the dashboard's
/// own rules by name. Unreadable stored rules are skipped (and logged).
pub fn merge(file: &[Rule], stored: &[StoredRule]) -> Vec<Effective> {
    let mut parsed: Vec<(Rule, &StoredRule)> = stored
        .iter()
        .filter_map(|s| match serde_json::from_str::<Rule>(&s.rule) {
            Ok(r) => Some((r, s)),
            Err(e) => {
                tracing::warn!(rule = %s.name, error = %e, "stored alert rule unreadable; skipped");
                None
            }
        })
        .collect();
    let mut out: Vec<Effective> = file
        .iter()
        .map(
            |f| match parsed.iter().position(|(r, _)| r.name == f.name) {
                Some(i) => {
                    let (rule, s) = parsed.remove(i);
                    Effective {
                        rule,
                        origin: Origin::Overridden,
                        updated_by: Some(s.updated_by.clone()),
                    }
                }
                None => Effective {
                    rule: f.clone(),
                    origin: Origin::File,
                    updated_by: None,
                },
            },
        )
        .collect();
    out.extend(parsed.into_iter().map(|(rule, s)| Effective {
        rule,
        origin: Origin::Dashboard,
        updated_by: Some(s.updated_by.clone()),
    }));
    out
}

pub async fn effective(services: &Services) -> anyhow::Result<Vec<Effective>> {
    Ok(merge(
        &services.file_rules,
        &services.storage.stored_rules().await?,
    ))
}

pub fn view(e: &Effective) -> RuleView {
    let r = &e.rule;
    RuleView {
        name: r.name.clone(),
        severity: r.severity_name().into(),
        metric: r.metric.clone(),
        comparison: r.comparison.symbol().into(),
        threshold: r.threshold,
        window: format_duration(r.window),
        cooldown: format_duration(r.cooldown),
        hold_for: r.hold_for.map(format_duration),
        resolve_after: r.resolve_after.map(format_duration),
        restaurant: r.filters.restaurant.clone(),
        environment: r.filters.environment.clone(),
        project: r.filters.project.clone(),
        split_by_restaurant: r.split_by_restaurant,
        enabled: r.enabled,
        description: r.description.clone(),
        repeat_interval: Some(format_duration(r.repeat_interval)),
        min_volume: r.min_volume,
        aggregate: Some(r.aggregate.as_str().into()),
        active_hours: r.active_hours.as_ref().map(|h| h.to_string()),
        timezone: r.timezone.clone(),
        only_when_open: r.only_when_open,
        level: r.filters.level.clone(),
        release: r.filters.release.clone(),
        tags: (!r.filters.tags.is_empty()).then(|| {
            r.filters
                .tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        origin: e.origin.as_str().into(),
        updated_by: e.updated_by.clone(),
    }
}

/// A rule from the dashboard's form or the API's JSON; `Err` names the field.
pub fn from_view(v: &RuleView) -> Result<Rule, String> {
    let opt = |s: &Option<String>| {
        s.clone()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let dur = |field: &str, s: &str| parse_duration(s).map_err(|e| format!("{field}: {e}"));
    let opt_dur = |field: &str, s: &Option<String>| opt(s).map(|s| dur(field, &s)).transpose();
    let rule = Rule {
        name: v.name.trim().to_string(),
        severity: match v.severity.as_str() {
            "critical" => Severity::Critical,
            "warning" => Severity::Warning,
            s => return Err(format!("severity: {s:?} is not critical or warning")),
        },
        metric: v.metric.trim().to_string(),
        comparison: [
            Comparison::Above,
            Comparison::AtLeast,
            Comparison::Below,
            Comparison::AtMost,
            Comparison::Equal,
        ]
        .into_iter()
        .find(|c| c.symbol() == v.comparison.trim())
        .ok_or_else(|| format!("comparison: {:?} is not one of > >= < <= ==", v.comparison))?,
        threshold: v.threshold,
        window: dur("window", &v.window)?,
        cooldown: dur("cooldown", &v.cooldown)?,
        hold_for: opt_dur("for", &v.hold_for)?,
        resolve_after: opt_dur("resolve_after", &v.resolve_after)?,
        filters: Filters {
            restaurant: opt(&v.restaurant),
            environment: opt(&v.environment),
            project: opt(&v.project),
            level: opt(&v.level),
            release: opt(&v.release),
            tags: match opt(&v.tags) {
                None => Default::default(),
                Some(t) => t
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| {
                        t.split_once('=')
                            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                            .ok_or_else(|| format!("tags: {t:?} is not key=value"))
                    })
                    .collect::<Result<_, _>>()?,
            },
        },
        split_by_restaurant: v.split_by_restaurant,
        enabled: v.enabled,
        description: opt(&v.description),
        repeat_interval: match opt(&v.repeat_interval) {
            Some(d) => dur("repeat_interval", &d)?,
            None => REPEAT_INTERVAL,
        },
        min_volume: v.min_volume,
        aggregate: match opt(&v.aggregate) {
            Some(a) => Aggregate::parse(&a).map_err(|e| format!("aggregate: {e}"))?,
            None => Aggregate::default(),
        },
        active_hours: opt(&v.active_hours)
            .map(|h| Weekly::parse(&h).map_err(|e| format!("active_hours: {e}")))
            .transpose()?,
        timezone: opt(&v.timezone),
        only_when_open: v.only_when_open,
    };
    check(&rule)?;
    Ok(rule)
}

/// Saves a rule (new, edited, or an override of a file rule).
pub async fn save(services: &Services, rule: &Rule, by: &str, now_ms: i64) -> anyhow::Result<()> {
    services
        .storage
        .save_rule(&StoredRule {
            name: rule.name.clone(),
            rule: serde_json::to_string(rule)?,
            updated_by: by.to_string(),
            updated_at_ms: now_ms,
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::rule::{parse, DEFAULT_RULES};

    fn stored(rule: &Rule) -> StoredRule {
        StoredRule {
            name: rule.name.clone(),
            rule: serde_json::to_string(rule).unwrap(),
            updated_by: "ana".into(),
            updated_at_ms: 1,
        }
    }

    #[test]
    fn overrides_replace_file_rules_in_place_and_new_rules_follow() {
        let file = parse(DEFAULT_RULES, "alerts.toml").unwrap();
        let mut edited = file[1].clone();
        edited.threshold = 0.2;
        let mut own = file[0].clone();
        own.name = "kitchen_printer_offline".into();
        let rules = merge(&file, &[stored(&own), stored(&edited)]);
        assert_eq!(rules.len(), file.len() + 1);
        assert_eq!(rules[1].origin, Origin::Overridden);
        assert_eq!(rules[1].rule.threshold, 0.2);
        assert_eq!(rules[0].origin, Origin::File);
        assert_eq!(rules.last().unwrap().origin, Origin::Dashboard);
        let broken = StoredRule {
            rule: "{".into(),
            ..stored(&own)
        };
        assert_eq!(merge(&file, &[broken]).len(), file.len());
    }

    #[test]
    fn a_view_reads_back_into_the_same_rule() {
        let file = parse(DEFAULT_RULES, "alerts.toml").unwrap();
        for r in &file {
            let e = Effective {
                rule: r.clone(),
                origin: Origin::File,
                updated_by: None,
            };
            assert_eq!(&from_view(&view(&e)).unwrap(), r);
        }
        let mut v = view(&Effective {
            rule: file[0].clone(),
            origin: Origin::File,
            updated_by: None,
        });
        v.window = "soon".into();
        assert!(from_view(&v).unwrap_err().starts_with("window:"));
        v.window = "5m".into();
        v.metric = "memory_usage".into();
        v.split_by_restaurant = true;
        assert!(from_view(&v)
            .unwrap_err()
            .contains("no restaurant dimension"));
    }
}
