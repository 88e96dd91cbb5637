//! Uploading a file the way the app does: ask the API for a presigned URL,
//! then PUT the bytes there.

use serde_json::json;

use crate::{Api, send};

/// A small PDF, as an answer or a missing plan.
pub const SMALL_PDF: &[u8] =
    b"%PDF-1.4\n% Baladiya test answer\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// Ask `path` (a case's `…/attachments` or `…/documents`) as `token` for an
/// upload of `bytes` of `content_type` and PUT them there; the file's id.
pub async fn upload(
    api: &Api,
    path: &str,
    token: &str,
    content_type: &str,
    bytes: &[u8],
) -> String {
    let a = send(
        api.post(path)
            .bearer_auth(token)
            .json(&json!({ "content_type": content_type, "size": bytes.len() })),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let put = api
        .http
        .put(a.body["upload"]["url"].as_str().unwrap())
        .header("content-type", content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    a.body["id"].as_str().unwrap().to_owned()
}
