//! The value of a rule's metric over its window, from the source the catalogue names,
//! as one or more alert instances (a rule, a rule and a restaurant, a service, an
//! issue). `None` is "no data" (nothing to judge), which the state machine never treats
//! as a breach or a recovery: no requests is no error rate, fewer events than the rule's
//! `min_volume` is too few to judge, a rule outside its active hours is not judged.

use super::{
    catalogue::{self, HostFigure, IssueTrigger, Source},
    rule::{Aggregate, Rule},
};
use crate::{read_model::rollups, restaurants, services::Services, telemetry::sampler};
use std::{
    collections::{BTreeMap, HashMap},
    time::Duration,
};
use store::{
    clock::minute_of, rollup::Metric, split_server_key, IssueActivityQuery, Project, RollupRow,
};

/// Minutes `from..=to` covering the `window` that ends at `now_ms`.
pub fn window_minutes(window: Duration, now_ms: i64) -> (i64, i64) {
    let to = minute_of(now_ms);
    let span = (window.as_secs().div_ceil(60) as i64).max(1);
    (to - span + 1, to)
}

/// One alert instance of a rule and its value now.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// `""` for a plain rule; a restaurant, a service or `issue <id>` otherwise.
    pub key: String,
    pub value: Option<f64>,
    /// What people are shown beside the rule (an issue's title).
    pub label: Option<String>,
    /// Where to look (an issue's page); the Alerts page when `None`.
    pub link: Option<String>,
}

impl Instance {
    fn of(key: impl Into<String>, value: Option<f64>) -> Instance {
        Instance {
            key: key.into(),
            value,
            label: None,
            link: None,
        }
    }
}

/// `failed / total`, or nothing to judge without `min_volume` events (at least one).
fn rate(failed: f64, total: f64, min_volume: Option<f64>) -> Option<f64> {
    (total > 0.0 && total >= min_volume.unwrap_or(0.0)).then(|| failed / total)
}

/// What `rows` stand for (their weighted counts summed).
fn weighted(rows: &[RollupRow]) -> f64 {
    rows.iter().map(|r| r.weighted).sum()
}

/// A series over the window as one value.
pub fn aggregate(rows: &[RollupRow], how: Aggregate) -> Option<f64> {
    let points: u64 = rows.iter().map(|r| r.count).sum();
    if points == 0 {
        return None;
    }
    let sketch = || {
        let mut s = store::Sketch::new();
        rows.iter()
            .filter_map(|r| r.sketch.as_ref())
            .for_each(|x| s.merge(x));
        s
    };
    match how {
        Aggregate::Mean => Some(rows.iter().map(|r| r.sum).sum::<f64>() / points as f64),
        Aggregate::Last => rows
            .iter()
            .rev()
            .find(|r| r.count > 0)
            .map(|r| r.sum / r.count as f64),
        Aggregate::Max => sketch().quantile(1.0),
        Aggregate::Min => sketch().quantile(0.0),
        Aggregate::P95 => sketch().quantile(0.95),
    }
}

/// Errors per page view. No traffic and no errors: nothing to judge. Errors without page
/// views (a backend that only reports errors) count against one view.
fn per_view(errors: f64, views: f64, min_volume: Option<f64>) -> Option<f64> {
    let enough = views >= min_volume.unwrap_or(0.0);
    ((views > 0.0 || errors > 0.0) && enough).then(|| errors / views.max(1.0))
}

/// Values read during one evaluation, shared by rules that read the same data: a
/// thousand rules on a dozen metrics read the database a dozen times, and every rule
/// filtered to one restaurant shares one per-restaurant read.
#[derive(Default)]
pub struct Cache {
    projects: Option<Vec<Project>>,
    whole: HashMap<String, Option<f64>>,
    by_restaurant: HashMap<String, BTreeMap<String, Option<f64>>>,
    hours: Option<BTreeMap<String, super::schedule::OpeningHours>>,
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

    async fn hours(
        &mut self,
        services: &Services,
    ) -> anyhow::Result<&BTreeMap<String, super::schedule::OpeningHours>> {
        if self.hours.is_none() {
            self.hours = Some(restaurants::opening_hours(services).await?);
        }
        Ok(self.hours.as_ref().expect("just set"))
    }
}

