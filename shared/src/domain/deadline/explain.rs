//! Why a deadline falls when it does, step by step, in Arabic, French and
//! English.

use super::*;

pub(super) const LAW_AR: &str = "القانون الأساسي عدد 22 لسنة 2016";
pub(super) const LAW_FR: &str = "loi organique 2016-22";
pub(super) const LAW_EN: &str = "Organic Law 2016-22";

pub(super) fn step(ar: String, fr: String, en: String) -> Explained {
    Explained { ar, fr, en }
}

pub(super) fn start_step(start: Start, at: &Zoned) -> Explained {
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

pub(super) fn rule_step(rule: Rule) -> Explained {
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

pub(super) fn nth_day_step(n: u16, nth: Date, due: Date) -> Explained {
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

pub(super) fn nth_working_day_step(n: u16, day0: Date, due: Date) -> Explained {
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

pub(super) fn skipped_step(days: &[Date]) -> Explained {
    let list =
        |f: fn(Date) -> String, sep: &str| days.iter().map(|d| f(*d)).collect::<Vec<_>>().join(sep);
    step(
        format!("أيام العطلة غير المحتسبة: {}.", list(date_ar, "، ")),
        format!("Jours non ouvrables non comptés : {}.", list(date_fr, ", ")),
        format!("Non-working days not counted: {}.", list(date_en, ", ")),
    )
}

pub(super) fn due_step(due: &Zoned) -> Explained {
    let d = time_date(due.date());
    let hm = hour_minute(due);
    step(
        format!("آخر أجل: {} على الساعة {hm} (بتوقيت تونس).", date_ar(d)),
        format!("Échéance : {} à {hm} (heure de Tunis).", date_fr(d)),
        format!("Deadline: {} at {hm} (Tunis time).", date_en(d)),
    )
}

pub(super) fn after_step(rule: Rule) -> Option<Explained> {
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

pub(super) fn hour_minute(z: &Zoned) -> String {
    format!("{:02}:{:02}", z.hour(), z.minute())
}

pub(super) fn ordinal_fr(n: u16) -> String {
    if n == 1 {
        "1er".to_owned()
    } else {
        format!("{n}e")
    }
}

pub(super) fn ordinal_en(n: u16) -> String {
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
pub(super) const WEEKDAYS_AR: [&str; 7] = [
    "الاثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
    "الأحد",
];
pub(super) const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
pub(super) const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Months as named in Tunisia.
pub(super) const MONTHS_AR: [&str; 12] = [
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
pub(super) const MONTHS_FR: [&str; 12] = [
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
pub(super) const MONTHS_EN: [&str; 12] = [
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

pub(super) fn names(
    d: Date,
    weekdays: &[&'static str; 7],
    months: &[&'static str; 12],
) -> (&'static str, &'static str) {
    let weekday = weekdays[usize::from(d.weekday().number_days_from_monday())];
    let month = months[usize::from(u8::from(d.month())) - 1];
    (weekday, month)
}

/// "الاثنين 30 نوفمبر 2026"
pub(super) fn date_ar(d: Date) -> String {
    let (w, m) = names(d, &WEEKDAYS_AR, &MONTHS_AR);
    format!("{w} {} {m} {}", d.day(), d.year())
}

/// "lundi 30 novembre 2026", "mardi 1er décembre 2026"
pub(super) fn date_fr(d: Date) -> String {
    let (w, m) = names(d, &WEEKDAYS_FR, &MONTHS_FR);
    let day = if d.day() == 1 {
        "1er".to_owned()
    } else {
        d.day().to_string()
    };
    format!("{w} {day} {m} {}", d.year())
}

/// "Monday 30 November 2026"
pub(super) fn date_en(d: Date) -> String {
    let (w, m) = names(d, &WEEKDAYS_EN, &MONTHS_EN);
    format!("{w} {} {m} {}", d.day(), d.year())
}
