//! The decisions of the case lifecycle, one pure function per operation: each
//! takes who acts, the case as read (and their audience of it) and the input,
//! and returns what to write — or why not. No I/O: the caller loads, decides,
//! then hands the plan to the store, which writes it in one transaction.

use time::OffsetDateTime;

use super::access::{Audience, outsider};
use super::{Actor, CaseRecord, CaseType, Change, DueChange, Effects, HistoryEntry};
use crate::domain::notice::{Notice, Reminder};
use crate::domain::roles::authorize;
use crate::domain::{DomainError, Id, MunicipalityId, Principal, StaffMember};

/// Who files a case, and as whom it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filer {
    /// `usr_…` the case belongs to.
    pub owner: String,
    /// `usr_…` of who wrote the first entry.
    pub author: String,
    pub role: Actor,
}

impl Filer {
    /// A client of the platform filing for the person it serves (an Open311
    /// client's own user).
    pub fn client(user: &str) -> Filer {
        Filer {
            owner: user.to_owned(),
            author: user.to_owned(),
            role: Actor::Owner,
        }
    }
}

/// Who may file a case of kind `K` in `m`, and as whom. Anyone signed in files
/// their own; staff of another municipality may not (404). Where the kind lets
/// staff file for others, staff holding its permission do so (the case then
/// belongs to nobody who signs in: an id of its own), and its other staff may not
/// (403).
pub fn filer<K: CaseType>(who: &Principal, m: &MunicipalityId) -> Result<Filer, DomainError> {
    if outsider(who, m) {
        return Err(DomainError::NotFound);
    }
    let own = || Filer {
        owner: who.user().to_string(),
        author: who.user().to_string(),
        role: Actor::Owner,
    };
    if !K::POLICY.staff_file_for_others {
        return Ok(own());
    }
    match authorize(who, m, K::KIND.permission()) {
        Ok(()) => Ok(Filer {
            owner: Id::generate("usr").to_string(),
            author: who.user().to_string(),
            role: Actor::Staff,
        }),
        Err(DomainError::Forbidden) if !who.is_staff_of(m) => Ok(own()),
        Err(e) => Err(e),
    }
}

/// A new case and its first history entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Filing<D> {
    pub case: CaseRecord<D>,
    pub first: HistoryEntry,
    /// Its cell on the kind's public map.
    pub cell: Option<String>,
    /// The short reference its citizen is told (staff find the case by it).
    pub reference: String,
}

/// File a case of kind `K`: in the workflow's first state, due at `due_at` (on
/// the kind's queue) if given.
pub fn file<K: CaseType>(
    m: &MunicipalityId,
    filer: &Filer,
    data: K::Data,
    due_at: Option<String>,
    now: OffsetDateTime,
) -> Filing<K::Data> {
    let at = crate::clock::rfc3339(now);
    let case = CaseRecord {
        kind: K::KIND,
        municipality: m.clone(),
        id: Id::generate(K::ID_PREFIX).to_string(),
        owner: filer.owner.clone(),
        state: K::KIND.workflow().initial.to_owned(),
        seq: 1,
        created_at: at.clone(),
        updated_at: at.clone(),
        data,
        supporters: 0,
        assigned_to: None,
        duplicate_of: None,
        hidden: false,
        status_note: None,
        due_at,
    };
    let first = HistoryEntry {
        seq: 1,
        state: case.state.clone(),
        note: None,
        author: filer.author.clone(),
        author_role: filer.role,
        at,
        attachment: None,
    };
    Filing {
        cell: K::map_cell(&case),
        reference: super::inbox::short_reference::<K>(&case),
        case,
        first,
    }
}

/// A state change asked for.
#[derive(Debug)]
pub struct Move<F> {
    pub to: String,
    /// Validated at the edge (length, characters).
    pub note: Option<String>,
    /// With `duplicate`: the case this one repeats.
    pub duplicate_of: Option<String>,
    /// A file of the case that goes with the step.
    pub file: Option<String>,
    /// The kind's own fields.
    pub fields: F,
}

impl<F> Move<F> {
    /// A move to `to` as a request asks it, its note checked (trimmed, at most
    /// `note_max` characters, no control characters).
    pub fn asked(
        to: String,
        note: Option<&str>,
        note_max: usize,
        fields: F,
    ) -> Result<Move<F>, DomainError> {
        Ok(Move {
            to,
            note: note
                .map(|n| crate::domain::staff::parse_label(n, "note", note_max))
                .transpose()?,
            duplicate_of: None,
            file: None,
            fields,
        })
    }
}

