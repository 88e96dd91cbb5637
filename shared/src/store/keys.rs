//! Every key of the table, built in one place. Each begins with the tenant:
//! `M#<municipality>` for a municipality's records, `P` for platform records.
//! Index keys that are about a person (GSI2, `PHONE#…`) are the exception: they
//! answer "what does this person hold, anywhere" for sign-in and data-rights
//! requests, and are read only on that person's behalf.

use sha2::{Digest, Sha256};

use crate::domain::attachment::FileOwner;
use crate::domain::document::DocStatus;
use crate::domain::workflow::CaseKind;
use crate::domain::{Id, MunicipalityId, Phone};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";
pub const GSI3: &str = "GSI3";
pub const GSI3PK: &str = "GSI3PK";
pub const GSI3SK: &str = "GSI3SK";
pub const GSI4: &str = "GSI4";
pub const GSI4PK: &str = "GSI4PK";
pub const GSI4SK: &str = "GSI4SK";
/// TTL attribute (epoch seconds).
pub const EXPIRES_AT: &str = "expiresAt";

pub const PLATFORM: &str = "P";

pub fn tenant(m: &MunicipalityId) -> String {
    format!("M#{m}")
}

// Municipality profile: PK = M#tunis, SK = PROFILE; listed through GSI1.
pub const PROFILE: &str = "PROFILE";
pub const MUNICIPALITIES: &str = "MUNICIPALITIES";
pub fn municipality_listing(governorate: &str, m: &MunicipalityId) -> String {
    format!("{governorate}#{m}")
}

// Staff: PK = M#tunis, SK = STAFF#stf_…; a guard item per phone keeps a number
// registered once per municipality.
pub const STAFF_PREFIX: &str = "STAFF#";
pub fn staff_sk(id: &Id) -> String {
    format!("{STAFF_PREFIX}{id}")
}
pub fn staff_phone_sk(phone: &Phone) -> String {
    format!("STAFFPHONE#{}", phone.e164())
}

// Who a phone number is, across tenants (GSI2).
pub fn phone_gsi(phone: &Phone) -> String {
    format!("PHONE#{}", phone.e164())
}
pub const ROLE_PREFIX: &str = "ROLE#";
pub fn staff_role_gsi(m: &MunicipalityId, id: &Id) -> String {
    format!("ROLE#STAFF#{m}#{id}")
}
pub const ADMIN_ROLE_GSI: &str = "ROLE#ADMIN";
pub fn admin_sk(phone: &Phone) -> String {
    format!("ADMIN#{}", phone.e164())
}

