//! Rollup maths: what the dashboard and the alert engine both compute from stored
//! per-minute rows (quantiles, totals, chart buckets, endpoint figures). Pure functions.

use protocol::{CountPoint, EndpointStats, Quantiles, Range, SeriesPoint};
use store::{RollupRow, Sketch};

/// Merges rows into quantiles.
pub fn quantiles(rows: &[RollupRow]) -> Quantiles {
    let mut merged = Sketch::new();
    let mut count = 0.0;
    for r in rows {
        count += r.weighted;
        if let Some(s) = &r.sketch {
            merged.merge(s);
        }
    }
    Quantiles {
        count: count.round() as u64,
        p50: merged.quantile(0.5),
        p95: merged.quantile(0.95),
        p99: merged.quantile(0.99),
    }
}

/// The first minute of the range ending at `now_minute`: whole buckets aligned to the
/// bucket width (so they stay put between refreshes), the last one being the current.
pub fn range_start(range: Range, now_minute: i64) -> i64 {
    let b = range.bucket_minutes();
    (now_minute.div_euclid(b) - (range.minutes() / b - 1)) * b
}

/// One point per bucket from `from` to `to_minute`, empty buckets included.
pub fn series(rows: &[RollupRow], range: Range, from: i64, to_minute: i64) -> Vec<SeriesPoint> {
    let b = range.bucket_minutes();
    let mut out = vec![];
    let mut start = from;
    let mut i = 0;
    while start <= to_minute {
        let end = start + b;
        let first = i;
        while i < rows.len() && rows[i].minute < end {
            i += 1;
        }
        let q = quantiles(&rows[first..i]);
        out.push(SeriesPoint {
            start_ms: start * 60_000,
            count: q.count,
            p50: q.p50,
            p95: q.p95,
            p99: q.p99,
        });
        start = end;
    }
    out
}

/// Counts per bucket from `from` to `to_minute`, empty buckets included.
pub fn count_series(
    minutes: &[(i64, u64)],
    range: Range,
    from: i64,
    to_minute: i64,
) -> Vec<CountPoint> {
    let b = range.bucket_minutes();
    let mut out: Vec<CountPoint> = (0..)
        .map(|i| from + i * b)
        .take_while(|start| *start <= to_minute)
        .map(|start| CountPoint {
            start_ms: start * 60_000,
            count: 0,
        })
        .collect();
    for (minute, count) in minutes {
        if let Some(p) = out.get_mut(((minute - from).div_euclid(b)) as usize) {
            if *minute >= from {
                p.count += count;
            }
        }
    }
    out
}

/// Rows summed: events, page views, failures, as many as they stand for (sampled
/// rows count with their weight).
pub fn total(rows: &[RollupRow]) -> u64 {
    rows.iter().map(|r| r.weighted).sum::<f64>().round() as u64
}

/// The largest value of the latest minute with data: a custom metric's "last value".
pub fn latest_max(rows: &[RollupRow]) -> Option<f64> {
    rows.iter()
        .rev()
        .find_map(|r| r.sketch.as_ref().and_then(|s| s.quantile(1.0)))
}

/// Per-endpoint stats from `ApiCall` and `ApiError` rows keyed by endpoint (as
/// `rollups_by_key` orders them), slowest p95 first.
pub fn endpoint_stats(
    calls: &[RollupRow],
    failed: &[RollupRow],
    range: Range,
) -> Vec<EndpointStats> {
    let mut out: Vec<EndpointStats> = calls
        .chunk_by(|a, b| a.page == b.page)
        .map(|rows| {
            let duration = quantiles(rows);
            let endpoint = rows[0].page.clone();
            let errors: u64 = failed
                .iter()
                .filter(|f| f.page == endpoint)
                .map(|f| f.count)
                .sum();
            EndpointStats {
                error_rate: errors as f64 / duration.count.max(1) as f64,
                per_minute: duration.count as f64 / range.minutes() as f64,
                errors,
                endpoint,
                duration,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.duration
            .p95
            .partial_cmp(&a.duration.p95)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(minute: i64, values: &[f64]) -> RollupRow {
        let mut sketch = Sketch::new();
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
    fn day_ranges_start_on_a_bucket_boundary() {
        assert_eq!(range_start(Range::Hour, 1000), 941);
        let day = range_start(Range::Day, 10_000);
        assert_eq!(day % 15, 0);
        // 95 whole buckets before the current one (which started at 9990).
        assert_eq!(day, 9990 - 95 * 15);
    }

    #[test]
    fn series_has_a_point_per_bucket_and_merges_rows_inside_one() {
        let rows = vec![
            row(0, &[100.0; 50]),
            row(14, &[300.0; 50]),
            row(30, &[50.0]),
        ];
        let s = series(&rows, Range::Day, 0, 44);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].count, 100);
        assert!((s[0].p99.unwrap() - 300.0).abs() < 6.0, "{:?}", s[0]);
        assert!((s[0].p50.unwrap() - 100.0).abs() < 2.0, "{:?}", s[0]);
        assert_eq!(s[1].count, 0);
        assert_eq!(s[1].p50, None);
        assert_eq!(s[2].count, 1);
    }

    #[test]
    fn error_counts_land_in_their_buckets() {
        let s = count_series(&[(0, 2), (14, 1), (15, 4), (99, 9)], Range::Day, 0, 29);
        let counts: Vec<u64> = s.iter().map(|p| p.count).collect();
        assert_eq!(counts, [3, 4], "minute 99 is past the range");
        assert_eq!(s[1].start_ms, 15 * 60_000);
    }
}
