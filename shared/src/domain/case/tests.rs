//! The case lifecycle's decisions, table-driven: every transition of every
//! kind's workflow, taken by every kind of caller (the owner, the public, staff
//! who handle the case, staff of another category, staff without the kind's
//! permission, staff of another municipality, a platform administrator), and
//! who sees what of a case. No AWS: the decisions are plain functions.

use std::collections::BTreeSet;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::decide::{self, Filer, Move};
use super::*;
use crate::domain::calendar::Calendar;
use crate::domain::complaint::{Complaint, ComplaintData};
use crate::domain::deadline::{self, AccessMode};
use crate::domain::info_request::{APPEALABLE, InfoRequest, InfoRequestData, PENDING, StepFields};
use crate::domain::permit::{Channel, Permit, PermitData};
use crate::domain::{Id, Permission, Phone};

const NOW: OffsetDateTime = datetime!(2026-12-02 10:00 UTC);

/// The callers every decision is tried with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The citizen who filed the case.
    Owner,
    /// Any other signed-in citizen.
    Public,
    /// Staff of the case's municipality holding the kind's permission (for a
    /// complaint: limited to its category).
    Handler,
    /// Staff holding the permission but limited to another complaint category
    /// (for the other kinds, which have no categories: like `Handler`).
    OtherCategory,
    /// Staff of the case's municipality without the kind's permission.
    Unpermitted,
    /// Staff of another municipality, holding every permission.
    Elsewhere,
    Admin,
}

const EVERYONE: [Who; 7] = [
    Who::Owner,
    Who::Public,
    Who::Handler,
    Who::OtherCategory,
    Who::Unpermitted,
    Who::Elsewhere,
    Who::Admin,
];

fn tunis() -> MunicipalityId {
    MunicipalityId::parse("tunis").unwrap()
}

fn owner() -> Id {
    Id::parse("usr", "usr_01JD0000000000000000000000").unwrap()
}

fn staff(m: &str, perms: &[Permission], categories: Option<&[&str]>) -> Principal {
    Principal::Staff {
        user: Id::generate("usr"),
        staff_id: Id::generate("stf"),
        municipality: MunicipalityId::parse(m).unwrap(),
        permissions: perms.iter().copied().collect(),
        complaint_categories: categories.map(|c| c.iter().map(|s| s.to_string()).collect()),
    }
}

fn principal(who: Who, kind: CaseKind) -> Principal {
    let perm = kind.permission();
    let scoped = kind == CaseKind::Complaint;
    match who {
        Who::Owner => Principal::Citizen { user: owner() },
        Who::Public => Principal::Citizen {
            user: Id::generate("usr"),
        },
        Who::Handler => staff("tunis", &[perm], scoped.then_some(&["lighting"][..])),
        Who::OtherCategory => staff("tunis", &[perm], scoped.then_some(&["roads"][..])),
        Who::Unpermitted => staff("tunis", &[Permission::News], None),
        Who::Elsewhere => staff("sfax", &Permission::ALL, None),
        Who::Admin => Principal::PlatformAdmin {
            user: Id::generate("usr"),
        },
    }
}

fn case<D>(kind: CaseKind, id_prefix: &str, state: &str, data: D) -> CaseRecord<D> {
    CaseRecord {
        kind,
        municipality: tunis(),
        id: Id::generate(id_prefix).to_string(),
        owner: owner().to_string(),
        state: state.to_owned(),
        seq: 3,
        created_at: "2026-11-01T09:00:00Z".into(),
        updated_at: "2026-11-20T09:00:00Z".into(),
        data,
        supporters: 0,
        assigned_to: None,
        duplicate_of: None,
        hidden: false,
        status_note: None,
        due_at: None,
    }
}

fn complaint_data(public: bool) -> ComplaintData {
    ComplaintData {
        category: "lighting".into(),
        subcategory: None,
        description: "Lampadaire éteint depuis une semaine.".into(),
        location: None,
        address: Some("Rue de Marseille".into()),
        area: None,
        public,
        hide_name: false,
        reporter_name: None,
        origin: None,
    }
}