/// Whether `rule` is judged at `now_ms` (its active hours).
pub fn is_active(rule: &Rule, now_ms: i64) -> bool {
    match &rule.active_hours {
        None => true,
        Some(hours) => super::schedule::time_zone(rule.timezone.as_deref())
            .is_ok_and(|tz| hours.is_open(&tz, now_ms)),
    }
}

/// The alert instances of `rule` at `now_ms` with their values: one for a plain rule,
/// one per restaurant for a rule split by restaurant, per service for servers' figures,
/// per issue for issue alerts. None outside the rule's active hours.
pub async fn instances(
    services: &Services,
    cache: &mut Cache,
    rule: &Rule,
    now_ms: i64,
) -> anyhow::Result<Vec<Instance>> {
    let Some(info) = catalogue::info(&rule.metric) else {
        return Ok(vec![]);
    };
    if !is_active(rule, now_ms) {
        return Ok(vec![]);
    }
    let f = &rule.filters;
    let Some(project) = cache.project(services, f.project.as_deref()).await? else {
        // A rule on a project that does not exist (yet) has no data.
        return Ok(vec![Instance::of("", None)]);
    };
    match info.source {
        Source::Issue(trigger) => return issues(services, &project, rule, trigger, now_ms).await,
        Source::Host(figure) => return hosts(services, &project, rule, figure, now_ms).await,
        _ => {}
    }
    // What the data depends on (not the threshold, not the restaurant picked from it).
    let key = format!(
        "{}|{}|{}|{:?}|{:?}|{}",
        rule.metric,
        rule.window.as_secs(),
        project.id,
        f.environment,
        rule.min_volume,
        rule.aggregate.as_str(),
    );
    if rule.split_by_restaurant || f.restaurant.is_some() {
        if !cache.by_restaurant.contains_key(&key) {
            let by = per_restaurant(services, &project, rule, info.source, now_ms).await?;
            cache.by_restaurant.insert(key.clone(), by);
        }
        let mut by = cache.by_restaurant[&key].clone();
        if rule.only_when_open {
            let hours = cache.hours(services).await?;
            by.retain(|r, _| hours.get(r).is_some_and(|h| h.is_open(now_ms)));
        }
        return Ok(match (&f.restaurant, rule.split_by_restaurant) {
            (Some(r), false) => vec![Instance::of("", by.get(r).copied().flatten())],
            (Some(r), true) => by
                .get_key_value(r)
                .map(|(k, v)| Instance::of(k.clone(), *v))
                .into_iter()
                .collect(),
            (None, _) => by.into_iter().map(|(k, v)| Instance::of(k, v)).collect(),
        });
    }
    let value = match cache.whole.get(&key) {
        Some(v) => *v,
        None => {
            let v = whole(services, &project, rule, info.source, now_ms).await?;
            cache.whole.insert(key, v);
            v
        }
    };
    Ok(vec![Instance::of("", value)])
}

