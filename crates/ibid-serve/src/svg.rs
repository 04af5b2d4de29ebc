//! Server-side SVG charts: story sparklines and the outlet × time coverage grid. Plain SVG
//! elements with classes (styled by the stylesheet), no script and no inline style, so they
//! render under the strict CSP and without JS.

use maud::{html, Markup};

use crate::fmt;

/// Candidate bucket widths in seconds, finest first.
const WIDTHS: &[i64] = &[
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    2 * 86_400,
    7 * 86_400,
    14 * 86_400,
    30 * 86_400,
    91 * 86_400,
    365 * 86_400,
];

/// A time axis cut into equal buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Buckets {
    /// Start of the first bucket (Unix seconds, aligned to the width).
    pub(crate) start: i64,
    /// Bucket width in seconds.
    pub(crate) width: i64,
    /// Number of buckets.
    pub(crate) n: usize,
}

impl Buckets {
    /// The finest buckets that cover `min..=max` in at most `max_n` buckets.
    pub(crate) fn covering(min: i64, max: i64, max_n: usize) -> Self {
        let max_n = max_n.max(1) as i64;
        let (min, max) = (min.min(max), min.max(max));
        for &width in WIDTHS {
            let start = min.div_euclid(width) * width;
            let n = (max - start).div_euclid(width) + 1;
            if n <= max_n {
                return Buckets {
                    start,
                    width,
                    n: n as usize,
                };
            }
        }
        // Beyond a year per bucket: stretch the widest width to fit.
        let width = ((max - min) / max_n + 1).max(1);
        Buckets {
            start: min,
            width,
            n: ((max - min) / width + 1) as usize,
        }
    }

    /// Bucket of `t` (clamped to the axis).
    pub(crate) fn index(&self, t: i64) -> usize {
        let i = (t - self.start).div_euclid(self.width).max(0) as usize;
        i.min(self.n.saturating_sub(1))
    }

    /// Counts per bucket.
    pub(crate) fn count(&self, times: &[i64]) -> Vec<u32> {
        let mut out = vec![0u32; self.n];
        for &t in times {
            out[self.index(t)] += 1;
        }
        out
    }

    /// Human label of bucket `i`'s start.
    pub(crate) fn label(&self, i: usize) -> String {
        let t = self.start + self.width * i as i64;
        if self.width < 86_400 {
            fmt::datetime_unix(t)
        } else {
            fmt::date_unix(t)
        }
    }

    /// `6 h`, `1 day`, … : what one bucket is.
    pub(crate) fn width_label(&self) -> String {
        match self.width {
            86_400 => "1 day".to_string(),
            w if w % 86_400 == 0 => format!("{} days", w / 86_400),
            w if w % 3600 == 0 => format!("{} h", w / 3600),
            w => format!("{w} s"),
        }
    }
}

/// A short axis label for time `t` on an axis spanning `range` seconds: `18:00` within a day
/// (with the day at midnight), `15 Jul` within a few months, `Jul 2018` beyond.
fn axis_label(t: i64, range: i64) -> String {
    let Some(dt) = chrono::DateTime::from_timestamp(t, 0) else {
        return t.to_string();
    };
    if range <= 2 * 86_400 {
        dt.format("%-d %b %H:%M").to_string()
    } else if range <= 120 * 86_400 {
        dt.format("%-d %b").to_string()
    } else {
        dt.format("%b %Y").to_string()
    }
}

/// Rough width in pixels of a label in the charts' small sans-serif type.
fn label_width(s: &str, px: f64) -> f64 {
    s.chars().count() as f64 * px * 0.6
}

/// Indexes of the axis ticks of `n` buckets `cell` pixels wide whose labels (each `label_w`
/// pixels at most) do not overlap: the first, the last, and evenly spaced ones between.
fn ticks(n: usize, cell: f64, label_w: f64) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let span = cell * (n - 1) as f64;
    // Labels between the ends are centred on their tick, the first starts at its tick and the
    // last ends at it: neighbours need a label and a half of room, plus a margin.
    let gap = 1.5 * label_w + 14.0;
    if span < gap {
        return vec![0];
    }
    // Every `step` buckets, with the last tick moved to the end of the axis (which keeps it
    // at least `step` from the one before).
    let step = ((gap / cell).ceil() as usize).max(1);
    let mut out: Vec<usize> = (0..n).step_by(step).collect();
    let last = out[out.len() - 1];
    if last != n - 1 {
        if n - 1 - last >= step {
            out.push(n - 1);
        } else if out.len() > 1 {
            let at = out.len() - 1;
            out[at] = n - 1;
        }
    }
    out
}