impl<F: Default> Move<F> {
    /// A plain move to `to`.
    pub fn to(to: &str) -> Move<F> {
        Move {
            to: to.to_owned(),
            note: None,
            duplicate_of: None,
            file: None,
            fields: F::default(),
        }
    }
}

/// A decided state change: everything the store writes, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionPlan<D> {
    /// The case after the change.
    pub case: CaseRecord<D>,
    /// The version read: the write is conditioned on it.
    pub read_seq: u64,
    pub entry: HistoryEntry,
    pub due: DueChange,
    /// The kind's data changed (and is written whole).
    pub data_changed: bool,
    /// Told to the case's people.
    pub notice: Notice,
    pub actor: Actor,
    /// The case this one is closed as a duplicate of: the caller checks that it
    /// exists before writing.
    pub duplicate_of: Option<String>,
    /// The file the step refers to: the caller checks it is there and ready.
    pub file: Option<String>,
    /// The state it leaves (the counts per state move with it).
    pub from: String,
    /// What the municipality's staff are told of it (a contested resolution).
    pub staff_reminder: Option<Reminder>,
}

/// Move a case: `who` sees it as `audience`; the workflow, the kind's note rule
/// and the kind's own rules decide.
pub fn transition<K: CaseType>(
    who: &Principal,
    audience: Audience,
    case: &CaseRecord<K::Data>,
    mv: Move<K::Fields>,
    env: &K::Env,
    now: OffsetDateTime,
) -> Result<TransitionPlan<K::Data>, DomainError> {
    let actor = match audience {
        Audience::Staff => Actor::Staff,
        Audience::Owner => Actor::Owner,
        Audience::Public | Audience::Follower => {
            return Err(K::POLICY
                .onlooker_moves
                .deny(Some(who), &case.municipality, K::KIND));
        }
    };
    let wf = K::KIND.workflow();
    let to = wf.state(mv.to.trim())?;
    wf.check(&case.state, to, actor)?;
    let silent = mv.note.as_deref().is_none_or(|n| n.trim().is_empty());
    if silent && K::POLICY.note.required(actor, to) {
        return Err(DomainError::invalid("note", "required"));
    }
    let duplicate_of = match (to, mv.duplicate_of.as_deref()) {
        ("duplicate", Some(other)) => {
            let other = Id::parse(K::ID_PREFIX, other.trim())
                .map(|id| id.to_string())
                .ok()
                .filter(|other| *other != case.id)
                .ok_or(DomainError::invalid("duplicate_of", "unknown"))?;
            Some(other)
        }
        ("duplicate", None) => return Err(DomainError::invalid("duplicate_of", "required")),
        (_, Some(_)) => return Err(DomainError::invalid("duplicate_of", "not_allowed")),
        (_, None) => None,
    };
    let file = mv
        .file
        .as_deref()
        .map(|raw| {
            Id::parse("att", raw.trim())
                .map(|id| id.to_string())
                .map_err(|_| DomainError::invalid(K::POLICY.step_file.field(), "unknown"))
        })
        .transpose()?;
    let change = Change {
        case,
        to,
        actor,
        now,
    };
    let effects = K::change(&change, mv.fields, env)?;
    let reference = K::reference(effects.data.as_ref().unwrap_or(&case.data));
    Ok(plan(
        case,
        Step {
            to,
            note: mv.note,
            author: who.user().to_string(),
            actor,
            file,
            duplicate_of,
            effects,
            reference,
        },
        now,
    ))
}

/// A change the platform makes itself (a deadline passed): checked against the
/// workflow's system transitions. `reference` names the case in its notice.
pub fn by_system<D: Clone>(
    case: &CaseRecord<D>,
    to: &str,
    note: &str,
    due: DueChange,
    reference: Option<String>,
    now: OffsetDateTime,
) -> Result<TransitionPlan<D>, DomainError> {
    let wf = case.kind.workflow();
    let to = wf.state(to)?;
    wf.check(&case.state, to, Actor::System)?;
    Ok(plan(
        case,
        Step {
            to,
            note: Some(note.to_owned()),
            author: "system".to_owned(),
            actor: Actor::System,
            file: None,
            duplicate_of: None,
            effects: Effects {
                due,
                ..Effects::default()
            },
            reference,
        },
        now,
    ))
}

