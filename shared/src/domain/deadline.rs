//! Legal deadlines of access-to-information requests (loi organique n° 2016-22 du
//! 24 mars 2016 relative au droit d'accès à l'information), computed and explained
//! in Arabic, French and English. Pure functions: the caller passes the moments and
//! the holiday table, nothing here reads a clock, a store or the network.
//!
//! # The law's time limits
//!
//! | rule | limit | counted from | article |
//! | --- | --- | --- | --- |
//! | [`Rule::Standard`] | 20 days | receipt of the request | 14 |
//! | [`Rule::OnSite`] | 10 days, when the requester asked to consult on site | receipt | 15 |
//! | [`Rule::Extended`] | + 10 days, once, when the request concerns multiple or varied information, with notice to the requester | the original due date | 16 |
//! | [`Rule::Urgent`] | 48 hours, when the information is needed to protect a person's life or liberty | receipt | 17 |
//! | (implicit refusal) | the body's silence past its deadline counts as a refusal | | 18 |
//! | [`Rule::NotHeld`] | 5 working days to tell the requester the body does not hold the information and redirect them | receipt | 19 |
//! | [`Rule::ThirdParty`] | 45 days when a third party must be consulted | receipt | 20 |
//! | [`Rule::AppealWindow`] | 20 days for the requester's *recours gracieux* to the head of the body | the decision, or the missed deadline (implicit refusal) | 29 |
//! | [`Rule::AppealAnswer`] | 10 days for the head of the body to answer; silence counts as a refusal and the requester may go to the Instance d'accès à l'information | the appeal | 29, 30 |
//!
//! The limits themselves (20, 10, 48 h, +10 once, 45, 5 working days, 20 and 10 for
//! the appeal, silence = refusal) are confirmed by the Instance d'accès à
//! l'information's citizen page (inai.tn) and by public bodies' published guides.
//! The article numbers other than 14 were not confirmed against the official text
//! (JORT n° 26 of 29 March 2016) when this module was written: they all live in
//! [`Rule::article`] and the two constants beside it, so a correction is one line.
//!
//! # How a deadline is computed
//!
//! - Everything happens in the Africa/Tunis time zone (the IANA database embedded
//!   through `jiff`), whatever offset the caller's `OffsetDateTime` carries: a
//!   request received at 23:30 UTC on the 3rd was received on the 4th in Tunis.
//! - Calendar-day limits of N days: counting starts the day after the starting
//!   event's local date; the deadline is the end (23:59:59 Tunis) of the Nth day. If
//!   that day is not a working day, the deadline moves to the end of the next
//!   working day.
//! - Working days are Monday to Friday, public holidays excluded ([`Calendar`]).
//! - Working-day limits (the 5 working days of [`Rule::NotHeld`]): the end of the Nth
//!   working day after the starting day.
//! - The 48 hours run from the exact moment of receipt, to the second, and are never
//!   moved to a working day.
//! - The extension adds 10 calendar days to the original due date, then moves to a
//!   working day like any calendar-day limit. That it is granted only once is the
//!   caller's rule: [`extended`] just computes.
//!
//! The public holidays are data, edited by the operator (`domain::calendar`).

use std::sync::OnceLock;

use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

use super::DomainError;
use super::calendar::Calendar;

/// The time zone every deadline is computed in.
pub const TIME_ZONE: &str = "Africa/Tunis";

/// Days to answer a request (art. 14).
pub const STANDARD_DAYS: u16 = 20;
/// Days to answer a request for on-site consultation (art. 15).
pub const ON_SITE_DAYS: u16 = 10;
/// Hours to answer when a person's life or liberty is at stake (art. 17).
pub const URGENT_HOURS: i64 = 48;
/// Days added, once, by an extension (art. 16).
pub const EXTENSION_DAYS: u16 = 10;
/// Days to answer when a third party must be consulted.
pub const THIRD_PARTY_DAYS: u16 = 45;
/// Working days to tell the requester the body does not hold the information.
pub const NOT_HELD_WORKING_DAYS: u16 = 5;
/// Days the requester has for a recours gracieux to the head of the body.
pub const APPEAL_WINDOW_DAYS: u16 = 20;
/// Days the head of the body has to answer a recours gracieux.
pub const APPEAL_ANSWER_DAYS: u16 = 10;

/// Article saying the body's silence past its deadline is an implicit refusal.
const ART_IMPLICIT_REFUSAL: u8 = 18;
/// Article on the appeal to the Instance d'accès à l'information.
const ART_AUTHORITY_APPEAL: u8 = 30;

/// How the requester asked to access the information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMode {
    /// Consultation on the body's premises: the 10-day limit.
    OnSite,
    PaperCopy,
    ElectronicCopy,
    Extracts,
}

impl AccessMode {
    pub const ALL: [AccessMode; 4] = [
        AccessMode::OnSite,
        AccessMode::PaperCopy,
        AccessMode::ElectronicCopy,
        AccessMode::Extracts,
    ];

