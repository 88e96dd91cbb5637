//! The XML reader of the Open311 tests: a document as a tree of elements,
//! checked to be well-formed and declared UTF-8.

use quick_xml::events::Event;

/// An XML element: its name, text and child elements.
#[derive(Debug, Clone)]
pub struct Elem {
    pub name: String,
    pub text: String,
    pub children: Vec<Elem>,
}

impl Elem {
    pub fn child(&self, name: &str) -> &Elem {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }
    pub fn text_of(&self, name: &str) -> &str {
        &self.child(name).text
    }
    pub fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Parse a document with quick-xml; it must declare UTF-8 and have one root.
pub fn parse_xml(text: &str) -> Elem {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Elem> = Vec::new();
    let mut root = None;
    let mut declared = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Decl(d) => {
                let enc = d.encoding().expect("an encoding").expect("readable");
                assert!(enc.eq_ignore_ascii_case(b"utf-8"), "declared UTF-8");
                declared = true;
            }
            Event::Start(e) => stack.push(Elem {
                name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                text: String::new(),
                children: vec![],
            }),
            Event::Empty(e) => {
                let el = Elem {
                    name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                    text: String::new(),
                    children: vec![],
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().expect("UTF-8"));
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().expect("UTF-8");
                let ch = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unknown entity {other}"),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(ch);
                }
            }
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(declared, "the root is preceded by the XML declaration");
    root.expect("a root element")
}
