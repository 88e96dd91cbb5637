//! Black-box tests of the municipalities function, over HTTP against the running
//! local stack, the way the mobile app and the back office call it.

use baladiya::domain::Permission;
use baladiya_tests::*;
use serde_json::{Value, json};

mod editing;
mod errors;
mod listing;
mod staff;

async fn all_municipalities(api: &Api, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut url = format!("/v1/municipalities?limit=7{query}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let a = send(api.get(&url)).await;
        assert_eq!(a.status, 200, "{}", a.body);
        out.extend(a.body["items"].as_array().unwrap().iter().cloned());
        match a.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
    panic!("paging never ended");
}