/// The project-wide value of `rule`'s metric over its window.
async fn whole(
    services: &Services,
    project: &Project,
    rule: &Rule,
    source: Source,
    now_ms: i64,
) -> anyhow::Result<Option<f64>> {
    let (from, to) = window_minutes(rule.window, now_ms);
    let (from_ms, to_ms) = (from * 60_000, (to + 1) * 60_000);
    let s = &services.storage;
    let p = project.id;
    let all = |metric| s.rollups(p, metric, "", "", from, to);
    Ok(match source {
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
            let kind = if source == Source::AuthFailures {
                "auth.failed"
            } else {
                "permission.denied"
            };
            let most = s
                .security_counts(p, from_ms, to_ms)
                .await?
                .into_iter()
                .filter(|(k, _, _)| k == kind)
                .map(|(_, _, n)| n)
                .max()
                .unwrap_or(0);
            Some(most as f64)
        }
        Source::Orders | Source::PaymentFailures | Source::Inventory => {
            business_values(services, project, source, rule, now_ms)
                .await?
                .remove(&None)
                .flatten()
        }
        Source::WebsocketLoss => {
            let sum = |rows: Vec<RollupRow>| rows.iter().map(|r| r.sum).sum::<f64>();
            let opened = sum(s
                .rollups(p, Metric::Custom, "", "websocket.opened", from, to)
                .await?);
            let dropped = sum(s
                .rollups(p, Metric::Custom, "", "websocket.dropped", from, to)
                .await?);
            rate(dropped, opened, rule.min_volume)
        }
        Source::RequestErrorRate => match &rule.filters.environment {
            Some(env) => {
                let of_env = |rows: Vec<RollupRow>| {
                    rows.iter()
                        .filter(|r| split_server_key(&r.page).1 == env)
                        .map(|r| r.weighted)
                        .sum::<f64>()
                };
                let total = of_env(
                    s.rollups_by_key(p, Metric::ServerRequest, "", from, to)
                        .await?,
                );
                let failed = of_env(
                    s.rollups_by_key(p, Metric::ServerError, "", from, to)
                        .await?,
                );
                rate(failed, total, rule.min_volume)
            }
            None => {
                let total = weighted(&all(Metric::ServerRequest).await?);
                if total > 0.0 {
                    let failed = weighted(&all(Metric::ServerError).await?);
                    rate(failed, total, rule.min_volume)
                } else {
                    let calls = weighted(&all(Metric::ApiCall).await?);
                    let failed = weighted(&all(Metric::ApiError).await?);
                    rate(failed, calls, rule.min_volume)
                }
            }
        },
        Source::ErrorsPerPageView => {
            let errors: u64 = match &rule.filters.environment {
                Some(env) => s
                    .errors_by_restaurant(p, from_ms, to_ms, Some(env))
                    .await?
                    .iter()
                    .map(|r| r.1)
                    .sum(),
                None => s
                    .error_minutes(p, from, to)
                    .await?
                    .iter()
                    .map(|m| m.1)
                    .sum(),
            };
            let views = weighted(&all(Metric::PageView).await?);
            per_view(errors as f64, views, rule.min_volume)
        }
        Source::ResponseP99 => {
            let server = all(Metric::ServerRequest).await?;
            if weighted(&server) > 0.0 {
                rollups::quantiles(&server).p99
            } else {
                rollups::quantiles(&all(Metric::ApiCall).await?).p99
            }
        }
        Source::MonitorMemory => series(services, p, sampler::MEMORY_SHARE, rule, now_ms).await?,
        Source::MonitorCpu => series(services, p, sampler::CPU, rule, now_ms).await?,
        Source::MonitorDropped => series(services, p, sampler::DROPPED, rule, now_ms).await?,
        Source::Custom => {
            series(
                services,
                p,
                catalogue::custom_series(&rule.metric),
                rule,
                now_ms,
            )
            .await?
        }
        Source::SlowQueries => {
            let rows = all(Metric::DbSlow).await?;
            // No server transactions at all is no data; some without slow queries is 0.
            let any = weighted(&all(Metric::DbQuery).await?) > 0.0;
            any.then(|| weighted(&rows))
        }
        Source::Host(_) | Source::Issue(_) => None,
    })
}

/// A custom series aggregated over the rule's window.
async fn series(
    services: &Services,
    project: i64,
    name: &str,
    rule: &Rule,
    now_ms: i64,
) -> anyhow::Result<Option<f64>> {
    let (from, to) = window_minutes(rule.window, now_ms);
    let rows = services
        .storage
        .rollups(project, Metric::Custom, "", name, from, to)
        .await?;
    Ok(aggregate(&rows, rule.aggregate))
}

/// One instance per platform service with a `health` probe: its figure over the window.
async fn hosts(
    services: &Services,
    project: &Project,
    rule: &Rule,
    figure: HostFigure,
    now_ms: i64,
) -> anyhow::Result<Vec<Instance>> {
    let mut out = vec![];
    for d in crate::probes::definitions(services).await? {
        if d.probe.kind != crate::config::ProbeKind::Health {
            continue;
        }
        let name = figure.series(&d.probe.name);
        let value = series(services, project.id, &name, rule, now_ms).await?;
        out.push(Instance::of(d.probe.name, value));
    }
    Ok(out)
}

