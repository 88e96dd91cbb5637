//! A municipality's guide: the national catalogue, with the municipality's own
//! entries laid over it — a procedure of its own, its version of a national
//! one, a national one hidden, a link to one of its e-ticket services.
//!
//! Each entry is an item of its own (read for a procedure's page); the guide's
//! index, one item, keeps what listing and search need of every entry (title,
//! category, channels, folded words) and a version, so that a list or a search
//! is one GetItem, and a write is the entry and the index in one transaction
//! conditioned on the index's version. The decisions here are pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Category, Channel, Procedure, catalogue, search};
use crate::domain::DomainError;
use crate::domain::text::Text;

/// Own procedures (new or overriding) a municipality may keep.
pub const MAX_OWN: usize = 200;

/// An e-ticket service a procedure is served by ("take a ticket for this").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EticketLink {
    pub agency: String,
    pub service: String,
}

/// A municipality's entry for one procedure code.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub code: String,
    /// Its own text: a procedure of its own, or its version of a national one.
    pub procedure: Option<Procedure>,
    #[serde(default)]
    pub hidden: bool,
    pub eticket: Option<EticketLink>,
    /// The files of its forms, ready to download (ids of `ATT#` items).
    #[serde(default)]
    pub forms: Vec<FormRef>,
    pub updated_at: String,
}

/// A downloadable form of a procedure: a file of the procedure's partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRef {
    pub id: String,
    pub title: Text,
}

/// Where a procedure's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    National,
    Override,
    Own,
}

/// What listing and searching need of a procedure.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub category: Category,
    pub order: u16,
    pub title: Text,
    pub channels: Vec<Channel>,
    pub delay: Option<String>,
    pub free: bool,
    pub permit_type: Option<String>,
    /// Folded words ([`search::index`]), sorted.
    pub words: Vec<String>,
}

impl Summary {
    pub fn of(p: &Procedure) -> Summary {
        let summary = p.summary.as_ref();
        let texts = [&p.title.ar, &p.title.fr, &p.title.en]
            .into_iter()
            .chain(summary.into_iter().flat_map(|s| [&s.ar, &s.fr, &s.en]))
            .map(String::as_str)
            .chain(p.keywords.iter().map(String::as_str));
        Summary {
            category: p.category,
            order: p.order,
            title: p.title.clone(),
            channels: p.channels.clone(),
            delay: p.delay.as_ref().map(|d| d.duration.clone()),
            free: p.fees.is_empty(),
            permit_type: p.permit_type.clone(),
            words: search::index(texts),
        }
    }
}

/// The index's record of one entry.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indexed {
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub linked: bool,
    pub own: Option<Summary>,
}

/// The guide's index item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Index {
    /// 0 while the municipality has no entry.
    pub version: u64,
    #[serde(default)]
    pub entries: BTreeMap<String, Indexed>,
}

fn national_summaries() -> &'static BTreeMap<String, Summary> {
    static ALL: std::sync::OnceLock<BTreeMap<String, Summary>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        catalogue::national()
            .iter()
            .map(|p| (p.code.clone(), Summary::of(p)))
            .collect()
    })
}

/// One procedure of a municipality's guide, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<'a> {
    pub code: &'a str,
    pub source: Source,
    pub hidden: bool,
    pub linked: bool,
    pub summary: &'a Summary,
}

impl Listed<'_> {
    /// The guide's order: by category, then the order staff gave, then code.
    pub fn sort_key(&self) -> (Category, u16, &str) {
        (self.summary.category, self.summary.order, self.code)
    }
}

impl Index {
    /// Every procedure of the guide in its order; hidden ones only when
    /// `with_hidden` (staff).
    pub fn listing(&self, with_hidden: bool) -> Vec<Listed<'_>> {
        let national = national_summaries();
        let mut out: Vec<Listed<'_>> = Vec::new();
        for (code, s) in national {
            let e = self.entries.get(code);
            out.push(Listed {
                code,
                source: if e.is_some_and(|e| e.own.is_some()) {
                    Source::Override
                } else {
                    Source::National
                },
                hidden: e.is_some_and(|e| e.hidden),
                linked: e.is_some_and(|e| e.linked),
                summary: e.and_then(|e| e.own.as_ref()).unwrap_or(s),
            });
        }
        for (code, e) in &self.entries {
            if national.contains_key(code) {
                continue;
            }
            if let Some(own) = &e.own {
                out.push(Listed {
                    code,
                    source: Source::Own,
                    hidden: e.hidden,
                    linked: e.linked,
                    summary: own,
                });
            }
        }
        out.retain(|l| with_hidden || !l.hidden);
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        out
    }

    /// The procedures matching a query ([`search::query`]), best first.
    pub fn search(&self, words: &[String], with_hidden: bool) -> Vec<Listed<'_>> {
        let mut hits: Vec<(u32, Listed<'_>)> = self
            .listing(with_hidden)
            .into_iter()
            .filter_map(|l| Some((search::score(words, &l.summary.words)?, l)))
            .collect();
        hits.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| a.sort_key().cmp(&b.sort_key())));
        hits.into_iter().map(|(_, l)| l).collect()
    }

    fn own_count(&self) -> usize {
        self.entries.values().filter(|e| e.own.is_some()).count()
    }

    fn record(&mut self, entry: Option<&Entry>, code: &str) {
        match entry {
            Some(e) => {
                self.entries.insert(
                    code.to_owned(),
                    Indexed {
                        hidden: e.hidden,
                        linked: e.eticket.is_some(),
                        own: e.procedure.as_ref().map(Summary::of),
                    },
                );
            }
            None => {
                self.entries.remove(code);
            }
        }
        self.version += 1;
    }
}