    /// Stable code, the same as the serde name.
    pub fn code(self) -> &'static str {
        match self {
            AccessMode::OnSite => "on_site",
            AccessMode::PaperCopy => "paper_copy",
            AccessMode::ElectronicCopy => "electronic_copy",
            AccessMode::Extracts => "extracts",
        }
    }

    pub fn parse(raw: &str) -> Result<AccessMode, DomainError> {
        let code = raw.trim();
        AccessMode::ALL
            .into_iter()
            .find(|m| m.code() == code)
            .ok_or(DomainError::invalid("access_mode", "unknown"))
    }
}

/// Which legal rule set the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Standard,
    OnSite,
    Urgent,
    Extended,
    ThirdParty,
    NotHeld,
    AppealWindow,
    AppealAnswer,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule::Standard,
        Rule::OnSite,
        Rule::Urgent,
        Rule::Extended,
        Rule::ThirdParty,
        Rule::NotHeld,
        Rule::AppealWindow,
        Rule::AppealAnswer,
    ];

    /// Stable code, the same as the serde name.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Standard => "standard",
            Rule::OnSite => "on_site",
            Rule::Urgent => "urgent",
            Rule::Extended => "extended",
            Rule::ThirdParty => "third_party",
            Rule::NotHeld => "not_held",
            Rule::AppealWindow => "appeal_window",
            Rule::AppealAnswer => "appeal_answer",
        }
    }

    /// The article of loi organique 2016-22 that sets this limit, as cited in the
    /// explanations. Only 14 was checked against a source quoting the law by article
    /// when this was written; see the module documentation.
    pub fn article(self) -> u8 {
        match self {
            Rule::Standard => 14,
            Rule::OnSite => 15,
            Rule::Extended => 16,
            Rule::Urgent => 17,
            Rule::NotHeld => 19,
            Rule::ThirdParty => 20,
            Rule::AppealWindow | Rule::AppealAnswer => 29,
        }
    }
}

/// A computed deadline and why: shown to citizens and staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    pub rule: Rule,
    /// RFC 3339 in UTC, seconds precision (e.g. "2026-12-18T22:59:59Z").
    pub due_at: String,
    /// The due moment in Tunis local time, RFC 3339 with offset (e.g.
    /// "2026-12-18T23:59:59+01:00").
    pub due_local: String,
    /// Each step of the computation, in ar, fr and en.
    pub explanation: Vec<Explained>,
}

impl Deadline {
    /// The due moment, read back from `due_at`.
    pub fn due(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.due_at, &Rfc3339).ok()
    }
}

/// One step of an explanation, in the three languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explained {
    pub ar: String,
    pub fr: String,
    pub en: String,
}

/// The deadline to answer a request: 48 hours when `urgent` (a person's life or
/// liberty is at stake), else 10 days for on-site consultation, else 20 days.
pub fn answer_deadline(
    received: OffsetDateTime,
    mode: AccessMode,
    urgent: bool,
    cal: &Calendar,
) -> Deadline {
    if urgent {
        by_hours(Rule::Urgent, received, URGENT_HOURS)
    } else if mode == AccessMode::OnSite {
        by_calendar_days(Rule::OnSite, Start::Received, received, ON_SITE_DAYS, cal)
    } else {
        by_calendar_days(
            Rule::Standard,
            Start::Received,
            received,
            STANDARD_DAYS,
            cal,
        )
    }
}

/// The deadline after the one extension of 10 days, from the original due moment.
pub fn extended(original_due: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::Extended,
        Start::OriginalDue,
        original_due,
        EXTENSION_DAYS,
        cal,
    )
}

/// The deadline to answer when a third party must be consulted: 45 days.
pub fn third_party(received: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::ThirdParty,
        Start::Received,
        received,
        THIRD_PARTY_DAYS,
        cal,
    )
}

/// The deadline to tell the requester the body does not hold the information and
/// redirect them: 5 working days.
pub fn not_held(received: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_working_days(Rule::NotHeld, received, NOT_HELD_WORKING_DAYS, cal)
}

/// The requester's window for a recours gracieux: 20 days from the decision, or from
/// the missed deadline when the body stayed silent.
pub fn appeal_window(decided: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::AppealWindow,
        Start::Decided,
        decided,
        APPEAL_WINDOW_DAYS,
        cal,
    )
}

/// The head of the body's deadline to answer a recours gracieux: 10 days.
pub fn appeal_answer(appealed: OffsetDateTime, cal: &Calendar) -> Deadline {
    by_calendar_days(
        Rule::AppealAnswer,
        Start::Appealed,
        appealed,
        APPEAL_ANSWER_DAYS,
        cal,
    )
}

// ----- computation -----

/// What the counting starts from, for the first step of the explanation.
#[derive(Clone, Copy)]
enum Start {
    Received,
    OriginalDue,
    Decided,
    Appealed,
}