fn permit_data() -> PermitData {
    PermitData {
        reference: "2026-000042".into(),
        dossier_type: "building".into(),
        description: "Construction d'une maison R+1".into(),
        address: "12 rue de Marseille".into(),
        postal_code: "1000".into(),
        location: None,
        channel: Channel::Online,
        holder_name: None,
        issued_at: None,
        completed_at: None,
    }
}

fn calendar() -> Calendar {
    Calendar::new([])
}

/// A request that `from → to` can be decided on: received a day ago (its
/// deadline running), or 25 days ago when an appeal of the silence is tried; a
/// refusal's appeal window open.
fn info_data(from: &str, to: &str, consent: bool) -> InfoRequestData {
    let received = if to == "appealed" && PENDING.contains(&from) {
        NOW - Duration::days(25)
    } else {
        NOW - Duration::days(1)
    };
    let mode = AccessMode::ElectronicCopy;
    InfoRequestData {
        information: "Le budget 2026 de la commune.".into(),
        access_mode: mode,
        urgent: false,
        urgent_reason: None,
        publish_consent: consent,
        requester_name: None,
        received_at: crate::clock::rfc3339(received),
        deadline: deadline::answer_deadline(received, mode, false, &calendar()),
        extended: false,
        legal_ground: None,
        redirected_to: None,
        appeal_until: APPEALABLE
            .contains(&from)
            .then(|| deadline::appeal_window(NOW - Duration::days(1), &calendar())),
    }
}

fn info_fields(to: &str) -> StepFields {
    StepFields {
        extension: (to == "extended").then_some(crate::domain::info_request::Extension::Multiple),
        legal_ground: (to == "rejected").then(|| "privacy".to_owned()),
        redirect_to: (to == "not_held").then(|| "Ministère de l'Équipement".to_owned()),
    }
}

/// A move to `to` with everything a kind may ask of it: a note, the case it
/// duplicates.
fn full_move<F>(to: &str, id_prefix: &str, fields: F) -> Move<F> {
    Move {
        to: to.to_owned(),
        note: Some("Vu sur place.".into()),
        duplicate_of: (to == "duplicate").then(|| Id::generate(id_prefix).to_string()),
        file: None,
        fields,
    }
}

/// Forum entries and appointments have no rules of their own yet: they run
/// on the shared lifecycle with a plain policy.
struct Forum;
struct Appointment;

const PLAIN: Policy = Policy {
    noun: "case",
    unseen: Refusal::NOT_FOUND,
    onlooker_moves: Refusal::NOT_FOUND,
    onlooker_files: Refusal::NOT_FOUND,
    followers_see: false,
    closed_to_staff_files: false,
    staff_file_for_others: false,
    note: NoteRule::Optional,
    step_file: StepFile::Attachment,
    support: None,
};

impl CaseType for Forum {
    const KIND: CaseKind = CaseKind::ForumEntry;
    const ID_PREFIX: &'static str = "frm";
    const SERVICE: Service = Service::Forum;
    const POLICY: Policy = PLAIN;
    type Data = ();
    type Fields = ();
    type Env = ();
}

impl CaseType for Appointment {
    const KIND: CaseKind = CaseKind::Appointment;
    const ID_PREFIX: &'static str = "apt";
    const SERVICE: Service = Service::Appointments;
    const POLICY: Policy = PLAIN;
    type Data = ();
    type Fields = ();
    type Env = ();
}

