//! Notices: telling citizens that something happened to a case they filed or
//! follow. The intent (a [`Notice`]) is written in the same transaction as the
//! change; delivery happens afterwards, is retried, and is recorded per person.
//! Pure rules here: who gets what, by which channel, in which words, and when to
//! try again.

use serde::{Deserialize, Serialize};

use time::OffsetDateTime;

use super::Id;
use super::account::NotifyPreference;
use super::case::{Actor, CaseRecord, HistoryEntry};
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
    /// The first words of the staff's note on the step (the whole note is in
    /// the case's timeline).
    #[serde(default)]
    pub note: Option<String>,
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
            note: None,
        }
    }

    /// The notice of a step a case just took (`entry`), with the first words
    /// of the note when staff wrote it.
    pub fn of_step<D>(
        case: &CaseRecord<D>,
        entry: &HistoryEntry,
        reference: Option<String>,
        now: OffsetDateTime,
    ) -> Notice {
        let note = match entry.author_role {
            Actor::Staff => entry.note.as_deref().and_then(excerpt),
            _ => None,
        };
        Notice {
            note,
            ..Notice::about(case, &entry.state, entry.seq, reference, now)
        }
    }

    /// The short reference the person knows the case by.
    pub fn short_reference(&self) -> String {
        self.reference
            .clone()
            .unwrap_or_else(|| super::case::inbox::id_suffix(&self.case_id))
    }

    /// Where the app reads the case: its API path.
    pub fn path(&self) -> Option<String> {
        let (m, id) = (&self.municipality, &self.case_id);
        let collection = match self.kind {
            CaseKind::Complaint => "complaints",
            CaseKind::Permit => "permits",
            CaseKind::InfoRequest => "info-requests",
            CaseKind::Ticket => {
                // `<day>#<agency>#<service>#<number>`: today's ticket.
                let parts: Vec<&str> = id.split('#').collect();
                let [_, agency, service, number] = parts[..] else {
                    return None;
                };
                return Some(format!(
                    "/v1/municipalities/{m}/agencies/{agency}/services/{service}/tickets/{number}"
                ));
            }
            CaseKind::Event => "events",
            CaseKind::Appointment => "appointments",
            CaseKind::ForumEntry => return None,
        };
        Some(format!("/v1/municipalities/{m}/{collection}/{id}"))
    }
}

/// Characters of a staff note a notice carries at most.
pub const NOTE_EXCERPT: usize = 50;

/// The first words of a note, at most [`NOTE_EXCERPT`] characters, on one
/// line, cut between words with "..." (GSM characters: an ASCII cut keeps a
/// French text in the 160-character SMS alphabet).
pub fn excerpt(note: &str) -> Option<String> {
    let flat: String = note.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return None;
    }
    if flat.chars().count() <= NOTE_EXCERPT {
        return Some(flat);
    }
    let mut out = String::new();
    for word in flat.split(' ') {
        let next = out.chars().count() + usize::from(!out.is_empty()) + word.chars().count();
        if next > NOTE_EXCERPT - 3 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One long word: cut it.
        out = flat.chars().take(NOTE_EXCERPT - 3).collect();
    }
    out.push_str("...");
    Some(out)
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

/// Whether a person told of a case hears of it as their own file: its filer,
/// and a dossier's followers (following one takes its number and the holder's
/// national ID: they are its holder or act for them). Anyone may follow a
/// public complaint: that is not theirs.
/// An event's notices (a reminder, a change, a freed place) are never a file
/// of the person's: push only, no SMS.
pub fn own_file(kind: CaseKind, filed_it: bool) -> bool {
    match kind {
        CaseKind::Event => false,
        CaseKind::Permit => true,
        _ => filed_it,
    }
}

