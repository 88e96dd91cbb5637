//! `GET …/guide.jsonld`: the municipality's guide as CPSV-AP JSON-LD
//! (`domain::guide::cpsv`), every procedure the public sees, with its offices
//! as contact points.

use baladiya::domain::MunicipalityId;
use baladiya::domain::guide::cpsv::{self, ContactPoint};
use baladiya::domain::guide::overlay;
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::json;

use crate::Ctx;
use crate::procedures::municipality;
use crate::views;

pub async fn cpsv(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    view.query(&[])?;
    let who = view.optional_principal(&ctx.verifier)?;
    let muni = municipality(ctx, m, who.as_ref()).await?;
    let index = ctx.store.guide_index(m, false).await?;
    let offices = ctx.store.offices(m).await?;
    let base = format!(
        "https://{}",
        view.header("host").unwrap_or("api.baladiya.tn")
    );
    let authority = format!("{base}/v1/municipalities/{m}");
    let name = baladiya::domain::Text {
        ar: muni.name.ar.clone().unwrap_or_default(),
        fr: muni.name.fr.clone().unwrap_or_default(),
        en: muni.name.en.clone().unwrap_or_default(),
    };
    // The municipality's own texts in one Query; the catalogue's are at hand.
    let entries = if index.version == 0 {
        Vec::new()
    } else {
        ctx.store.guide_entries(m).await?
    };
    let mut graph = Vec::new();
    for l in index.listing(false) {
        let entry = entries.iter().find(|e| e.code == l.code);
        let Some((p, _)) = overlay::effective(l.code, entry) else {
            continue;
        };
        let serving = views::offices_for(p, offices.clone());
        let contacts: Vec<ContactPoint<'_>> = serving
            .iter()
            .map(|o| ContactPoint {
                id: format!("{authority}/offices/{}", o.code),
                name: &o.name,
                phone: o.phone.as_deref(),
                hours: &o.hours,
            })
            .collect();
        let id = format!("{authority}/procedures/{}", p.code);
        graph.push(cpsv::public_service(p, &id, (&authority, &name), &contacts));
    }
    let doc = json!({"@context": cpsv::context(), "@graph": graph});
    let body = serde_json::to_string(&doc).map_err(|_| ApiError::internal())?;
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/ld+json")
        .header("cache-control", "public, max-age=3600")
        .body(Body::Text(body))
        .map_err(|_| ApiError::internal())
}
