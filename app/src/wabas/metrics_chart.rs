//! Message statuses per day as column charts, one per pricing category, so MM API sends
//! (`marketing_lite`) are never mixed with Cloud API marketing. Plain SVG (no chart library
//! in the browser bundle); the numbers stay available in a table under the chart.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::wabas::port::DayMetrics;

/// The series drawn for each day, with their CSS class (colour) and legend label.
const SERIES: [(&str, &str); 5] = [
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("clicked", "Clicked"),
    ("failed", "Failed"),
];

fn value(m: &DayMetrics, series: &str) -> i64 {
    match series {
        "sent" => m.sent,
        "delivered" => m.delivered,
        "read" => m.read,
        "clicked" => m.clicked,
        _ => m.failed,
    }
}

/// How a pricing category is named for people.
pub fn category_label(category: &str) -> String {
    match category {
        "marketing_lite" => "MM API (marketing_lite)".into(),
        "meta_mm_api" => "MM API, as Meta counts it (template analytics)".into(),
        "marketing" => "Cloud API marketing".into(),
        "" => "Unpriced".into(),
        other => format!("Cloud API {other}"),
    }
}

#[component]
pub fn MessagesChart(metrics: Vec<DayMetrics>) -> impl IntoView {
    let mut by_category: BTreeMap<String, Vec<DayMetrics>> = BTreeMap::new();
    for m in metrics.iter().cloned() {
        by_category.entry(m.category.clone()).or_default().push(m);
    }
    // MM API first: it is what the portal is for.
    let mut categories: Vec<(String, Vec<DayMetrics>)> = by_category.into_iter().collect();
    categories.sort_by_key(|(c, _)| (c != "marketing_lite", c.clone()));
    view! {
        <div class="legend small" aria-hidden="true">
            {SERIES.map(|(class, label)| view! { <span class=format!("key {class}")>{label}</span> }).collect_view()}
        </div>
        {categories.into_iter().map(|(category, days)| view! {
            <CategoryChart category days />
        }).collect_view()}
        <details class="small">
            <summary>"The numbers"</summary>
            <table class="table compact" data-testid="metrics">
                <thead><tr><th>"Day"</th><th>"Category"</th><th>"Sent"</th><th>"Delivered"</th><th>"Read"</th><th>"Clicked"</th><th>"Failed"</th></tr></thead>
                <tbody>
                    {metrics.into_iter().map(|m| view! {
                        <tr>
                            <td>{m.day.clone()}</td><td>{category_label(&m.category)}</td>
                            <td>{m.sent}</td><td>{m.delivered}</td><td>{m.read}</td><td>{m.clicked}</td><td>{m.failed}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

#[component]
fn CategoryChart(category: String, days: Vec<DayMetrics>) -> impl IntoView {
    const HEIGHT: f64 = 110.0;
    const BAR: f64 = 8.0;
    const GAP: f64 = 14.0;
    /// At least two weeks of room, so one day of data does not fill the chart.
    const MIN_SLOTS: usize = 14;
    let group = BAR * SERIES.len() as f64 + GAP;
    let width = group * days.len().max(MIN_SLOTS) as f64;
    let top = days
        .iter()
        .flat_map(|m| SERIES.map(|(s, _)| value(m, s)))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let totals: i64 = days.iter().map(|m| m.sent).sum();
    let title = category_label(&category);
    view! {
        <figure class="chart" data-testid=format!("chart-{category}")>
            <figcaption class="small"><strong>{title.clone()}</strong> <span class="muted">{format!(" · {totals} sent")}</span></figcaption>
            <svg viewBox=format!("0 0 {width} {}", HEIGHT + 18.0) role="img" aria-label=format!("{title}: statuses per day")>
                {days.iter().enumerate().map(|(i, m)| {
                    let x0 = i as f64 * group;
                    let label = m.day.get(5..).unwrap_or(&m.day).to_string();
                    view! {
                        <g>
                            {SERIES.iter().enumerate().map(|(j, (series, name))| {
                                let v = value(m, series);
                                let h = (v as f64 / top * HEIGHT).max(if v > 0 { 1.0 } else { 0.0 });
                                view! {
                                    <rect class=format!("bar {series}") x=x0 + j as f64 * BAR y=HEIGHT - h width=BAR - 1.0 height=h>
                                        <title>{format!("{} · {name}: {v}", m.day)}</title>
                                    </rect>
                                }
                            }).collect_view()}
                            <text x=x0 + (group - GAP) / 2.0 y=HEIGHT + 15.0 text-anchor="middle">{label}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}