/// Every transition of `K`'s workflow, by every caller: `capacity(who)` is the
/// table of who acts in which capacity (or what they are told); the workflow
/// then allows the step to that actor or not.
fn every_transition<K: CaseType>(
    data_for: impl Fn(&str, &str) -> K::Data,
    fields_for: impl Fn(&str) -> K::Fields,
    env: &K::Env,
    capacity: impl Fn(Who) -> Result<Actor, DomainError>,
) -> usize {
    let wf = K::KIND.workflow();
    let mut decided = 0;
    for tr in wf.transitions.iter().filter(|t| t.by != Actor::System) {
        for who in EVERYONE {
            let case = case(K::KIND, K::ID_PREFIX, tr.from, data_for(tr.from, tr.to));
            let p = principal(who, K::KIND);
            let mv = full_move(tr.to, K::ID_PREFIX, fields_for(tr.to));
            let got = access::audience::<K>(Some(&p), &case, false)
                .and_then(|a| decide::transition::<K>(&p, a, &case, mv, env, NOW));
            let expected = capacity(who).and_then(|actor| {
                wf.check(tr.from, tr.to, actor)?;
                Ok(actor)
            });
            match (&got, &expected) {
                (Ok(plan), Ok(actor)) => {
                    assert_eq!(plan.actor, *actor, "{:?} {tr:?} {who:?}", K::KIND);
                    assert_eq!(plan.case.state, tr.to);
                    assert_eq!((plan.read_seq, plan.entry.seq, plan.case.seq), (3, 4, 4));
                    assert_eq!(plan.entry.author, p.user().as_str());
                    assert_eq!(plan.entry.author_role, *actor);
                    assert_eq!(plan.case.status_note, plan.entry.note);
                    assert_eq!(plan.case.updated_at, "2026-12-02T10:00:00Z");
                    assert_eq!(
                        (plan.notice.case_id.as_str(), plan.notice.state.as_str()),
                        (case.id.as_str(), tr.to)
                    );
                    assert_eq!(plan.notice.seq, 4);
                    assert_eq!(plan.duplicate_of.is_some(), tr.to == "duplicate");
                    decided += 1;
                }
                (Err(g), Err(e)) => assert_eq!(g, e, "{:?} {tr:?} {who:?}", K::KIND),
                _ => panic!(
                    "{:?} {tr:?} {who:?}: got {:?}, expected {expected:?}",
                    K::KIND,
                    got.map(|p| p.actor)
                ),
            }
        }
    }
    decided
}

#[test]
fn every_complaint_transition_by_every_caller() {
    for public in [true, false] {
        let capacity = |who| match who {
            Who::Owner => Ok(Actor::Owner),
            Who::Handler | Who::Admin => Ok(Actor::Staff),
            // Those who see a public complaint but do not handle it: their own
            // municipality's staff without the permission are refused; anyone
            // else learns nothing.
            Who::Unpermitted if public => Err(DomainError::Forbidden),
            _ => Err(DomainError::NotFound),
        };
        let decided =
            every_transition::<Complaint>(|_, _| complaint_data(public), |_| (), &(), capacity);
        assert!(decided >= COMPLAINT_TRANSITIONS, "{decided}");
    }
}

const COMPLAINT_TRANSITIONS: usize = 32;

#[test]
fn every_permit_transition_by_every_caller() {
    let decided = every_transition::<Permit>(
        |_, _| permit_data(),
        |_| (),
        &(),
        |who| match who {
            Who::Owner => Ok(Actor::Owner),
            Who::Handler | Who::OtherCategory | Who::Admin => Ok(Actor::Staff),
            Who::Unpermitted => Err(DomainError::Forbidden),
            Who::Public | Who::Elsewhere => Err(DomainError::NotFound),
        },
    );
    assert!(decided >= 30, "{decided}");
}

#[test]
fn every_information_request_transition_by_every_caller() {
    for consent in [true, false] {
        let decided = every_transition::<InfoRequest>(
            |from, to| info_data(from, to, consent),
            info_fields,
            &calendar(),
            |who| match who {
                Who::Owner => Ok(Actor::Owner),
                Who::Handler | Who::OtherCategory | Who::Admin => Ok(Actor::Staff),
                // A published request is seen by all, moved by none of them.
                _ => Err(DomainError::NotFound),
            },
        );
        assert!(decided >= 26, "{decided}");
    }
}

#[test]
fn every_forum_entry_and_appointment_transition_by_every_caller() {
    let capacity = |who| match who {
        Who::Owner => Ok(Actor::Owner),
        Who::Handler | Who::OtherCategory | Who::Admin => Ok(Actor::Staff),
        _ => Err(DomainError::NotFound),
    };
    assert!(every_transition::<Forum>(|_, _| (), |_| (), &(), capacity) >= 9);
    assert!(every_transition::<Appointment>(|_, _| (), |_| (), &(), capacity) >= 8);
}

