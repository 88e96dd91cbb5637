//! Finding a procedure by the words a citizen types, in Arabic or French, however
//! they spell them: the words of each procedure are folded once (when it is
//! written, or when the catalogue is read) and kept beside it, and a query is
//! folded the same way and matched word by word, each query word a prefix of
//! some word of the procedure. No Scan: the words are read with the guide's
//! one index item (`store::guide`), and matched in memory.
//!
//! Arabic: diacritics (harakat, tanwin, shadda, sukun, the dagger alif) and the
//! tatweel are dropped; أ إ آ ٱ are ا, ؤ is و, ئ and ى are ي, ة is ه, Persian
//! ک and ی are ك and ي; a leading article (ال, وال, بال, فال, كال, لل) is
//! dropped from words long enough to keep a stem. French (and English): lower
//! case, accents dropped (é → e, ç → c, œ → oe), elisions (l', d') dropped, a
//! plural's final s or x dropped. Arabic plurals in ات and the taa marbuta are
//! dropped from words of four letters or more (شهادة, الشهادات: شهاد). Common small words of both languages are
//! ignored in queries.

use std::collections::BTreeSet;

/// Folded words of `text`, in order, small words included.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            if let Some(w) = finish(word) {
                out.push(w);
            }
            word.clear();
        }
    };
    for c in text.chars() {
        match fold_char(c) {
            Fold::Drop => {}
            Fold::Break => flush(&mut word, &mut out),
            Fold::One(f) => word.push(f),
            Fold::Two(a, b) => {
                word.push(a);
                word.push(b);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The distinct folded words of some texts, to keep beside a procedure.
pub fn index<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let set: BTreeSet<String> = texts
        .into_iter()
        .flat_map(words)
        .filter(|w| w.chars().count() >= 2)
        .collect();
    set.into_iter().collect()
}

/// The words a query asks for: folded, without the small words (and at least
/// two letters each). Empty when nothing is left to look for.
pub fn query(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = words(raw)
        .into_iter()
        .filter(|w| w.chars().count() >= 2 && !STOP.contains(&w.as_str()))
        .collect();
    out.dedup();
    out.truncate(8);
    out
}

/// How well `indexed` (a procedure's folded words, sorted) answers `query`:
/// `None` unless every query word begins some indexed word; more for whole
/// words than for prefixes.
pub fn score(query: &[String], indexed: &[String]) -> Option<u32> {
    if query.is_empty() {
        return None;
    }
    let mut total = 0;
    for q in query {
        // Sorted: the words beginning with `q` follow the first one not below it.
        let start = indexed.partition_point(|w| w.as_str() < q.as_str());
        let mut hits = indexed[start..]
            .iter()
            .take_while(|w| w.starts_with(q.as_str()));
        let first = hits.next()?;
        total += if first == q { 3 } else { 1 };
    }
    Some(total)
}

enum Fold {
    Drop,
    Break,
    One(char),
    Two(char, char),
}

fn fold_char(c: char) -> Fold {
    match c {
        // Harakat, tanwin, shadda, sukun, maddah/hamza marks, the dagger alif, tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{06D6}'..='\u{06ED}' => Fold::Drop,
        'أ' | 'إ' | 'آ' | 'ٱ' => Fold::One('ا'),
        'ؤ' => Fold::One('و'),
        'ئ' | 'ى' | 'ی' | 'ې' => Fold::One('ي'),
        'ة' => Fold::One('ه'),
        'ک' => Fold::One('ك'),
        'ء' => Fold::Drop,
        // Eastern Arabic digits as Western ones.
        '٠'..='٩' => Fold::One(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => {
            Fold::One('a')
        }
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => Fold::One('e'),
        'î' | 'ï' | 'í' | 'ì' | 'Î' | 'Ï' | 'Í' | 'Ì' => Fold::One('i'),
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => Fold::One('o'),
        'û' | 'ü' | 'ú' | 'ù' | 'Û' | 'Ü' | 'Ú' | 'Ù' => Fold::One('u'),
        'ç' | 'Ç' => Fold::One('c'),
        'ÿ' | 'Ÿ' => Fold::One('y'),
        'ñ' | 'Ñ' => Fold::One('n'),
        'œ' | 'Œ' => Fold::Two('o', 'e'),
        'æ' | 'Æ' => Fold::Two('a', 'e'),
        // Combining accents (a decomposed é).
        '\u{0300}'..='\u{036F}' => Fold::Drop,
        c if c.is_alphanumeric() => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(a), None) => Fold::One(a),
                (Some(a), Some(b)) => Fold::Two(a, b),
                _ => Fold::Drop,
            }
        }
        // Apostrophes end an elided article (l'état → l, etat).
        _ => Fold::Break,
    }
}