/// Issue alerts: one instance per issue with matching events in the window, valued 1
/// (new / regressed in the window) or by its number of events (frequency).
async fn issues(
    services: &Services,
    project: &Project,
    rule: &Rule,
    trigger: IssueTrigger,
    now_ms: i64,
) -> anyhow::Result<Vec<Instance>> {
    let (from, _) = window_minutes(rule.window, now_ms);
    let since = from * 60_000;
    let f = &rule.filters;
    let q = IssueActivityQuery {
        since_ms: since,
        environment: f.environment.clone(),
        level: f.level.clone(),
        release: f.release.clone(),
        tags: f.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        limit: 200,
    };
    let found = services.storage.issue_activity(project.id, &q).await?;
    Ok(found
        .into_iter()
        .filter_map(|a| {
            let value = match trigger {
                IssueTrigger::New => (a.first_seen_ms >= since).then_some(1.0),
                IssueTrigger::Regression => {
                    a.regressed_at_ms.is_some_and(|t| t >= since).then_some(1.0)
                }
                IssueTrigger::Frequency => Some(a.events as f64),
            }?;
            Some(Instance {
                key: issue_key(a.id),
                value: Some(value),
                label: Some(a.title),
                link: Some(format!("{}/issues/{}", services.public_url, a.id)),
            })
        })
        .collect())
}

/// The instance key of issue `id`.
pub fn issue_key(id: i64) -> String {
    format!("issue {id}")
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
    // Restaurants that sent orders in the last week: a split order rule judges these
    // (with no order in the window they are 0), not restaurants that never ordered.
    let week = s
        .business_counts(project.id, now_ms - 7 * 86_400_000, to_ms, None)
        .await?;
    let mut keys: Vec<Option<String>> = vec![None];
    let ordering =
        |r: &&store::BusinessCount| source != Source::Orders || r.kind == "order.created";
    keys.extend(
        rows.iter()
            .chain(week.iter().filter(ordering))
            .filter_map(|r| r.restaurant_id.clone())
            .map(Some),
    );
    keys.sort();
    keys.dedup();
    let active_day = !rows.is_empty()
        || week
            .iter()
            .any(|r| r.kind == "order.created" || r.kind == "payment.processed");
    for key in keys {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| key.is_none() || r.restaurant_id == key)
            .cloned()
            .collect();
        let k = crate::business::kpi::kpis(&mine, 1.0);
        let v = match source {
            Source::Orders => active_day.then_some(k.orders as f64),
            _ => {
                let payments: u64 = mine
                    .iter()
                    .filter(|r| r.kind == "payment.processed")
                    .map(|r| r.count)
                    .sum();
                k.payment_success_rate
                    .map(|ok| 1.0 - ok)
                    .filter(|_| payments as f64 >= rule.min_volume.unwrap_or(0.0))
            }
        };
        out.insert(key, v);
    }
    Ok(out)
}