/// Who sees a case, in which capacity: `(who, public complaint, private one)`.
#[test]
fn who_sees_a_complaint() {
    use Audience::{Owner, Public, Staff};
    let nf = Err(DomainError::NotFound);
    for (who, public, private) in [
        (Who::Owner, Ok(Owner), Ok(Owner)),
        (Who::Public, Ok(Public), nf.clone()),
        (Who::Handler, Ok(Staff), Ok(Staff)),
        (Who::OtherCategory, Ok(Public), nf.clone()),
        (Who::Unpermitted, Ok(Public), nf.clone()),
        (Who::Elsewhere, nf.clone(), nf.clone()),
        (Who::Admin, Ok(Staff), Ok(Staff)),
    ] {
        let p = principal(who, CaseKind::Complaint);
        for (data, expected) in [
            (complaint_data(true), public),
            (complaint_data(false), private),
        ] {
            let c = case(CaseKind::Complaint, "cmp", "received", data);
            assert_eq!(
                access::audience::<Complaint>(Some(&p), &c, false),
                expected,
                "{who:?}"
            );
        }
    }
    // Hidden by staff: out of public sight; the anonymous see public ones only.
    let mut hidden = case(CaseKind::Complaint, "cmp", "received", complaint_data(true));
    assert_eq!(
        access::audience::<Complaint>(None, &hidden, false),
        Ok(Public)
    );
    hidden.hidden = true;
    assert_eq!(
        access::audience::<Complaint>(None, &hidden, false),
        Err(DomainError::NotFound)
    );
    let p = principal(Who::Handler, CaseKind::Complaint);
    assert_eq!(
        access::audience::<Complaint>(Some(&p), &hidden, false),
        Ok(Staff)
    );
}

#[test]
fn who_sees_a_dossier_and_a_request() {
    use Audience::{Follower, Owner, Public, Staff};
    let dossier = case(CaseKind::Permit, "prm", "in_review", permit_data());
    for (who, stranger, follower) in [
        (Who::Owner, Ok(Owner), Ok(Owner)),
        (Who::Public, Err(DomainError::NotFound), Ok(Follower)),
        (Who::Handler, Ok(Staff), Ok(Staff)),
        (Who::Unpermitted, Err(DomainError::Forbidden), Ok(Follower)),
        (
            Who::Elsewhere,
            Err(DomainError::NotFound),
            Err(DomainError::NotFound),
        ),
        (Who::Admin, Ok(Staff), Ok(Staff)),
    ] {
        let p = principal(who, CaseKind::Permit);
        assert_eq!(
            access::audience::<Permit>(Some(&p), &dossier, false),
            stranger,
            "{who:?}"
        );
        assert_eq!(
            access::audience::<Permit>(Some(&p), &dossier, true),
            follower,
            "{who:?}"
        );
    }
    // A dossier is never public: sign in first.
    assert_eq!(
        access::audience::<Permit>(None, &dossier, false),
        Err(DomainError::Unauthenticated)
    );
    // A follower sees the dossier, does not move it.
    let p = principal(Who::Public, CaseKind::Permit);
    assert_eq!(
        decide::transition::<Permit>(
            &p,
            Follower,
            &dossier,
            full_move("cancelled", "prm", ()),
            &(),
            NOW
        )
        .map(|p| p.actor),
        Err(DomainError::Forbidden)
    );

    // A request answered with the requester's consent is in the public register.
    for (state, consent, public) in [
        ("accepted", true, true),
        ("partially_accepted", true, true),
        ("accepted", false, false),
        ("processing", true, false),
        ("rejected", true, false),
    ] {
        let request = case(
            CaseKind::InfoRequest,
            "air",
            state,
            info_data(state, "", consent),
        );
        let expected = if public {
            Ok(Public)
        } else {
            Err(DomainError::NotFound)
        };
        assert_eq!(
            access::audience::<InfoRequest>(None, &request, false),
            expected,
            "{state}"
        );
        let p = principal(Who::Owner, CaseKind::InfoRequest);
        assert_eq!(
            access::audience::<InfoRequest>(Some(&p), &request, false),
            Ok(Owner)
        );
    }
}

