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
