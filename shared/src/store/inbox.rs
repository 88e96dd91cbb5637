//! The staff inbox's reads. A page of one kind's cases from the listing the
//! inbox names — every case (GSI1, by creation), the open ones (GSI4
//! `M#<m>#<KIND>#INBOX#OPEN`) or one closed state (GSI4
//! `M#<m>#<KIND>#INBOX#<state>`) — kept by the inbox's filter, with a cursor at
//! the last case returned; the counts per state (a few shard items,
//! `M#<m>#<KIND>#COUNTS`); the cases a short reference names
//! (`M#<m>#<KIND>#REF#<reference>`, one item per case).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use super::query::Query;
use super::{Page, PageKey, Store, StoreError, from_item, keys, page_key};
use crate::domain::MunicipalityId;
use crate::domain::case::CaseRecord;
use crate::domain::case::inbox::Listing;
use crate::domain::workflow::CaseKind;

/// Queries a page may take before it answers with what it found (and a cursor).
const MAX_READS: usize = 4;

impl Store {
    /// Up to `limit` cases of `listing` that `keep` holds for, oldest first
    /// unless `newest_first`, from `start`.
    #[allow(clippy::too_many_arguments)]
    pub async fn inbox_page<D: DeserializeOwned>(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        listing: Listing,
        newest_first: bool,
        limit: i32,
        start: Option<PageKey>,
        keep: impl Fn(&CaseRecord<D>) -> bool,
    ) -> Result<Page<CaseRecord<D>>, StoreError> {
        let (index, pk) = match listing {
            Listing::All => (keys::GSI1, keys::cases_gsi(m, kind)),
            Listing::Open => (keys::GSI4, keys::inbox_gsi(m, kind, true, "")),
            Listing::Closed(state) => (keys::GSI4, keys::inbox_gsi(m, kind, false, state)),
        };
        let wanted = usize::try_from(limit).unwrap_or(1).max(1);
        let mut q = Query::index("cases.inbox", index, pk)
            .forwards(!newest_first)
            .limit((limit * 2).clamp(20, 200))
            .after(start);
        let mut out = Vec::new();
        let mut next = None;
        for _ in 0..MAX_READS {
            let (items, after) = self.query_raw(q.clone()).await?;
            for item in items {
                let key = index_key(&item, index);
                let case: CaseRecord<D> = from_item(item)?;
                if keep(&case) {
                    out.push(case);
                    if out.len() == wanted {
                        return Ok(Page {
                            items: out,
                            next: key,
                        });
                    }
                }
            }
            match after {
                None => {
                    return Ok(Page {
                        items: out,
                        next: None,
                    });
                }
                Some(k) => {
                    next = Some(k.clone());
                    q = q.after(Some(k));
                }
            }
        }
        Ok(Page { items: out, next })
    }

    /// The count shards of `kind` in `m`: per shard, the number of cases per
    /// state it recorded.
    pub async fn case_count_shards(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
    ) -> Result<Vec<BTreeMap<String, i64>>, StoreError> {
        let items = self
            .query_all_raw(Query::table("cases.counts", keys::case_counts_pk(m, kind)))
            .await?;
        Ok(items
            .into_iter()
            .map(|item| {
                item.into_iter()
                    .filter_map(|(name, v)| {
                        let n = v.as_n().ok()?.parse::<i64>().ok()?;
                        Some((name, n))
                    })
                    .collect()
            })
            .collect())
    }

    /// The ids of the cases of `kind` in `m` that `reference` names.
    pub async fn cases_by_reference(
        &self,
        m: &MunicipalityId,
        kind: CaseKind,
        reference: &str,
    ) -> Result<Vec<String>, StoreError> {
        let items = self
            .query_all_raw(Query::table(
                "cases.by_reference",
                keys::case_ref_pk(m, kind, reference),
            ))
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|mut item| item.remove(keys::SK)?.as_s().ok().cloned())
            .collect())
    }
}

/// Where a page that ends at `item` resumes: its table and index keys.
fn index_key(item: &super::Item, index: &str) -> Option<PageKey> {
    let names = [
        keys::PK.to_owned(),
        keys::SK.to_owned(),
        format!("{index}PK"),
        format!("{index}SK"),
    ];
    let subset: super::Item = names
        .iter()
        .filter_map(|n| item.get(n).map(|v| (n.clone(), v.clone())))
        .collect();
    page_key(Some(&subset))
}
