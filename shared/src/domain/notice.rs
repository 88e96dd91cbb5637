//! Notices: telling citizens that something happened to a case they filed or
//! follow. The intent (a [`Notice`]) is written in the same transaction as the
//! change; delivery happens afterwards, is retried, and is recorded per person.
//! Pure rules here: who gets what, by which channel, in which words, and when to
//! try again.

use serde::{Deserialize, Serialize};

use time::OffsetDateTime;

use super::Id;
use super::account::NotifyPreference;
use super::case::{CaseRecord, HistoryEntry};
use super::workflow::CaseKind;
use super::{Lang, MunicipalityId};

/// Something to tell the people concerned by a case.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// `ntf_…`: also the deduplication key of each delivery.
    pub id: String,
    pub municipality: MunicipalityId,
    pub kind: CaseKind,
    pub case_id: String,
    /// The state the case moved to, and the history entry that says so.
    pub state: String,
    pub seq: u64,
    pub at: String,
    /// Delivery attempts so far, and when the next is due (epoch seconds).
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub next_attempt_at: u64,
    /// The reference the person knows the case by (a permit dossier's number);
    /// the id's last 6 characters when absent.
    pub reference: Option<String>,
    /// For someone in particular (a ticket's holder), not the case's people.
    pub to: Option<String>,
}

impl Notice {
    /// Telling a case's people that it is now in `state` (history entry `seq`),
    /// or, with a pseudo-state such as [`OVERDUE`], that something happened to
    /// it. `reference` is the number they know it by. The stream delivers at
    /// once; the sweep takes over a minute later if that fails.
    pub fn about<D>(
        case: &CaseRecord<D>,
        state: &str,
        seq: u64,
        reference: Option<String>,
        now: OffsetDateTime,
    ) -> Notice {
        Notice {
            id: Id::generate("ntf").to_string(),
            municipality: case.municipality.clone(),
            kind: case.kind,
            case_id: case.id.clone(),
            state: state.to_owned(),
            seq,
            at: crate::clock::rfc3339(now),
            attempts: 0,
            next_attempt_at: crate::clock::epoch_secs(now) + 60,
            reference,
            to: None,
        }
    }

    /// The notice of a step a case just took (`entry`).
    pub fn of_step<D>(
        case: &CaseRecord<D>,
        entry: &HistoryEntry,
        reference: Option<String>,
        now: OffsetDateTime,
    ) -> Notice {
        Notice::about(case, &entry.state, entry.seq, reference, now)
    }
}

/// A reminder for the municipality's staff (`GET …/reminders`): a file due
/// soon, or overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub kind: CaseKind,
    pub case_id: String,
    /// `due_soon`, `overdue`, or `contested` (a reporter contested a resolution).
    pub what: String,
    pub due_at: String,
    pub at: String,
    /// The dossier reference, if the case has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Pseudo-state of a notice: an access-to-information request's deadline passed
/// without an answer (implicit refusal: the requester may appeal).
pub const OVERDUE: &str = "overdue";

/// How one person is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Push,
    Sms,
}

/// Push where there is a device; an SMS only for those who asked for it; else
/// nothing (the person sees it in the app).
pub fn channel(pref: NotifyPreference, has_device: bool) -> Option<Channel> {
    match (pref, has_device) {
        (NotifyPreference::None, _) => None,
        (_, true) => Some(Channel::Push),
        (NotifyPreference::PushThenSms, false) => Some(Channel::Sms),
        (NotifyPreference::Push, false) => None,
    }
}

/// Attempts before a delivery is given up (about a day of backoff).
pub const MAX_ATTEMPTS: u32 = 12;

/// When to try again after `attempts` failed tries: 1, 2, 4… minutes, at most an
/// hour apart.
pub fn next_attempt(now: u64, attempts: u32) -> u64 {
    now + (60u64 << attempts.min(6)).min(3600)
}