// Tracked cases: one item collection per case (current state + history), so a
// busy municipality's cases spread over many partitions.
pub fn case_pk(m: &MunicipalityId, kind: CaseKind, id: &str) -> String {
    format!("M#{m}#{}#{id}", kind.tag())
}
pub const CASE: &str = "CASE";
/// The partition of anything that owns files: a case's is its own
/// ([`case_pk`]); a news item's or a published document's will be theirs.
pub fn owner_pk(owner: &FileOwner) -> String {
    format!("M#{}#{}#{}", owner.municipality, owner.tag, owner.id)
}
pub const HISTORY_PREFIX: &str = "H#";
pub fn history_sk(seq: u64) -> String {
    format!("{HISTORY_PREFIX}{seq:010}")
}
/// A municipality's cases of one kind, newest first by creation (GSI1).
pub fn cases_gsi(m: &MunicipalityId, kind: CaseKind) -> String {
    format!("M#{m}#{}", kind.tag())
}
/// A municipality's state changes of cases of one kind, by time (GSI1 of the
/// history items after the first).
pub fn case_updates_gsi(m: &MunicipalityId, kind: CaseKind) -> String {
    format!("M#{m}#{}#UPDATES", kind.tag())
}
pub fn case_update_sk(at: &str, case: &str, seq: u64) -> String {
    format!("{at}#{case}#{seq:010}")
}
/// A municipality's open cases of one kind by due time (GSI3; permits and
/// access-to-information requests).
pub fn queue_gsi(m: &MunicipalityId, kind: CaseKind) -> String {
    format!("M#{m}#{}#QUEUE", kind.tag())
}
/// A municipality's cases of one kind for its staff's inbox (GSI4, by creation):
/// every open case in one partition, each closed state in its own, so that the
/// open backlog and each closed tab are read without the rest.
pub fn inbox_gsi(m: &MunicipalityId, kind: CaseKind, open: bool, state: &str) -> String {
    if open {
        format!("M#{m}#{}#INBOX#OPEN", kind.tag())
    } else {
        format!("M#{m}#{}#INBOX#{state}", kind.tag())
    }
}
/// The cases a short reference (the one the citizen's SMS gives) names: one
/// item per case (`SK = <id>`), so that two cases sharing a suffix are both found.
pub fn case_ref_pk(m: &MunicipalityId, kind: CaseKind, reference: &str) -> String {
    format!("M#{m}#{}#REF#{reference}", kind.tag())
}
/// A municipality's counts of cases of one kind per state, kept in a few shards
/// (`SK = <n>`) written in the transaction of each filing and each change.
pub fn case_counts_pk(m: &MunicipalityId, kind: CaseKind) -> String {
    format!("M#{m}#{}#COUNTS", kind.tag())
}
/// Where a permit dossier's reference leads (and whose national ID it needs).
pub fn permit_ref_pk(m: &MunicipalityId, reference: &str) -> String {
    format!("M#{m}#PRMREF#{reference}")
}
pub const PERMIT_REF: &str = "REF";
/// A municipality's Open311 API keys (`M#<m>`), the secret's digest only.
pub const API_KEY_PREFIX: &str = "O311KEY#";
pub fn api_key_sk(id: &str) -> String {
    format!("{API_KEY_PREFIX}{id}")
}
/// A numbering counter of a municipality (`M#<m>`).
pub fn counter_sk(name: &str) -> String {
    format!("COUNTER#{name}")
}
/// The municipality's staff reminders (files due soon, overdue), newest first.
pub fn reminders_pk(m: &MunicipalityId) -> String {
    format!("M#{m}#REMINDERS")
}
pub fn reminder_sk(at: &str, case: &str, what: &str) -> String {
    format!("{at}#{case}#{what}")
}
/// The guard, in a case's partition, that a reminder was made: once per kind
/// of reminder and due time.
pub fn reminded_sk(what: &str, due_at: &str) -> String {
    format!("REMIND#{what}#{due_at}")
}
/// The platform's public-holiday table, one item a day.
pub const HOLIDAYS: &str = "P#HOLIDAYS";
/// The revoked access tokens (`store::revocations`).
pub const REVOKED: &str = "P#REVOKED";
pub fn holiday_sk(date: &str) -> String {
    format!("H#{date}")
}
/// A municipality's e-ticket agencies (`M#<m>`).
pub const AGENCY_PREFIX: &str = "AGENCY#";
pub fn agency_sk(code: &str) -> String {
    format!("{AGENCY_PREFIX}{code}")
}
/// A published document's partition: its record (`DOC`), its versions
/// (`V#<nnnn>`), its workflow trail (`TRAIL#…`) and its files (`ATT#…`);
/// listed on GSI1 by status ([`document_listing`]).
pub fn document_pk(m: &MunicipalityId, id: &str) -> String {
    format!("M#{m}#DOC#{id}")
}
pub const DOCUMENT: &str = "DOC";
pub const VERSION_PREFIX: &str = "V#";
pub fn version_sk(n: u32) -> String {
    format!("{VERSION_PREFIX}{n:04}")
}
pub fn documents_gsi(m: &MunicipalityId) -> String {
    format!("M#{m}#DOCS")
}
/// Where a document is listed on GSI1: the published on `M#<m>#DOCS` (by
/// publication), the others, for staff, on `M#<m>#DOCS#<status>` (by
/// creation).
pub fn document_listing(m: &MunicipalityId, status: DocStatus) -> String {
    match status {
        DocStatus::Published => documents_gsi(m),
        other => format!("M#{m}#DOCS#{}", other.code()),
    }
}
/// A document's workflow steps (`TRAIL#<at>#<version>#<status>`: a step is
/// made once per version), beside its versions.
pub const TRAIL_PREFIX: &str = "TRAIL#";
pub fn trail_sk(at: &str, version: u32, status: DocStatus) -> String {
    format!("{TRAIL_PREFIX}{at}#{version:04}#{}", status.code())
}
/// A news post's partition: the post (`POST`) and its files; listed on GSI1
/// by status (`M#<m>#NEWS#<STATUS>`, by publication or creation time).
pub fn post_pk(m: &MunicipalityId, id: &str) -> String {
    format!("M#{m}#NWS#{id}")
}
pub const POST: &str = "POST";
pub fn news_gsi(m: &MunicipalityId, status: &str) -> String {
    format!("M#{m}#NEWS#{}", status.to_ascii_uppercase())
}
/// Committees, in the municipality's partition (`M#<m>`, `CMT#<id>`).
pub const COMMITTEE_PREFIX: &str = "CMT#";
pub fn committee_sk(id: &str) -> String {
    format!("{COMMITTEE_PREFIX}{id}")
}
/// A meeting's partition (`MEETING`); listed on GSI1 by start.
pub fn meeting_pk(m: &MunicipalityId, id: &str) -> String {
    format!("M#{m}#MTG#{id}")
}
pub const MEETING: &str = "MEETING";
pub fn meetings_gsi(m: &MunicipalityId) -> String {
    format!("M#{m}#MEETINGS")
}
/// The services guide's index, its entries and its offices (`M#<m>`).
pub const GUIDE: &str = "GUIDE";
pub const PROCEDURE_PREFIX: &str = "PROC#";
pub fn procedure_sk(code: &str) -> String {
    format!("{PROCEDURE_PREFIX}{code}")
}
pub const OFFICE_PREFIX: &str = "OFFICE#";
pub fn office_sk(code: &str) -> String {
    format!("{OFFICE_PREFIX}{code}")
}
/// A day's queue of one service of an agency: numbers restart each Tunis day.
pub fn queue_pk(m: &MunicipalityId, agency: &str, service: &str, day: &str) -> String {
    format!("M#{m}#Q#{agency}#{service}#{day}")
}
/// What a municipality offers to file complaints under: its own categories and
/// its areas, items of its tenant partition.
pub const CATEGORY_PREFIX: &str = "CATEGORY#";
pub fn category_sk(code: &str) -> String {
    format!("{CATEGORY_PREFIX}{code}")
}
pub const AREA_PREFIX: &str = "AREA#";
pub fn area_sk(code: &str) -> String {
    format!("{AREA_PREFIX}{code}")
}
/// A municipality's public cases of one kind in one map cell (GSI3).
pub fn map_cell_gsi(m: &MunicipalityId, kind: CaseKind, cell: &str) -> String {
    format!("M#{m}#{}#CELL#{cell}", kind.tag())
}
/// Who follows a case, and who supported it ("me too"): items of the case's
/// partition, also listed on the person's GSI2 so that their data can be found.
pub fn case_follower_sk(user: &str) -> String {
    format!("FOLLOWER#{user}")
}
pub const CASE_FOLLOWER_PREFIX: &str = "FOLLOWER#";
pub fn case_support_sk(user: &str) -> String {
    format!("SUPPORT#{user}")
}
/// GSI2 sort key of a followed case: `FOLLOW#M#<m>#<KIND>#<id>`.
pub fn followed_gsi_sk(m: &MunicipalityId, kind: CaseKind, id: &str) -> String {
    format!("FOLLOW#{}#{id}", cases_gsi(m, kind))
}
/// A citizen's own cases (GSI2).
pub fn owner_gsi(user: &str) -> String {
    format!("USER#{user}")
}