/// Arabic prefixes that are the article, with a conjunction or a preposition.
const ARTICLES: [&str; 6] = ["وال", "بال", "فال", "كال", "لل", "ال"];

fn finish(word: &str) -> Option<String> {
    let arabic = word.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    if arabic {
        let mut stem = word;
        for a in ARTICLES {
            if let Some(rest) = word.strip_prefix(a)
                && rest.chars().count() >= 3
            {
                stem = rest;
                break;
            }
        }
        // A sound feminine plural (ات) or a final taa marbuta (ه once folded):
        // شهادة and الشهادات are both شهاد.
        if stem.chars().count() >= 4
            && let Some(s) = stem.strip_suffix("ات").or_else(|| stem.strip_suffix('ه'))
        {
            stem = s;
        }
        return Some(stem.to_owned());
    }
    // A French plural, on words long enough not to be something else.
    if word.chars().count() > 4 && (word.ends_with('s') || word.ends_with('x')) {
        return Some(word[..word.len() - 1].to_owned());
    }
    Some(word.to_owned())
}

/// Small words that say nothing of what is looked for (folded).
const STOP: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "un", "une", "et", "en", "au", "aux", "pour", "par",
    "sur", "avec", "the", "of", "and", "for", "to", "في", "من", "على", "الى", "عن", "مع",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn found(q: &str, text: &str) -> bool {
        score(&query(q), &index([text])).is_some()
    }

    #[test]
    fn arabic_spellings_fold_together() {
        // (query, text of the procedure, found?)
        let cases = [
            ("شهادة", "شهادة إقامة", true),
            ("شهاده", "شهادة إقامة", true),
            ("الشهادة", "شهادة إقامة", true),
            ("شَهَادَة", "الشهادات", true),
            ("اقامة", "شهادة إقامة", true),
            ("إمضاء", "التعريف بالامضاء", true),
            ("مستشفى", "مستشفي", true),
            ("مسؤول", "مسوول", true),
            ("شهـــادة", "شهادة", true),
            ("رخصة بناء", "رخصة هدم", false),
            ("رخصة بناء", "الترخيص في البناء: رخصة", true),
            ("٢٠٢٦", "budget 2026", true),
        ];
        for (q, text, expected) in cases {
            assert_eq!(found(q, text), expected, "{q} in {text}");
        }
    }

    #[test]
    fn french_accents_elisions_and_plurals_fold() {
        let cases = [
            ("certificat", "Certificat de résidence", true),
            ("certificats", "Certificat de résidence", true),
            ("residence", "Certificat de résidence", true),
            ("RÉSIDENCE", "certificat de residence", true),
            ("etat civil", "Bureau de l'état civil", true),
            ("cert", "Certificat de vie", true),
            ("certificat de naissance", "Extrait de naissance", false),
            ("oeuvre", "Main-d'œuvre", true),
            ("de la", "Certificat de vie", false),
        ];
        for (q, text, expected) in cases {
            assert_eq!(found(q, text), expected, "{q} in {text}");
        }
    }

    #[test]
    fn whole_words_score_above_prefixes() {
        let idx = index(["Certificat de vie", "certification"]);
        let whole = score(&query("certificat"), &idx).unwrap();
        let prefix = score(&query("certif"), &idx).unwrap();
        assert!(whole > prefix);
        assert!(query("  , ; ").is_empty());
    }
}
