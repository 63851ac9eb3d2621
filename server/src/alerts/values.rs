//! The value of a rule's metric over its window, from the source the catalogue names.
//! `None` is "no data" (nothing to judge), which the services machine never treats as a
//! breach or a recovery.

use super::{catalogue::Source, rule::Rule};
use crate::{read_model::rollups, services::Services, telemetry::process};
use std::{
    collections::{BTreeMap, HashMap},
    time::Duration,
};
use store::{clock::minute_of, rollup::Metric, Project};

/// Minutes `from..=to` covering the `window` that ends at `now_ms`.
pub fn window_minutes(window: Duration, now_ms: i64) -> (i64, i64) {
    let to = minute_of(now_ms);
    let span = (window.as_secs().div_ceil(60) as i64).max(1);
    (to - span + 1, to)
}

/// The custom metric a rule watches (`bundle_size` is the platform's bundle monitor's).
fn custom_name(metric: &str) -> &str {
    metric.strip_prefix("custom:").unwrap_or(metric)
}

/// The project-wide value of `rule`'s metric over its window.
pub async fn value(
    services: &Services,
    project: &Project,
    rule: &Rule,
    now_ms: i64,
) -> anyhow::Result<Option<f64>> {
    let Some(info) = super::catalogue::info(&rule.metric) else {
        return Ok(None);
    };
    let (from, to) = window_minutes(rule.window, now_ms);
    let s = &services.storage;
    Ok(match info.source {
        Source::Unavailable => None,
        Source::DatabaseUp => {
            let own = tokio::time::timeout(Duration::from_secs(2), s.ping()).await;
            let own_up = matches!(own, Ok(Ok(())));
            let probes =
                crate::probes::all_up(services, Some(crate::config::ProbeKind::Postgres)).await?;
            Some(if own_up && probes != Some(0.0) {
                1.0
            } else {
                0.0
            })
        }
        Source::Probes => crate::probes::all_up(services, None).await?,
        Source::AuthFailures | Source::PermissionDenials => {
            let kind = if info.source == Source::AuthFailures {
                "auth.failed"
            } else {
                "permission.denied"
            };
            let most = s
                .security_counts(project.id, from * 60_000, (to + 1) * 60_000)
                .await?
                .into_iter()
                .filter(|(k, _, _)| k == kind)
                .map(|(_, _, n)| n)
                .max()
                .unwrap_or(0);
            Some(most as f64)
        }
        Source::Orders | Source::PaymentFailures | Source::Inventory => {
            business_values(services, project, info.source, rule, now_ms)
                .await?
                .remove(&None)
                .flatten()
        }
        Source::WebsocketLoss => {
            let sum = |rows: Vec<store::RollupRow>| rows.iter().map(|r| r.sum).sum::<f64>();
            let opened = sum(s
                .rollups(project.id, Metric::Custom, "websocket.opened", from, to)
                .await?);
            let dropped = sum(s
                .rollups(project.id, Metric::Custom, "websocket.dropped", from, to)
                .await?);
            (opened > 0.0).then(|| dropped / opened)
        }
        Source::ErrorRate => {
            let errors: u64 = s
                .error_minutes(project.id, from, to)
                .await?
                .iter()
                .map(|m| m.1)
                .sum();
            let views = rollups::total(
                &s.rollups(project.id, Metric::PageView, "", from, to)
                    .await?,
            );
            ratio(errors, views)
        }
        Source::ApiP99 => {
            let rows = s.rollups(project.id, Metric::ApiCall, "", from, to).await?;
            rollups::quantiles(&rows).p99
        }
        Source::ProcessMemory => {
            let total = process::total_memory_mb();
            (total > 0.0).then(|| process::resident_mb() / total)
        }
        Source::ProcessCpu => Some(services.telemetry.process.cpu_usage()),
        Source::Custom => {
            let rows = s
                .rollups(
                    project.id,
                    Metric::Custom,
                    custom_name(&rule.metric),
                    from,
                    to,
                )
                .await?;
            rollups::latest_max(&rows)
        }
    })
}

