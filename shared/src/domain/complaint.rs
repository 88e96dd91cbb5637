//! Complaints: a problem in the municipality (lighting, roads, waste…) reported by
//! a citizen with a description and a location, and followed until resolved. The
//! state machine is the shared case workflow (`workflow::COMPLAINT`); this module
//! holds what is particular to complaints: categories, the report's fields and
//! where it is.

use serde::{Deserialize, Serialize};

use super::case::{
    CaseRecord, CaseType, Change, Deny, Effects, NoteRule, Policy, Refusal, StepFile,
};
use super::geo::Coordinates;
use super::roles::authorize_complaint_category;
use super::workflow::CaseKind;
use super::{DomainError, Permission, Principal, Service, StaffMember, Text, tr};

/// A category of problem, with its sub-categories.
#[derive(Debug, Clone, Copy)]
pub struct Category {
    pub code: &'static str,
    pub name: Text<&'static str>,
    pub subcategories: &'static [Subcategory],
}

#[derive(Debug, Clone, Copy)]
pub struct Subcategory {
    pub code: &'static str,
    pub name: Text<&'static str>,
}

const fn sub(
    code: &'static str,
    ar: &'static str,
    fr: &'static str,
    en: &'static str,
) -> Subcategory {
    Subcategory {
        code,
        name: tr(ar, fr, en),
    }
}

/// The national defaults every municipality starts with: what Tunisian
/// municipalities' complaint forms and the reference platform list.
pub static NATIONAL_CATEGORIES: &[Category] = &[
    Category {
        code: "lighting",
        name: tr("الإنارة العمومية", "Éclairage public", "Street lighting"),
        subcategories: &[
            sub("lamp-out", "مصباح معطّل", "Lampadaire éteint", "Lamp out"),
            sub(
                "lit-by-day",
                "إنارة نهارًا",
                "Allumé en journée",
                "Lit by day",
            ),
            sub(
                "damaged-pole",
                "عمود متضرر",
                "Poteau endommagé",
                "Damaged pole",
            ),
        ],
    },
    Category {
        code: "roads",
        name: tr(
            "الطرقات والأرصفة",
            "Voirie et trottoirs",
            "Roads and pavements",
        ),
        subcategories: &[
            sub("pothole", "حفرة", "Nid-de-poule", "Pothole"),
            sub(
                "pavement",
                "رصيف متضرر",
                "Trottoir abîmé",
                "Damaged pavement",
            ),
            sub("signage", "إشارات مرور", "Signalisation", "Road signs"),
        ],
    },
    Category {
        code: "waste",
        name: tr(
            "النظافة والفضلات",
            "Propreté et déchets",
            "Waste and cleanliness",
        ),
        subcategories: &[
            sub(
                "not-collected",
                "فضلات لم تُرفع",
                "Ordures non ramassées",
                "Not collected",
            ),
            sub("dumping", "مصب عشوائي", "Dépôt sauvage", "Illegal dumping"),
            sub("bins", "حاويات", "Conteneurs", "Bins"),
            sub("rubble", "فضلات بناء", "Gravats", "Building rubble"),
        ],
    },
    Category {
        code: "water-sanitation",
        name: tr(
            "المياه والتطهير",
            "Eau et assainissement",
            "Water and sanitation",
        ),
        subcategories: &[
            sub("flooding", "تجمع مياه الأمطار", "Inondation", "Flooding"),
            sub("sewer", "تسرب مياه مستعملة", "Fuite d'égout", "Sewer leak"),
            sub("manhole", "بالوعة مفتوحة", "Regard ouvert", "Open manhole"),
        ],
    },
    Category {
        code: "green-spaces",
        name: tr("المساحات الخضراء", "Espaces verts", "Green spaces"),
        subcategories: &[
            sub("trees", "أشجار", "Arbres", "Trees"),
            sub("parks", "حدائق عمومية", "Jardins publics", "Parks"),
        ],
    },
    Category {
        code: "buildings",
        name: tr(
            "البناء والعمران",
            "Construction et urbanisme",
            "Building and planning",
        ),
        subcategories: &[
            sub(
                "unauthorised",
                "بناء فوضوي",
                "Construction illicite",
                "Unauthorised building",
            ),
            sub(
                "dangerous",
                "بناية آيلة للسقوط",
                "Bâtiment menaçant ruine",
                "Dangerous building",
            ),
            sub(
                "occupation",
                "استغلال الملك العمومي",
                "Occupation du domaine public",
                "Occupation of public space",
            ),
        ],
    },
    Category {
        code: "stray-animals",
        name: tr("الحيوانات السائبة", "Animaux errants", "Stray animals"),
        subcategories: &[],
    },
    Category {
        code: "noise",
        name: tr("الضجيج", "Nuisances sonores", "Noise"),
        subcategories: &[],
    },
    Category {
        code: "other",
        name: tr("أخرى", "Autre", "Other"),
        subcategories: &[],
    },
];

