//! The ten committees a new municipality is offered: the council and the
//! standing committees most councils form (the Local Authorities Code's
//! obligatory ones among them). Staff create each they want with its members;
//! the names are a start, for the council to adjust.

use super::CommitteeKind;
use crate::domain::{Text, tr};

/// A committee offered to a new municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion {
    pub code: &'static str,
    pub kind: CommitteeKind,
    pub name: Text<&'static str>,
}

const fn standing(code: &'static str, name: Text<&'static str>) -> Suggestion {
    Suggestion {
        code,
        kind: CommitteeKind::Standing,
        name,
    }
}

pub const SUGGESTED: [Suggestion; 10] = [
    Suggestion {
        code: "council",
        kind: CommitteeKind::Council,
        name: tr("المجلس البلدي", "Conseil municipal", "Municipal council"),
    },
    standing(
        "finance",
        tr(
            "لجنة الشؤون المالية والاقتصادية ومتابعة التصرف",
            "Commission des affaires financières, économiques et du suivi de la gestion",
            "Finance, economic affairs and management review committee",
        ),
    ),
    standing(
        "works",
        tr(
            "لجنة الأشغال والتهيئة العمرانية",
            "Commission des travaux et de l'aménagement urbain",
            "Public works and urban planning committee",
        ),
    ),
    standing(
        "environment",
        tr(
            "لجنة النظافة والصحة والبيئة",
            "Commission de la propreté, de la santé et de l'environnement",
            "Cleanliness, health and environment committee",
        ),
    ),
    standing(
        "administration",
        tr(
            "لجنة الشؤون الإدارية وإسداء الخدمات",
            "Commission des affaires administratives et des services",
            "Administrative affairs and services committee",
        ),
    ),
    standing(
        "social",
        tr(
            "لجنة الشؤون الاجتماعية والأسرة",
            "Commission des affaires sociales et de la famille",
            "Social affairs and family committee",
        ),
    ),
    standing(
        "youth-culture",
        tr(
            "لجنة الشباب والرياضة والثقافة",
            "Commission de la jeunesse, du sport et de la culture",
            "Youth, sport and culture committee",
        ),
    ),
    standing(
        "equality",
        tr(
            "لجنة المساواة وتكافؤ الفرص بين المرأة والرجل",
            "Commission de l'égalité et de l'équité des chances entre femmes et hommes",
            "Equality and equal opportunity between women and men committee",
        ),
    ),
    standing(
        "participation",
        tr(
            "لجنة الديمقراطية التشاركية والحوكمة المفتوحة",
            "Commission de la démocratie participative et de la gouvernance ouverte",
            "Participatory democracy and open government committee",
        ),
    ),
    standing(
        "abroad",
        tr(
            "لجنة شؤون التونسيين بالخارج",
            "Commission des affaires des Tunisiens à l'étranger",
            "Tunisians abroad committee",
        ),
    ),
];
