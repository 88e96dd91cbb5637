//! One description of an answer, written out as XML or JSON. GeoReport's two
//! formats carry the same fields: an XML element per field, a wrapper element
//! around a list whose items are named by the list (`<services><service>…`), and
//! in JSON an object per element and an array per list.

use baladiya::domain::open311::Format;
use http::StatusCode;
use lambda_http::{Body, Response};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    Number(f64),
    Integer(i64),
    Bool(bool),
    /// No value: an empty element, JSON `null`.
    Null,
    Object(Vec<(&'static str, Node)>),
    /// A list and the element name of each item.
    List(&'static str, Vec<Node>),
}

impl Node {
    pub fn text(v: impl Into<String>) -> Node {
        Node::Text(v.into())
    }

    /// Text, or an empty element when there is none.
    pub fn opt(v: Option<impl Into<String>>) -> Node {
        v.map_or(Node::Null, |v| Node::Text(v.into()))
    }
}

/// `root` and its content as a document of `format`.
pub fn render(format: Format, root: &str, node: &Node) -> String {
    match format {
        Format::Xml => {
            let mut out = String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#);
            element(&mut out, root, node);
            out
        }
        Format::Json => json(node).to_string(),
    }
}

fn element(out: &mut String, name: &str, node: &Node) {
    let body = match node {
        Node::Null => {
            out.push_str(&format!("<{name}/>"));
            return;
        }
        Node::Text(t) => quick_xml::escape::escape(xml_chars(t).as_str()).into_owned(),
        Node::Number(n) => n.to_string(),
        Node::Integer(n) => n.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Object(fields) => {
            let mut inner = String::new();
            for (k, v) in fields {
                element(&mut inner, k, v);
            }
            inner
        }
        Node::List(item, items) => {
            let mut inner = String::new();
            for v in items {
                element(&mut inner, item, v);
            }
            inner
        }
    };
    out.push_str(&format!("<{name}>{body}</{name}>"));
}

/// Only characters XML 1.0 can carry: a stray U+FFFE or control character in
/// stored text must not make the whole document unreadable.
fn xml_chars(t: &str) -> String {
    t.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || ('\u{20}'..='\u{D7FF}').contains(&c)
                || ('\u{E000}'..='\u{FFFD}').contains(&c)
                || c >= '\u{10000}'
        })
        .collect()
}

fn json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match node {
        Node::Null => Value::Null,
        Node::Text(t) => Value::String(t.clone()),
        Node::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Node::Integer(n) => Value::Number((*n).into()),
        Node::Bool(b) => Value::Bool(*b),
        Node::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json(v)))
                .collect(),
        ),
        Node::List(_, items) => Value::Array(items.iter().map(json).collect()),
    }
}

/// An answer of `format`.
pub fn respond(
    status: StatusCode,
    format: Format,
    root: &str,
    node: &Node,
    cache: &str,
) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", format.content_type())
        .header("cache-control", cache)
        .header("access-control-allow-origin", "*")
        // Names and descriptions follow Accept-Language: caches must keep them apart.
        .header("vary", "accept-language")
        .body(Body::Text(render(format, root, node)))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Node {
        Node::List(
            "service",
            vec![Node::Object(vec![
                ("service_code", Node::text("lighting")),
                ("service_name", Node::text("Éclairage & <rue>")),
                ("metadata", Node::Bool(true)),
                ("group", Node::Null),
                ("lat", Node::Number(36.8)),
                ("code", Node::Integer(400)),
                (
                    "keywords",
                    Node::List("keyword", vec![Node::text("a"), Node::text("b")]),
                ),
            ])],
        )
    }

    #[test]
    fn xml_escapes_and_wraps_lists() {
        let x = render(Format::Xml, "services", &sample());
        assert_eq!(
            x,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service>\
             <service_code>lighting</service_code>\
             <service_name>Éclairage &amp; &lt;rue&gt;</service_name>\
             <metadata>true</metadata><group/><lat>36.8</lat><code>400</code>\
             <keywords><keyword>a</keyword><keyword>b</keyword></keywords>\
             </service></services>"
        );
    }

    #[test]
    fn characters_xml_cannot_carry_are_left_out() {
        let x = render(Format::Xml, "d", &Node::text("a\u{FFFE}b\u{1}c\nd"));
        assert!(x.ends_with("<d>abc\nd</d>"), "{x}");
    }

    #[test]
    fn json_has_arrays_for_lists_and_null_for_nothing() {
        let j: serde_json::Value =
            serde_json::from_str(&render(Format::Json, "services", &sample())).unwrap();
        assert_eq!(j[0]["service_code"], "lighting");
        assert_eq!(j[0]["service_name"], "Éclairage & <rue>");
        assert_eq!(j[0]["metadata"], true);
        assert!(j[0]["group"].is_null());
        assert_eq!(j[0]["lat"], 36.8);
        assert_eq!(j[0]["code"], 400);
        assert_eq!(j[0]["keywords"], serde_json::json!(["a", "b"]));
    }
}