/// A complaint state in words.
pub fn complaint_state_name(state: &str, lang: Lang) -> &'static str {
    let (ar, fr, en) = match state {
        "received" => ("مستلمة", "reçu", "received"),
        "in_progress" => ("قيد المعالجة", "en cours de traitement", "in progress"),
        "investigating" => ("قيد المعاينة", "en cours d'examen", "being investigated"),
        "action_scheduled" => (
            "تمت برمجة التدخل",
            "intervention programmée",
            "action scheduled",
        ),
        "resolved" => ("تمت معالجتها", "résolu", "resolved"),
        "rejected" => ("مرفوضة", "rejeté", "rejected"),
        "not_clear" => ("غير واضحة", "à préciser", "needs details"),
        "outside_remit" => (
            "خارج اختصاص البلدية",
            "hors compétence",
            "outside the remit",
        ),
        "duplicate" => ("مكررة", "doublon", "duplicate"),
        "withdrawn" => ("مسحوبة", "retiré", "withdrawn"),
        "reopened" => ("أعيد فتحها", "rouvert", "reopened"),
        _ => ("محدثة", "mis à jour", "updated"),
    };
    match lang {
        Lang::Ar => ar,
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// The words of a notice about a complaint: short enough for one SMS in every
/// language; the reference (the id's last 6 characters) lets the person find it.
pub fn complaint_text(state: &str, case_id: &str, lang: Lang) -> String {
    let reference = super::case::inbox::id_suffix(case_id);
    let name = complaint_state_name(state, lang);
    match lang {
        Lang::Ar => format!("بلدية: شكايتك {reference}: {name}."),
        Lang::Fr => format!("Baladiya : votre signalement {reference} est {name}."),
        Lang::En => format!("Baladiya: your report {reference} is {name}."),
    }
}

/// A permit dossier's stage in words.
pub fn permit_state_name(state: &str, lang: Lang) -> &'static str {
    let (ar, fr, en) = match state {
        "received" => ("مستلم", "reçu", "received"),
        "in_review" => ("قيد الدراسة", "en cours d'étude", "in review"),
        "not_clear" => ("ينقصه وثائق", "incomplet", "incomplete"),
        "committee" => ("أمام اللجنة", "en commission", "before the committee"),
        "fees_due" => ("في انتظار دفع المعاليم", "frais à payer", "fees due"),
        "issued" => ("تم إسناد الرخصة", "permis délivré", "issued"),
        "completed" => ("منتهي", "achevé", "completed"),
        "rejected" => ("مرفوض", "refusé", "rejected"),
        "appealed" => ("محل تظلم", "en recours", "under appeal"),
        "cancelled" => ("ملغى", "annulé", "cancelled"),
        _ => ("محدث", "mis à jour", "updated"),
    };
    super::text::tr(ar, fr, en).pick(lang)
}

/// An access-to-information request's state in words.
pub fn info_request_state_name(state: &str, lang: Lang) -> &'static str {
    let (ar, fr, en) = match state {
        "received" => ("مستلم", "reçue", "received"),
        "processing" => ("قيد المعالجة", "en traitement", "being processed"),
        "extended" => ("تم تمديد الأجل", "délai prolongé", "extended"),
        "not_clear" => ("يتطلب توضيحا", "à préciser", "needs details"),
        "accepted" => ("تمت الإجابة", "répondue", "answered"),
        "partially_accepted" => ("إجابة جزئية", "répondue en partie", "partly answered"),
        "rejected" => ("مرفوض", "refusée", "refused"),
        "not_held" => ("غير متوفرة لدينا", "non détenue", "not held"),
        "appealed" => ("محل تظلم", "en recours", "under appeal"),
        "appeal_accepted" => ("قبول التظلم", "recours accepté", "appeal upheld"),
        "appeal_rejected" => ("رفض التظلم", "recours rejeté", "appeal refused"),
        "withdrawn" => ("مسحوب", "retirée", "withdrawn"),
        OVERDUE => ("انقضى أجل الرد", "délai dépassé", "overdue"),
        _ => ("محدث", "mise à jour", "updated"),
    };
    super::text::tr(ar, fr, en).pick(lang)
}

/// A ticket's notice: `ahead_2`, `ahead_1`, `ahead_0` (people before you), or
/// `called:<counter>`.
fn ticket_text(state: &str, number: &str, lang: Lang) -> String {
    if let Some(counter) = state.strip_prefix("called:") {
        return match lang {
            Lang::Ar => format!("بلدية: التذكرة {number}: تفضل إلى الشباك {counter}."),
            Lang::Fr => {
                format!("Baladiya : ticket {number} : présentez-vous au guichet {counter}.")
            }
            Lang::En => format!("Baladiya: ticket {number}: please go to counter {counter}."),
        };
    }
    match (state, lang) {
        ("ahead_0", Lang::Ar) => format!("بلدية: التذكرة {number}: أنت التالي."),
        ("ahead_0", Lang::Fr) => format!("Baladiya : ticket {number} : vous êtes le prochain."),
        ("ahead_0", Lang::En) => format!("Baladiya: ticket {number}: you are next."),
        ("ahead_1", Lang::Ar) => format!("بلدية: التذكرة {number}: شخص واحد قبلك."),
        ("ahead_1", Lang::Fr) => format!("Baladiya : ticket {number} : 1 personne avant vous."),
        ("ahead_1", Lang::En) => format!("Baladiya: ticket {number}: 1 person ahead of you."),
        (_, Lang::Ar) => format!("بلدية: التذكرة {number}: شخصان قبلك."),
        (_, Lang::Fr) => format!("Baladiya : ticket {number} : 2 personnes avant vous."),
        (_, Lang::En) => format!("Baladiya: ticket {number}: 2 people ahead of you."),
    }
}