/// A business metric per restaurant (`Some(id)`) and for all (`None`). Orders are only
/// judged once the project sends business events at all (in the last day): before that,
/// "no orders" is no data, not zero.
async fn business_values(
    services: &Services,
    project: &Project,
    source: Source,
    rule: &Rule,
    now_ms: i64,
) -> anyhow::Result<BTreeMap<Option<String>, Option<f64>>> {
    let (from, to) = window_minutes(rule.window, now_ms);
    let (from_ms, to_ms) = (from * 60_000, (to + 1) * 60_000);
    let s = &services.storage;
    let mut out: BTreeMap<Option<String>, Option<f64>> = BTreeMap::new();
    if source == Source::Inventory {
        for (r, _, q, _) in s
            .inventory_levels(project.id, now_ms - 7 * 86_400_000)
            .await?
        {
            for key in [None, r.clone()] {
                let e = out.entry(key).or_insert(Some(q));
                *e = Some(e.map_or(q, |v| v.min(q)));
            }
        }
        return Ok(out);
    }
    let rows = s.business_counts(project.id, from_ms, to_ms, None).await?;
    let mut keys: Vec<Option<String>> = vec![None];
    keys.extend(
        rows.iter()
            .filter_map(|r| r.restaurant_id.clone())
            .map(Some),
    );
    keys.sort();
    keys.dedup();
    let active = !rows.is_empty()
        || !s
            .business_counts(project.id, now_ms - 86_400_000, to_ms, None)
            .await?
            .is_empty();
    for key in keys {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| key.is_none() || r.restaurant_id == key)
            .cloned()
            .collect();
        let k = crate::business::kpi::kpis(&mine, 1.0);
        let v = match source {
            Source::Orders => active.then_some(k.orders as f64),
            _ => k.payment_success_rate.map(|ok| 1.0 - ok),
        };
        out.insert(key, v);
    }
    Ok(out)
}

/// Errors per page view. No traffic and no errors: nothing to judge. Errors without page
/// views (a backend that only reports errors) count against one view.
fn ratio(errors: u64, views: u64) -> Option<f64> {
    (views > 0 || errors > 0).then(|| errors as f64 / views.max(1) as f64)
}

