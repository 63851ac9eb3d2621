//! The Business page: KPI cards with the change against the previous period, orders and
//! failed payments per hour, order volume by type, the voice-ordering section, the
//! per-restaurant table and inventory levels. Range and restaurant are a GET form.

use super::layout::Layout;
use crate::api::get_business;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use protocol::{format_money, format_utc, BusinessView, Kpis, HISTORY_RANGES};

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1} %", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// `+12.0 %` against the previous period, or `new` / `–`.
fn change(now: f64, before: f64) -> String {
    if before == 0.0 {
        return if now == 0.0 {
            "–".into()
        } else {
            "new".into()
        };
    }
    format!("{:+.1} % vs previous", (now - before) / before * 100.0)
}

fn card(label: &'static str, value: String, delta: String) -> impl IntoView {
    view! {
        <div class="card">
            <div class="card-label">{label}</div>
            <div class="card-value">{value}</div>
            <div class="card-delta muted">{delta}</div>
        </div>
    }
}

/// The KPI cards of one period against the previous one.
pub fn kpi_cards(k: &Kpis, p: &Kpis) -> impl IntoView {
    let rate = |v: Option<f64>| v.unwrap_or(0.0);
    view! {
        <section class="cards business-cards">
            {card("Orders", k.orders.to_string(), change(k.orders as f64, p.orders as f64))}
            {card("Revenue", format_money(k.revenue_minor), change(k.revenue_minor as f64, p.revenue_minor as f64))}
            {card("Orders / hour", format!("{:.1}", k.orders_per_hour), change(k.orders_per_hour, p.orders_per_hour))}
            {card("Average order", k.avg_order_value_minor.map(format_money).unwrap_or_else(|| "–".into()),
                change(k.avg_order_value_minor.unwrap_or(0) as f64, p.avg_order_value_minor.unwrap_or(0) as f64))}
            {card("Completion rate", pct(k.completion_rate), change(rate(k.completion_rate), rate(p.completion_rate)))}
            {card("Payment success", pct(k.payment_success_rate), change(rate(k.payment_success_rate), rate(p.payment_success_rate)))}
        </section>
    }
}

#[component]
pub fn BusinessPage() -> impl IntoView {
    let map = use_query_map().get_untracked();
    let range = map
        .get("range")
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "24h".into());
    let restaurant = map.get("restaurant").filter(|r| !r.is_empty());
    let (r2, rest2) = (range.clone(), restaurant.clone());
    let data = Resource::new(|| (), move |_| get_business(r2.clone(), rest2.clone()));
    view! {
        <Layout title="Business" active="Business">
            <form method="get" action="/business" class="toolbar business-filters">
                <select name="range" aria-label="Range">
                    {HISTORY_RANGES.map(|(r, _)| view! { <option value=r selected=r == range>{format!("Last {r}")}</option> }).collect_view()}
                </select>
                <input name="restaurant" placeholder="All restaurants" value=restaurant.unwrap_or_default() aria-label="Restaurant"/>
                <button type="submit">"Show"</button>
            </form>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => Ok(view! { <BusinessBody v/> }.into_any()),
                        Err(e) => Err(e),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn BusinessBody(v: BusinessView) -> impl IntoView {
    let (k, p) = (v.current.clone(), v.previous.clone());
    view! {
        <p class="muted">{format!("{} to {}, against the same span before", format_utc(v.from_ms), format_utc(v.to_ms))}</p>
        {kpi_cards(&k, &p)}
        <section class="panel">
            <h2>"Orders and failed payments per hour (last 24 h)"</h2>
            <div class="chart" inner_html=v.chart_svg></div>
            <h3>"Order volume by type"</h3>
            <table class="order-types">
                <tbody>
                    {k.by_order_type.iter().map(|(t, n)| view! { <tr><td>{t.clone()}</td><td class="num">{*n}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="panel voice">
            <h2>"Voice ordering"</h2>
            <section class="cards">
                {card("Sessions", k.voice_sessions.to_string(), change(k.voice_sessions as f64, p.voice_sessions as f64))}
                {card("Success rate", pct(k.voice_success_rate), String::new())}
                {card("Average duration", k.avg_voice_duration_ms.map(|d| format!("{:.0} s", d / 1000.0)).unwrap_or_else(|| "–".into()), String::new())}
                {card("Voice → order", pct(k.voice_conversion_rate), String::new())}
            </section>
        </section>
        <section class="panel">
            <h2>"Per restaurant"</h2>
            <table class="restaurants">
                <thead><tr><th>"Restaurant"</th><th class="num">"Orders"</th><th class="num">"Revenue"</th><th class="num">"Average"</th><th class="num">"Completed"</th><th class="num">"Payments OK"</th><th class="num">"Voice → order"</th></tr></thead>
                <tbody>
                    {v.restaurants.into_iter().map(|r| view! {
                        <tr>
                            <td><a href=format!("/business?range={}&restaurant={}", v.range, super::alerts::path_segment(&r.restaurant))>{r.restaurant.clone()}</a></td>
                            <td class="num">{r.kpis.orders}</td>
                            <td class="num">{format_money(r.kpis.revenue_minor)}</td>
                            <td class="num">{r.kpis.avg_order_value_minor.map(format_money).unwrap_or_default()}</td>
                            <td class="num">{pct(r.kpis.completion_rate)}</td>
                            <td class="num">{pct(r.kpis.payment_success_rate)}</td>
                            <td class="num">{pct(r.kpis.voice_conversion_rate)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="panel">
            <h2>"Inventory (latest levels, lowest first)"</h2>
            <table class="inventory">
                <tbody>
                    {v.inventory.into_iter().take(30).map(|i| view! {
                        <tr><td>{i.restaurant.unwrap_or_default()}</td><td>{i.item}</td><td class="num">{i.quantity}</td><td>{format_utc(i.at_ms)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn changes_read_against_the_previous_period() {
        assert_eq!(super::change(120.0, 100.0), "+20.0 % vs previous");
        assert_eq!(super::change(5.0, 0.0), "new");
        assert_eq!(super::change(0.0, 0.0), "–");
    }
}