pub fn category(code: &str) -> Option<&'static Category> {
    NATIONAL_CATEGORIES.iter().find(|c| c.code == code)
}

/// A category as a municipality offers it: a national default, renamed,
/// extended or switched off, or one of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedCategory {
    pub code: String,
    pub name: Text,
    pub subcategories: Vec<OfferedSubcategory>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedSubcategory {
    pub code: String,
    pub name: Text,
}

impl From<&Category> for OfferedCategory {
    fn from(c: &Category) -> Self {
        OfferedCategory {
            code: c.code.into(),
            name: c.name.to_owned_text(),
            subcategories: c
                .subcategories
                .iter()
                .map(|s| OfferedSubcategory {
                    code: s.code.into(),
                    name: s.name.to_owned_text(),
                })
                .collect(),
            active: true,
        }
    }
}

/// Subcategories per category at most.
pub const MAX_SUBCATEGORIES: usize = 30;

/// A municipality's categories: the national defaults, each replaced by the
/// municipality's own version where it has one, then its own additions.
pub fn offered(own: &[OfferedCategory]) -> Vec<OfferedCategory> {
    let mut out: Vec<OfferedCategory> = NATIONAL_CATEGORIES
        .iter()
        .map(|n| {
            own.iter()
                .find(|o| o.code == n.code)
                .cloned()
                .unwrap_or_else(|| OfferedCategory::from(n))
        })
        .collect();
    out.extend(own.iter().filter(|o| category(&o.code).is_none()).cloned());
    out
}

/// A report's category and sub-category, checked against what the municipality
/// offers (active categories only). Returns their codes.
pub fn parse_offered(
    offered: &[OfferedCategory],
    code: &str,
    subcategory: Option<&str>,
) -> Result<(String, Option<String>), DomainError> {
    let c = offered
        .iter()
        .find(|c| c.active && c.code == code.trim())
        .ok_or(DomainError::invalid("category", "unknown"))?;
    let s = match subcategory.map(str::trim) {
        None => None,
        Some(code) => Some(
            c.subcategories
                .iter()
                .find(|s| s.code == code)
                .ok_or(DomainError::invalid("subcategory", "unknown"))?
                .code
                .clone(),
        ),
    };
    Ok((c.code.clone(), s))
}

/// An area of a municipality (a district, an "imada", a neighbourhood) that
/// reports can be filed under, so that staff can sort them by who covers where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub code: String,
    pub name: Text,
}

/// Areas per municipality at most.
pub const MAX_AREAS: usize = 200;

pub const DESCRIPTION_MIN: usize = 10;
pub const DESCRIPTION_MAX: usize = 2000;
pub const ADDRESS_MAX: usize = 200;

/// A report's text: trimmed, 10..=2000 characters, line breaks allowed, no other
/// control characters.
pub fn parse_description(raw: &str) -> Result<String, DomainError> {
    let v = raw.trim();
    let n = v.chars().count();
    if n < DESCRIPTION_MIN {
        return Err(DomainError::invalid("description", "too_short"));
    }
    if n > DESCRIPTION_MAX {
        return Err(DomainError::invalid("description", "too_long"));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(DomainError::invalid("description", "control_characters"));
    }
    Ok(v.to_owned())
}

/// Where a report is: coordinates, an address, or both (at least one).
pub fn parse_address(raw: &str) -> Result<String, DomainError> {
    super::staff::parse_label(raw, "address", ADDRESS_MAX)
}

/// Geohash precision of the map index: 7 characters are cells of 0.00137° by
/// 0.00137° (153 m north–south, 122 m east–west at Tunis's latitude), so a point's
/// cell and its 8 neighbours cover every point within 100 m of it in Tunisia.
pub const CELL_PRECISION: usize = 7;
/// How near "nearby" is, in metres.
pub const NEARBY_RADIUS_M: f64 = 100.0;

/// The map cell of a point.
pub fn cell(c: &Coordinates) -> String {
    geohash::encode(geohash::Coord { x: c.lon, y: c.lat }, CELL_PRECISION)
        .expect("coordinates are checked to be in range")
}

/// The cells to look in for reports near a point: its own and the 8 around it.
pub fn cells_around(c: &Coordinates) -> Vec<String> {
    let here = cell(c);
    let mut out = vec![here.clone()];
    if let Ok(n) = geohash::neighbors(&here) {
        out.extend([n.n, n.ne, n.e, n.se, n.s, n.sw, n.w, n.nw]);
    }
    out.sort();
    out.dedup();
    out
}

