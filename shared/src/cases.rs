//! The case flow, written once for every kind: **load → decide → write**.
//!
//! A case function's handler parses its request into typed values, then calls
//! one of these. Each loads what the decision needs (the municipality, the case,
//! whether the caller follows it, a referenced file or case), asks the pure
//! decision of `domain::case::decide`, and hands the plan to the store, which
//! writes it in one transaction. The handler then renders the answer in the
//! kind's own view.

use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::config::{Aws, Config};
use crate::domain::attachment::{self, FileKind, FileOwner};
use crate::domain::case::decide::{self, Filing, Move};
use crate::domain::case::{
    Audience, CaseRecord, CaseType, HistoryEntry, TimelineEntry, access, timeline,
};
use crate::domain::roles::authorize;
use crate::domain::{DomainError, Id, Municipality, MunicipalityId, Principal};
use crate::http::paging::{idempotency, paging, request_fingerprint};
use crate::http::response::{List, created_once, json};
use crate::http::serve::Base;
use crate::http::{Answer, ApiError, IdempotencyKey, RequestView};
use crate::store::idempotency::Idempotency;
use crate::store::{Page, PageKey, Store, Write};
use crate::uploads::{DocumentView, PhotoView, Upload, Uploads};
use http::StatusCode;

mod inbox;
pub use inbox::Counts;

/// What a case function needs to run the flow: the table and the files.
#[derive(Clone, Debug)]
pub struct Cases {
    pub store: Store,
    pub uploads: Uploads,
}

/// A case as loaded for `who`, and how they see it.
#[derive(Debug, Clone)]
pub struct Opened<D> {
    pub case: CaseRecord<D>,
    pub audience: Audience,
}

/// A case after a state change, as the caller sees it, with its whole history.
#[derive(Debug, Clone)]
pub struct Moved<D> {
    pub opened: Opened<D>,
    pub history: Vec<HistoryEntry>,
}

/// The body of a step that carries nothing of its kind's own:
/// `{"state", "note"?, "document"?}`, the document one of the case's files
/// (`att_…`, uploaded) that goes with the step.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub state: String,
    pub note: Option<String>,
    pub document: Option<String>,
}

impl Step {
    /// The move it asks for, its note at most `note_max` characters.
    pub fn asked(self, note_max: usize) -> Result<Move<()>, DomainError> {
        Ok(Move {
            file: self.document,
            ..Move::asked(self.state, self.note.as_deref(), note_max, ())?
        })
    }
}

/// The answer to "me too".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Supported {
    pub supporters: u64,
    /// This call counted one (not a repeat).
    pub counted: bool,
}

/// Past every due time: a kind's whole queue.
const OPEN_UNTIL: &str = "9999-12-31T23:59:59Z";

impl Cases {
    pub fn new(config: &Config, aws: &Aws) -> Cases {
        Cases {
            store: Store::new(aws.dynamodb(), &config.table).with_read_cache(config.read_cache),
            uploads: Uploads::new(config, aws),
        }
    }

    /// The id of a case of kind `K` as a path gives it: anything else names no
    /// case (404).
    pub fn id<K: CaseType>(raw: &str) -> Result<String, ApiError> {
        Id::parse(K::ID_PREFIX, raw.trim())
            .map(|id| id.to_string())
            .map_err(|_| ApiError::not_found())
    }

    /// The municipality, if `who` may use its service of kind `K`: staff of
    /// another municipality and the public of a deactivated one get 404, a
    /// service that is off 403.
    pub async fn service<K: CaseType>(
        &self,
        m: &MunicipalityId,
        who: Option<&Principal>,
    ) -> Result<Municipality, ApiError> {
        crate::http::access::municipality(&self.store, m, K::SERVICE, who).await
    }