/// The public sees a published request's answers, nothing the requester wrote.
#[test]
fn the_public_reads_the_municipalitys_answers_only() {
    let entry = |seq, state: &str, by| HistoryEntry {
        seq,
        state: state.into(),
        note: Some("…".into()),
        author: "usr_x".into(),
        author_role: by,
        at: "2026-12-01T10:00:00Z".into(),
        attachment: (seq == 3).then(|| "att_1".to_owned()),
    };
    let history = [
        entry(1, "received", Actor::Owner),
        entry(2, "processing", Actor::Staff),
        entry(3, "accepted", Actor::Staff),
    ];
    let public = timeline::<InfoRequest>(&history, Audience::Public);
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].file, Some(FileRef::Document("att_1".into())));
    assert_eq!(timeline::<InfoRequest>(&history, Audience::Owner).len(), 3);
    // A complaint's steps are public, and name their photo an attachment.
    let steps = timeline::<Complaint>(&history, Audience::Public);
    assert_eq!(steps.len(), 3);
    let json = serde_json::to_value(&steps[2]).unwrap();
    assert_eq!(json["attachment"], "att_1");
    assert!(json.get("document").is_none() && json.get("file").is_none());
}

#[test]
fn the_platform_moves_cases_only_where_its_workflow_says() {
    for wf in [
        &crate::domain::workflow::COMPLAINT,
        &crate::domain::workflow::PERMIT,
        &crate::domain::workflow::INFO_REQUEST,
        &crate::domain::workflow::FORUM_ENTRY,
        &crate::domain::workflow::APPOINTMENT,
    ] {
        for from in wf.states {
            for to in wf.states {
                let c = case(wf.kind, "cmp", from, ());
                let allowed = wf
                    .transitions
                    .iter()
                    .any(|t| t.from == *from && t.to == *to && t.by == Actor::System);
                let got = decide::by_system(&c, to, "Délai dépassé.", DueChange::Clear, None, NOW);
                assert_eq!(got.is_ok(), allowed, "{:?} {from} -> {to}", wf.kind);
                if let Ok(plan) = got {
                    assert_eq!(plan.entry.author, "system");
                    assert_eq!((plan.actor, plan.case.due_at), (Actor::System, None));
                }
            }
        }
    }
}

#[test]
fn steps_say_why_where_the_kind_asks() {
    let staff = principal(Who::Handler, CaseKind::Permit);
    let dossier = case(CaseKind::Permit, "prm", "received", permit_data());
    let mut mv = full_move("in_review", "prm", ());
    mv.note = None;
    assert_eq!(
        decide::transition::<Permit>(&staff, Audience::Staff, &dossier, mv, &(), NOW).map(|_| ()),
        Err(DomainError::invalid("note", "required"))
    );
    // The submitter does not have to.
    let submitter = principal(Who::Owner, CaseKind::Permit);
    let mut mv = full_move("cancelled", "prm", ());
    mv.note = None;
    assert!(
        decide::transition::<Permit>(&submitter, Audience::Owner, &dossier, mv, &(), NOW).is_ok()
    );
    // An information request: on the law's steps only.
    let staff = principal(Who::Handler, CaseKind::InfoRequest);
    let request = case(
        CaseKind::InfoRequest,
        "air",
        "received",
        info_data("received", "processing", false),
    );
    let quiet = |to: &str| Move {
        note: None,
        ..full_move(to, "air", info_fields(to))
    };
    assert!(
        decide::transition::<InfoRequest>(
            &staff,
            Audience::Staff,
            &request,
            quiet("processing"),
            &calendar(),
            NOW
        )
        .is_ok()
    );
    assert_eq!(
        decide::transition::<InfoRequest>(
            &staff,
            Audience::Staff,
            &request,
            quiet("accepted"),
            &calendar(),
            NOW
        )
        .map(|_| ()),
        Err(DomainError::invalid("note", "required"))
    );
}