/// The words of a notice about any case, one SMS long.
pub fn text(notice: &Notice, lang: Lang) -> String {
    let id = &notice.case_id;
    let reference = notice
        .reference
        .clone()
        .unwrap_or_else(|| super::case::inbox::id_suffix(id));
    let state = notice.state.as_str();
    match notice.kind {
        CaseKind::Permit => {
            let name = permit_state_name(state, lang);
            match lang {
                Lang::Ar => format!("بلدية: ملفك {reference}: {name}."),
                Lang::Fr => format!("Baladiya : votre dossier {reference} : {name}."),
                Lang::En => format!("Baladiya: your file {reference}: {name}."),
            }
        }
        CaseKind::InfoRequest if state == OVERDUE => match lang {
            Lang::Ar => format!("بلدية: طلبك {reference}: انقضى أجل الرد، يمكنك التظلم."),
            Lang::Fr => {
                format!(
                    "Baladiya : demande {reference} sans réponse dans le délai ; recours possible."
                )
            }
            Lang::En => format!("Baladiya: request {reference} is overdue; you may appeal."),
        },
        CaseKind::Ticket => ticket_text(state, &reference, lang),
        CaseKind::InfoRequest => {
            let name = info_request_state_name(state, lang);
            match lang {
                Lang::Ar => format!("بلدية: طلب النفاذ {reference}: {name}."),
                Lang::Fr => format!("Baladiya : demande d'accès {reference} : {name}."),
                Lang::En => format!("Baladiya: access request {reference}: {name}."),
            }
        }
        _ => complaint_text(state, id, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::COMPLAINT;
    use crate::notify::sms_segments;

    #[test]
    fn the_channel_follows_the_preference_and_the_devices() {
        use NotifyPreference::*;
        assert_eq!(channel(Push, true), Some(Channel::Push));
        assert_eq!(
            channel(Push, false),
            Option::None,
            "no SMS unless asked for"
        );
        assert_eq!(channel(PushThenSms, true), Some(Channel::Push));
        assert_eq!(channel(PushThenSms, false), Some(Channel::Sms));
        assert_eq!(channel(None, true), Option::None);
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(next_attempt(1000, 0), 1060);
        assert_eq!(next_attempt(1000, 1), 1120);
        assert_eq!(next_attempt(1000, 5), 1000 + 1920);
        assert_eq!(next_attempt(1000, 6), 1000 + 3600);
        assert_eq!(next_attempt(1000, 30), 1000 + 3600);
    }

    #[test]
    fn every_permit_and_info_request_state_has_words_and_fits_one_sms() {
        use crate::domain::workflow::{INFO_REQUEST, PERMIT};
        let notice = |kind, state: &str, reference: Option<&str>| Notice {
            id: "ntf_1".into(),
            municipality: MunicipalityId::parse("tunis").unwrap(),
            kind,
            case_id: "air_01JDQ2Y8V0K7N3M5P9R2T4W6XA".into(),
            state: state.into(),
            seq: 2,
            at: "2026-11-28T12:00:00Z".into(),
            attempts: 0,
            next_attempt_at: 0,
            reference: reference.map(str::to_owned),
            to: None,
        };
        for lang in Lang::ALL {
            for state in PERMIT.states {
                assert_ne!(permit_state_name(state, lang), permit_state_name("?", lang));
                let t = text(&notice(CaseKind::Permit, state, Some("2026-000042")), lang);
                assert!(t.contains("2026-000042"), "{t}");
                assert_eq!(sms_segments(&t), 1, "{lang:?} {state}: {t}");
            }
            let mut states = INFO_REQUEST.states.to_vec();
            states.push(OVERDUE);
            for state in states {
                assert_ne!(
                    info_request_state_name(state, lang),
                    info_request_state_name("?", lang)
                );
                let t = text(&notice(CaseKind::InfoRequest, state, None), lang);
                assert!(t.contains("T4W6XA"), "{t}");
                assert_eq!(sms_segments(&t), 1, "{lang:?} {state}: {t}");
            }
        }
    }

    #[test]
    fn ticket_notices_fit_one_sms() {
        for lang in Lang::ALL {
            for state in ["ahead_2", "ahead_1", "ahead_0", "called:12"] {
                let n = Notice {
                    id: "ntf_1".into(),
                    municipality: MunicipalityId::parse("tunis").unwrap(),
                    kind: CaseKind::Ticket,
                    case_id: "2026-11-28#A#7".into(),
                    state: state.into(),
                    seq: 0,
                    at: "2026-11-28T12:00:00Z".into(),
                    attempts: 0,
                    next_attempt_at: 0,
                    reference: Some("A007".into()),
                    to: Some("usr_1".into()),
                };
                let t = text(&n, lang);
                assert!(t.contains("A007"), "{t}");
                assert_eq!(sms_segments(&t), 1, "{lang:?} {state}: {t}");
            }
        }
    }

    #[test]
    fn every_complaint_state_has_words_and_fits_one_sms() {
        let id = "cmp_01JDQ2Y8V0K7N3M5P9R2T4W6XA";
        for state in COMPLAINT.states {
            for lang in Lang::ALL {
                let name = complaint_state_name(state, lang);
                assert_ne!(name, complaint_state_name("?", lang), "{state}");
                let text = complaint_text(state, id, lang);
                assert!(text.contains("T4W6XA"), "{text}");
                assert_eq!(sms_segments(&text), 1, "{lang:?} {state}: {text}");
            }
        }
    }
}
