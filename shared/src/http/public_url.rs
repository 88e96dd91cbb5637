//! The API's public base URL, for the absolute links some formats need
//! (OParl's ids, an iCalendar entry's URL): `BALADIYA_PUBLIC_URL`, else taken
//! from the request's `Host` (and `X-Forwarded-Proto`).

use super::RequestView;

/// Read once per cold start.
pub struct PublicUrl(pub Option<String>);

impl PublicUrl {
    pub fn new(_: &crate::config::Config, _: &crate::config::Aws) -> PublicUrl {
        PublicUrl(
            std::env::var("BALADIYA_PUBLIC_URL")
                .ok()
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        )
    }

    /// `scheme://host` the caller reached the API at.
    pub fn root(&self, view: &RequestView<'_>) -> String {
        if let Some(u) = &self.0 {
            return u.clone();
        }
        let host = view.header("host").unwrap_or("localhost");
        let local = host.starts_with("127.") || host.starts_with("localhost");
        let proto =
            view.header("x-forwarded-proto")
                .unwrap_or(if local { "http" } else { "https" });
        format!("{proto}://{host}")
    }
}
