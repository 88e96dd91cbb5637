//! A stable link to one file of one version of a document, for those who
//! cannot keep a 10-minute link (an OParl client, a page that cites the
//! budget): each GET redirects to a fresh short-lived download link.

use baladiya::domain::MunicipalityId;
use baladiya::http::response::redirect;
use baladiya::http::{Answer, ApiError, RequestView};

use crate::Ctx;
use crate::documents::{doc_id, visible};

/// `GET …/documents/{id}/versions/{n}/files/{file}`: 302 to the file; a
/// document not public is found by staff with `reports` only.
pub async fn file(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    id: &str,
    number: &str,
    file: &str,
) -> Answer {
    view.query(&[])?;
    let id = doc_id(id)?;
    let number: u32 = number.parse().map_err(|_| ApiError::not_found())?;
    let (d, staff) = visible(ctx, view, m, &id).await?;
    let mut versions = ctx.store.document_versions(m, &id).await?;
    if !staff {
        versions = baladiya::domain::document::public_versions(&d, versions);
    }
    let f = versions
        .iter()
        .find(|v| v.number == number)
        .and_then(|v| v.files.iter().find(|f| f.id == file))
        .ok_or_else(ApiError::not_found)?;
    let url = ctx
        .files
        .0
        .download(&f.key)
        .await?
        .ok_or_else(ApiError::unavailable)?;
    redirect(&url)
}