/// The value per restaurant of a metric with a restaurant dimension (rows without a
/// restaurant are left out).
async fn per_restaurant(
    services: &Services,
    project: &Project,
    rule: &Rule,
    source: Source,
    now_ms: i64,
) -> anyhow::Result<BTreeMap<String, Option<f64>>> {
    let (from, to) = window_minutes(rule.window, now_ms);
    let (from_ms, to_ms) = (from * 60_000, (to + 1) * 60_000);
    let s = &services.storage;
    let p = project.id;
    let by = |metric| s.rollups_by_restaurant(p, metric, from, to);
    let grouped = |rows: Vec<RollupRow>| {
        let mut m: BTreeMap<String, Vec<RollupRow>> = BTreeMap::new();
        for r in rows {
            m.entry(r.restaurant.clone()).or_default().push(r);
        }
        m
    };
    let mut out = BTreeMap::new();
    match source {
        Source::RequestErrorRate => {
            let server = grouped(by(Metric::ServerRequest).await?);
            let server_failed = grouped(by(Metric::ServerError).await?);
            let calls = grouped(by(Metric::ApiCall).await?);
            let calls_failed = grouped(by(Metric::ApiError).await?);
            let sum = |m: &BTreeMap<String, Vec<RollupRow>>, r: &str| {
                m.get(r).map_or(0.0, |v| weighted(v))
            };
            for r in server.keys().chain(calls.keys()) {
                let v = if sum(&server, r) > 0.0 {
                    rate(sum(&server_failed, r), sum(&server, r), rule.min_volume)
                } else {
                    rate(sum(&calls_failed, r), sum(&calls, r), rule.min_volume)
                };
                out.insert(r.clone(), v);
            }
        }
        Source::ErrorsPerPageView => {
            let env = rule.filters.environment.as_deref();
            let mut counts: BTreeMap<String, (f64, f64)> = BTreeMap::new();
            for (r, n) in s.errors_by_restaurant(p, from_ms, to_ms, env).await? {
                if let Some(r) = r {
                    counts.entry(r).or_default().0 += n as f64;
                }
            }
            for (r, rows) in grouped(by(Metric::PageView).await?) {
                counts.entry(r).or_default().1 += weighted(&rows);
            }
            for (r, (errors, views)) in counts {
                out.insert(r, per_view(errors, views, rule.min_volume));
            }
        }
        Source::ResponseP99 => {
            let server = grouped(by(Metric::ServerRequest).await?);
            for (r, rows) in grouped(by(Metric::ApiCall).await?)
                .into_iter()
                .chain(server)
            {
                // Server requests come second: where a restaurant has them, they win.
                out.insert(r, rollups::quantiles(&rows).p99);
            }
        }
        Source::SlowQueries => {
            let slow = grouped(by(Metric::DbSlow).await?);
            for (r, rows) in grouped(by(Metric::DbQuery).await?) {
                let n = slow.get(&r).map_or(0.0, |v| weighted(v));
                out.insert(r, Some(n).filter(|_| weighted(&rows) > 0.0));
            }
        }
        src @ (Source::Orders | Source::PaymentFailures | Source::Inventory) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(minute: i64, values: &[f64]) -> RollupRow {
        let mut sketch = store::Sketch::new();
        values.iter().for_each(|v| sketch.add(*v));
        RollupRow {
            minute,
            restaurant: String::new(),
            page: String::new(),
            count: values.len() as u64,
            weighted: values.len() as f64,
            sum: values.iter().sum(),
            sketch: Some(sketch),
        }
    }

    #[test]
    fn windows_cover_whole_minutes_ending_now() {
        assert_eq!(window_minutes(Duration::from_secs(300), 600_000), (6, 10));
        assert_eq!(window_minutes(Duration::from_secs(30), 600_000), (10, 10));
        assert_eq!(window_minutes(Duration::from_secs(90), 600_000), (9, 10));
    }

    #[test]
    fn ratios_need_data_and_their_minimum_volume() {
        assert_eq!(
            rate(0.0, 0.0, None),
            None,
            "no requests is no data, never 100 %"
        );
        assert_eq!(
            rate(3.0, 3.0, Some(50.0)),
            None,
            "3 of 3 is too few to judge"
        );
        assert_eq!(rate(5.0, 100.0, Some(50.0)), Some(0.05));
        assert_eq!(per_view(0.0, 0.0, None), None);
        assert_eq!(per_view(3.0, 0.0, None), Some(3.0));
        assert_eq!(per_view(1.0, 4.0, None), Some(0.25));
        assert_eq!(per_view(1.0, 4.0, Some(10.0)), None);
    }

    #[test]
    fn a_series_is_summed_up_as_the_rule_asks() {
        let rows = [row(1, &[0.2, 0.4]), row(2, &[0.9]), row(3, &[0.1])];
        let near = |v: Option<f64>, want: f64| (v.unwrap() - want).abs() < 0.01 * want.max(0.01);
        assert!(
            near(aggregate(&rows, Aggregate::Mean), 0.4),
            "sustained, not the peak"
        );
        assert!(near(aggregate(&rows, Aggregate::Max), 0.9));
        assert!(near(aggregate(&rows, Aggregate::Min), 0.1));
        assert!(near(aggregate(&rows, Aggregate::Last), 0.1));
        assert!(near(aggregate(&rows, Aggregate::P95), 0.9));
        assert_eq!(aggregate(&[], Aggregate::Mean), None);
    }
}
