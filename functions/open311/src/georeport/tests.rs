use super::*;

fn form(body: &[u8]) -> Vec<(String, String)> {
    parse_form(body).unwrap_or_else(|e| panic!("{body:?} refused: {}", e.description))
}

#[test]
fn form_bodies_are_decoded_as_utf8() {
    assert_eq!(
        form(b"service_code=lighting&description=caf%C3%A9+au+lait&lat=36.8&&flag"),
        [
            ("service_code".into(), "lighting".into()),
            ("description".into(), "caf\u{e9} au lait".into()),
            ("lat".into(), "36.8".into()),
            ("flag".into(), String::new()),
        ]
    );
    assert_eq!(
        form(b"attribute%5Barea%5D=a%3Db%26c%2B"),
        [("attribute[area]".into(), "a=b&c+".into())]
    );
    assert_eq!(
        form("note=\u{1F600}".as_bytes()),
        [("note".into(), "\u{1F600}".into())]
    );
    assert!(form(b"").is_empty());
}

#[test]
fn a_single_value_attribute_takes_the_bodys_value_and_refuses_two() {
    let params = |body: &[u8], query: &[u8]| {
        let mut pairs = form(body);
        let n = pairs.len();
        pairs.extend(form(query));
        Params { pairs, body: n }
    };
    let p = params(b"attribute[area]=medina", b"attribute[area]=lafayette");
    assert_eq!(p.single_value("area").unwrap(), Some("medina"));
    let p = params(b"", b"attribute[area]=lafayette");
    assert_eq!(p.single_value("area").unwrap(), Some("lafayette"));
    let p = params(b"attribute[area][]=medina&attribute[area][]=medina", b"");
    assert_eq!(p.single_value("area").unwrap(), Some("medina"));
    for (body, query) in [
        (
            &b"attribute[area][]=medina&attribute[area][]=lafayette"[..],
            &b""[..],
        ),
        (b"", b"attribute[area]=medina&attribute[area]=lafayette"),
    ] {
        let e = params(body, query)
            .single_value("area")
            .expect_err("two values");
        assert_eq!(e.description, "attribute[area] takes one value");
    }
    let p = params(b"attribute[area]=+&attribute[subcategory]=x", b"");
    assert_eq!(p.single_value("area").unwrap(), None);
}

#[test]
fn text_that_is_not_utf8_is_refused_not_replaced() {
    // Latin-1 é escaped, a raw Latin-1 byte, an escaped UTF-16 surrogate, a
    // truncated sequence; in a value or in a name.
    for body in [
        &b"description=caf%E9"[..],
        b"description=caf\xE9",
        b"description=%ED%A0%80",
        b"description=%C3",
        b"desc%FFription=x",
    ] {
        let e = parse_form(body).expect_err("not UTF-8");
        assert_eq!(e.status, http::StatusCode::BAD_REQUEST, "{body:?}");
        assert!(e.description.contains("UTF-8"), "{}", e.description);
    }
}

#[test]
fn only_loopback_hosts_are_taken_for_plain_http() {
    for host in [
        "localhost",
        "localhost:9000",
        "127.0.0.1:9000",
        "[::1]:9000",
    ] {
        assert_eq!(scheme_without_proxy(host), "http", "{host}");
    }
    for host in [
        "api.baladiya.tn",
        "api.baladiya.tn:443",
        "127.example.org",
        "localhost.example.org",
        "[2001:db8::1]:443",
    ] {
        assert_eq!(scheme_without_proxy(host), "https", "{host}");
    }
}