// Accounts: platform records, one partition per person (`P#USER#<usr>`) holding the
// profile, devices and follows, so that "everything about me" is one Query.
pub fn user_pk(user: &str) -> String {
    format!("P#USER#{user}")
}
pub const DEVICE_PREFIX: &str = "DEVICE#";
pub fn device_sk(id: &str) -> String {
    format!("{DEVICE_PREFIX}{id}")
}
pub const FOLLOW_PREFIX: &str = "FOLLOW#";
pub fn follow_sk(m: &MunicipalityId) -> String {
    format!("{FOLLOW_PREFIX}{m}")
}
/// A municipality's followers (GSI1), for its announcements.
pub fn followers_gsi(m: &MunicipalityId) -> String {
    format!("M#{m}#FOLLOWERS")
}
/// Where a phone number's account is found: keyed by a keyed digest of the number
/// (see `domain::account::phone_digest`), never by the number.
pub fn phone_lookup_pk(digest: &str) -> String {
    format!("P#PHONE#{digest}")
}
pub const ACCOUNT: &str = "ACCOUNT";
/// A phone number's one-time code state, keyed by the same digest.
pub fn otp_pk(digest: &str) -> String {
    format!("P#OTP#{digest}")
}
pub const OTP: &str = "OTP";
/// A sign-in session (refresh-token family); listed per person on GSI2
/// (`USER#<usr>`, `RT#<family>`).
pub fn session_pk(family: &str) -> String {
    format!("P#RT#{family}")
}
pub const SESSION: &str = "RT";
pub const SESSION_GSI_PREFIX: &str = "RT#";
/// Which account a push endpoint belongs to: one owner per device token.
pub fn endpoint_pk(endpoint_arn: &str) -> String {
    let digest = Sha256::digest(endpoint_arn.as_bytes());
    let hex = crate::domain::hex(&digest[..16]);
    format!("P#ENDPOINT#{hex}")
}
pub const ENDPOINT: &str = "ENDPOINT";
/// The platform's SMS count for one UTC day.
pub fn sms_budget_pk(day: &str) -> String {
    format!("P#SMS#{day}")
}
pub const COUNT: &str = "COUNT";
/// Codes asked for from one client address (keyed digest) in one hour.
pub fn client_rate_pk(digest: &str, hour: u64) -> String {
    format!("P#CLIENT#{digest}#{hour}")
}

