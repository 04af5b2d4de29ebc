//! All quotations, searchable by speaker and by words (`/quotes`).

use axum::extract::State;
use maud::html;

use super::{layout, ok, pager, quote_item, Nav, PageResult, Q};
use crate::fmt;
use crate::model::Quote;
use crate::params::Params;
use crate::{queries, AppState};

/// Quotations per page.
const PER_PAGE: usize = 30;

pub(super) async fn quotes(State(s): State<AppState>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let page = p.usize("page", 1, 1, 100_000)?;
    let speaker = p.str("speaker").map(str::to_string);
    let words = p.str("q").map(str::to_string);
    let (sp, w) = (speaker.clone(), words.clone());
    let (total, items, speakers) =
        s.db.read(move |st| {
            let conn = st.connection();
            let (total, rows) = queries::quotes_search(
                conn,
                sp.as_deref().map(queries::Speaker::Part),
                w.as_deref(),
                ibid_store::LISTED_CONFIDENCE,
                PER_PAGE,
                (page - 1) * PER_PAGE,
            )?;
            let mut ids: Vec<String> = rows.iter().map(|q| q.article.clone()).collect();
            ids.sort();
            ids.dedup();
            let meta = queries::articles_by_id(conn, &ids)?;
            let items: Vec<Quote> = rows
                .into_iter()
                .map(|q| {
                    let m = meta.get(&q.article);
                    Quote {
                        outlet: m.and_then(|m| m.outlet.clone()),
                        title: m.and_then(|m| m.title.clone()),
                        published: m.and_then(|m| m.published.clone()),
                        lede: m.map(|m| m.lede.clone()).unwrap_or_default(),
                        quote: q,
                    }
                })
                .collect();
            let speakers = match &sp {
                Some(name) => queries::speakers_like(conn, name, 10)?,
                None => Vec::new(),
            };
            Ok((total, items, speakers))
        })
        .await?;
    let link = |n: usize| {
        let page = n.to_string();
        format!(
            "/quotes{}",
            fmt::query(&[
                ("speaker", speaker.as_deref()),
                ("q", words.as_deref()),
                ("page", (n > 1).then_some(page.as_str())),
            ])
        )
    };
    let body = html! {
        div.page-head { h1 { "Quotes" } p.lede { "What people are quoted as saying, in every article. Newest first." } }
        form.filters action="/quotes" method="get" {
            label.grow { span { "Speaker" } input type="search" name="speaker" value=[speaker.as_deref()] placeholder="any speaker (part of a name)"; }
            label.grow { span { "Words" } input type="search" name="q" value=[words.as_deref()] placeholder="words in the quotation"; }
            div.filter-actions { button type="submit" { "Search" } @if speaker.is_some() || words.is_some() { a.reset href="/quotes" { "Reset" } } }
        }
        @if !speakers.is_empty() {
            p.chip-line { "Speakers matching: "
                @for (name, n) in &speakers {
                    a.chip href={"/quotes" (fmt::query(&[("speaker", Some(name)), ("q", words.as_deref())]))} { (name) " " span.count { (n) } } " "
                }
            }
        }
        p.count-line #quote-count {
            @if total == 0 { "No quotation matches." }
            @else { (fmt::plural(total, "quotation", "quotations")) }
        }
        ul.quotes.quote-page {
            @for q in &items {
                li.quote-row {
                    div.speaker-name { (q.quote.speaker.as_deref().unwrap_or("Unattributed")) }
                    ul.quotes { (quote_item(q)) }
                }
            }
        }
        (pager(page, PER_PAGE, total, link))
    };
    ok(layout("Quotes", Nav::Quotes, body))
}