#[test]
fn a_duplicate_names_another_existing_case_of_its_kind() {
    let staff = principal(Who::Handler, CaseKind::Complaint);
    let c = case(CaseKind::Complaint, "cmp", "received", complaint_data(true));
    let decide = |to: &str, dup: Option<String>| {
        let mv = Move {
            duplicate_of: dup,
            ..full_move(to, "cmp", ())
        };
        decide::transition::<Complaint>(&staff, Audience::Staff, &c, mv, &(), NOW)
            .map(|p| p.duplicate_of)
    };
    let other = Id::generate("cmp").to_string();
    assert_eq!(decide("duplicate", Some(other.clone())), Ok(Some(other)));
    for (to, dup, reason) in [
        ("duplicate", None, "required"),
        ("duplicate", Some(c.id.clone()), "unknown"),
        (
            "duplicate",
            Some("prm_01JD0000000000000000000000".into()),
            "unknown",
        ),
        (
            "in_progress",
            Some(Id::generate("cmp").to_string()),
            "not_allowed",
        ),
    ] {
        assert_eq!(
            decide(to, dup),
            Err(DomainError::invalid("duplicate_of", reason)),
            "{to}"
        );
    }
    // A step's file is an attachment id, or nothing the case has.
    let mv = Move {
        file: Some("photo.jpg".into()),
        ..full_move("in_progress", "cmp", ())
    };
    assert_eq!(
        decide::transition::<Complaint>(&staff, Audience::Staff, &c, mv, &(), NOW).map(|_| ()),
        Err(DomainError::invalid("attachment", "unknown"))
    );
}

#[test]
fn who_files_a_case_and_as_whom() {
    let m = tunis();
    for who in EVERYONE {
        let complaint = decide::filer::<Complaint>(&principal(who, CaseKind::Complaint), &m);
        let permit = decide::filer::<Permit>(&principal(who, CaseKind::Permit), &m);
        let request = decide::filer::<InfoRequest>(&principal(who, CaseKind::InfoRequest), &m);
        match who {
            Who::Elsewhere => {
                for r in [&complaint, &permit, &request] {
                    assert_eq!(r.as_ref().map(|f| f.role), Err(&DomainError::NotFound));
                }
            }
            // Staff holding `permits` register a dossier for its holder.
            Who::Handler | Who::OtherCategory | Who::Admin => {
                let f = permit.unwrap();
                assert_eq!(f.role, Actor::Staff);
                assert_ne!(f.owner, f.author, "the holder's, not the clerk's");
                assert_eq!(complaint.unwrap().role, Actor::Owner);
            }
            Who::Unpermitted => {
                assert_eq!(permit, Err(DomainError::Forbidden));
                assert_eq!(complaint.unwrap().role, Actor::Owner);
            }
            Who::Owner | Who::Public => {
                let f = permit.unwrap();
                assert_eq!((f.role, &f.owner), (Actor::Owner, &f.author));
            }
        }
        if who != Who::Elsewhere {
            assert_eq!(request.unwrap().role, Actor::Owner);
        }
    }
    // A filing is in the workflow's first state, on the queue when due, on the
    // map when public and placed.
    let mut data = complaint_data(true);
    data.location = Some(crate::domain::Coordinates {
        lat: 36.8,
        lon: 10.18,
    });
    let f = decide::file::<Complaint>(&m, &Filer::client("usr_client"), data, None, NOW);
    assert_eq!(
        (f.case.state.as_str(), f.case.seq, f.first.seq),
        ("received", 1, 1)
    );
    assert!(f.cell.is_some() && f.case.due_at.is_none());
    let f = decide::file::<Permit>(
        &m,
        &Filer::client("usr_x"),
        permit_data(),
        Some("2027-01-31T10:00:00Z".into()),
        NOW,
    );
    assert_eq!(f.case.state, "received");
    assert_eq!(f.case.due_at.as_deref(), Some("2027-01-31T10:00:00Z"));
    assert!(f.case.id.starts_with("prm_") && f.cell.is_none());
}