/// A bar sparkline of publication times (Unix seconds), with its first and last dates under
/// it; a dash when there are none.
pub(crate) fn sparkline(times: &[i64]) -> Markup {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    const AXIS: f64 = 12.0;
    let (Some(&min), Some(&max)) = (times.iter().min(), times.iter().max()) else {
        return html! { span.spark-none title="no dated articles" { "—" } };
    };
    let b = Buckets::covering(min, max, 24);
    let counts = b.count(times);
    let peak = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    // At least 12 slots, so one busy hour is a bar, not a slab.
    let slot = W / b.n.max(12) as f64;
    let bar = (slot - 1.0).max(1.0);
    let label = format!(
        "{} dated article(s) from {} to {}, per {}",
        times.len(),
        fmt::date_unix(min),
        fmt::date_unix(max),
        b.width_label()
    );
    let range = max - min;
    let (from, to) = (axis_label(min, range), axis_label(max, range));
    html! {
        svg.spark xmlns="http://www.w3.org/2000/svg" width=(W) height=(H + AXIS)
            viewBox={"0 0 " (W) " " (H + AXIS)} role="img" aria-label=(label) {
            title { (label) }
            line.spark-base x1="0" y1=(H - 0.5) x2=(W) y2=(H - 0.5) {}
            @for (i, &c) in counts.iter().enumerate() {
                @if c > 0 {
                    @let h = ((c as f64 / peak) * (H - 2.0)).max(2.0);
                    rect.spark-bar x=(fmt2(i as f64 * slot)) y=(fmt2(H - h)) width=(fmt2(bar)) height=(fmt2(h)) {}
                }
            }
            text.spark-axis x="0" y=(fmt2(H + AXIS - 2.0)) text-anchor="start" { (from) }
            @if to != from && label_width(&from, 9.0) + label_width(&to, 9.0) + 6.0 <= W {
                text.spark-axis x=(W) y=(fmt2(H + AXIS - 2.0)) text-anchor="end" { (to) }
            }
        }
    }
}

/// One row of the coverage grid.
pub(crate) struct CoverageRow {
    /// Outlet name (or a placeholder for articles without one).
    pub(crate) label: String,
    /// Publication times of its dated articles.
    pub(crate) times: Vec<i64>,
    /// Articles without a trusted date.
    pub(crate) undated: usize,
}

/// The outlet × time grid: one row per outlet, one column per time bucket, darker = more
/// articles. Returns `None` when no article has a date.
pub(crate) fn coverage(rows: &[CoverageRow]) -> Option<Markup> {
    coverage_of(rows, "outlet", "outlets")
}

/// [`coverage`] with rows of another kind (a storyline's stories), named in the chart's label.
pub(crate) fn coverage_of(rows: &[CoverageRow], one: &str, many: &str) -> Option<Markup> {
    let all: Vec<i64> = rows.iter().flat_map(|r| r.times.iter().copied()).collect();
    let (min, max) = (*all.iter().min()?, *all.iter().max()?);
    let b = Buckets::covering(min, max, 36);
    let any_undated = rows.iter().any(|r| r.undated > 0);
    const LABEL_W: f64 = 170.0;
    const ROW_H: f64 = 22.0;
    const TOP: f64 = 4.0;
    let undated_w = if any_undated { 56.0 } else { 0.0 };
    let cell = ((760.0 - LABEL_W - undated_w) / b.n as f64).clamp(8.0, 40.0);
    let grid_w = cell * b.n as f64;
    let width = LABEL_W + grid_w + undated_w + 8.0;
    let height = TOP + ROW_H * rows.len() as f64 + 30.0;
    let axis_y = TOP + ROW_H * rows.len() as f64 + 16.0;
    let range = b.width * b.n as i64;
    let tick_label = |i: usize| axis_label(b.start + b.width * i as i64, range);
    let widest = (0..b.n)
        .map(|i| label_width(&tick_label(i), 11.0))
        .fold(0.0, f64::max);
    let ticks = ticks(b.n, cell, widest);
    let label = format!(
        "Coverage by {one}: {} {many}, {} to {}, one column per {}",
        rows.len(),
        fmt::date_unix(min),
        fmt::date_unix(max),
        b.width_label()
    );
    Some(html! {
        svg.coverage xmlns="http://www.w3.org/2000/svg" width=(fmt2(width)) height=(fmt2(height))
            viewBox={"0 0 " (fmt2(width)) " " (fmt2(height))} role="img" aria-label=(label) {
            title { (label) }
            @for (r, row) in rows.iter().enumerate() {
                @let y = TOP + ROW_H * r as f64;
                text.cov-label x=(LABEL_W - 8.0) y=(fmt2(y + ROW_H * 0.68)) { (truncate(&row.label, 22)) }
                rect.cov-track x=(LABEL_W) y=(fmt2(y + 2.0)) width=(fmt2(grid_w)) height=(fmt2(ROW_H - 4.0)) {}
                @for (i, &c) in b.count(&row.times).iter().enumerate() {
                    @if c > 0 {
                        rect class={"cov-cell cov-" (level(c))} x=(fmt2(LABEL_W + cell * i as f64 + 0.5))
                            y=(fmt2(y + 2.0)) width=(fmt2(cell - 1.0)) height=(fmt2(ROW_H - 4.0)) {
                            title { (row.label) " — " (b.label(i)) " (+" (b.width_label()) "): " (fmt::plural(c as usize, "article", "articles")) }
                        }
                    }
                }
                @if row.undated > 0 {
                    text.cov-undated x=(fmt2(LABEL_W + grid_w + 8.0)) y=(fmt2(y + ROW_H * 0.68)) {
                        "+" (row.undated) " undated"
                    }
                }
            }
            @for &i in &ticks {
                @let x = LABEL_W + cell * i as f64;
                line.cov-tick x1=(fmt2(x)) y1=(fmt2(axis_y - 12.0)) x2=(fmt2(x)) y2=(fmt2(axis_y - 7.0)) {}
                text.cov-axis x=(fmt2(x)) y=(fmt2(axis_y + 4.0))
                    text-anchor=(if i == 0 { "start" } else if i + 1 == b.n && b.n > 1 { "end" } else { "middle" }) {
                    (tick_label(i))
                }
            }
        }
    })
}

