//! Human messages for every stable error code, in Arabic, French and English.

use crate::domain::Lang;

/// Pick the caller's language from an `Accept-Language` header. Arabic when the
/// header is absent or names none of ours: most citizens read Arabic first.
pub fn negotiate(accept_language: Option<&str>) -> Lang {
    let Some(header) = accept_language else {
        return Lang::Ar;
    };
    // `parse` orders the tags by quality; `fr-TN` counts as French.
    accept_language::parse(header)
        .iter()
        .find_map(|tag| {
            let primary = tag.split('-').next().unwrap_or_default();
            Lang::from_code(&primary.to_ascii_lowercase())
        })
        .unwrap_or(Lang::Ar)
}

/// `(ar, fr, en)` for a code. Unknown codes get a generic message (and a unit test
/// fails, see below).
pub fn message(code: &str, lang: Lang) -> &'static str {
    let (ar, fr, en) = messages(code).unwrap_or(GENERIC);
    match lang {
        Lang::Ar => ar,
        Lang::Fr => fr,
        Lang::En => en,
    }
}

const GENERIC: (&str, &str, &str) = (
    "تعذر تنفيذ الطلب.",
    "La requête n'a pas pu être traitée.",
    "The request could not be processed.",
);

fn messages(code: &str) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match code {
        "malformed_json" => (
            "نص الطلب ليس JSON صالحًا.",
            "Le corps de la requête n'est pas un JSON valide.",
            "The request body is not valid JSON.",
        ),
        "invalid_body" => (
            "محتوى الطلب لا يطابق الشكل المنتظر (حقل مجهول أو ناقص أو من نوع خاطئ).",
            "Le contenu de la requête ne correspond pas au format attendu (champ inconnu, manquant ou de mauvais type).",
            "The request body does not match the expected shape (unknown, missing or mistyped field).",
        ),
        "invalid_field" => (
            "قيمة أحد الحقول غير مقبولة.",
            "La valeur d'un champ n'est pas acceptable.",
            "A field has an unacceptable value.",
        ),
        "invalid_query" => (
            "أحد معايير البحث غير صالح.",
            "Un paramètre de recherche n'est pas valide.",
            "A query parameter is not valid.",
        ),
        "invalid_cursor" => (
            "مؤشر الصفحة غير صالح أو منتهي الصلاحية.",
            "Le curseur de pagination n'est pas valide.",
            "The pagination cursor is not valid.",
        ),
        "invalid_idempotency_key" => (
            "مفتاح عدم التكرار غير صالح.",
            "La clé d'idempotence n'est pas valide.",
            "The Idempotency-Key header is not valid.",
        ),
        "idempotency_key_reused" => (
            "استُعمل مفتاح عدم التكرار هذا لطلب مختلف.",
            "Cette clé d'idempotence a déjà servi pour une autre requête.",
            "This Idempotency-Key was already used for a different request.",
        ),
        "unsupported_media_type" => (
            "نوع المحتوى غير مدعوم؛ استعمل application/json.",
            "Type de contenu non pris en charge ; utilisez application/json.",
            "Unsupported content type; use application/json.",
        ),
        "payload_too_large" => (
            "نص الطلب كبير جدًا.",
            "Le corps de la requête est trop volumineux.",
            "The request body is too large.",
        ),
        "unauthenticated" => (
            "يجب تسجيل الدخول.",
            "Authentification requise.",
            "Authentication required.",
        ),
        "invalid_token" => (
            "رمز الدخول غير صالح أو منتهي الصلاحية.",
            "Le jeton d'accès est invalide ou expiré.",
            "The access token is invalid or expired.",
        ),
        "forbidden" => (
            "ليست لديك صلاحية القيام بهذا.",
            "Vous n'avez pas l'autorisation de faire cela.",
            "You are not allowed to do this.",
        ),
        "not_found" => (
            "العنصر المطلوب غير موجود.",
            "La ressource demandée n'existe pas.",
            "The requested resource does not exist.",
        ),
        "route_not_found" => (
            "هذا المسار غير موجود.",
            "Ce chemin n'existe pas.",
            "No such path.",
        ),
        "method_not_allowed" => (
            "هذه الطريقة غير مسموح بها على هذا المسار.",
            "Méthode non autorisée pour ce chemin.",
            "Method not allowed on this path.",
        ),
        "already_exists" => (
            "هذا العنصر موجود مسبقًا.",
            "Cette ressource existe déjà.",
            "This resource already exists.",
        ),
        "version_conflict" => (
            "تغيّر العنصر في الأثناء؛ أعد التحميل ثم حاول مجددًا.",
            "La ressource a été modifiée entre-temps ; rechargez puis réessayez.",
            "The resource changed meanwhile; reload and try again.",
        ),
        "precondition_failed" => (
            "تغيّر العنصر منذ أن قرأته (If-Match)؛ أعد التحميل ثم حاول مجددًا.",
            "La ressource a changé depuis votre lecture (If-Match) ; rechargez puis réessayez.",
            "The resource changed since you read it (If-Match); reload and try again.",
        ),
        "service_not_active" => (
            "هذه الخدمة غير مفعلة في هذه البلدية.",
            "Ce service n'est pas activé pour cette municipalité.",
            "This service is not active in this municipality.",
        ),
        "transition_not_allowed" => (
            "لا يمكن نقل الملف إلى هذه الحالة.",
            "Le dossier ne peut pas passer à cet état.",
            "The case cannot move to this state.",
        ),
        "unknown_state" => ("حالة غير معروفة.", "État inconnu.", "Unknown state."),
        "too_many_requests" => (
            "طلبات كثيرة؛ حاول لاحقًا.",
            "Trop de requêtes ; réessayez plus tard.",
            "Too many requests; try again later.",
        ),
        "service_unavailable" => (
            "الخدمة غير متاحة مؤقتًا؛ حاول لاحقًا.",
            "Service momentanément indisponible ; réessayez plus tard.",
            "Service temporarily unavailable; try again later.",
        ),
        "otp_invalid" => (
            "الرمز غير صحيح أو لم يعد صالحًا؛ تثبّت منه أو اطلب رمزًا جديدًا.",
            "Code incorrect ou plus valable ; vérifiez-le ou demandez-en un nouveau.",
            "The code is wrong or no longer valid; check it or ask for a new one.",
        ),
        "otp_cooldown" => (
            "أُرسل رمز منذ قليل؛ انتظر قبل طلب رمز آخر.",
            "Un code vient d'être envoyé ; patientez avant d'en demander un autre.",
            "A code was sent a moment ago; wait before asking for another.",
        ),
        "otp_rate_limited" => (
            "طلبت رموزًا كثيرة لهذا الرقم؛ حاول بعد قليل.",
            "Trop de codes demandés pour ce numéro ; réessayez plus tard.",
            "Too many codes were asked for this number; try again later.",
        ),
        "sms_budget_exhausted" => (
            "بلغت الرسائل القصيرة حدها اليومي؛ حاول غدًا.",
            "Le quota quotidien de SMS est atteint ; réessayez demain.",
            "Today's SMS budget is spent; try again tomorrow.",
        ),
        "refresh_token_invalid" => (
            "انتهت الجلسة؛ سجّل الدخول من جديد.",
            "Session expirée ou invalide ; reconnectez-vous.",
            "The session has ended or is not valid; sign in again.",
        ),
        "refresh_token_reused" => (
            "استُعمل هذا الرمز من قبل؛ أُغلقت الجلسة حفاظًا على أمانك. سجّل الدخول من جديد.",
            "Ce jeton a déjà servi ; la session a été fermée par sécurité. Reconnectez-vous.",
            "This token was already used; the session was closed for your safety. Sign in again.",
        ),
        "role_not_held" => (
            "لا تملك هذا الدور.",
            "Vous n'avez pas ce rôle.",
            "You do not hold this role.",
        ),
        "role_revoked" => (
            "لم يعد لك هذا الدور؛ سجّل الدخول من جديد.",
            "Vous n'avez plus ce rôle ; reconnectez-vous.",
            "You no longer hold this role; sign in again.",
        ),
        "limit_reached" => (
            "بلغت الحد الأقصى المسموح به.",
            "Vous avez atteint la limite autorisée.",
            "You have reached the allowed limit.",
        ),
        "broadcast_limit" => (
            "بثّ إشعار واحد في الأسبوع؛ إلا إذا كان الخبر عاجلًا (قطع ماء، غلق طريق).",
            "Une diffusion par semaine ; sauf si l'actualité est urgente (coupure d'eau, route fermée).",
            "One broadcast a week; unless the news is urgent (a water cut, a road closed).",
        ),
        "poll_not_open" => (
            "التصويت غير مفتوح الآن: لم يبدأ بعد أو انتهى.",
            "Le vote n'est pas ouvert : il n'a pas encore commencé ou il est terminé.",
            "Voting is not open: it has not started yet, or it has ended.",
        ),
        "not_eligible" => (
            "هذا الاستطلاع مخصّص لفئة أخرى من المواطنين (متابعو البلدية أو حيّ منها).",
            "Ce sondage est réservé à d'autres citoyens (ceux qui suivent la commune, ou l'un de ses quartiers).",
            "This poll is for other citizens (those who follow the municipality, or one of its areas).",
        ),
        "event_full" => (
            "لم يبق مكان في هذا النشاط. يمكنك التسجيل في قائمة الانتظار.",
            "Il n'y a plus de place pour cette activité. Vous pouvez vous inscrire sur la liste d'attente.",
            "There is no place left at this event. You may join the waiting list.",
        ),
        "event_not_open" => (
            "لا يقبل هذا النشاط التسجيل: أُلغي أو انتهى.",
            "Cette activité ne prend plus d'inscriptions : elle est annulée ou terminée.",
            "This event takes no more registrations: it was cancelled, or it is over.",
        ),
        "slot_full" => (
            "هذا الموعد محجوز بالكامل. اختر موعدًا آخر.",
            "Ce créneau est complet. Choisissez-en un autre.",
            "This slot is fully booked. Choose another one.",
        ),
        "appointment_held" => (
            "لديك موعد قائم مع هذه المصلحة. يمكنك تغيير توقيته أو إلغاؤه.",
            "Vous avez déjà un rendez-vous en cours avec ce service. Vous pouvez le déplacer ou l'annuler.",
            "You already hold an appointment with this service. You may move or cancel it.",
        ),
        "account_has_roles" => (
            "هذا الحساب حساب موظف أو مشرف؛ اطلب من البلدية إزالته أولًا.",
            "Ce compte a un rôle d'agent ou d'administrateur ; demandez d'abord à la commune de le retirer.",
            "This account holds a staff or administrator role; ask the municipality to remove it first.",
        ),
        "agency_closed" => (
            "المكتب مغلق الآن؛ يمكنك أخذ تذكرة خلال أوقات العمل.",
            "L'agence est fermée ; vous pourrez prendre un ticket pendant ses horaires d'ouverture.",
            "The agency is closed; you can take a ticket during its opening hours.",
        ),
        "ticket_already_held" => (
            "لديك تذكرة سارية لهذه الخدمة اليوم.",
            "Vous avez déjà un ticket en cours pour ce service aujourd'hui.",
            "You already hold an active ticket for this service today.",
        ),
        "queue_empty" => (
            "لا أحد في الانتظار.",
            "Personne n'attend.",
            "Nobody is waiting.",
        ),
        "internal" => (
            "حدث خطأ من جهتنا. لم يُحفظ أي شيء؛ حاول مجددًا.",
            "Une erreur s'est produite de notre côté. Rien n'a été enregistré ; réessayez.",
            "Something went wrong on our side. Nothing was saved; please try again.",
        ),
        _ => return None,
    })
}