    /// The case `raw_id` of `m`, if `who` may see it, and how they see it.
    pub async fn open<K: CaseType>(
        &self,
        who: Option<&Principal>,
        m: &MunicipalityId,
        raw_id: &str,
    ) -> Result<Opened<K::Data>, ApiError> {
        let id = Self::id::<K>(raw_id)?;
        self.service::<K>(m, who).await?;
        let case = self
            .store
            .get_case::<K::Data>(m, K::KIND, &id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        self.audience::<K>(who, case).await
    }

    /// How `who` sees a case already loaded. Whether they follow it is read
    /// only where that could change the answer.
    pub async fn audience<K: CaseType>(
        &self,
        who: Option<&Principal>,
        case: CaseRecord<K::Data>,
    ) -> Result<Opened<K::Data>, ApiError> {
        let audience = match access::audience::<K>(who, &case, false) {
            Ok(a) => a,
            Err(refused) => match who {
                Some(p)
                    if access::follow_matters::<K>(who)
                        && self.store.follows_case(&case, p.user().as_str()).await? =>
                {
                    access::audience::<K>(who, &case, true)?
                }
                _ => return Err(refused.into()),
            },
        };
        Ok(Opened { case, audience })
    }

    /// A case's whole history, oldest first.
    pub async fn history<D>(&self, case: &CaseRecord<D>) -> Result<Vec<HistoryEntry>, ApiError> {
        Ok(self.store.full_history(case).await?)
    }

    /// The case `raw_id` of `m` for a read (`GET …/{id}`, no query): the
    /// caller, signed in or not, and how they see it.
    pub async fn read<K: CaseType>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        raw_id: &str,
    ) -> Result<Opened<K::Data>, ApiError> {
        view.query(&[])?;
        let who = view.optional_principal(&base.verifier)?;
        self.open::<K>(who.as_ref(), m, raw_id).await
    }

    /// The name the caller gave their account, if any: a case keeps the name
    /// it was filed under.
    pub async fn name_of(&self, who: &Principal) -> Result<Option<String>, ApiError> {
        let account = self.store.get_account(who.user(), false).await?;
        Ok(account.and_then(|a| a.name))
    }

    /// File a decided case of kind `K`, with `extra` writes of the kind's (a
    /// dossier's reference), once per idempotency key, and answer as a create
    /// does: 201 with `answer` and the case's `Location`, or, to a retry, the
    /// first answer.
    pub async fn file<K: CaseType>(
        &self,
        filing: &Filing<K::Data>,
        extra: Vec<Write>,
        idem: Option<Idempotency>,
        answer: &impl Serialize,
    ) -> Answer {
        let answer = serde_json::to_string(answer).map_err(|_| ApiError::internal())?;
        let created = self
            .store
            .file_case(filing, extra, idem.as_ref(), &answer)
            .await?;
        let case = &filing.case;
        let location = format!(
            "/v1/municipalities/{}/{}/{}",
            case.municipality,
            attachment::area(K::KIND),
            case.id
        );
        created_once(created, &location, answer)
    }

    /// `POST …/<kind>` by `who`: file `filing` once per the request's
    /// `Idempotency-Key` (bound to the request's method, path and body) and
    /// answer with `render` of the case and its first timeline entry, as its
    /// owner sees them.
    pub async fn create<K: CaseType, V: Serialize>(
        &self,
        view: &RequestView<'_>,
        who: &Principal,
        idem_key: Option<IdempotencyKey>,
        filing: Filing<K::Data>,
        render: impl FnOnce(&CaseRecord<K::Data>, Vec<TimelineEntry>) -> V,
    ) -> Answer {
        let first = timeline::<K>(std::slice::from_ref(&filing.first), Audience::Owner);
        let answer = render(&filing.case, first);
        let m = &filing.case.municipality;
        let idem = idempotency(idem_key, m, who, &request_fingerprint(view.request()));
        self.file::<K>(&filing, Vec::new(), idem, &answer).await
    }

