//! A storyline's page: its stories over time (`/storylines/ID`).

use axum::extract::{Path, State};
use maud::html;

use super::{layout, ok, story_meta, title_or, Nav, PageResult};
use crate::error::Failure;
use crate::fmt::{self, story_href};
use crate::{model, queries, svg, AppState};

/// Stories drawn as rows of a storyline's chart.
const CHART_ROWS: usize = 30;

pub(super) async fn storyline(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let key = id.clone();
    let found =
        s.db.read(move |st| {
            let Some(d) = model::storyline_detail(st, &key)? else {
                return Ok(None);
            };
            let ids: Vec<String> = d.stories.iter().map(|s| s.id.clone()).collect();
            let times = queries::story_times(st.connection(), &ids)?;
            Ok(Some((d, times)))
        })
        .await?;
    let Some((d, times)) = found else {
        return Err(Failure::NotFound(format!("There is no storyline with id “{id}”.")).into());
    };
    // Named after its biggest story.
    let lead = d
        .stories
        .iter()
        .max_by_key(|s| (s.articles, std::cmp::Reverse(s.first_published.clone())))
        .map(|s| title_or(&s.title, "Untitled story").to_string())
        .unwrap_or_default();
    // The biggest stories are drawn as rows (in time order), the rest merged into one, so a
    // storyline of hundreds of stories stays a chart.
    let mut drawn: Vec<usize> = (0..d.stories.len()).collect();
    if drawn.len() > CHART_ROWS {
        drawn.sort_by_key(|&i| std::cmp::Reverse(d.stories[i].articles));
        drawn.truncate(CHART_ROWS - 1);
        drawn.sort_unstable();
    }
    let mut rows: Vec<svg::CoverageRow> = drawn
        .iter()
        .map(|&i| &d.stories[i])
        .map(|st| {
            let t: Vec<i64> = times
                .get(&st.id)
                .map(|v| v.iter().filter_map(|t| fmt::unix(t)).collect())
                .unwrap_or_default();
            svg::CoverageRow {
                label: title_or(&st.title, "Untitled story").to_string(),
                undated: (st.articles as usize).saturating_sub(t.len()),
                times: t,
            }
        })
        .collect();
    if drawn.len() < d.stories.len() {
        let rest: Vec<&queries::StorySummary> = (0..d.stories.len())
            .filter(|i| !drawn.contains(i))
            .map(|i| &d.stories[i])
            .collect();
        let times: Vec<i64> = rest
            .iter()
            .flat_map(|st| times.get(&st.id).into_iter().flatten())
            .filter_map(|t| fmt::unix(t))
            .collect();
        let all: usize = rest.iter().map(|st| st.articles as usize).sum();
        rows.push(svg::CoverageRow {
            label: format!("{} other stories", rest.len()),
            undated: all.saturating_sub(times.len()),
            times,
        });
    }
    let chart = svg::coverage_of(&rows, "story", "stories");
    let body = html! {
        nav.crumbs { a href="/" { "Stories" } " › storyline" }
        div.page-head {
            p.kicker { "Storyline" }
            h1 { (lead) }
            p.lede {
                (fmt::plural(d.stories.len(), "story", "stories")) " · "
                (fmt::plural(d.articles as usize, "article", "articles"))
                @if let (Some(a), Some(b)) = (&d.first_published, &d.last_published) {
                    " · " time datetime=(a) { (fmt::date(a)) } " – " time datetime=(b) { (fmt::date(b)) }
                }
            }
        }
        section #timeline {
            h2 { "Stories over time" }
            @match &chart {
                Some(svg) => div.chart { (svg) },
                None => p.empty { "None of its articles has a trusted publication date." },
            }
        }
        section #stories {
            h2 { "Stories, earliest first" }
            ol.story-list.timeline {
                @for st in &d.stories {
                    li.story-item {
                        div.story-main {
                            div.when {
                                @match &st.first_published {
                                    Some(p) => time datetime=(p) { (fmt::date(p)) },
                                    None => span.muted { "undated" },
                                }
                            }
                            a.story-title href=(story_href(&st.id)) { (title_or(&st.title, "Untitled story")) }
                            div.meta { (story_meta(st)) }
                        }
                    }
                }
            }
        }
    };
    ok(layout(&format!("Storyline: {lead}"), Nav::Stories, body))
}
