//! `GET …/news/feed.atom[?category]`: the municipality's published posts as an
//! Atom 1.0 feed (RFC 4287), newest first, in the caller's language.

use baladiya::domain::MunicipalityId;
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use lambda_http::{Body, Response};
use quick_xml::escape::escape;

use crate::Ctx;
use crate::posts::{category_of, municipality};
use baladiya::domain::news::NewsStatus;

/// Entries a feed carries.
const ENTRIES: i32 = 50;

pub async fn atom(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let query = view.query(&["category"])?;
    let category = category_of(query.get("category"))?;
    let muni = municipality(ctx, m, None).await?;
    let posts = ctx
        .store
        .posts(m, NewsStatus::Published, category, ENTRIES, None)
        .await?
        .items;
    let lang = view.lang;
    let base = format!(
        "https://{}",
        view.header("host").unwrap_or("api.baladiya.tn")
    );
    let name = muni.name.best(lang).to_owned();
    let self_url = match category {
        Some(c) => format!(
            "{base}/v1/municipalities/{m}/news/feed.atom?category={}",
            c.code()
        ),
        None => format!("{base}/v1/municipalities/{m}/news/feed.atom"),
    };
    let updated = posts
        .iter()
        .map(|p| p.updated_at.as_str())
        .max()
        .unwrap_or(muni_updated(&muni));
    let title = match category {
        Some(c) => format!("{name} — {}", c.label().pick(lang)),
        None => name.clone(),
    };
    let mut x = String::with_capacity(4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        lang.code()
    ));
    x.push_str(&format!("<id>{}</id>\n", escape(self_url.as_str())));
    x.push_str(&format!("<title>{}</title>\n", escape(title.as_str())));
    x.push_str(&format!("<updated>{updated}</updated>\n"));
    x.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(self_url.as_str())
    ));
    x.push_str(&format!(
        "<author><name>{}</name></author>\n",
        escape(name.as_str())
    ));
    for p in &posts {
        let url = format!("{base}/v1/municipalities/{m}/news/{}", p.id);
        x.push_str("<entry>\n");
        x.push_str(&format!("<id>{}</id>\n", escape(url.as_str())));
        x.push_str(&format!(
            "<title>{}</title>\n",
            escape(p.content.title.get(lang))
        ));
        x.push_str(&format!("<updated>{}</updated>\n", p.updated_at));
        if let Some(at) = &p.publish_at {
            x.push_str(&format!("<published>{at}</published>\n"));
        }
        x.push_str(&format!(
            "<link rel=\"alternate\" type=\"application/json\" href=\"{}\"/>\n",
            escape(url.as_str())
        ));
        x.push_str(&format!(
            "<category term=\"{}\" label=\"{}\"/>\n",
            p.content.category.code(),
            escape(p.content.category.label().pick(lang))
        ));
        x.push_str(&format!(
            "<content type=\"text\">{}</content>\n",
            escape(p.content.body.get(lang))
        ));
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/atom+xml; charset=utf-8")
        .header("cache-control", "public, max-age=300")
        .body(Body::Text(x))
        .map_err(|_| ApiError::internal())
}

/// A feed without entries is as new as the municipality's record.
fn muni_updated(m: &baladiya::domain::Municipality) -> &str {
    m.updated_at.as_str()
}