/// Push where there is a device; an SMS to those who accept one, about their
/// own files only (what they follow stays in the app: SMS is what the platform
/// pays for); else nothing (the person sees it in the app).
pub fn channel(pref: NotifyPreference, has_device: bool, own: bool) -> Option<Channel> {
    match (pref, has_device) {
        (NotifyPreference::None, _) => None,
        (_, true) => Some(Channel::Push),
        (NotifyPreference::PushThenSms, false) if own => Some(Channel::Sms),
        (NotifyPreference::PushThenSms | NotifyPreference::Push, false) => None,
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

/// An appointment's notice: `when` is its slot on the clocks of Tunis.
fn appointment_text(state: &str, when: &str, lang: Lang) -> String {
    let name = match (state, lang) {
        ("reminder_24h", Lang::Ar) => "تذكير: موعدك غدًا",
        ("reminder_24h", Lang::Fr) => "rappel : c'est demain",
        ("reminder_24h", Lang::En) => "reminder: it is tomorrow",
        ("reminder_2h", Lang::Ar) => "تذكير: موعدك بعد ساعتين",
        ("reminder_2h", Lang::Fr) => "rappel : dans deux heures",
        ("reminder_2h", Lang::En) => "reminder: in two hours",
        ("requested", Lang::Ar) => "في انتظار الموافقة",
        ("requested", Lang::Fr) => "en attente d'acceptation",
        ("requested", Lang::En) => "awaiting approval",
        ("confirmed", Lang::Ar) => "مؤكَّد",
        ("confirmed", Lang::Fr) => "confirmé",
        ("confirmed", Lang::En) => "confirmed",
        ("declined", Lang::Ar) => "مرفوض",
        ("declined", Lang::Fr) => "refusé",
        ("declined", Lang::En) => "declined",
        ("cancelled", Lang::Ar) => "ملغى",
        ("cancelled", Lang::Fr) => "annulé",
        ("cancelled", Lang::En) => "cancelled",
        ("no_show", Lang::Ar) => "لم تحضر",
        ("no_show", Lang::Fr) => "absence constatée",
        ("no_show", Lang::En) => "marked as missed",
        (_, Lang::Ar) => "تم",
        (_, Lang::Fr) => "effectué",
        (_, Lang::En) => "done",
    };
    match lang {
        Lang::Ar => format!("بلدية: موعدك {when}: {name}."),
        Lang::Fr => format!("Baladiya : votre rendez-vous du {when} : {name}."),
        Lang::En => format!("Baladiya: your appointment on {when}: {name}."),
    }
}

/// An event's notice: `reference` is its start on the clocks of Tunis
/// (`05/12 18:00`); its title follows as the notice's note.
fn event_text(state: &str, when: &str, lang: Lang) -> String {
    match (state, lang) {
        ("reminder", Lang::Ar) => format!("بلدية: تذكير: موعد النشاط {when}:"),
        ("reminder", Lang::Fr) => format!("Baladiya : rappel, l'activité a lieu le {when} :"),
        ("reminder", Lang::En) => format!("Baladiya: reminder, the event is on {when}:"),
        ("moved", Lang::Ar) => format!("بلدية: تغيّر موعد أو مكان النشاط، الموعد الجديد {when}:"),
        ("moved", Lang::Fr) => format!("Baladiya : date ou lieu modifié, désormais le {when} :"),
        ("moved", Lang::En) => format!("Baladiya: new time or place, now on {when}:"),
        ("postponed", Lang::Ar) => "بلدية: تأجّل النشاط:".to_owned(),
        ("postponed", Lang::Fr) => "Baladiya : activité reportée :".to_owned(),
        ("postponed", Lang::En) => "Baladiya: event postponed:".to_owned(),
        ("cancelled", Lang::Ar) => "بلدية: أُلغي النشاط:".to_owned(),
        ("cancelled", Lang::Fr) => "Baladiya : activité annulée :".to_owned(),
        ("cancelled", Lang::En) => "Baladiya: event cancelled:".to_owned(),
        (_, Lang::Ar) => format!("بلدية: تحرّر مكان، أنت مسجّل في النشاط {when}:"),
        (_, Lang::Fr) => {
            format!("Baladiya : une place s'est libérée, vous êtes inscrit le {when} :")
        }
        (_, Lang::En) => format!("Baladiya: a place came free, you are registered for {when}:"),
    }
}

/// The words of a notice about any case: its state in one SMS, and the first
/// words of the staff's note after it (two SMS at most).
pub fn text(notice: &Notice, lang: Lang) -> String {
    let words = state_text(notice, lang);
    match &notice.note {
        Some(note) => format!("{words} \"{note}\""),
        None => words,
    }
}

/// The words of a notice's state, one SMS long.
fn state_text(notice: &Notice, lang: Lang) -> String {
    let id = &notice.case_id;
    let reference = notice.short_reference();
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
        CaseKind::Event => event_text(state, &reference, lang),
        CaseKind::Appointment => appointment_text(state, &reference, lang),
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
        // (preference, a device, the person's own file) → channel
        let table = [
            (Push, true, true, Some(Channel::Push)),
            (Push, false, true, Option::None),
            (PushThenSms, true, true, Some(Channel::Push)),
            (PushThenSms, true, false, Some(Channel::Push)),
            (PushThenSms, false, true, Some(Channel::Sms)),
            (PushThenSms, false, false, Option::None),
            (None, true, true, Option::None),
            (None, false, true, Option::None),
        ];
        for (pref, device, own, want) in table {
            assert_eq!(channel(pref, device, own), want, "{pref:?} {device} {own}");
        }
        assert_eq!(NotifyPreference::default(), PushThenSms);
    }

    #[test]
    fn a_dossiers_followers_and_any_filer_hear_of_their_own_file() {
        for kind in [CaseKind::Complaint, CaseKind::Permit, CaseKind::InfoRequest] {
            assert!(own_file(kind, true), "{kind:?}");
        }
        assert!(own_file(CaseKind::Permit, false));
        assert!(!own_file(CaseKind::Complaint, false));
        assert!(!own_file(CaseKind::InfoRequest, false));
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
            note: None,
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
                    note: None,
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

    #[test]
    fn a_note_is_cut_between_words_on_one_line() {
        let table: &[(&str, Option<&str>)] = &[
            ("", None),
            ("  \n ", None),
            ("Lampe remplacée.", Some("Lampe remplacée.")),
            (
                "Lampe\nremplacée,   rue\tde Marseille.",
                Some("Lampe remplacée, rue de Marseille."),
            ),
            (
                "Le lampadaire a été remplacé par l'équipe de nuit ce mardi, merci de votre patience.",
                Some("Le lampadaire a été remplacé par l'équipe de..."),
            ),
            (&"x".repeat(80), Some(&*format!("{}...", "x".repeat(47)))),
        ];
        for (note, want) in table {
            let got = excerpt(note);
            assert_eq!(got.as_deref(), *want, "{note:?}");
            if let Some(g) = got {
                assert!(g.chars().count() <= NOTE_EXCERPT, "{g}");
            }
        }
    }

    #[test]
    fn a_staff_note_travels_with_the_state_in_two_sms_at_most() {
        use crate::domain::case::CaseRecord;
        let case = CaseRecord {
            kind: CaseKind::Complaint,
            municipality: MunicipalityId::parse("tunis").unwrap(),
            id: "cmp_01JDQ2Y8V0K7N3M5P9R2T4W6XA".into(),
            owner: "usr_1".into(),
            state: "resolved".into(),
            seq: 2,
            created_at: "2026-11-28T12:00:00Z".into(),
            updated_at: "2026-11-28T12:00:00Z".into(),
            data: (),
            supporters: 0,
            assigned_to: None,
            duplicate_of: None,
            hidden: false,
            status_note: None,
            due_at: None,
        };
        let now = time::macros::datetime!(2026-12-02 10:00 UTC);
        let long =
            "Le lampadaire a été remplacé par l'équipe de nuit ce mardi, merci de votre patience.";
        for (role, told) in [
            (Actor::Staff, true),
            (Actor::Owner, false),
            (Actor::System, false),
        ] {
            let entry = HistoryEntry {
                seq: 2,
                state: "resolved".into(),
                note: Some(long.into()),
                author: "usr_2".into(),
                author_role: role,
                at: "2026-12-02T10:00:00Z".into(),
                attachment: None,
            };
            let notice = Notice::of_step(&case, &entry, None, now);
            assert_eq!(notice.note.is_some(), told, "{role:?}");
            assert_eq!(
                notice.path().as_deref(),
                Some("/v1/municipalities/tunis/complaints/cmp_01JDQ2Y8V0K7N3M5P9R2T4W6XA")
            );
            for lang in Lang::ALL {
                let t = text(&notice, lang);
                assert!(t.contains("T4W6XA"), "{t}");
                assert_eq!(t.contains("Le lampadaire a été"), told, "{t}");
                assert!(sms_segments(&t) <= 2, "{lang:?}: {t}");
            }
        }
        let fr = text(
            &Notice::of_step(
                &case,
                &HistoryEntry {
                    seq: 2,
                    state: "resolved".into(),
                    note: Some("Lampe remplacée.".into()),
                    author: "usr_2".into(),
                    author_role: Actor::Staff,
                    at: "2026-12-02T10:00:00Z".into(),
                    attachment: None,
                },
                None,
                now,
            ),
            Lang::Fr,
        );
        assert_eq!(
            fr,
            "Baladiya : votre signalement T4W6XA est résolu. \"Lampe remplacée.\""
        );
        assert_eq!(sms_segments(&fr), 1, "{fr}");
    }

    #[test]
    fn a_notice_links_to_its_case() {
        let mut n = Notice::about(
            &crate::domain::case::CaseRecord {
                kind: CaseKind::Ticket,
                municipality: MunicipalityId::parse("tunis").unwrap(),
                id: "2026-12-02#bab-bhar#civil#7".into(),
                owner: "usr_1".into(),
                state: "waiting".into(),
                seq: 0,
                created_at: String::new(),
                updated_at: String::new(),
                data: (),
                supporters: 0,
                assigned_to: None,
                duplicate_of: None,
                hidden: false,
                status_note: None,
                due_at: None,
            },
            "ahead_1",
            0,
            Some("A007".into()),
            time::macros::datetime!(2026-12-02 10:00 UTC),
        );
        assert_eq!(
            n.path().as_deref(),
            Some("/v1/municipalities/tunis/agencies/bab-bhar/services/civil/tickets/7")
        );
        assert_eq!(n.short_reference(), "A007");
        n.kind = CaseKind::Permit;
        n.case_id = "prm_01JDQ2Y8V0K7N3M5P9R2T4W6XA".into();
        n.reference = None;
        assert_eq!(
            n.path().as_deref(),
            Some("/v1/municipalities/tunis/permits/prm_01JDQ2Y8V0K7N3M5P9R2T4W6XA")
        );
        assert_eq!(n.short_reference(), "T4W6XA");
    }
}