struct Step<D> {
    to: &'static str,
    note: Option<String>,
    author: String,
    actor: Actor,
    file: Option<String>,
    duplicate_of: Option<String>,
    effects: Effects<D>,
    reference: Option<String>,
}

fn plan<D: Clone>(case: &CaseRecord<D>, step: Step<D>, now: OffsetDateTime) -> TransitionPlan<D> {
    let at = crate::clock::rfc3339(now);
    let entry = HistoryEntry {
        seq: case.seq + 1,
        state: step.to.to_owned(),
        note: step.note,
        author: step.author,
        author_role: step.actor,
        at: at.clone(),
        attachment: step.file,
    };
    let data_changed = step.effects.data.is_some();
    let mut after = case.clone();
    after.state = entry.state.clone();
    after.seq = entry.seq;
    after.updated_at = at;
    after.status_note = entry.note.clone();
    after.duplicate_of = step.duplicate_of;
    after.due_at = step.effects.due.apply(after.due_at.take());
    if let Some(data) = step.effects.data {
        after.data = data;
    }
    let staff_reminder = step.effects.tell_staff.map(|what| Reminder {
        kind: case.kind,
        case_id: case.id.clone(),
        what: what.to_owned(),
        due_at: after.due_at.clone().unwrap_or_else(|| entry.at.clone()),
        at: entry.at.clone(),
        reference: step.reference.clone(),
    });
    let notice = Notice::of_step(&after, &entry, step.reference, now);
    TransitionPlan {
        from: case.state.clone(),
        staff_reminder,
        duplicate_of: after.duplicate_of.clone(),
        file: entry.attachment.clone(),
        case: after,
        read_seq: case.seq,
        entry,
        due: step.effects.due,
        data_changed,
        notice,
        actor: step.actor,
    }
}

/// May `who` follow the case (be told of its changes)? Anyone who sees it.
pub fn follow(_audience: Audience) -> Result<(), DomainError> {
    Ok(())
}

/// "Me too" on a case `who` sees: not on their own, not once it is closed, and
/// only where the kind takes supports.
pub fn support<K: CaseType>(
    who: &Principal,
    case: &CaseRecord<K::Data>,
) -> Result<(), DomainError> {
    let Some(own) = K::POLICY.support else {
        return Err(DomainError::Forbidden);
    };
    if case.owner == who.user().as_str() {
        return Err(DomainError::invalid("support", own));
    }
    if case.is_closed() {
        return Err(DomainError::invalid("support", "closed"));
    }
    Ok(())
}

/// May `who` add a file to the case? Its staff and its owner while it is open
/// (staff also after, unless the kind closes its files to them).
pub fn add_file<K: CaseType>(
    who: &Principal,
    audience: Audience,
    case: &CaseRecord<K::Data>,
) -> Result<(), DomainError> {
    let closed = || DomainError::invalid(K::POLICY.noun, "closed");
    match audience {
        Audience::Staff if !K::POLICY.closed_to_staff_files => Ok(()),
        Audience::Staff | Audience::Owner if case.is_closed() => Err(closed()),
        Audience::Staff | Audience::Owner => Ok(()),
        Audience::Public | Audience::Follower => {
            Err(K::POLICY
                .onlooker_files
                .deny(Some(who), &case.municipality, K::KIND))
        }
    }
}

/// Only the staff who handle a case manage it (assign, moderate): 403 for
/// anyone else who sees it.
pub fn manage(audience: Audience) -> Result<(), DomainError> {
    match audience {
        Audience::Staff => Ok(()),
        _ => Err(DomainError::Forbidden),
    }
}

/// Give the case to `assignee` (a staff member as recorded), or to nobody:
/// only to someone who handles it.
pub fn assign<K: CaseType>(
    audience: Audience,
    case: &CaseRecord<K::Data>,
    assignee: Option<&StaffMember>,
) -> Result<Option<String>, DomainError> {
    manage(audience)?;
    match assignee {
        None => Ok(None),
        Some(member)
            if member.municipality == case.municipality && K::member_handles(member, case) =>
        {
            Ok(Some(member.id.to_string()))
        }
        Some(_) => Err(DomainError::invalid("staff_id", "cannot_handle")),
    }
}
