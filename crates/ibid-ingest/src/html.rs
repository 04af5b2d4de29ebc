//! HTML pages and WARC archives, through `ibid-html`.
//!
//! An HTML page becomes one article: the extracted main text is the article's text (what
//! every span refers to), the page's metadata fills the other fields, and the page bytes travel
//! along in [`Record::raw`] so extraction can be redone later. A WARC archive yields one
//! article per HTML response record, with the target URI as id and URL and the WARC-Date as
//! fetch time.

use std::io::{BufRead, Read};

use ibid_core::RawArticle;

use crate::lead::Lead;
use crate::{DeferredHtml, IngestError, Item, Pending, ReadContext, Record};

fn article_from_html(id: String, html: &ibid_html::HtmlArticle, url: Option<&str>) -> RawArticle {
    RawArticle {
        id,
        text: html.text.clone(),
        title: html.title.clone(),
        url: html.url.clone().or_else(|| url.map(str::to_string)),
        outlet: html.outlet.clone(),
        published: html.published.clone(),
        author: html.author.clone(),
    }
}

/// Reads one HTML page as one article; extraction is deferred to [`Pending::resolve`] so it
/// can run on another thread.
pub(crate) fn read_html<R: BufRead, F>(
    ctx: &ReadContext<'_>,
    lead: Lead,
    reader: R,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    match crate::read_record_bytes(ctx, lead, reader, false, "page") {
        Ok(bytes) => out(Pending::html(ctx, None, None, None, bytes)),
        Err(rejection) => out((*rejection).into()),
    }
}

/// Extracts a deferred HTML page (see [`read_html`] and [`read_warc`]).
pub(crate) fn resolve_html(page: DeferredHtml) -> Item {
    let DeferredHtml {
        location,
        file_id,
        url,
        fetched,
        bytes,
        keep_raw,
        budget,
    } = page;
    let reject = |reason: String, bytes: &[u8]| {
        Item::Rejected(crate::Rejection::new(
            location.clone(),
            reason,
            &bytes[..bytes.len().min(keep_raw)],
            bytes.len() as u64,
        ))
    };
    let for_url = url
        .as_deref()
        .map_or_else(|| " (HTML)".to_string(), |u| format!(" for {u}"));
    match ibid_html::extract_html_within(&bytes, url.as_deref(), budget) {
        Ok(page) if page.text.trim().is_empty() => reject(
            format!("no article text found in the page{for_url}"),
            &bytes,
        ),
        Ok(page) => {
            // WARC records are named by their URL; files by their name (stdin: content hash).
            let id = match (&url, file_id) {
                (Some(u), _) => u.clone(),
                (None, Some(id)) => id,
                (None, None) => crate::stdin_id(&page.text),
            };
            Item::Article(Record {
                article: article_from_html(id, &page, url.as_deref()),
                location,
                fetched,
                raw: Some(bytes),
                warnings: Vec::new(),
            })
        }
        Err(err) => reject(format!("unusable page{for_url}: {err}"), &bytes),
    }
}

/// Reads every HTML response record of a WARC archive (plain or gzipped per record);
/// extraction is deferred as in [`read_html`].
pub(crate) fn read_warc<R: Read, F>(
    ctx: &ReadContext<'_>,
    reader: R,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    let mut records = 0u64;
    // Records past the limit are read through, not held: memory stays bounded by the limit.
    let warc = ibid_html::warc_records_up_to(reader, ctx.opts.max_record_bytes);
    for (i, item) in warc.enumerate() {
        records += 1;
        match item {
            Ok(rec) => {
                let n = Some(i as u64 + 1);
                if rec.body.len() > ctx.opts.max_record_bytes {
                    out(ctx
                        .rejection(
                            n,
                            format!("WARC record for {} is too large", rec.url),
                            &rec.body,
                        )
                        .into())?;
                    continue;
                }
                out(Pending::html(ctx, n, Some(rec.url), rec.date, rec.body))?;
            }
            Err(err) => {
                out(ctx
                    .rejection(
                        Some(err.record as u64),
                        format!("broken WARC record: {}", err.reason),
                        &err.raw,
                    )
                    .into())?;
            }
        }
    }
    if records == 0 {
        out(ctx
            .rejection(
                None,
                "no HTML response records in the WARC file".into(),
                &[],
            )
            .into())?;
    }
    Ok(())
}