/// Every code the API can answer with. A test checks each has three messages.
pub const CODES: &[&str] = &[
    "malformed_json",
    "invalid_body",
    "invalid_field",
    "invalid_query",
    "invalid_cursor",
    "invalid_idempotency_key",
    "idempotency_key_reused",
    "unsupported_media_type",
    "payload_too_large",
    "unauthenticated",
    "invalid_token",
    "forbidden",
    "not_found",
    "route_not_found",
    "method_not_allowed",
    "already_exists",
    "version_conflict",
    "precondition_failed",
    "service_not_active",
    "transition_not_allowed",
    "unknown_state",
    "too_many_requests",
    "service_unavailable",
    "otp_invalid",
    "otp_cooldown",
    "otp_rate_limited",
    "sms_budget_exhausted",
    "refresh_token_invalid",
    "refresh_token_reused",
    "role_not_held",
    "role_revoked",
    "limit_reached",
    "broadcast_limit",
    "poll_not_open",
    "not_eligible",
    "event_full",
    "event_not_open",
    "slot_full",
    "appointment_held",
    "account_has_roles",
    "agency_closed",
    "ticket_already_held",
    "queue_empty",
    "internal",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_speaks_three_languages() {
        for code in CODES {
            let (ar, fr, en) = messages(code).unwrap_or_else(|| panic!("no messages for {code}"));
            assert!(
                ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "{code}: ar"
            );
            assert_ne!(fr, en, "{code}: fr is a copy of en");
        }
    }

    #[test]
    fn accept_language_negotiation() {
        assert_eq!(negotiate(None), Lang::Ar);
        assert_eq!(negotiate(Some("fr-TN,fr;q=0.9,en;q=0.8")), Lang::Fr);
        assert_eq!(negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(Some("de, en;q=0.5")), Lang::En);
        assert_eq!(negotiate(Some("en;q=0.5, ar;q=0.9")), Lang::Ar);
        assert_eq!(negotiate(Some("de")), Lang::Ar);
        assert_eq!(negotiate(Some("")), Lang::Ar);
        assert_eq!(negotiate(Some(";;;,,q=")), Lang::Ar);
    }
}
