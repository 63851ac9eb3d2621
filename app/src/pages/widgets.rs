//! Small pieces several pages share: sparklines, level badges, times.

use leptos::prelude::*;

/// Events per hour as a tiny SVG line (numbers only, nothing from outside).
#[component]
pub fn Sparkline(values: Vec<u64>) -> impl IntoView {
    const W: f64 = 96.0;
    const H: f64 = 24.0;
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        W / (values.len() - 1) as f64
    } else {
        W
    };
    let points = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                H - 1.0 - (*v as f64 / max) * (H - 2.0)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let total: u64 = values.iter().sum();
    view! {
        <svg class="sparkline" width="96" height="24" viewBox="0 0 96 24" role="img"
            aria-label=format!("{total} events in the last 24 hours")>
            <polyline points=points fill="none" stroke="currentColor" stroke-width="1.5"/>
        </svg>
    }
}

/// `error`, `warning`, ... as a coloured badge.
#[component]
pub fn LevelBadge(level: String) -> impl IntoView {
    let class = match level.as_str() {
        "fatal" | "error" => "badge level-error",
        "warning" => "badge level-warning",
        _ => "badge level-info",
    };
    view! { <span class=class>{level}</span> }
}

/// The server's clock (pages render on the server; islands never call this).
pub fn now_ms() -> i64 {
    #[cfg(feature = "ssr")]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
    #[cfg(not(feature = "ssr"))]
    {
        0
    }
}

/// `5 min ago`, `3 h ago`, `2 d ago` relative to `now_ms`.
pub fn ago(now_ms: i64, then_ms: i64) -> String {
    let s = (now_ms - then_ms).max(0) / 1000;
    match s {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_naturally() {
        assert_eq!(super::ago(10_000, 9_000), "just now");
        assert_eq!(super::ago(600_000, 0), "10 min ago");
        assert_eq!(super::ago(7_200_000, 0), "2 h ago");
        assert_eq!(super::ago(3 * 86_400_000, 0), "3 d ago");
    }
}