/// Nearest-rank p99 of unsorted samples.
fn p99(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((v.len() as f64) * 0.99).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

/// The value per restaurant of a metric with a restaurant dimension (raw rows of the
/// window); rows without a restaurant are left out.
async fn per_restaurant(
    services: &Services,
    project: &Project,
    rule: &Rule,
    now_ms: i64,
) -> anyhow::Result<BTreeMap<String, Option<f64>>> {
    let (from, to) = window_minutes(rule.window, now_ms);
    let (from_ms, to_ms) = (from * 60_000, (to + 1) * 60_000);
    let s = &services.storage;
    let source = super::catalogue::info(&rule.metric).map(|i| i.source);
    let mut out = BTreeMap::new();
    match source {
        Some(Source::ErrorRate) => {
            let env = rule.filters.environment.as_deref();
            let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
            for (r, n) in s
                .errors_by_restaurant(project.id, from_ms, to_ms, env)
                .await?
            {
                if let Some(r) = r {
                    counts.entry(r).or_default().0 += n;
                }
            }
            for (r, n) in s
                .page_views_by_restaurant(project.id, from_ms, to_ms)
                .await?
            {
                if let Some(r) = r {
                    counts.entry(r).or_default().1 += n;
                }
            }
            for (r, (errors, views)) in counts {
                out.insert(r, ratio(errors, views));
            }
        }
        Some(Source::ApiP99) => {
            let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for (r, d) in s
                .api_durations_by_restaurant(project.id, from_ms, to_ms)
                .await?
            {
                if let Some(r) = r {
                    samples.entry(r).or_default().push(d);
                }
            }
            for (r, v) in samples {
                out.insert(r, p99(v));
            }
        }
        Some(src @ (Source::Orders | Source::PaymentFailures | Source::Inventory)) => {
            for (k, v) in business_values(services, project, src, rule, now_ms).await? {
                if let Some(r) = k {
                    out.insert(r, v);
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// Project-wide error rate of one environment: errors of that environment per page view
/// (page views carry no environment, so all of them count).
async fn error_rate_in(
    services: &Services,
    project: &Project,
    rule: &Rule,
    env: &str,
    now_ms: i64,
) -> anyhow::Result<Option<f64>> {
    let (from, to) = window_minutes(rule.window, now_ms);
    let s = &services.storage;
    let errors: u64 = s
        .errors_by_restaurant(project.id, from * 60_000, (to + 1) * 60_000, Some(env))
        .await?
        .iter()
        .map(|r| r.1)
        .sum();
    let views = rollups::total(
        &s.rollups(project.id, Metric::PageView, "", from, to)
            .await?,
    );
    Ok(ratio(errors, views))
}

/// Values computed during one evaluation, shared by rules that read the same data: a
/// thousand rules on a dozen metrics read the database a dozen times, and every rule
/// filtered to one restaurant shares one per-restaurant read.
#[derive(Default)]
pub struct Cache {
    projects: Option<Vec<Project>>,
    whole: HashMap<String, Option<f64>>,
    by_restaurant: HashMap<String, BTreeMap<String, Option<f64>>>,
}

impl Cache {
    async fn project(
        &mut self,
        services: &Services,
        slug: Option<&str>,
    ) -> anyhow::Result<Option<Project>> {
        if self.projects.is_none() {
            self.projects = Some(services.storage.projects().await?);
        }
        let all = self.projects.as_deref().unwrap_or_default();
        Ok(match slug {
            Some(slug) => all.iter().find(|p| p.slug == slug).cloned(),
            None => all.first().cloned(),
        })
    }
}

/// The alert instances of `rule` at `now_ms` with their values: `("", value)` for a
/// plain rule, one per restaurant seen in the window for a rule split by restaurant.
pub async fn instances(
    services: &Services,
    cache: &mut Cache,
    rule: &Rule,
    now_ms: i64,
) -> anyhow::Result<Vec<(String, Option<f64>)>> {
    let f = &rule.filters;
    let Some(project) = cache.project(services, f.project.as_deref()).await? else {
        // A rule on a project that does not exist (yet) has no data.
        return Ok(vec![(String::new(), None)]);
    };
    // What the data depends on (not the threshold, not the restaurant picked from it).
    let key = format!(
        "{}|{}|{}|{:?}",
        rule.metric,
        rule.window.as_secs(),
        project.id,
        f.environment
    );
    if rule.split_by_restaurant || f.restaurant.is_some() {
        if !cache.by_restaurant.contains_key(&key) {
            let by = per_restaurant(services, &project, rule, now_ms).await?;
            cache.by_restaurant.insert(key.clone(), by);
        }
        let by = &cache.by_restaurant[&key];
        return Ok(match (&f.restaurant, rule.split_by_restaurant) {
            (Some(r), false) => vec![(String::new(), by.get(r).copied().flatten())],
            (Some(r), true) => by
                .get_key_value(r)
                .map(|(k, v)| (k.clone(), *v))
                .into_iter()
                .collect(),
            (None, _) => by.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        });
    }
    let value = match cache.whole.get(&key) {
        Some(v) => *v,
        None => {
            let v = match &f.environment {
                Some(env) => error_rate_in(services, &project, rule, env, now_ms).await?,
                None => value(services, &project, rule, now_ms).await?,
            };
            cache.whole.insert(key, v);
            v
        }
    };
    Ok(vec![(String::new(), value)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_whole_minutes_ending_now() {
        assert_eq!(window_minutes(Duration::from_secs(300), 600_000), (6, 10));
        assert_eq!(window_minutes(Duration::from_secs(30), 600_000), (10, 10));
        assert_eq!(window_minutes(Duration::from_secs(90), 600_000), (9, 10));
        assert_eq!(custom_name("custom:x.y"), "x.y");
        assert_eq!(custom_name("bundle_size"), "bundle_size");
    }

    #[test]
    fn p99_is_the_nearest_rank_and_ratios_need_data() {
        assert_eq!(p99((1..=100).map(f64::from).collect()), Some(99.0));
        assert_eq!(p99(vec![5.0]), Some(5.0));
        assert_eq!(p99(vec![]), None);
        assert_eq!(ratio(0, 0), None);
        assert_eq!(ratio(3, 0), Some(3.0));
        assert_eq!(ratio(1, 4), Some(0.25));
    }
}