fn by_calendar_days(
    rule: Rule,
    start: Start,
    from: OffsetDateTime,
    days: u16,
    cal: &Calendar,
) -> Deadline {
    let at = local(timestamp(from));
    let day0 = time_date(at.date());
    let nth = day0
        .checked_add(time::Duration::days(days.into()))
        .unwrap_or(Date::MAX);
    let due_date = cal.roll_forward(nth);
    let due = end_of_day(due_date);
    let mut steps = vec![start_step(start, &at), rule_step(rule)];
    steps.push(nth_day_step(days, nth, due_date));
    steps.push(due_step(&due));
    steps.extend(after_step(rule));
    finish(rule, &due, steps)
}

fn by_working_days(rule: Rule, from: OffsetDateTime, days: u16, cal: &Calendar) -> Deadline {
    let at = local(timestamp(from));
    let day0 = time_date(at.date());
    let due_date = cal.add_working_days(day0, days);
    let due = end_of_day(due_date);
    let mut skipped = Vec::new();
    let mut d = day0;
    while let Some(next) = d.next_day().filter(|n| *n < due_date) {
        if !cal.is_working_day(next) {
            skipped.push(next);
        }
        d = next;
    }
    let mut steps = vec![start_step(Start::Received, &at), rule_step(rule)];
    steps.push(nth_working_day_step(days, day0, due_date));
    if !skipped.is_empty() {
        steps.push(skipped_step(&skipped));
    }
    steps.push(due_step(&due));
    steps.extend(after_step(rule));
    finish(rule, &due, steps)
}

fn by_hours(rule: Rule, from: OffsetDateTime, hours: i64) -> Deadline {
    let start = timestamp(from);
    let at = local(start);
    let due = local(
        start
            .checked_add(SignedDuration::from_hours(hours))
            .unwrap_or(Timestamp::MAX),
    );
    let mut steps = vec![start_step(Start::Received, &at), rule_step(rule)];
    steps.push(due_step(&due));
    steps.extend(after_step(rule));
    finish(rule, &due, steps)
}

fn finish(rule: Rule, due: &Zoned, explanation: Vec<Explained>) -> Deadline {
    Deadline {
        rule,
        due_at: due
            .with_time_zone(TimeZone::UTC)
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        due_local: due.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        explanation,
    }
}

fn tunis() -> TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        // The database is embedded, so the lookup cannot fail; Tunis has kept UTC+1
        // without daylight saving since 2009 should it ever.
        TimeZone::get(TIME_ZONE).unwrap_or_else(|_| TimeZone::fixed(Offset::constant(1)))
    })
    .clone()
}

