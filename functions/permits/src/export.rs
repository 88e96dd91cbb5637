//! `POST …/permits/exports`: every dossier of the municipality as open data in
//! the Building & Land Development Specification (BLDS), CSV and JSON, written
//! to the documents bucket under `<m>/open-data/`. Only public facts go out:
//! nothing names or identifies a holder (`blds::PermitFacts` has no field for
//! it, and a description that might is replaced by the dossier type's name).

use std::time::Duration;

use baladiya::domain::case::{CaseRecord, CaseType};
use baladiya::domain::permit::blds::{self, PermitFacts};
use baladiya::domain::permit::{Permit, PermitData, public_description};
use baladiya::domain::roles::authorize;
use baladiya::domain::{MunicipalityId, Permission};
use baladiya::files::object_key;
use baladiya::http::response::json;
use baladiya::http::{Answer, ApiError, RequestView};
use http::StatusCode;
use serde::Serialize;

use crate::Ctx;

/// How long the download links of an export work.
const LINK: Duration = Duration::from_secs(3600);
const CSV_TYPE: &str = "text/csv; charset=utf-8";
const JSON_TYPE: &str = "application/json";

#[derive(Serialize)]
struct ExportFile {
    key: String,
    content_type: &'static str,
    url: String,
    expires_in: u64,
}

#[derive(Serialize)]
struct ExportView {
    /// Dossiers exported.
    records: usize,
    generated_at: String,
    csv: ExportFile,
    json: ExportFile,
}

/// What the export says of one dossier.
fn facts<'a>(
    case: &'a CaseRecord<PermitData>,
    city: &'a str,
    governorate: &'a str,
) -> PermitFacts<'a> {
    let data = &case.data;
    PermitFacts {
        reference: &data.reference,
        dossier_type: &data.dossier_type,
        description: public_description(data),
        state: &case.state,
        applied: &case.created_at,
        issued: data.issued_at.as_deref(),
        completed: data.completed_at.as_deref(),
        status_date: &case.updated_at,
        address: &data.address,
        city,
        state_or_governorate: governorate,
        postal_code: Some(&data.postal_code),
        latitude: data.location.map(|l| l.lat),
        longitude: data.location.map(|l| l.lon),
        jurisdiction: case.municipality.as_str(),
        // Dossiers have no public page: their ids are not published.
        link: None,
    }
}

/// `POST …/permits/exports` (staff holding `permits`).
pub async fn export(ctx: &Ctx, view: &RequestView<'_>, m: &MunicipalityId) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    view.query(&[])?;
    authorize(&who, m, Permission::Permits)?;
    let muni = ctx.cases.service::<Permit>(m, Some(&who)).await?;
    let bucket = ctx.documents.as_deref().ok_or_else(ApiError::unavailable)?;

    let mut cases = Vec::new();
    let mut start = None;
    loop {
        let page = ctx
            .store
            .cases_of_kind::<PermitData>(m, Permit::KIND, None, 100, start)
            .await?;
        cases.extend(page.items);
        match page.next {
            Some(k) => start = Some(k),
            None => break,
        }
    }
    let city = muni.name.fr.as_deref().unwrap_or(m.as_str());
    let records: Vec<_> = cases
        .iter()
        .map(|c| blds::blds_record(&facts(c, city, &muni.governorate)))
        .collect();
    let problems = blds::validate(&records);
    if !problems.is_empty() {
        // The count only: the problems quote the records' values.
        tracing::error!(
            problems = problems.len(),
            records = records.len(),
            "the permits export does not pass BLDS validation"
        );
        return Err(ApiError::internal());
    }

    let mut files = Vec::new();
    for (name, content_type, text) in [
        ("permits.csv", CSV_TYPE, blds::to_csv(&records)),
        ("permits.json", JSON_TYPE, blds::to_json(&records)),
    ] {
        let key = object_key(m, "open-data", name);
        ctx.files
            .put_bytes(bucket, &key, content_type, text.into_bytes())
            .await
            .map_err(|_| ApiError::unavailable())?;
        let link = ctx
            .files
            .presign_download(bucket, &key, LINK)
            .await
            .map_err(|_| ApiError::unavailable())?;
        files.push(ExportFile {
            key,
            content_type,
            url: link.url,
            expires_in: link.expires_in,
        });
    }
    let (Some(json_file), Some(csv_file)) = (files.pop(), files.pop()) else {
        return Err(ApiError::internal());
    };
    json(
        StatusCode::CREATED,
        &ExportView {
            records: records.len(),
            generated_at: view.now_rfc3339(),
            csv: csv_file,
            json: json_file,
        },
    )
}