/// Colour step for a cell holding `c` articles.
fn level(c: u32) -> u32 {
    match c {
        0 => 0,
        1 => 1,
        2 => 2,
        3..=4 => 3,
        _ => 4,
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Coordinates with at most two decimals keep the markup small.
fn fmt2(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_pick_the_finest_width_that_fits() {
        let b = Buckets::covering(0, 10 * 3600, 24);
        assert_eq!((b.width, b.n), (3600, 11));
        let b = Buckets::covering(0, 30 * 86_400, 24);
        assert_eq!(b.width, 2 * 86_400);
        assert!(b.n <= 24);
        let b = Buckets::covering(5, 5, 24);
        assert_eq!(b.n, 1);
        assert_eq!(b.count(&[5, 5]), vec![2]);
        let b = Buckets::covering(0, 1000 * 365 * 86_400, 24);
        assert!(b.n <= 24 && b.index(1000 * 365 * 86_400) < b.n);
    }

    #[test]
    fn axis_labels_never_overlap() {
        for (n, cell, w) in [
            (3, 40.0, 80.0),
            (36, 16.0, 80.0),
            (12, 40.0, 60.0),
            (1, 40.0, 80.0),
        ] {
            let t = ticks(n, cell, w);
            assert!(!t.is_empty() && t[0] == 0, "{t:?}");
            assert!(t.iter().all(|&i| i < n));
            for pair in t.windows(2) {
                let apart = (pair[1] - pair[0]) as f64 * cell;
                assert!(
                    apart >= 1.5 * w + 14.0,
                    "{n} buckets: ticks {t:?} too close"
                );
            }
        }
        assert_eq!(
            ticks(3, 40.0, 80.0),
            vec![0],
            "one label when two do not fit"
        );
        assert_eq!(
            *ticks(36, 16.0, 80.0).last().unwrap(),
            35,
            "the end is labelled"
        );
        assert_eq!(axis_label(0, 3600), "1 Jan 00:00");
        assert_eq!(axis_label(0, 10 * 86_400), "1 Jan");
        assert_eq!(axis_label(0, 400 * 86_400), "Jan 1970");
    }

    #[test]
    fn counts_land_in_the_right_bucket() {
        let b = Buckets::covering(0, 3 * 86_400, 10);
        assert_eq!(b.width, 12 * 3600);
        assert_eq!(
            b.count(&[0, 1, 86_400, 3 * 86_400]),
            vec![2, 0, 1, 0, 0, 0, 1]
        );
    }

    #[test]
    fn charts_escape_labels_and_draw_cells() {
        let rows = vec![
            CoverageRow {
                label: "<script>x</script>".into(),
                times: vec![0, 3600, 86_400],
                undated: 1,
            },
            CoverageRow {
                label: "B".into(),
                times: vec![],
                undated: 2,
            },
        ];
        let svg = coverage(&rows).unwrap().into_string();
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert_eq!(
            svg.matches("class=\"cov-cell").count(),
            3,
            "hourly buckets: 0 h, 1 h, 24 h"
        );
        assert!(svg.contains("+2 undated"));
        assert!(coverage(&rows[1..]).is_none());
        let spark = sparkline(&[0, 0, 86_400]).into_string();
        assert_eq!(spark.matches("class=\"spark-bar\"").count(), 2, "{spark}");
        assert!(sparkline(&[]).into_string().contains('—'));
    }
}