fn timestamp(t: OffsetDateTime) -> Timestamp {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos()).unwrap_or(if t.unix_timestamp() < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

fn local(t: Timestamp) -> Zoned {
    t.to_zoned(tunis())
}

fn time_date(d: civil::Date) -> Date {
    u8::try_from(d.month())
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .zip(u8::try_from(d.day()).ok())
        .and_then(|(m, day)| Date::from_calendar_date(d.year().into(), m, day).ok())
        .unwrap_or(Date::MAX)
}

/// 23:59:59 in Tunis on `d`.
fn end_of_day(d: Date) -> Zoned {
    i16::try_from(d.year())
        .ok()
        .and_then(|y| civil::Date::new(y, u8::from(d.month()) as i8, d.day() as i8).ok())
        .and_then(|c| c.at(23, 59, 59, 0).to_zoned(tunis()).ok())
        .unwrap_or_else(|| local(Timestamp::MAX))
}

// ----- explanations -----

const LAW_AR: &str = "القانون الأساسي عدد 22 لسنة 2016";
const LAW_FR: &str = "loi organique 2016-22";
const LAW_EN: &str = "Organic Law 2016-22";

fn step(ar: String, fr: String, en: String) -> Explained {
    Explained { ar, fr, en }
}

fn start_step(start: Start, at: &Zoned) -> Explained {
    let d = time_date(at.date());
    let (ar, fr, en) = (date_ar(d), date_fr(d), date_en(d));
    let hm = hour_minute(at);
    match start {
        Start::Received => step(
            format!("ورد مطلب النفاذ يوم {ar} على الساعة {hm} (بتوقيت تونس)."),
            format!("Demande reçue le {fr} à {hm} (heure de Tunis)."),
            format!("Request received on {en} at {hm} (Tunis time)."),
        ),
        Start::OriginalDue => step(
            format!("الأجل الأصلي: {ar} على الساعة {hm} (بتوقيت تونس)."),
            format!("Échéance initiale : {fr} à {hm} (heure de Tunis)."),
            format!("Original deadline: {en} at {hm} (Tunis time)."),
        ),
        Start::Decided => step(
            format!("تاريخ القرار أو الرفض الضمني: {ar} على الساعة {hm} (بتوقيت تونس)."),
            format!("Décision ou refus implicite le {fr} à {hm} (heure de Tunis)."),
            format!("Decision or implicit refusal on {en} at {hm} (Tunis time)."),
        ),
        Start::Appealed => step(
            format!("قُدّم التظلم إلى رئيس الهيكل يوم {ar} على الساعة {hm} (بتوقيت تونس)."),
            format!("Recours gracieux déposé le {fr} à {hm} (heure de Tunis)."),
            format!("Appeal to the head of the body filed on {en} at {hm} (Tunis time)."),
        ),
    }
}

fn rule_step(rule: Rule) -> Explained {
    let art = rule.article();
    match rule {
        Rule::Standard => step(
            format!(
                "الأجل: {STANDARD_DAYS} يومًا ({LAW_AR}، الفصل {art})، تُحتسب بداية من اليوم الموالي."
            ),
            format!(
                "Délai : {STANDARD_DAYS} jours ({LAW_FR}, art. {art}), comptés à partir du lendemain."
            ),
            format!(
                "Time limit: {STANDARD_DAYS} days ({LAW_EN}, art. {art}), counted from the next day."
            ),
        ),
        Rule::OnSite => step(
            format!(
                "الأجل: {ON_SITE_DAYS} أيام للاطلاع على المعلومة على عين المكان ({LAW_AR}، الفصل {art})، تُحتسب بداية من اليوم الموالي."
            ),
            format!(
                "Délai : {ON_SITE_DAYS} jours pour une consultation sur place ({LAW_FR}, art. {art}), comptés à partir du lendemain."
            ),
            format!(
                "Time limit: {ON_SITE_DAYS} days for on-site consultation ({LAW_EN}, art. {art}), counted from the next day."
            ),
        ),
        Rule::Urgent => step(
            format!(
                "الأجل: {URGENT_HOURS} ساعة لأن المعلومة ضرورية لحماية حياة شخص أو حريته ({LAW_AR}، الفصل {art})؛ يُحتسب هذا الأجل من ساعة إلى ساعة ولا يُؤجَّل."
            ),
            format!(
                "Délai : {URGENT_HOURS} heures, l'information étant nécessaire pour protéger la vie ou la liberté d'une personne ({LAW_FR}, art. {art}) ; ce délai court d'heure à heure et n'est pas reporté."
            ),
            format!(
                "Time limit: {URGENT_HOURS} hours, the information being needed to protect a person's life or liberty ({LAW_EN}, art. {art}); it runs hour by hour and is never moved."
            ),
        ),
        Rule::Extended => step(
            format!(
                "تمديد لمرة واحدة بـ{EXTENSION_DAYS} أيام لأن المطلب يتعلق بمعلومات متعددة أو متنوعة، مع إعلام طالب النفاذ ({LAW_AR}، الفصل {art})، تُحتسب بداية من اليوم الموالي للأجل الأصلي."
            ),
            format!(
                "Prorogation unique de {EXTENSION_DAYS} jours, la demande portant sur des informations multiples ou variées, après notification au demandeur ({LAW_FR}, art. {art}), comptés à partir du lendemain de l'échéance initiale."
            ),
            format!(
                "One-time extension of {EXTENSION_DAYS} days, the request concerning multiple or varied information, with notice to the requester ({LAW_EN}, art. {art}), counted from the day after the original deadline."
            ),
        ),
        Rule::ThirdParty => step(
            format!(
                "الأجل: {THIRD_PARTY_DAYS} يومًا عند وجوب استشارة الغير ({LAW_AR}، الفصل {art})، تُحتسب بداية من اليوم الموالي."
            ),
            format!(
                "Délai : {THIRD_PARTY_DAYS} jours lorsqu'un tiers doit être consulté ({LAW_FR}, art. {art}), comptés à partir du lendemain."
            ),
            format!(
                "Time limit: {THIRD_PARTY_DAYS} days when a third party must be consulted ({LAW_EN}, art. {art}), counted from the next day."
            ),
        ),
        Rule::NotHeld => step(
            format!(
                "الأجل: {NOT_HELD_WORKING_DAYS} أيام عمل لإعلام طالب النفاذ بأن الهيكل لا يملك المعلومة وتوجيهه إلى الهيكل الذي يملكها ({LAW_AR}، الفصل {art})."
            ),
            format!(
                "Délai : {NOT_HELD_WORKING_DAYS} jours ouvrables pour informer le demandeur que l'organisme ne détient pas l'information et l'orienter vers celui qui la détient ({LAW_FR}, art. {art})."
            ),
            format!(
                "Time limit: {NOT_HELD_WORKING_DAYS} working days to tell the requester the body does not hold the information and redirect them to the body that does ({LAW_EN}, art. {art})."
            ),
        ),
        Rule::AppealWindow => step(
            format!(
                "الأجل: {APPEAL_WINDOW_DAYS} يومًا لتقديم تظلم إلى رئيس الهيكل المعني ({LAW_AR}، الفصل {art})، تُحتسب بداية من اليوم الموالي."
            ),
            format!(
                "Délai : {APPEAL_WINDOW_DAYS} jours pour former un recours gracieux auprès du chef de l'organisme ({LAW_FR}, art. {art}), comptés à partir du lendemain."
            ),
            format!(
                "Time limit: {APPEAL_WINDOW_DAYS} days to appeal to the head of the body ({LAW_EN}, art. {art}), counted from the next day."
            ),
        ),
        Rule::AppealAnswer => step(
            format!(
                "الأجل: {APPEAL_ANSWER_DAYS} أيام لرد رئيس الهيكل على التظلم ({LAW_AR}، الفصل {art})، تُحتسب بداية من اليوم الموالي."
            ),
            format!(
                "Délai : {APPEAL_ANSWER_DAYS} jours pour la réponse du chef de l'organisme au recours gracieux ({LAW_FR}, art. {art}), comptés à partir du lendemain."
            ),
            format!(
                "Time limit: {APPEAL_ANSWER_DAYS} days for the head of the body to answer the appeal ({LAW_EN}, art. {art}), counted from the next day."
            ),
        ),
    }
}

fn nth_day_step(n: u16, nth: Date, due: Date) -> Explained {
    let (ar, fr, en) = (date_ar(nth), date_fr(nth), date_en(nth));
    let ord = ordinal_fr(n);
    if nth == due {
        step(
            format!("اليوم {n} من الأجل هو {ar}، وهو يوم عمل."),
            format!("Le {ord} jour est le {fr}, jour ouvrable."),
            format!("Day {n} is {en}, a working day."),
        )
    } else {
        let (ar2, fr2, en2) = (date_ar(due), date_fr(due), date_en(due));
        step(
            format!("اليوم {n} من الأجل هو {ar}، وهو يوم عطلة: يُؤجَّل الأجل إلى {ar2}."),
            format!(
                "Le {ord} jour est le {fr}, jour non ouvrable : le délai est reporté au {fr2}."
            ),
            format!("Day {n} is {en}, not a working day: the deadline moves to {en2}."),
        )
    }
}

fn nth_working_day_step(n: u16, day0: Date, due: Date) -> Explained {
    step(
        format!(
            "يوم العمل رقم {n} بعد {} (دون احتساب عطل نهاية الأسبوع والأعياد) هو {}.",
            date_ar(day0),
            date_ar(due)
        ),
        format!(
            "Le {} jour ouvrable après le {} (week-ends et jours fériés exclus) est le {}.",
            ordinal_fr(n),
            date_fr(day0),
            date_fr(due)
        ),
        format!(
            "The {} working day after {} (weekends and public holidays excluded) is {}.",
            ordinal_en(n),
            date_en(day0),
            date_en(due)
        ),
    )
}

fn skipped_step(days: &[Date]) -> Explained {
    let list =
        |f: fn(Date) -> String, sep: &str| days.iter().map(|d| f(*d)).collect::<Vec<_>>().join(sep);
    step(
        format!("أيام العطلة غير المحتسبة: {}.", list(date_ar, "، ")),
        format!("Jours non ouvrables non comptés : {}.", list(date_fr, ", ")),
        format!("Non-working days not counted: {}.", list(date_en, ", ")),
    )
}

fn due_step(due: &Zoned) -> Explained {
    let d = time_date(due.date());
    let hm = hour_minute(due);
    step(
        format!("آخر أجل: {} على الساعة {hm} (بتوقيت تونس).", date_ar(d)),
        format!("Échéance : {} à {hm} (heure de Tunis).", date_fr(d)),
        format!("Deadline: {} at {hm} (Tunis time).", date_en(d)),
    )
}

fn after_step(rule: Rule) -> Option<Explained> {
    let refusal = ART_IMPLICIT_REFUSAL;
    let appeal = Rule::AppealWindow.article();
    let authority = ART_AUTHORITY_APPEAL;
    match rule {
        Rule::Standard | Rule::OnSite | Rule::Urgent | Rule::Extended | Rule::ThirdParty => {
            Some(step(
                format!(
                    "إذا لم يتم الرد في هذا الأجل، يُعدّ سكوت الهيكل رفضًا ضمنيًا (الفصل {refusal})، ويمكن لطالب النفاذ عندئذ تقديم تظلم إلى رئيس الهيكل في أجل {APPEAL_WINDOW_DAYS} يومًا (الفصل {appeal})."
                ),
                format!(
                    "Sans réponse à l'échéance, le silence de l'organisme vaut refus implicite (art. {refusal}) : le demandeur peut alors former un recours gracieux auprès du chef de l'organisme dans les {APPEAL_WINDOW_DAYS} jours (art. {appeal})."
                ),
                format!(
                    "Without an answer by the deadline, the body's silence counts as an implicit refusal (art. {refusal}): the requester may then appeal to the head of the body within {APPEAL_WINDOW_DAYS} days (art. {appeal})."
                ),
            ))
        }
        Rule::AppealWindow => Some(step(
            format!(
                "يُحتسب الأجل من تاريخ الإعلام بالقرار، أو عند سكوت الهيكل من تاريخ انقضاء أجل الرد (رفض ضمني، الفصل {refusal})."
            ),
            format!(
                "Le délai court de la notification de la décision ou, si l'organisme s'est tu, de l'expiration du délai de réponse (refus implicite, art. {refusal})."
            ),
            format!(
                "The time limit runs from the notice of the decision or, if the body stayed silent, from the end of its time to answer (implicit refusal, art. {refusal})."
            ),
        )),
        Rule::AppealAnswer => Some(step(
            format!(
                "إذا لم يرد رئيس الهيكل في هذا الأجل، يُعدّ سكوته رفضًا (الفصل {appeal})، ويمكن لطالب النفاذ الطعن أمام هيئة النفاذ إلى المعلومة (الفصل {authority})."
            ),
            format!(
                "Sans réponse à l'échéance, le silence du chef de l'organisme vaut refus (art. {appeal}) : le demandeur peut saisir l'Instance d'accès à l'information (art. {authority})."
            ),
            format!(
                "Without an answer by the deadline, the head's silence counts as a refusal (art. {appeal}): the requester may appeal to the Access to Information Authority (art. {authority})."
            ),
        )),
        Rule::NotHeld => None,
    }
}

fn hour_minute(z: &Zoned) -> String {
    format!("{:02}:{:02}", z.hour(), z.minute())
}

fn ordinal_fr(n: u16) -> String {
    if n == 1 {
        "1er".to_owned()
    } else {
        format!("{n}e")
    }
}

fn ordinal_en(n: u16) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Weekdays from Monday.
const WEEKDAYS_AR: [&str; 7] = [
    "الاثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
    "الأحد",
];
const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Months as named in Tunisia.
const MONTHS_AR: [&str; 12] = [
    "جانفي",
    "فيفري",
    "مارس",
    "أفريل",
    "ماي",
    "جوان",
    "جويلية",
    "أوت",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn names(
    d: Date,
    weekdays: &[&'static str; 7],
    months: &[&'static str; 12],
) -> (&'static str, &'static str) {
    let weekday = weekdays[usize::from(d.weekday().number_days_from_monday())];
    let month = months[usize::from(u8::from(d.month())) - 1];
    (weekday, month)
}

/// "الاثنين 30 نوفمبر 2026"
fn date_ar(d: Date) -> String {
    let (w, m) = names(d, &WEEKDAYS_AR, &MONTHS_AR);
    format!("{w} {} {m} {}", d.day(), d.year())
}

/// "lundi 30 novembre 2026", "mardi 1er décembre 2026"
fn date_fr(d: Date) -> String {
    let (w, m) = names(d, &WEEKDAYS_FR, &MONTHS_FR);
    let day = if d.day() == 1 {
        "1er".to_owned()
    } else {
        d.day().to_string()
    };
    format!("{w} {day} {m} {}", d.year())
}

/// "Monday 30 November 2026"
fn date_en(d: Date) -> String {
    let (w, m) = names(d, &WEEKDAYS_EN, &MONTHS_EN);
    format!("{w} {} {m} {}", d.day(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn cal() -> Calendar {
        Calendar::tunisia_default()
    }

    struct Case {
        name: &'static str,
        got: Deadline,
        rule: Rule,
        due_local: &'static str,
        due_at: &'static str,
    }

    fn check(cases: Vec<Case>) {
        for c in cases {
            assert_eq!(c.got.rule, c.rule, "{}: rule", c.name);
            assert_eq!(c.got.due_local, c.due_local, "{}: due_local", c.name);
            assert_eq!(c.got.due_at, c.due_at, "{}: due_at", c.name);
        }
    }

    #[test]
    fn deadline_answer_table() {
        let cal = cal();
        let answer = |at, mode, urgent| answer_deadline(at, mode, urgent, &cal);
        check(vec![
            Case {
                name: "plain 20 days, Tue 3 Nov -> Mon 23 Nov",
                got: answer(
                    datetime!(2026-11-03 10:00 +01:00),
                    AccessMode::PaperCopy,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-11-23T23:59:59+01:00",
                due_at: "2026-11-23T22:59:59Z",
            },
            Case {
                name: "20th day a Sunday moves to Monday",
                got: answer(
                    datetime!(2026-11-30 11:15 +01:00),
                    AccessMode::ElectronicCopy,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-12-21T23:59:59+01:00",
                due_at: "2026-12-21T22:59:59Z",
            },
            Case {
                name: "20th day a Saturday moves to Monday",
                got: answer(
                    datetime!(2026-11-08 09:00 +01:00),
                    AccessMode::Extracts,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-11-30T23:59:59+01:00",
                due_at: "2026-11-30T22:59:59Z",
            },
            Case {
                name: "20th day on Revolution Day (Thu 17 Dec) moves to Friday",
                got: answer(
                    datetime!(2026-11-27 14:00 +01:00),
                    AccessMode::PaperCopy,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-12-18T23:59:59+01:00",
                due_at: "2026-12-18T22:59:59Z",
            },
            Case {
                name: "20th day on Labour Day (Fri 1 May) then a weekend: Monday",
                got: answer(
                    datetime!(2026-04-11 12:00 +01:00),
                    AccessMode::PaperCopy,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-05-04T23:59:59+01:00",
                due_at: "2026-05-04T22:59:59Z",
            },
            Case {
                name: "23:30 UTC is already the next day in Tunis",
                got: answer(
                    datetime!(2026-11-03 23:30 UTC),
                    AccessMode::PaperCopy,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-11-24T23:59:59+01:00",
                due_at: "2026-11-24T22:59:59Z",
            },
            Case {
                name: "22:30 UTC is still the same day in Tunis",
                got: answer(
                    datetime!(2026-11-03 22:30 UTC),
                    AccessMode::PaperCopy,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-11-23T23:59:59+01:00",
                due_at: "2026-11-23T22:59:59Z",
            },
            Case {
                name: "48 hours across a weekend are not moved",
                got: answer(
                    datetime!(2026-11-06 15:00 +01:00),
                    AccessMode::PaperCopy,
                    true,
                ),
                rule: Rule::Urgent,
                due_local: "2026-11-08T15:00:00+01:00",
                due_at: "2026-11-08T14:00:00Z",
            },
            Case {
                name: "48 hours keep the second, drop the fraction",
                got: answer(
                    datetime!(2026-11-06 14:00:07.900 UTC),
                    AccessMode::PaperCopy,
                    true,
                ),
                rule: Rule::Urgent,
                due_local: "2026-11-08T15:00:07+01:00",
                due_at: "2026-11-08T14:00:07Z",
            },
            Case {
                name: "on-site consultation: 10 days",
                got: answer(
                    datetime!(2026-11-02 10:00 +01:00),
                    AccessMode::OnSite,
                    false,
                ),
                rule: Rule::OnSite,
                due_local: "2026-11-12T23:59:59+01:00",
                due_at: "2026-11-12T22:59:59Z",
            },
            Case {
                name: "urgent beats on-site",
                got: answer(datetime!(2026-11-02 10:00 +01:00), AccessMode::OnSite, true),
                rule: Rule::Urgent,
                due_local: "2026-11-04T10:00:00+01:00",
                due_at: "2026-11-04T09:00:00Z",
            },
            Case {
                name: "an offset other than Tunis's is converted",
                got: answer(
                    datetime!(2026-11-03 04:00 -05:00),
                    AccessMode::PaperCopy,
                    false,
                ),
                rule: Rule::Standard,
                due_local: "2026-11-23T23:59:59+01:00",
                due_at: "2026-11-23T22:59:59Z",
            },
        ]);
    }

    #[test]
    fn deadline_other_rules_table() {
        let cal = cal();
        check(vec![
            Case {
                name: "extension: Mon 23 Nov + 10 days",
                got: extended(datetime!(2026-11-23 23:59:59 +01:00), &cal),
                rule: Rule::Extended,
                due_local: "2026-12-03T23:59:59+01:00",
                due_at: "2026-12-03T22:59:59Z",
            },
            Case {
                name: "extension landing on 1 January (Fri) moves to Monday",
                got: extended(datetime!(2026-12-22 22:59:59 UTC), &cal),
                rule: Rule::Extended,
                due_local: "2027-01-04T23:59:59+01:00",
                due_at: "2027-01-04T22:59:59Z",
            },
            Case {
                name: "third party: 45 days land on 17 Dec, moved to Friday",
                got: third_party(datetime!(2026-11-02 09:30 +01:00), &cal),
                rule: Rule::ThirdParty,
                due_local: "2026-12-18T23:59:59+01:00",
                due_at: "2026-12-18T22:59:59Z",
            },
            Case {
                name: "not held: 5 working days over 1 May and a weekend",
                got: not_held(datetime!(2026-04-29 16:00 +01:00), &cal),
                rule: Rule::NotHeld,
                due_local: "2026-05-07T23:59:59+01:00",
                due_at: "2026-05-07T22:59:59Z",
            },
            Case {
                name: "not held: 5 working days over a weekend and 17 Dec",
                got: not_held(datetime!(2026-12-11 08:00 +01:00), &cal),
                rule: Rule::NotHeld,
                due_local: "2026-12-21T23:59:59+01:00",
                due_at: "2026-12-21T22:59:59Z",
            },
            Case {
                name: "appeal window: 20 days, Sunday moved to Monday",
                got: appeal_window(datetime!(2026-12-21 23:59:59 +01:00), &cal),
                rule: Rule::AppealWindow,
                due_local: "2027-01-11T23:59:59+01:00",
                due_at: "2027-01-11T22:59:59Z",
            },
            Case {
                name: "appeal answer: 10 days, 14 January is a working day now",
                got: appeal_answer(datetime!(2027-01-04 10:00 +01:00), &cal),
                rule: Rule::AppealAnswer,
                due_local: "2027-01-14T23:59:59+01:00",
                due_at: "2027-01-14T22:59:59Z",
            },
        ]);
    }

    #[test]
    fn deadline_due_reads_back() {
        let d = answer_deadline(
            datetime!(2026-11-30 11:15 +01:00),
            AccessMode::PaperCopy,
            false,
            &cal(),
        );
        assert_eq!(d.due(), Some(datetime!(2026-12-21 22:59:59 UTC)));
        let again = extended(d.due().unwrap(), &cal());
        assert_eq!(again.due_local, "2026-12-31T23:59:59+01:00");
    }

    #[test]
    fn deadline_explanation_example() {
        let d = answer_deadline(
            datetime!(2026-11-30 11:15 +01:00),
            AccessMode::PaperCopy,
            false,
            &cal(),
        );
        let fr: Vec<&str> = d.explanation.iter().map(|e| e.fr.as_str()).collect();
        assert_eq!(
            &fr[..4],
            [
                "Demande reçue le lundi 30 novembre 2026 à 11:15 (heure de Tunis).",
                "Délai : 20 jours (loi organique 2016-22, art. 14), comptés à partir du lendemain.",
                "Le 20e jour est le dimanche 20 décembre 2026, jour non ouvrable : le délai est reporté au lundi 21 décembre 2026.",
                "Échéance : lundi 21 décembre 2026 à 23:59 (heure de Tunis).",
            ]
        );
        assert_eq!(
            d.explanation[0].en,
            "Request received on Monday 30 November 2026 at 11:15 (Tunis time)."
        );
        assert_eq!(
            d.explanation[3].ar,
            "آخر أجل: الاثنين 21 ديسمبر 2026 على الساعة 23:59 (بتوقيت تونس)."
        );
    }

    #[test]
    fn deadline_explanations_complete() {
        let cal = cal();
        let at = datetime!(2026-12-11 08:00 +01:00);
        let all = [
            answer_deadline(at, AccessMode::PaperCopy, false, &cal),
            answer_deadline(at, AccessMode::OnSite, false, &cal),
            answer_deadline(at, AccessMode::OnSite, true, &cal),
            extended(at, &cal),
            third_party(at, &cal),
            not_held(at, &cal),
            appeal_window(at, &cal),
            appeal_answer(at, &cal),
        ];
        for d in &all {
            let art = d.rule.article();
            assert!(d.explanation.len() >= 3, "{:?}", d.rule);
            for e in &d.explanation {
                assert!(
                    !e.ar.trim().is_empty() && !e.fr.trim().is_empty() && !e.en.trim().is_empty()
                );
            }
            let has = |f: fn(&Explained) -> &str, needle: String| {
                d.explanation.iter().any(|e| f(e).contains(&needle))
            };
            assert!(
                has(
                    |e| e.fr.as_str(),
                    format!("loi organique 2016-22, art. {art}")
                ),
                "{:?}",
                d.rule
            );
            assert!(
                has(
                    |e| e.en.as_str(),
                    format!("Organic Law 2016-22, art. {art}")
                ),
                "{:?}",
                d.rule
            );
            assert!(
                has(|e| e.ar.as_str(), format!("الفصل {art}")),
                "{:?}",
                d.rule
            );
        }
        // The working-day rule lists the days it skipped.
        let skipped = &all[5].explanation[3].fr;
        assert_eq!(
            skipped,
            "Jours non ouvrables non comptés : samedi 12 décembre 2026, dimanche 13 décembre 2026, jeudi 17 décembre 2026, samedi 19 décembre 2026, dimanche 20 décembre 2026."
        );
        assert!(all[5].explanation[2].en.contains("5th working day"));
        // French writes the first of the month "1er".
        let first = answer_deadline(
            datetime!(2026-11-11 09:00 +01:00),
            AccessMode::PaperCopy,
            false,
            &cal,
        );
        assert!(first.explanation[3].fr.contains("mardi 1er décembre 2026"));
    }

    #[test]
    fn deadline_access_mode_codes() {
        for m in AccessMode::ALL {
            assert_eq!(AccessMode::parse(m.code()), Ok(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.code())
            );
        }
        assert_eq!(AccessMode::parse(" on_site "), Ok(AccessMode::OnSite));
        assert_eq!(
            AccessMode::parse("fax"),
            Err(DomainError::invalid("access_mode", "unknown"))
        );
        for r in Rule::ALL {
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.code())
            );
        }
    }

    #[test]
    fn deadline_ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 45].map(ordinal_en).into();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "45th"
            ]
        );
        assert_eq!(ordinal_fr(1), "1er");
        assert_eq!(ordinal_fr(20), "20e");
    }
}