/// An idempotency record: per tenant, per caller, per key. The caller and key are
/// hashed so the key stays short whatever the client sent.
pub fn idempotency_pk(tenant: &str, caller: &str, key: &str) -> String {
    let digest = Sha256::new()
        .chain_update(caller.as_bytes())
        .chain_update([0])
        .chain_update(key.as_bytes())
        .finalize();
    let hex = crate::domain::hex(&digest[..16]);
    format!("{tenant}#IDEM#{hex}")
}
pub const IDEMPOTENCY: &str = "IDEM";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_begin_with_the_tenant() {
        let m = MunicipalityId::parse("tunis").unwrap();
        assert_eq!(tenant(&m), "M#tunis");
        assert!(case_pk(&m, CaseKind::Complaint, "cmp_1").starts_with("M#tunis#"));
        assert!(cases_gsi(&m, CaseKind::Permit).starts_with("M#tunis#"));
        assert!(idempotency_pk("M#tunis", "usr_1", "k").starts_with("M#tunis#IDEM#"));
        // A case's files are items of the case's own partition.
        let owner = FileOwner::case(&m, CaseKind::Permit, "prm_1");
        assert_eq!(owner_pk(&owner), case_pk(&m, CaseKind::Permit, "prm_1"));
        // A municipality called `tunis-x` cannot reach into `tunis`'s cases:
        // the separator after the slug is `#`, which slugs cannot contain.
        let other = MunicipalityId::parse("tunis-x").unwrap();
        assert!(!case_pk(&other, CaseKind::Complaint, "a").starts_with("M#tunis#"));
    }

    #[test]
    fn history_sorts_numerically() {
        assert!(history_sk(9) < history_sk(10));
        assert!(history_sk(99) < history_sk(1000));
    }

    #[test]
    fn idempotency_keys_separate_callers() {
        assert_ne!(
            idempotency_pk("P", "usr_a", "k"),
            idempotency_pk("P", "usr_b", "k")
        );
        assert_ne!(
            idempotency_pk("P", "a", "bk"),
            idempotency_pk("P", "ab", "k")
        );
    }
}
