//! HTML pages and WARC archives, through `ibid-html`.
//!
//! An HTML page becomes one article: the extracted main text is the article's text (what
//! every span refers to), the page's metadata fills the other fields, and the page bytes travel
//! along in [`Record::raw`] so extraction can be redone later. A WARC archive yields one
//! article per HTML response record, with the target URI as id and URL and the WARC-Date as
//! fetch time.

use std::io::Read;

use ibid_core::RawArticle;

use crate::{IngestError, Item, ReadContext, Record};

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

/// Reads one HTML page as one article.
pub(crate) fn read_html<R: Read, F>(
    ctx: &ReadContext<'_>,
    reader: R,
    sink: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Item) -> Result<(), IngestError>,
{
    let limit = ctx.opts.max_record_bytes as u64;
    let mut bytes = Vec::new();
    if let Err(err) = reader.take(limit + 1).read_to_end(&mut bytes) {
        return sink(ctx.rejection(None, format!("read error: {err}"), &bytes));
    }
    if bytes.len() as u64 > limit {
        return sink(ctx.rejection(
            None,
            format!("too large: more than {limit} bytes in one page (raise --max-record-bytes)"),
            &bytes,
        ));
    }
    match ibid_html::extract_html(&bytes, None) {
        Ok(page) if page.text.trim().is_empty() => sink(ctx.rejection(
            None,
            "no article text found in the HTML page".into(),
            &bytes,
        )),
        Ok(page) => {
            let id = ctx.file_id(&page.text);
            sink(Item::Article(Record {
                article: article_from_html(id, &page, None),
                location: ctx.location(None),
                fetched: None,
                raw: Some(bytes),
            }))
        }
        Err(err) => sink(ctx.rejection(None, format!("unusable HTML: {err}"), &bytes)),
    }
}

/// Reads every HTML response record of a WARC archive (plain or gzipped per record).
pub(crate) fn read_warc<R: Read, F>(
    ctx: &ReadContext<'_>,
    reader: R,
    sink: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Item) -> Result<(), IngestError>,
{
    let mut records = 0u64;
    for (i, item) in ibid_html::warc_records(reader).enumerate() {
        records += 1;
        match item {
            Ok(rec) => {
                let n = Some(i as u64 + 1);
                if rec.body.len() > ctx.opts.max_record_bytes {
                    sink(ctx.rejection(
                        n,
                        format!("WARC record for {} is too large", rec.url),
                        &rec.body,
                    ))?;
                    continue;
                }
                match ibid_html::extract_html(&rec.body, Some(&rec.url)) {
                    Ok(page) if !page.text.trim().is_empty() => sink(Item::Article(Record {
                        article: article_from_html(rec.url.clone(), &page, Some(&rec.url)),
                        location: ctx.location(n),
                        fetched: rec.date.clone(),
                        raw: Some(rec.body),
                    }))?,
                    Ok(_) => sink(ctx.rejection(
                        n,
                        format!("no article text found in the page for {}", rec.url),
                        &rec.body,
                    ))?,
                    Err(err) => sink(ctx.rejection(
                        n,
                        format!("unusable HTML for {}: {err}", rec.url),
                        &rec.body,
                    ))?,
                }
            }
            Err(err) => {
                sink(ctx.rejection(
                    Some(err.record as u64),
                    format!("broken WARC record: {}", err.reason),
                    &[],
                ))?;
            }
        }
    }
    if records == 0 {
        sink(ctx.rejection(
            None,
            "no HTML response records in the WARC file".into(),
            &[],
        ))?;
    }
    Ok(())
}