#[test]
fn files_supports_and_management() {
    let c = |state: &str| case(CaseKind::Complaint, "cmp", state, complaint_data(true));
    let owner = principal(Who::Owner, CaseKind::Complaint);
    let citizen = principal(Who::Public, CaseKind::Complaint);
    let handler = principal(Who::Handler, CaseKind::Complaint);
    // Files: staff always, the owner while open; onlookers are refused.
    for (who, audience, state, expected) in [
        (&handler, Audience::Staff, "resolved", Ok(())),
        (&owner, Audience::Owner, "received", Ok(())),
        (
            &owner,
            Audience::Owner,
            "resolved",
            Err(DomainError::invalid("complaint", "closed")),
        ),
        (
            &citizen,
            Audience::Public,
            "received",
            Err(DomainError::Forbidden),
        ),
    ] {
        assert_eq!(
            decide::add_file::<Complaint>(who, audience, &c(state)),
            expected
        );
    }
    let dossier = case(CaseKind::Permit, "prm", "completed", permit_data());
    assert_eq!(
        decide::add_file::<Permit>(&handler, Audience::Staff, &dossier),
        Err(DomainError::invalid("permit", "closed")),
        "a closed dossier takes no more documents"
    );
    let request = case(
        CaseKind::InfoRequest,
        "air",
        "accepted",
        info_data("accepted", "", true),
    );
    assert_eq!(
        decide::add_file::<InfoRequest>(&citizen, Audience::Public, &request),
        Err(DomainError::NotFound)
    );
    // "Me too": not one's own, not a closed one, only where the kind takes it.
    assert_eq!(
        decide::support::<Complaint>(&citizen, &c("received")),
        Ok(())
    );
    assert_eq!(
        decide::support::<Complaint>(&owner, &c("received")),
        Err(DomainError::invalid("support", "own_complaint"))
    );
    assert_eq!(
        decide::support::<Complaint>(&citizen, &c("resolved")),
        Err(DomainError::invalid("support", "closed"))
    );
    assert_eq!(
        decide::support::<Permit>(&citizen, &dossier),
        Err(DomainError::Forbidden)
    );
    assert_eq!(decide::follow(Audience::Public), Ok(()));
    // Managing: the staff who handle it; a colleague who handles its category.
    assert_eq!(decide::manage(Audience::Owner), Err(DomainError::Forbidden));
    let member = |perms: &[Permission], cats: Option<&[&str]>| StaffMember {
        id: Id::generate("stf"),
        municipality: tunis(),
        phone: Phone::parse("+21620123456").unwrap(),
        name: "Leila".into(),
        title: None,
        permissions: perms.iter().copied().collect(),
        complaint_categories: cats
            .map(|c| c.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>()),
        created_at: String::new(),
        updated_at: String::new(),
        created_by: String::new(),
        version: 1,
    };
    let lighting = member(&[Permission::Complaints], Some(&["lighting"]));
    assert_eq!(
        decide::assign::<Complaint>(Audience::Staff, &c("received"), Some(&lighting)),
        Ok(Some(lighting.id.to_string()))
    );
    assert_eq!(
        decide::assign::<Complaint>(Audience::Staff, &c("received"), None),
        Ok(None)
    );
    for other in [
        member(&[Permission::Complaints], Some(&["roads"])),
        member(&[Permission::News], None),
    ] {
        assert_eq!(
            decide::assign::<Complaint>(Audience::Staff, &c("received"), Some(&other)),
            Err(DomainError::invalid("staff_id", "cannot_handle"))
        );
    }
    assert_eq!(
        decide::assign::<Complaint>(Audience::Public, &c("received"), Some(&lighting)),
        Err(DomainError::Forbidden)
    );
}

