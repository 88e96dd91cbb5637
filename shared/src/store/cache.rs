//! Per-container copies of what nearly every request reads and staff rarely
//! change: a municipality's profile (its status and which services it offers)
//! and the holiday table. A copy is kept for `BALADIYA_READ_CACHE_SECS` (30 s
//! by default): an activation, a deactivation or a new holiday may take that
//! long to show in the other functions. Only the checks of service functions
//! read through it; the municipalities function's own reads and every
//! conditional write read the table.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use std::sync::Arc;

use crate::domain::calendar::Calendar;
use crate::domain::revocation::Revocations;
use crate::domain::{Municipality, MunicipalityId};

/// Municipalities remembered at most (a bound, so that requests for made-up
/// slugs cannot grow a container's memory): past it, the oldest half goes.
const MAX_MUNICIPALITIES: usize = 512;

#[derive(Debug, Default)]
pub struct ReadCache {
    ttl: Duration,
    municipalities: Mutex<HashMap<MunicipalityId, (Instant, Option<Municipality>)>>,
    calendar: Mutex<Option<(Instant, Calendar)>>,
    revocations: Mutex<Option<(Instant, Arc<Revocations>)>>,
}

impl ReadCache {
    /// `ttl` zero: nothing is kept.
    pub fn new(ttl: Duration) -> ReadCache {
        ReadCache {
            ttl,
            municipalities: Mutex::new(HashMap::new()),
            calendar: Mutex::new(None),
            revocations: Mutex::new(None),
        }
    }

    /// How long a copy is kept.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn fresh(&self, at: Instant, now: Instant) -> bool {
        now.saturating_duration_since(at) < self.ttl
    }

    /// The copy of `m` read less than the ttl before `now`: `Some(None)` for a
    /// municipality known not to exist, `None` when the table must be read.
    pub fn municipality(&self, m: &MunicipalityId, now: Instant) -> Option<Option<Municipality>> {
        let map = self.municipalities.lock().ok()?;
        map.get(m)
            .filter(|(at, _)| self.fresh(*at, now))
            .map(|(_, v)| v.clone())
    }

    pub fn keep_municipality(&self, m: &MunicipalityId, value: Option<Municipality>, now: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut map) = self.municipalities.lock() else {
            return;
        };
        if map.len() >= MAX_MUNICIPALITIES && !map.contains_key(m) {
            let mut ages: Vec<Instant> = map.values().map(|(at, _)| *at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            map.retain(|_, (at, _)| *at > cut);
        }
        map.insert(m.clone(), (now, value));
    }

    pub fn calendar(&self, now: Instant) -> Option<Calendar> {
        let c = self.calendar.lock().ok()?;
        c.as_ref()
            .filter(|(at, _)| self.fresh(*at, now))
            .map(|(_, v)| v.clone())
    }

    /// The revoked tokens read less than `fresh` before `now` (kept apart from
    /// the ttl: revocations must show within their own bound).
    pub fn revocations(&self, now: Instant, fresh: Duration) -> Option<Arc<Revocations>> {
        let r = self.revocations.lock().ok()?;
        r.as_ref()
            .filter(|(at, _)| now.saturating_duration_since(*at) < fresh)
            .map(|(_, v)| v.clone())
    }

    pub fn keep_revocations(&self, value: &Arc<Revocations>, now: Instant, fresh: Duration) {
        if fresh.is_zero() {
            return;
        }
        if let Ok(mut r) = self.revocations.lock() {
            *r = Some((now, value.clone()));
        }
    }

    pub fn keep_calendar(&self, value: &Calendar, now: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut c) = self.calendar.lock() {
            *c = Some((now, value.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Calendar;

    fn id(s: &str) -> MunicipalityId {
        MunicipalityId::parse(s).unwrap()
    }

    #[test]
    fn a_copy_is_served_for_the_ttl_then_read_again() {
        let t0 = Instant::now();
        let cache = ReadCache::new(Duration::from_secs(30));
        let tunis = id("tunis");
        assert_eq!(cache.municipality(&tunis, t0), None, "nothing kept yet");
        cache.keep_municipality(&tunis, None, t0);
        let cases = [
            (Duration::ZERO, Some(None)),
            (Duration::from_secs(29), Some(None)),
            (Duration::from_secs(30), None),
            (Duration::from_secs(3600), None),
        ];
        for (after, expected) in cases {
            assert_eq!(
                cache.municipality(&tunis, t0 + after),
                expected,
                "{after:?}"
            );
        }
        assert_eq!(
            cache.municipality(&id("sfax"), t0),
            None,
            "another municipality"
        );
        assert!(cache.calendar(t0).is_none());
        cache.keep_calendar(&Calendar::default(), t0);
        assert!(cache.calendar(t0 + Duration::from_secs(29)).is_some());
        assert!(cache.calendar(t0 + Duration::from_secs(30)).is_none());
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let t0 = Instant::now();
        let cache = ReadCache::new(Duration::ZERO);
        cache.keep_municipality(&id("tunis"), None, t0);
        cache.keep_calendar(&Calendar::default(), t0);
        assert_eq!(cache.municipality(&id("tunis"), t0), None);
        assert!(cache.calendar(t0).is_none());
    }

    #[test]
    fn made_up_slugs_cannot_grow_it_past_its_bound() {
        let t0 = Instant::now();
        let cache = ReadCache::new(Duration::from_secs(30));
        for i in 0..(3 * MAX_MUNICIPALITIES) {
            let at = t0 + Duration::from_millis(i as u64);
            cache.keep_municipality(&id(&format!("m{i}")), None, at);
        }
        let kept = cache.municipalities.lock().unwrap().len();
        assert!(kept <= MAX_MUNICIPALITIES, "{kept}");
        let last = id(&format!("m{}", 3 * MAX_MUNICIPALITIES - 1));
        assert_eq!(
            cache.municipality(&last, t0),
            Some(None),
            "the newest stays"
        );
    }
}