/// Distance between two points in metres (haversine, mean Earth radius).
pub fn distance_m(a: &Coordinates, b: &Coordinates) -> f64 {
    let r = 6_371_008.8_f64;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// What a complaint holds beyond the case's state (stored in `CaseRecord::data`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintData {
    pub category: String,
    pub subcategory: Option<String>,
    pub description: String,
    pub location: Option<Coordinates>,
    pub address: Option<String>,
    /// One of the municipality's areas.
    pub area: Option<String>,
    /// Shown to everyone (on the map, in lists) or only to staff and the reporter.
    pub public: bool,
    /// The reporter's name is not shown publicly.
    pub hide_name: bool,
    /// The reporter's display name when the report was filed (if shown).
    pub reporter_name: Option<String>,
    /// Filed through Open311 by a client of the municipality (staff only).
    pub origin: Option<super::open311::Origin>,
}

impl ComplaintData {
    /// Listed publicly: public, not hidden by staff.
    pub fn listed(&self, hidden: bool) -> bool {
        self.public && !hidden
    }
}

/// How long after a resolution its reporter may contest it (the complaint
/// reopens and its staff are told).
pub const CONTEST_DAYS: i64 = 14;

/// Steps that must say why: every closing by staff (the reporter reads why),
/// and a reporter's contest.
pub const NEEDS_NOTE: &[&str] = &["resolved", "rejected", "outside_remit", "reopened"];

/// Complaints as tracked cases: public unless the reporter chose otherwise
/// (and not hidden by staff), handled by staff of their category, supported by
/// "me too", on the public map when placed.
pub struct Complaint;

impl CaseType for Complaint {
    const KIND: CaseKind = CaseKind::Complaint;
    const ID_PREFIX: &'static str = "cmp";
    const SERVICE: Service = Service::Complaints;
    const POLICY: Policy = Policy {
        noun: "complaint",
        unseen: Refusal::NOT_FOUND,
        // Their own municipality's staff without the permission are refused, as
        // everywhere; anyone else who can see a public complaint learns nothing
        // of whether they could move it.
        onlooker_moves: Refusal {
            anonymous: Deny::NotFound,
            own_staff: Deny::Forbidden,
            others: Deny::NotFound,
        },
        onlooker_files: Refusal::FORBIDDEN,
        followers_see: false,
        closed_to_staff_files: false,
        staff_file_for_others: false,
        note: NoteRule::To(NEEDS_NOTE),
        step_file: StepFile::Attachment,
        support: Some("own_complaint"),
    };

    type Data = ComplaintData;
    type Fields = ();
    type Env = ();

