//! Charts as SVG: page load p50 / p95 / p99 over time (buckets without data break the
//! line rather than drawing a fake zero) and error events per bucket (bars). Labels
//! are numbers and fixed words only.

use plotters::{coord::combinators::BindKeyPoints, prelude::*};
use protocol::{CountPoint, Range, SeriesPoint};

const SIZE: (u32, u32) = (880, 300);
const LINES: [(&str, RGBColor); 3] = [
    ("p50", RGBColor(37, 99, 235)),
    ("p95", RGBColor(234, 146, 12)),
    ("p99", RGBColor(220, 38, 38)),
];

/// Clock-aligned tick minutes inside `x0..=x1`: every 10 minutes for an hour, every 3
/// hours for a day.
fn ticks(x0: i64, x1: i64, range: Range) -> Vec<i64> {
    let step = match range {
        Range::Hour => 10,
        Range::Day => 180,
    };
    let first = x0.div_euclid(step) * step + if x0.rem_euclid(step) == 0 { 0 } else { step };
    // Bounded: a caller passing milliseconds for minutes gets a bad chart, not a stall.
    (0..)
        .map(|i| first + i * step)
        .take_while(|m| *m <= x1)
        .take(200)
        .collect()
}

fn hh_mm(minute: i64) -> String {
    let m = minute.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Consecutive runs of points that have a value.
fn segments(points: &[(i64, Option<f64>)]) -> Vec<Vec<(i64, f64)>> {
    let mut out: Vec<Vec<(i64, f64)>> = vec![];
    let mut run = vec![];
    for (minute, value) in points {
        match value {
            Some(v) => run.push((*minute, *v)),
            None if !run.is_empty() => out.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// One line of a chart: a name for the legend and a value (or a gap) per bucket.
pub struct Line<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    /// `(unix minute, value)`.
    pub points: Vec<(i64, Option<f64>)>,
}

/// Colours for up to five lines, in order.
pub const PALETTE: [RGBColor; 5] = [
    RGBColor(37, 99, 235),
    RGBColor(234, 146, 12),
    RGBColor(220, 38, 38),
    RGBColor(22, 163, 74),
    RGBColor(147, 51, 234),
];

/// Draws the page-load chart; on a drawing error returns a small SVG saying so.
pub fn page_load_chart(series: &[SeriesPoint], range: Range) -> String {
    let picks: [fn(&SeriesPoint) -> Option<f64>; 3] = [|p| p.p50, |p| p.p95, |p| p.p99];
    let lines: Vec<Line> = LINES
        .iter()
        .zip(picks)
        .map(|((name, color), pick)| Line {
            name,
            color: *color,
            points: series
                .iter()
                .map(|p| (p.start_ms / 60_000, pick(p)))
                .collect(),
        })
        .collect();
    lines_chart(&lines, range, "ms", "page loads")
}

/// Draws lines over a range; `unit` labels the y axis (`ms`, `MB`); `what` names the
/// data in the no-data message.
pub fn lines_chart(lines: &[Line], range: Range, unit: &str, what: &str) -> String {
    or_placeholder(draw(lines, range, unit, what))
}

/// Draws error events per bucket as bars.
pub fn error_chart(points: &[CountPoint], range: Range) -> String {
    or_placeholder(draw_counts(points, range))
}

fn draw_counts(points: &[CountPoint], range: Range) -> Result<String, Box<dyn std::error::Error>> {
    const BAR: RGBColor = RGBColor(220, 38, 38);
    let size = (SIZE.0, 200);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        let width = range.bucket_minutes();
        let x0 = points.first().map(|p| p.start_ms / 60_000).unwrap_or(0);
        let x1 = points
            .last()
            .map(|p| p.start_ms / 60_000 + width)
            .unwrap_or(60)
            .max(x0 + 1);
        let ymax = points.iter().map(|p| p.count).max().unwrap_or(0).max(4) as f64 * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d((x0..x1).with_key_points(ticks(x0, x1, range)), 0.0..ymax)?;
        chart
            .configure_mesh()
            .y_labels(5)
            .max_light_lines(0)
            .x_label_formatter(&|m| hh_mm(*m))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .bold_line_style(RGBColor(232, 232, 232))
            .draw()?;
        if points.iter().all(|p| p.count == 0) {
            root.draw(&Text::new(
                format!("No errors in the {}", range.label().to_lowercase()),
                ((size.0 / 2 - 100) as i32, (size.1 / 2) as i32),
                ("sans-serif", 16)
                    .into_font()
                    .color(&RGBColor(120, 120, 120)),
            ))?;
        }
        chart.draw_series(points.iter().filter(|p| p.count > 0).map(|p| {
            let x = p.start_ms / 60_000;
            Rectangle::new(
                [(x, 0.0), (x + width, p.count as f64)],
                BAR.mix(0.8).filled(),
            )
        }))?;
        root.present()?;
    }
    Ok(svg)
}

fn or_placeholder(drawn: Result<String, Box<dyn std::error::Error>>) -> String {
    match drawn {
        Ok(svg) => svg,
        Err(e) => {
            tracing::error!(error = %e, "chart drawing failed");
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="40"><text x="10" y="25">chart unavailable</text></svg>"#,
                SIZE.0
            )
        }
    }
}

fn draw(
    lines: &[Line],
    range: Range,
    unit: &str,
    what: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let minutes = lines.first().map(|l| l.points.as_slice()).unwrap_or(&[]);
        let x0 = minutes.first().map(|p| p.0).unwrap_or(0);
        let x1 = minutes.last().map(|p| p.0).unwrap_or(60).max(x0 + 1);
        let ymax = lines
            .iter()
            .flat_map(|l| l.points.iter().filter_map(|p| p.1))
            .fold(0.0_f64, f64::max);
        let ymax = if ymax <= 0.0 { 1.0 } else { ymax * 1.1 };
        let decimals = if ymax < 10.0 { 2 } else { 0 };
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d((x0..x1).with_key_points(ticks(x0, x1, range)), 0.0..ymax)?;
        chart
            .configure_mesh()
            .y_labels(6)
            .max_light_lines(0)
            .x_label_formatter(&|m| hh_mm(*m))
            .y_label_formatter(&|v| format!("{v:.decimals$} {unit}"))
            .bold_line_style(RGBColor(232, 232, 232))
            .draw()?;
        let has_data = lines.iter().any(|l| l.points.iter().any(|p| p.1.is_some()));
        if !has_data {
            root.draw(&Text::new(
                format!("No {what} in the {}", range.label().to_lowercase()),
                ((SIZE.0 / 2 - 120) as i32, (SIZE.1 / 2) as i32),
                ("sans-serif", 16)
                    .into_font()
                    .color(&RGBColor(120, 120, 120)),
            ))?;
        }
        for line in lines {
            let color = line.color;
            let mut first = true;
            for seg in segments(&line.points) {
                // A lone point draws no line: mark every point so it still shows.
                chart.draw_series(seg.iter().map(|p| Circle::new(*p, 2, color.filled())))?;
                let drawn = chart.draw_series(LineSeries::new(seg, color.stroke_width(2)))?;
                if std::mem::take(&mut first) {
                    drawn.label(line.name).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
                }
            }
        }
        if has_data {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .draw()?;
        }
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(minute: i64, p50: Option<f64>) -> SeriesPoint {
        SeriesPoint {
            start_ms: minute * 60_000,
            count: u64::from(p50.is_some()),
            p50,
            p95: p50.map(|v| v * 2.0),
            p99: p50.map(|v| v * 3.0),
        }
    }

    #[test]
    fn draws_one_line_per_run_of_data() {
        let series = vec![
            point(0, Some(100.0)),
            point(1, Some(200.0)),
            point(2, None),
            point(3, Some(150.0)),
        ];
        let svg = page_load_chart(&series, Range::Hour);
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        // Each quantile: a line per run of data (2) plus its legend sample, and a
        // marker at each of its 3 points.
        for color in ["#2563EB", "#EA920C", "#DC2626"] {
            let lines = svg
                .matches("<polyline")
                .zip(svg.split("<polyline").skip(1))
                .filter(|(_, rest)| rest.split('>').next().unwrap_or("").contains(color))
                .count();
            assert_eq!(lines, 3, "{color} lines in {svg}");
        }
        assert_eq!(svg.matches("<circle").count(), 9, "{svg}");
        assert!(svg.contains("p95"));
    }

    #[test]
    fn a_single_point_is_still_visible() {
        let svg = page_load_chart(
            &[point(0, None), point(1, Some(120.0)), point(2, None)],
            Range::Hour,
        );
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
    }

    #[test]
    fn says_so_when_there_is_no_data() {
        let svg = page_load_chart(&[point(0, None), point(1, None)], Range::Day);
        assert!(svg.contains("No page loads in the last 24 h"));
        assert!(!svg.contains("p99"));
    }

    #[test]
    fn error_bars_are_drawn_for_buckets_with_errors_only() {
        let points: Vec<CountPoint> = [0, 3, 0, 7]
            .iter()
            .enumerate()
            .map(|(i, c)| CountPoint {
                start_ms: i as i64 * 60_000,
                count: *c,
            })
            .collect();
        let svg = error_chart(&points, Range::Hour);
        assert_eq!(svg.matches("fill=\"#DC2626\"").count(), 2, "{svg}");
        assert!(!svg.contains("No errors"));
        let empty = error_chart(&points[..1], Range::Hour);
        assert!(empty.contains("No errors in the last hour"));
    }

    #[test]
    fn ticks_fall_on_round_clock_times() {
        assert_eq!(ticks(61, 125, Range::Hour), vec![70, 80, 90, 100, 110, 120]);
        assert_eq!(
            ticks(0, 1440, Range::Day),
            vec![0, 180, 360, 540, 720, 900, 1080, 1260, 1440]
        );
    }

    #[test]
    fn labels_are_clock_times() {
        assert_eq!(hh_mm(0), "00:00");
        assert_eq!(hh_mm(24 * 60 + 61), "01:01");
    }
}