/// What a write changes: the new index, and the entry to put (or, `None`, to
/// delete).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub index: Index,
    pub entry: Option<Entry>,
}

/// An entry that says nothing the catalogue does not: deleted rather than kept.
fn keep(e: Entry) -> Option<Entry> {
    let national = catalogue::get(&e.code).is_some();
    let says_something =
        e.procedure.is_some() || e.hidden || e.eticket.is_some() || !e.forms.is_empty();
    (says_something || !national).then_some(e)
}

/// Staff write a procedure at `code`: their own, or their version of the
/// national one. Its forms and links stay.
pub fn put(
    index: &Index,
    existing: Option<Entry>,
    procedure: Procedure,
    now: &str,
) -> Result<Change, DomainError> {
    let code = procedure.code.clone();
    let had_own = existing.as_ref().is_some_and(|e| e.procedure.is_some());
    if !had_own && index.own_count() >= MAX_OWN {
        return Err(DomainError::invalid("procedures", "limit_reached"));
    }
    let mut entry = existing.unwrap_or(Entry {
        code: code.clone(),
        procedure: None,
        hidden: false,
        eticket: None,
        forms: Vec::new(),
        updated_at: now.to_owned(),
    });
    entry.procedure = Some(procedure);
    entry.updated_at = now.to_owned();
    let mut index = index.clone();
    index.record(Some(&entry), &code);
    Ok(Change {
        index,
        entry: Some(entry),
    })
}

/// Staff remove their text at `code`: a national procedure shows the
/// catalogue's again; one of their own is gone. `NotFound` when they have no
/// text there.
pub fn remove(index: &Index, existing: Option<Entry>, now: &str) -> Result<Change, DomainError> {
    let mut e = existing
        .filter(|e| e.procedure.is_some())
        .ok_or(DomainError::NotFound)?;
    let code = e.code.clone();
    e.procedure = None;
    e.updated_at = now.to_owned();
    let national = catalogue::get(&code).is_some();
    let entry = if national { keep(e) } else { None };
    let mut index = index.clone();
    index.record(entry.as_ref(), &code);
    Ok(Change { index, entry })
}

/// Forms a procedure may offer.
pub const MAX_FORMS: usize = 10;

/// What staff set of a procedure besides its text: whether it shows, the
/// e-ticket service it is served by, its downloadable forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub hidden: bool,
    pub eticket: Option<EticketLink>,
    pub forms: Vec<FormRef>,
}

/// Staff hide or show a procedure, link it to an e-ticket service (or unlink
/// it) and set its forms. `NotFound` for a code that is neither national nor
/// theirs.
pub fn settings(
    index: &Index,
    existing: Option<Entry>,
    code: &str,
    set: Settings,
    now: &str,
) -> Result<Change, DomainError> {
    if set.forms.len() > MAX_FORMS {
        return Err(DomainError::invalid("forms", "too_many"));
    }
    let own = existing.as_ref().is_some_and(|e| e.procedure.is_some());
    if !own && catalogue::get(code).is_none() {
        return Err(DomainError::NotFound);
    }
    let mut e = existing.unwrap_or(Entry {
        code: code.to_owned(),
        procedure: None,
        hidden: false,
        eticket: None,
        forms: Vec::new(),
        updated_at: now.to_owned(),
    });
    e.hidden = set.hidden;
    e.eticket = set.eticket;
    e.forms = set.forms;
    e.updated_at = now.to_owned();
    let entry = keep(e);
    let mut index = index.clone();
    index.record(entry.as_ref(), code);
    Ok(Change { index, entry })
}

/// The procedure an entry (or its absence) stands for: its own text, else the
/// national one; `None` when there is neither.
pub fn effective<'a>(code: &str, entry: Option<&'a Entry>) -> Option<(&'a Procedure, Source)>
where
    'static: 'a,
{
    match entry.and_then(|e| e.procedure.as_ref()) {
        Some(p) if catalogue::get(code).is_some() => Some((p, Source::Override)),
        Some(p) => Some((p, Source::Own)),
        None => catalogue::get(code).map(|p| (p, Source::National)),
    }
}
