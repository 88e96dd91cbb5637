//! Reading a call's parameters: the query string and the form body, decoded
//! strictly (UTF-8 only), with the specification's lenient lists.

use super::*;

/// A call's parameters: the query string, and for a POST the form body too
/// (first: its values win over the query string's).
pub(super) struct Params {
    pub(super) pairs: Vec<(String, String)>,
    /// How many of `pairs`, from the start, came from the body.
    pub(super) body: usize,
}

impl Params {
    /// The query string, decoded from the request's raw URI as strictly as a form
    /// body: text that is not UTF-8 is refused, not replaced.
    pub(super) fn of_query(req: &Request) -> Result<Params, Failure> {
        let raw = req.uri().query().unwrap_or_default();
        Ok(Params {
            pairs: parse_form(raw.as_bytes())?,
            body: 0,
        })
    }

    pub(super) fn with_form(
        mut self,
        view: &RequestView<'_>,
        req: &Request,
    ) -> Result<Params, Failure> {
        let mime = view
            .header("content-type")
            .unwrap_or("application/x-www-form-urlencoded")
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if mime != "application/x-www-form-urlencoded" {
            return Err(Failure::bad(
                "send the request as application/x-www-form-urlencoded",
            ));
        }
        let bytes: &[u8] = match req.body() {
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b,
            _ => b"",
        };
        if bytes.len() > MAX_FORM_BYTES {
            return Err(Failure::bad("the request body is too large"));
        }
        let mut form = parse_form(bytes)?;
        let body = form.len();
        form.append(&mut self.pairs);
        Ok(Params { pairs: form, body })
    }

    /// The first non-empty value of `name`.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The value of a single-value list attribute (`attribute[code]`, or
    /// `attribute[code][]`): the body's wins over the query string's; two
    /// different values from the same one are refused (the same one repeated is
    /// harmless).
    pub(super) fn single_value(&self, code: &str) -> Result<Option<&str>, Failure> {
        let mut chosen: Option<(&str, bool)> = None;
        for (i, (field, value)) in self.pairs.iter().enumerate() {
            let value = value.trim();
            if value.is_empty() || open311::attribute_code(field) != Some(code) {
                continue;
            }
            let from_body = i < self.body;
            match chosen {
                None => chosen = Some((value, from_body)),
                Some((v, _)) if v == value => {}
                // The body's value stands; the query string's is not looked at.
                Some((_, true)) if !from_body => {}
                Some(_) => {
                    return Err(Failure::bad(format!("attribute[{code}] takes one value")));
                }
            }
        }
        Ok(chosen.map(|(v, _)| v))
    }

    /// Every value of `name`, each comma-delimited list split.
    pub(super) fn list(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| open311::list(v))
            .collect()
    }
}

/// An `application/x-www-form-urlencoded` body: `name=value` pairs joined by `&`,
/// `+` for a space, percent-escapes for bytes. The text must be UTF-8 (the
/// specification's encoding): a byte sequence that is not is refused, never
/// replaced by U+FFFD and stored.
pub(super) fn parse_form(bytes: &[u8]) -> Result<Vec<(String, String)>, Failure> {
    let decode = |raw: &[u8]| {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
        String::from_utf8(decoded)
    };
    bytes
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            match (decode(name), decode(value)) {
                (Ok(n), Ok(v)) => Ok((n, v)),
                (Ok(n), Err(_)) if n.len() <= 64 && n.bytes().all(|b| b.is_ascii_graphic()) => {
                    Err(Failure::bad(format!("{n} is not valid UTF-8 text")))
                }
                _ => Err(Failure::bad("the request is not valid UTF-8 text")),
            }
        })
        .collect()
}

/// `{name}.{xml|json}` of a path parameter.
pub(super) fn suffixed(raw: &str) -> Result<(&str, Format), Failure> {
    open311::split_format(raw)
        .ok_or_else(|| Failure::not_found("no such resource; resources end in .xml or .json"))
}

pub(super) fn text_param(
    params: &Params,
    name: &'static str,
    max: usize,
) -> Result<Option<String>, Failure> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => Ok(open311::parse_text(name, v, max)?),
    }
}