#[test]
fn a_dossiers_stages_move_it_on_the_queue_and_date_it() {
    let staff = principal(Who::Handler, CaseKind::Permit);
    let mut dossier = case(CaseKind::Permit, "prm", "in_review", permit_data());
    dossier.due_at = Some("2026-12-20T10:00:00Z".into());
    let step = |c: &CaseRecord<PermitData>, to: &str| {
        decide::transition::<Permit>(
            &staff,
            Audience::Staff,
            c,
            full_move(to, "prm", ()),
            &(),
            NOW,
        )
        .unwrap()
    };
    let committee = step(&dossier, "committee");
    assert_eq!(committee.due, DueChange::Keep);
    assert_eq!(committee.case.due_at, dossier.due_at);
    assert!(!committee.data_changed);
    let issued = step(&dossier, "issued");
    assert_eq!(
        (issued.due, issued.case.due_at.clone()),
        (DueChange::Clear, None)
    );
    assert_eq!(
        issued.case.data.issued_at.as_deref(),
        Some("2026-12-02T10:00:00Z")
    );
    assert!(issued.data_changed);
    assert_eq!(issued.notice.reference.as_deref(), Some("2026-000042"));
}

#[test]
fn an_information_request_follows_the_law() {
    let staff = principal(Who::Handler, CaseKind::InfoRequest);
    let request = case(
        CaseKind::InfoRequest,
        "air",
        "processing",
        info_data("processing", "extended", false),
    );
    let step = |to: &str, fields: StepFields| {
        let mv = Move {
            fields,
            ..full_move(to, "air", StepFields::default())
        };
        decide::transition::<InfoRequest>(&staff, Audience::Staff, &request, mv, &calendar(), NOW)
    };
    let extended = step("extended", info_fields("extended")).unwrap();
    assert!(extended.case.data.extended);
    assert!(matches!(extended.due, DueChange::Set(_)));
    assert_eq!(
        step("extended", StepFields::default()).map(|_| ()),
        Err(DomainError::invalid("extension", "required"))
    );
    assert_eq!(
        step("accepted", info_fields("rejected")).map(|_| ()),
        Err(DomainError::invalid("legal_ground", "not_allowed"))
    );
    let refused = step("rejected", info_fields("rejected")).unwrap();
    assert_eq!(refused.case.data.legal_ground.as_deref(), Some("privacy"));
    assert!(refused.case.data.appeal_until.is_some());
    assert_eq!(refused.case.due_at, None);
    // Once the deadline has passed, staff may no longer ask for details.
    let late = case(
        CaseKind::InfoRequest,
        "air",
        "received",
        info_data("received", "appealed", false),
    );
    let mv = full_move("not_clear", "air", StepFields::default());
    assert_eq!(
        decide::transition::<InfoRequest>(&staff, Audience::Staff, &late, mv, &calendar(), NOW)
            .map(|_| ()),
        Err(DomainError::invalid("state", "deadline_passed"))
    );
}

/// Staff rights win over ownership; a citizen moves only their own case; the
/// rest are told according to what they may know.
#[test]
fn who_acts_in_which_capacity() {
    let c = case(CaseKind::Complaint, "cmp", "received", complaint_data(true));
    let act = |p: &Principal, to: &str| {
        access::audience::<Complaint>(Some(p), &c, false)
            .and_then(|a| decide::transition::<Complaint>(p, a, &c, Move::to(to), &(), NOW))
            .map(|plan| plan.actor)
    };
    let staff = Principal::staff("tunis", [Permission::Complaints]);
    assert_eq!(act(&staff, "in_progress"), Ok(Actor::Staff));
    let citizen = principal(Who::Owner, CaseKind::Complaint);
    assert_eq!(act(&citizen, "withdrawn"), Ok(Actor::Owner));
    assert!(matches!(
        act(&citizen, "resolved"),
        Err(DomainError::TransitionNotAllowed { .. })
    ));
    let stranger = principal(Who::Public, CaseKind::Complaint);
    assert_eq!(act(&stranger, "withdrawn"), Err(DomainError::NotFound));
    let other_town = Principal::staff("sfax", [Permission::Complaints]);
    assert_eq!(act(&other_town, "in_progress"), Err(DomainError::NotFound));
    let news_editor = Principal::staff("tunis", [Permission::News]);
    assert_eq!(
        act(&news_editor, "in_progress"),
        Err(DomainError::Forbidden)
    );
}
