//! The staff side of a case service: the inbox (every case of the kind its
//! member handles, private ones included, filtered and paged), the counts per
//! state behind its tabs, and finding a case by the short reference its
//! citizen was told.

use std::collections::BTreeMap;

use http::StatusCode;
use serde::Serialize;

use super::{Cases, page_of};
use crate::domain::MunicipalityId;
use crate::domain::case::inbox::{self, BadParam, Inbox, parse_reference};
use crate::domain::case::{Audience, CaseRecord, CaseType, access};
use crate::domain::roles::authorize;
use crate::http::paging::paging;
use crate::http::response::{List, json};
use crate::http::serve::Base;
use crate::http::{Answer, ApiError, RequestView};

/// The counts behind an inbox's tabs.
#[derive(Debug, Serialize)]
pub struct Counts {
    /// Every state of the kind's workflow, zero where none.
    pub states: BTreeMap<&'static str, u64>,
    /// Cases not closed.
    pub open: u64,
    pub total: u64,
}

fn bad_query(e: BadParam) -> ApiError {
    ApiError::bad_request("invalid_query").with_detail(format!("{}: {}", e.name, e.reason))
}

impl Cases {
    /// `GET …/<kind>/inbox`: the kind's cases for its staff — `state` (a
    /// state, `open` by default, or `all`), `assigned` (`me`, `none`, a
    /// `stf_…`), `due` (`overdue`, `soon`), the kind's own fields, `order`
    /// (`oldest` by default, `newest`) — each as `render` shows it to staff;
    /// `list` names the list in its cursors.
    pub async fn inbox<K: CaseType, V: Serialize>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        list: &str,
        render: impl Fn(&CaseRecord<K::Data>) -> V,
    ) -> Answer {
        let who = view.principal(&base.verifier)?;
        authorize(&who, m, K::KIND.permission())?;
        let allowed: Vec<&str> = inbox::PARAMS
            .iter()
            .chain(K::INBOX_FIELDS)
            .copied()
            .collect();
        let query = view.query(&allowed)?;
        let asked = Inbox::parse::<K>(&query).map_err(bad_query)?;
        let scope = format!("{list}:{m}:{}", asked.scope());
        let (limit, start) = paging(&base.cursors, &query, &scope, 100)?;
        self.service::<K>(m, Some(&who)).await?;
        let now = view.now;
        let page = self
            .store
            .inbox_page::<K::Data>(
                m,
                K::KIND,
                asked.listing::<K>(),
                asked.newest_first,
                limit,
                start,
                |case| asked.keeps::<K>(&who, case, now),
            )
            .await?;
        page_of(base, page, render, &scope)
    }

    /// `GET …/<kind>/inbox/counts`: how many cases of the kind the
    /// municipality has in each state.
    pub async fn counts<K: CaseType>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
    ) -> Answer {
        let who = view.principal(&base.verifier)?;
        authorize(&who, m, K::KIND.permission())?;
        view.query(&[])?;
        self.service::<K>(m, Some(&who)).await?;
        let shards = self.store.case_count_shards(m, K::KIND).await?;
        let states = inbox::counts::<K>(&shards);
        let wf = K::KIND.workflow();
        let open = states
            .iter()
            .filter(|(s, _)| !wf.is_closed(s))
            .map(|(_, n)| n)
            .sum();
        let total = states.values().sum();
        json(
            StatusCode::OK,
            &Counts {
                states,
                open,
                total,
            },
        )
    }

    /// `GET …/<kind>/by-reference/{reference}`: the cases the short reference
    /// names that the caller handles (staff) or filed (the citizen), each as
    /// `render` shows it to them; 404 when there are none. Anyone else learns
    /// nothing, public cases included: a reference is not a search.
    pub async fn by_reference<K: CaseType, V: Serialize>(
        &self,
        base: &Base,
        view: &RequestView<'_>,
        m: &MunicipalityId,
        raw: &str,
        render: impl Fn(&CaseRecord<K::Data>, Audience) -> V,
    ) -> Answer {
        let who = view.principal(&base.verifier)?;
        view.query(&[])?;
        let reference = parse_reference(raw).ok_or_else(ApiError::not_found)?;
        self.service::<K>(m, Some(&who)).await?;
        let ids = self
            .store
            .cases_by_reference(m, K::KIND, &reference)
            .await?;
        let mut cases = self.store.get_cases::<K::Data>(m, K::KIND, &ids).await?;
        cases.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        let found: Vec<V> = cases
            .iter()
            .filter_map(
                |case| match access::audience::<K>(Some(&who), case, false) {
                    Ok(a @ (Audience::Staff | Audience::Owner)) => Some(render(case, a)),
                    _ => None,
                },
            )
            .collect();
        if found.is_empty() {
            return Err(ApiError::not_found());
        }
        List::all(found).answer()
    }
}