    const INBOX_FIELDS: &'static [&'static str] = &["category", "area"];

    fn inbox_field<'a>(data: &'a ComplaintData, name: &str) -> Option<&'a str> {
        match name {
            "category" => Some(&data.category),
            "area" => data.area.as_deref(),
            _ => None,
        }
    }

    /// A reporter may contest a resolution for [`CONTEST_DAYS`]; their
    /// municipality's staff are told.
    fn change(
        c: &Change<'_, ComplaintData>,
        _fields: (),
        _env: &(),
    ) -> Result<Effects<ComplaintData>, DomainError> {
        if c.to != "reopened" {
            return Ok(Effects::default());
        }
        let resolved = crate::clock::parse_rfc3339(&c.case.updated_at);
        if resolved.is_none_or(|at| c.now - at > time::Duration::days(CONTEST_DAYS)) {
            return Err(DomainError::invalid("state", "contest_window_closed"));
        }
        Ok(Effects {
            tell_staff: Some("contested"),
            ..Effects::default()
        })
    }

    fn handles(who: &Principal, case: &CaseRecord<ComplaintData>) -> bool {
        authorize_complaint_category(who, &case.municipality, &case.data.category).is_ok()
    }

    fn member_handles(member: &StaffMember, case: &CaseRecord<ComplaintData>) -> bool {
        member.permissions.contains(&Permission::Complaints)
            && member
                .complaint_categories
                .as_ref()
                .is_none_or(|c| c.contains(&case.data.category))
    }

    /// Hidden by staff (abusive): out of public sight, like a private one.
    fn public(case: &CaseRecord<ComplaintData>) -> bool {
        case.data.public && !case.hidden
    }

    /// On the public map only when public and placed.
    fn map_cell(case: &CaseRecord<ComplaintData>) -> Option<String> {
        match (case.data.public, &case.data.location) {
            (true, Some(c)) => Some(cell(c)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GeoBounds;
    use crate::domain::Lang;

    fn at(lat: f64, lon: f64) -> Coordinates {
        Coordinates::parse(lat, lon, &GeoBounds::TUNISIA).unwrap()
    }

    #[test]
    fn national_categories_are_complete_and_unique() {
        let mut codes: Vec<&str> = NATIONAL_CATEGORIES.iter().map(|c| c.code).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
        for c in NATIONAL_CATEGORIES {
            assert!(
                c.name
                    .ar
                    .chars()
                    .any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch))
            );
            assert!(!c.name.fr.is_empty() && !c.name.en.is_empty());
            for s in c.subcategories {
                assert!(
                    s.name
                        .ar
                        .chars()
                        .any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch))
                );
            }
        }
        assert_eq!(
            OfferedCategory::from(category("lighting").unwrap())
                .name
                .get(Lang::Fr),
            "Éclairage public"
        );
    }

    #[test]
    fn a_municipality_renames_switches_off_and_adds_categories() {
        let mut noise = OfferedCategory::from(category("noise").unwrap());
        noise.active = false;
        let mut lighting = OfferedCategory::from(category("lighting").unwrap());
        lighting.name.fr = "Éclairage".into();
        let market = OfferedCategory {
            code: "market".into(),
            name: Text::name("السوق البلدي", "Marché municipal", None).unwrap(),
            subcategories: vec![],
            active: true,
        };
        let list = offered(&[noise, lighting, market]);
        assert_eq!(list.len(), NATIONAL_CATEGORIES.len() + 1);
        assert_eq!(list[0].name.get(Lang::Fr), "Éclairage");
        assert_eq!(list.last().unwrap().name.get(Lang::En), "Marché municipal");
        assert!(parse_offered(&list, "market", None).is_ok());
        assert_eq!(
            parse_offered(&list, "noise", None).unwrap_err(),
            DomainError::invalid("category", "unknown"),
            "switched off"
        );
        assert_eq!(
            parse_offered(&list, "waste", Some("dumping")).unwrap(),
            ("waste".into(), Some("dumping".into()))
        );
        assert_eq!(
            parse_offered(&list, "waste", Some("pothole")).unwrap_err(),
            DomainError::invalid("subcategory", "unknown")
        );
        assert_eq!(
            parse_offered(&list, "weather", None).unwrap_err(),
            DomainError::invalid("category", "unknown")
        );
        assert_eq!(offered(&[]).len(), NATIONAL_CATEGORIES.len());
    }

    #[test]
    fn descriptions_are_bounded() {
        assert_eq!(
            parse_description("  Lampadaire éteint depuis 3 jours\n ").unwrap(),
            "Lampadaire éteint depuis 3 jours"
        );
        assert!(parse_description("short").is_err());
        assert!(parse_description(&"ب".repeat(2001)).is_err());
        assert!(parse_description("ten chars!\u{7}").is_err());
        assert!(parse_description("first line\nsecond line").is_ok());
    }

    #[test]
    fn nearby_cells_cover_the_radius() {
        // Avenue Habib Bourguiba, Tunis.
        let p = at(36.800_0, 10.186_0);
        let cells = cells_around(&p);
        assert_eq!(cells.len(), 9);
        assert!(cells.iter().all(|c| c.len() == CELL_PRECISION));
        // Points 100 m away in every direction fall in one of the nine cells, even
        // from a point at a cell's edge, in the far south too.
        for p in [p, at(36.80069, 10.18607), at(33.0, 10.0)] {
            let cells = cells_around(&p);
            for k in 0..16 {
                let a = (k as f64) * std::f64::consts::PI / 8.0;
                let dlat = 100.0 * a.cos() / 111_195.0;
                let dlon = 100.0 * a.sin() / (111_195.0 * p.lat.to_radians().cos());
                let q = at(p.lat + dlat, p.lon + dlon);
                assert!(distance_m(&p, &q) <= NEARBY_RADIUS_M + 1.0);
                assert!(cells.contains(&cell(&q)), "{p:?} {k}");
            }
        }
        for (dlat, dlon) in [(0.0009, 0.0), (-0.0009, 0.0), (0.0, 0.0011), (0.0, -0.0011)] {
            let q = at(p.lat + dlat, p.lon + dlon);
            assert!(distance_m(&p, &q) <= 101.0, "{}", distance_m(&p, &q));
            assert!(cells.contains(&cell(&q)), "{dlat},{dlon}");
        }
    }

    #[test]
    fn distances_in_metres() {
        let tunis = at(36.8065, 10.1815);
        let sfax = at(34.7406, 10.7603);
        let d = distance_m(&tunis, &sfax);
        assert!((230_000.0..240_000.0).contains(&d), "{d}");
        assert_eq!(distance_m(&tunis, &tunis), 0.0);
    }
}
