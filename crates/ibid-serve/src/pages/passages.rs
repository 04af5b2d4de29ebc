//! Reused text: the shared passages of the whole store (`/passages`), one passage with every
//! copy diffed (`/passages/ID`), and two articles side by side (`/compare?a=&b=`).

use axum::extract::{Path, State};
use maud::{html, Markup};

use super::{article_title, diff_markup, layout, ok, pager, Nav, PageResult, Q};
use crate::error::Failure;
use crate::fmt::{self, article_href, passage_href};
use crate::model::{self, Occurrence};
use crate::params::Params;
use crate::{queries, AppState};

/// Passages per page of the list.
const PER_PAGE: usize = 30;

pub(super) async fn passages(State(s): State<AppState>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let page = p.usize("page", 1, 1, 100_000)?;
    let (total, rows, sources) =
        s.db.read(move |st| {
            let conn = st.connection();
            let (total, rows) = queries::passages_page(conn, PER_PAGE, (page - 1) * PER_PAGE)?;
            let mut sources = Vec::with_capacity(rows.len());
            for r in &rows {
                let Some((article, (start, end))) = model::parse_passage_id(&r.id) else {
                    sources.push(None);
                    continue;
                };
                let meta =
                    queries::articles_by_id(conn, std::slice::from_ref(&article))?.remove(&article);
                let text = st
                    .original_text(&article)?
                    .map(|t| queries::slice_chars(&t, start, end))
                    .unwrap_or_default();
                sources.push(Some((meta, text)));
            }
            Ok((total, rows, sources))
        })
        .await?;
    let body = html! {
        div.page-head { h1 { "Shared passages" }
            p.lede { "Text that several outlets carry: wire copy, statements, reused paragraphs. "
                "Most widely shared first; passages only one outlet repeats (its own boilerplate) are left out." } }
        p.count-line { (fmt::plural(total, "passage", "passages")) }
        ol.passage-list {
            @for (r, src) in rows.iter().zip(&sources) {
                li.passage-item {
                    a.passage-title href=(passage_href(&r.id)) {
                        @match src {
                            Some((_, text)) => (excerpt(text, 40)),
                            None => (r.id),
                        }
                    }
                    div.meta {
                        span.n { (fmt::plural(r.articles as usize, "article", "articles")) } " · "
                        span.n { (fmt::plural(r.outlets as usize, "outlet", "outlets")) }
                        @if let Some((Some(m), _)) = src {
                            " · first in " span.outlet { (m.outlet.as_deref().unwrap_or("(no outlet)")) }
                            @if let Some(p) = &m.published { " · " (fmt::date(p)) }
                        }
                    }
                }
            }
        }
        (pager(page, PER_PAGE, total, |n| if n > 1 { format!("/passages?page={n}") } else { "/passages".into() }))
    };
    ok(layout("Shared passages", Nav::Passages, body))
}

/// The first `words` words of a text, with an ellipsis when cut.
fn excerpt(text: &str, words: usize) -> String {
    let all: Vec<&str> = text.split_whitespace().collect();
    let mut out = all[..all.len().min(words)].join(" ");
    if all.len() > words {
        out.push('…');
    }
    out
}

fn occurrence_head(o: &Occurrence) -> Markup {
    html! {
        span.outlet { (o.meta.as_ref().and_then(|m| m.outlet.as_deref()).unwrap_or("(no outlet)")) }
        @if let Some(p) = o.meta.as_ref().and_then(|m| m.published.as_deref()) { " · " (fmt::date(p)) }
        " · " a href=(article_href(&o.article)) {
            (o.meta.as_ref().map(article_title).unwrap_or_else(|| o.article.clone()))
        }
    }
}

pub(super) async fn passage(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let key = id.clone();
    let Some(d) = s.db.read(move |st| model::passage_detail(st, &key)).await? else {
        return Err(
            Failure::NotFound(format!("There is no shared passage with id “{id}”.")).into(),
        );
    };
    let body = html! {
        nav.crumbs { a href="/passages" { "Shared passages" } " › " }
        div.page-head {
            h1 { "A passage in " (fmt::plural(d.copies.len() + 1, "article", "articles")) }
            p.lede { "First published by " (occurrence_head(&d.source)) }
        }
        section #source {
            h2 { "The passage" }
            p.passage-text { (d.source.text) }
        }
        section #copies {
            h2 { "Copies " span.badge { (d.copies.len()) } }
            p.legend {
                "Word-level differences from the text each copy was aligned with: " del { "struck" }
                " = cut, " ins { "underlined" } " = added."
            }
            div.passages {
                @for (i, c) in d.copies.iter().enumerate() {
                    details.passage open[i < 5] {
                        summary {
                            span.pair { (occurrence_head(&c.at)) }
                            span.muted { " · " (format!("{:.0}", c.word_similarity * 100.0)) "% of words shared"
                                @if c.against != d.source.article { " · against " a href=(article_href(&c.against)) { "another copy" } } }
                        }
                        div.passage-body { p.diff { (diff_markup(&c.diff)) } }
                    }
                }
            }
        }
    };
    ok(layout("Shared passage", Nav::Passages, body))
}

pub(super) async fn compare(State(s): State<AppState>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let (Some(a), Some(b)) = (
        p.str("a").map(str::to_string),
        p.str("b").map(str::to_string),
    ) else {
        return Err(Failure::BadRequest("Give two articles: /compare?a=ID&b=ID".into()).into());
    };
    let (ka, kb) = (a.clone(), b.clone());
    let Some(c) = s.db.read(move |st| model::compare(st, &ka, &kb)).await? else {
        return Err(Failure::NotFound(format!("There is no article “{a}” or “{b}”.")).into());
    };
    let head = |m: &queries::ArticleMeta| {
        html! {
            span.outlet { (m.outlet.as_deref().unwrap_or("(no outlet)")) }
            @if let Some(p) = &m.published { " · " (fmt::date(p)) }
            " · " a href=(article_href(&m.id)) { (article_title(m)) }
        }
    };
    let body = html! {
        div.page-head {
            h1 { "Differences between two articles" }
            p.lede { (format!("{:.0}", c.word_similarity * 100.0)) "% of their words are shared." }
        }
        section #compare {
            div.diff-titles {
                div { span.side-a { "A" } " " (head(&c.a)) }
                div { span.side-b { "B" } " " (head(&c.b)) }
            }
            p.legend { del { "struck" } " = only in A, " ins { "underlined" } " = only in B." }
            div.diff.whole { (diff_markup(&c.diff)) }
        }
    };
    ok(layout("Differences", Nav::Passages, body))
}