    /// `POST …/{id}/transitions`: the signed-in caller asks for a step (the
    /// body, read as `B`, made a [`Move`] by `asked`) of the case `raw_id`;
    /// staff of another municipality are told it does not exist before the
    /// body is read.
    pub async fn step<K: CaseType, B: DeserializeOwned>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        raw_id: &str,
        env: &K::Env,
        asked: impl FnOnce(B) -> Result<Move<K::Fields>, DomainError>,
    ) -> Result<Moved<K::Data>, ApiError> {
        let who = view.principal(&base.verifier)?;
        crate::http::access::outsider(&who, m)?;
        let mv = asked(view.json()?)?;
        let opened = self.open::<K>(Some(&who), m, raw_id).await?;
        self.transition::<K>(&who, opened, mv, env, view.now).await
    }

    /// Move a case: decide, check what the step refers to (the case it
    /// duplicates, the file that goes with it), write the change with its
    /// history entry and notice, read the history back.
    pub async fn transition<K: CaseType>(
        &self,
        who: &Principal,
        opened: Opened<K::Data>,
        mv: Move<K::Fields>,
        env: &K::Env,
        now: OffsetDateTime,
    ) -> Result<Moved<K::Data>, ApiError> {
        self.transition_with::<K>(who, opened, mv, env, now, |_| Ok(Vec::new()))
            .await
    }

    /// [`Cases::transition`], with what the kind writes besides, decided from
    /// the plan (an appointment's slot given back or taken), in the same
    /// transaction.
    pub async fn transition_with<K: CaseType>(
        &self,
        who: &Principal,
        opened: Opened<K::Data>,
        mv: Move<K::Fields>,
        env: &K::Env,
        now: OffsetDateTime,
        extra: impl FnOnce(&decide::TransitionPlan<K::Data>) -> Result<Vec<Write>, ApiError>,
    ) -> Result<Moved<K::Data>, ApiError> {
        let plan = decide::transition::<K>(who, opened.audience, &opened.case, mv, env, now)?;
        let case = &opened.case;
        if let Some(other) = &plan.duplicate_of {
            let found = self
                .store
                .get_case::<serde_json::Value>(&case.municipality, K::KIND, other)
                .await?;
            if found.is_none() {
                return Err(DomainError::invalid("duplicate_of", "unknown").into());
            }
        }
        if let Some(file) = &plan.file {
            self.uploads
                .confirm(&FileOwner::of(case), file, K::POLICY.step_file.field())
                .await?;
        }
        let extra = extra(&plan)?;
        self.store.commit_transition(&plan, extra).await?;
        let history = self.history(&plan.case).await?;
        Ok(Moved {
            opened: Opened {
                case: plan.case,
                audience: opened.audience,
            },
            history,
        })
    }

    /// Follow a case (be told of its changes), or stop. Idempotent.
    pub async fn follow<D>(
        &self,
        who: &Principal,
        opened: &Opened<D>,
        on: bool,
        now: OffsetDateTime,
    ) -> Result<(), ApiError> {
        decide::follow(opened.audience)?;
        let user = who.user().as_str();
        if on {
            let at = crate::clock::rfc3339(now);
            self.store.follow_case(&opened.case, user, &at).await?;
        } else {
            self.store.unfollow_case(&opened.case, user).await?;
        }
        Ok(())
    }

    /// "Me too", counted once per person; the supporter also follows the case.
    pub async fn support<K: CaseType>(
        &self,
        who: &Principal,
        opened: &Opened<K::Data>,
        now: OffsetDateTime,
    ) -> Result<Supported, ApiError> {
        decide::support::<K>(who, &opened.case)?;
        let (user, at) = (who.user().as_str(), crate::clock::rfc3339(now));
        let counted = self.store.support_case(&opened.case, user, &at).await?;
        self.store.follow_case(&opened.case, user, &at).await?;
        Ok(Supported {
            supporters: opened.case.supporters + u64::from(counted),
            counted,
        })
    }

    /// A presigned upload of one file of the case, if `who` may add one.
    pub async fn start_upload<K: CaseType>(
        &self,
        who: &Principal,
        opened: &Opened<K::Data>,
        kind: FileKind,
        content_type: &str,
        size: u64,
        now: OffsetDateTime,
    ) -> Result<Upload, ApiError> {
        decide::add_file::<K>(who, opened.audience, &opened.case)?;
        self.uploads
            .start(
                &FileOwner::of(&opened.case),
                kind,
                who.user().as_str(),
                content_type,
                size,
                now,
            )
            .await
    }

    /// The case's photos as its audience may see them.
    pub async fn photos<D>(&self, opened: &Opened<D>) -> Result<Vec<PhotoView>, ApiError> {
        self.uploads
            .photos(&FileOwner::of(&opened.case), opened.audience.insider())
            .await
    }

    /// The case's documents as its audience may see them.
    pub async fn documents<D>(&self, opened: &Opened<D>) -> Result<Vec<DocumentView>, ApiError> {
        self.uploads
            .documents(&FileOwner::of(&opened.case), opened.audience.insider())
            .await
    }

    /// Give the case to the colleague `staff_id` (`stf_…`) who handles such
    /// cases, or to nobody; the case as it is now.
    pub async fn assign<K: CaseType>(
        &self,
        opened: &Opened<K::Data>,
        staff_id: Option<&str>,
    ) -> Result<CaseRecord<K::Data>, ApiError> {
        decide::manage(opened.audience)?;
        let case = &opened.case;
        let member = match staff_id {
            None => None,
            Some(raw) => {
                let unknown = || ApiError::from(DomainError::invalid("staff_id", "unknown"));
                let stf = Id::parse("stf", raw.trim()).map_err(|_| unknown())?;
                let member = self
                    .store
                    .get_staff(&case.municipality, &stf, false)
                    .await?;
                Some(member.ok_or_else(unknown)?)
            }
        };
        let assignee = decide::assign::<K>(opened.audience, case, member.as_ref())?;
        self.store.assign_case(case, assignee.as_deref()).await?;
        self.reload(case).await
    }

    /// Hide the case from every public view (or show it again), with a reason.
    pub async fn moderate<K: CaseType>(
        &self,
        who: &Principal,
        opened: &Opened<K::Data>,
        hidden: bool,
        reason: Option<&str>,
    ) -> Result<CaseRecord<K::Data>, ApiError> {
        decide::manage(opened.audience)?;
        let case = &opened.case;
        self.store
            .moderate_case(case, hidden, reason, who.user().as_str())
            .await?;
        self.reload(case).await
    }

    /// `GET …/<kind>/mine`: the caller's own cases of kind `K` in `m`, newest
    /// first, each as `render` shows it; `list` names the list in its cursors.
    pub async fn list_mine<K: CaseType, V: Serialize>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        list: &str,
        render: impl Fn(&CaseRecord<K::Data>) -> V,
    ) -> Answer {
        let who = view.principal(&base.verifier)?;
        let scope = format!("{list}:{m}:{}", who.user());
        let (limit, start) = self.paging::<K>(base, view, m, &who, &scope).await?;
        let page = self
            .store
            .cases_owned::<K::Data>(m, K::KIND, who.user().as_str(), limit, start)
            .await?;
        page_of(base, page, render, &scope)
    }

    /// `GET …/<kind>`: the kind's queue for its staff, the soonest due first,
    /// each case as `render` shows it; `list` names the list in its cursors.
    pub async fn list_queue<K: CaseType, V: Serialize>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        list: &str,
        render: impl Fn(&CaseRecord<K::Data>) -> V,
    ) -> Answer {
        let who = view.principal(&base.verifier)?;
        authorize(&who, m, K::KIND.permission())?;
        let scope = format!("{list}:{m}");
        let (limit, start) = self.paging::<K>(base, view, m, &who, &scope).await?;
        let page = self
            .store
            .queue::<K::Data>(m, K::KIND, OPEN_UNTIL, limit, start)
            .await?;
        page_of(base, page, render, &scope)
    }

    /// A list's page size and start (`limit`, `cursor`: nothing else), once
    /// `who` may use the service.
    async fn paging<K: CaseType>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        who: &Principal,
        scope: &str,
    ) -> Result<(i32, Option<PageKey>), ApiError> {
        let query = view.query(&["limit", "cursor"])?;
        let (limit, start) = paging(&base.cursors, &query, scope, 100)?;
        self.service::<K>(m, Some(who)).await?;
        Ok((limit, start))
    }

    /// `POST …/{id}/<files>`: a presigned upload of one file of kind `kind`
    /// (`{"content_type", "size"}`) to the case `raw_id`, for its staff and its
    /// owner while it is open.
    pub async fn add_file<K: CaseType>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        raw_id: &str,
        kind: FileKind,
    ) -> Answer {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct NewUpload {
            content_type: String,
            size: u64,
        }
        let who = view.principal(&base.verifier)?;
        let body: NewUpload = view.json()?;
        // A file that could never be accepted is refused before anything is read.
        kind.accept(&body.content_type, body.size)?;
        let opened = self.open::<K>(Some(&who), m, raw_id).await?;
        let upload = self
            .start_upload::<K>(&who, &opened, kind, &body.content_type, body.size, view.now)
            .await?;
        json(StatusCode::CREATED, &upload)
    }

    async fn reload<D: DeserializeOwned>(
        &self,
        case: &CaseRecord<D>,
    ) -> Result<CaseRecord<D>, ApiError> {
        self.store
            .get_case(&case.municipality, case.kind, &case.id)
            .await?
            .ok_or_else(ApiError::not_found)
    }
}

/// A page of cases, each as `render` shows it, with the cursor to the next.
fn page_of<D, V: Serialize>(
    base: &Base,
    page: Page<CaseRecord<D>>,
    render: impl Fn(&CaseRecord<D>) -> V,
    scope: &str,
) -> Answer {
    let items = page.items.iter().map(render).collect();
    List::page(items, page.next, &base.cursors, scope).answer()
}
