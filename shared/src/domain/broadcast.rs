//! Broadcasts: a push to the people who follow a municipality (or one of its
//! areas), sent when a news post is published. The intent (a [`Broadcast`]) is
//! written to the outbox in the same transaction as the publication; the
//! notifications function delivers it afterwards, once per person (their
//! devices all get it once), and retries what SNS refused. Pure rules here:
//! how often a municipality may broadcast, who is in the audience, by which
//! channel, in which words.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::account::NotifyPreference;
use super::news::{NewsCategory, NewsStatus, Post};
use super::notice::Channel;
use super::{DomainError, Id, Lang, MunicipalityId, Text};
use time::format_description::well_known::Rfc3339;

/// Seconds between two broadcasts that are not urgent.
pub const WEEK: u64 = 7 * 24 * 3600;

/// What staff ask for when they publish: a push to every follower, or only to
/// those who follow `area`; `urgent` (a water cut, a road closed) is not held
/// to the weekly limit.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub area: Option<String>,
    #[serde(default)]
    pub urgent: bool,
}

/// A post's broadcast, as the post records it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(flatten)]
    pub request: Request,
    pub status: BroadcastStatus,
    /// The outbox's `ntf_…` once it is sent.
    pub id: Option<String>,
    /// When it went out, or was refused.
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadcastStatus {
    /// Asked for a scheduled post: it goes out when the post is published.
    Planned,
    /// Handed to the notifications function.
    Sent,
    /// The scheduled post was published, but another broadcast went out less
    /// than a week before: this one was not sent.
    RefusedWeeklyLimit,
}

/// The outbox's record of a broadcast: what the notifications function needs,
/// without reading the post again.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Broadcast {
    /// `ntf_…`, as notices: the deduplication key of each person's copy, and
    /// the order of their notifications (a broadcast among case notices).
    pub id: String,
    pub municipality: MunicipalityId,
    pub post: String,
    pub category: NewsCategory,
    pub title: Text,
    pub area: Option<String>,
    #[serde(default)]
    pub urgent: bool,
    pub at: String,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub next_attempt_at: u64,
    /// The last follower reached by a run that ran out of time: the next run
    /// goes on after them.
    pub cursor: Option<String>,
}

impl Broadcast {
    /// The broadcast of `post`, published at `now`.
    pub fn of(m: &MunicipalityId, post: &Post, request: &Request, now: OffsetDateTime) -> Self {
        Broadcast {
            id: Id::generate("ntf").to_string(),
            municipality: m.clone(),
            post: post.id.clone(),
            category: post.content.category,
            title: post.content.title.clone(),
            area: request.area.clone(),
            urgent: request.urgent,
            at: crate::clock::rfc3339(now),
            attempts: 0,
            // The stream delivers at once; the sweep takes over a minute later.
            next_attempt_at: crate::clock::epoch_secs(now) + 60,
            cursor: None,
        }
    }

    /// Where the app reads the post.
    pub fn path(&self) -> String {
        format!(
            "/v1/municipalities/{}/news/{}",
            self.municipality, self.post
        )
    }
}

/// Whether a broadcast at `now` (epoch seconds) may go out, given when the
/// municipality's last one that counts went out: `Ok(true)` when it takes the
/// week's slot, `Ok(false)` when it is urgent (not held to the limit, and
/// not counted), else [`DomainError::BroadcastLimit`] with when the next may.
pub fn weekly(last: Option<u64>, now: u64, urgent: bool) -> Result<bool, DomainError> {
    if urgent {
        return Ok(false);
    }
    match last {
        Some(last) if now < last + WEEK => {
            let next = OffsetDateTime::from_unix_timestamp((last + WEEK) as i64)
                .map(crate::clock::rfc3339)
                .unwrap_or_default();
            Err(DomainError::BroadcastLimit { next })
        }
        _ => Ok(true),
    }
}

/// What a publication writes besides the post: the broadcast to deliver, and
/// the week's slot it takes (the moment, in epoch seconds).
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    pub broadcast: Option<Broadcast>,
    pub slot: Option<u64>,
}

/// The broadcast of `post` (just published, or scheduled by staff) that
/// staff asked for with `request`: `areas` are the municipality's, `last` when
/// it last broadcast. A post published now broadcasts now, if the week allows;
/// a scheduled one records the request (refused at once if the week would not
/// allow it at that time), and broadcasts when the scheduler publishes it.
/// Without a request, nothing goes out (and a planned broadcast is dropped).
pub fn on_publish(
    m: &MunicipalityId,
    post: &mut Post,
    request: Option<Request>,
    areas: &[String],
    last: Option<u64>,
    now: OffsetDateTime,
) -> Result<Plan, DomainError> {
    let Some(request) = request else {
        post.broadcast = None;
        return Ok(Plan::default());
    };
    if let Some(area) = &request.area
        && !areas.contains(area)
    {
        return Err(DomainError::invalid("broadcast.area", "unknown_area"));
    }
    if post.status == NewsStatus::Scheduled {
        let at = post
            .publish_at
            .as_deref()
            .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
            .unwrap_or(now);
        weekly(last, crate::clock::epoch_secs(at), request.urgent)?;
        post.broadcast = Some(Record {
            request,
            status: BroadcastStatus::Planned,
            id: None,
            at: None,
        });
        return Ok(Plan::default());
    }
    let slot = weekly(last, crate::clock::epoch_secs(now), request.urgent)?;
    Ok(send(m, post, request, slot, now))
}

/// The scheduler published `post` at `now`: its planned broadcast goes out,
/// or is refused when another went out less than a week before.
pub fn on_due(m: &MunicipalityId, post: &mut Post, last: Option<u64>, now: OffsetDateTime) -> Plan {
    let Some(record) = post.broadcast.clone() else {
        return Plan::default();
    };
    if record.status != BroadcastStatus::Planned {
        return Plan::default();
    }
    match weekly(last, crate::clock::epoch_secs(now), record.request.urgent) {
        Ok(slot) => send(m, post, record.request, slot, now),
        Err(_) => {
            post.broadcast = Some(Record {
                status: BroadcastStatus::RefusedWeeklyLimit,
                at: Some(crate::clock::rfc3339(now)),
                ..record
            });
            Plan::default()
        }
    }
}

fn send(
    m: &MunicipalityId,
    post: &mut Post,
    request: Request,
    slot: bool,
    now: OffsetDateTime,
) -> Plan {
    let b = Broadcast::of(m, post, &request, now);
    post.broadcast = Some(Record {
        request,
        status: BroadcastStatus::Sent,
        id: Some(b.id.clone()),
        at: Some(b.at.clone()),
    });
    Plan {
        broadcast: Some(b),
        slot: slot.then(|| crate::clock::epoch_secs(now)),
    }
}

/// Whether a follower who chose `areas` (none: the whole municipality) is in a
/// broadcast's audience.
pub fn reaches(target: Option<&str>, areas: &[String]) -> bool {
    match target {
        None => true,
        Some(area) => areas.iter().any(|a| a == area),
    }
}

/// Push where there is a device, unless the person wants nothing; never an SMS
/// (SMS broadcasts need an approval and the municipality's credit): the
/// others see it in the app.
pub fn channel(pref: NotifyPreference, has_device: bool) -> Option<Channel> {
    (pref != NotifyPreference::None && has_device).then_some(Channel::Push)
}

/// The push's words: the municipality's name, the category, the title.
pub fn text(b: &Broadcast, municipality: &str, lang: Lang) -> String {
    let category = b.category.label().pick(lang);
    let title = b.title.get(lang);
    let urgent = match (b.urgent, lang) {
        (false, _) => "",
        (true, Lang::Ar) => "عاجل: ",
        (true, Lang::Fr) => "Urgent : ",
        (true, Lang::En) => "Urgent: ",
    };
    match lang {
        Lang::Fr => format!("{municipality} : {urgent}{title} ({category})"),
        _ => format!("{municipality}: {urgent}{title} ({category})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_broadcast_a_week_unless_urgent() {
        let day = 24 * 3600;
        // (last, now, urgent, takes the slot or refused)
        type Case = (Option<u64>, u64, bool, Result<bool, ()>);
        let cases: &[Case] = &[
            (None, 1_000, false, Ok(true)),
            (Some(1_000), 1_000 + WEEK, false, Ok(true)),
            (Some(1_000), 1_000 + WEEK - 1, false, Err(())),
            (Some(1_000), 1_000 + day, false, Err(())),
            (Some(1_000), 1_000 + day, true, Ok(false)),
            (None, 1_000, true, Ok(false)),
        ];
        for (last, now, urgent, want) in cases {
            let got = weekly(*last, *now, *urgent).map_err(|_| ());
            assert_eq!(&got, want, "last {last:?}, now {now}, urgent {urgent}");
        }
        let Err(DomainError::BroadcastLimit { next }) = weekly(Some(0), 10, false) else {
            panic!("limited");
        };
        assert_eq!(next, "1970-01-08T00:00:00Z");
    }

    #[test]
    fn the_audience_of_an_area() {
        let areas = vec!["medina".to_owned(), "lac".to_owned()];
        assert!(reaches(None, &[]));
        assert!(reaches(None, &areas));
        assert!(reaches(Some("lac"), &areas));
        assert!(!reaches(Some("bardo"), &areas));
        // Following the whole municipality is not following each area.
        assert!(!reaches(Some("lac"), &[]));
    }

    #[test]
    fn pushed_to_devices_never_by_sms() {
        let push = Some(Channel::Push);
        assert_eq!(channel(NotifyPreference::PushThenSms, true), push);
        assert_eq!(channel(NotifyPreference::Push, true), push);
        assert_eq!(channel(NotifyPreference::PushThenSms, false), None);
        assert_eq!(channel(NotifyPreference::None, true), None);
    }

    #[test]
    fn words_in_the_persons_language() {
        let b = Broadcast {
            id: "ntf_1".into(),
            municipality: MunicipalityId::parse("tunis").unwrap(),
            post: "nws_1".into(),
            category: NewsCategory::Works,
            title: Text {
                ar: "قطع الماء".into(),
                fr: "Coupure d'eau".into(),
                en: String::new(),
            },
            area: None,
            urgent: true,
            at: "t".into(),
            attempts: 0,
            next_attempt_at: 0,
            cursor: None,
        };
        assert!(text(&b, "Tunis", Lang::Fr).starts_with("Tunis : Urgent : Coupure d'eau ("));
        assert!(text(&b, "تونس", Lang::Ar).starts_with("تونس: عاجل: قطع الماء ("));
        // No English title: the French one.
        assert!(text(&b, "Tunis", Lang::En).contains("Urgent: Coupure d'eau"));
        assert_eq!(b.path(), "/v1/municipalities/tunis/news/nws_1");
    }

    fn post(status: NewsStatus, at: Option<&str>) -> Post {
        let content = crate::domain::news::PostContent {
            category: NewsCategory::Works,
            title: Text {
                ar: "قطع الماء".into(),
                fr: "Coupure d'eau".into(),
                en: String::new(),
            },
            body: Text::default(),
            deadline: None,
        };
        let mut p = crate::domain::news::draft(content, "usr_1", "2026-12-01T00:00:00Z");
        p.status = status;
        p.publish_at = at.map(str::to_owned);
        p
    }

    #[test]
    fn a_publication_broadcasts_once_within_the_week() {
        use time::macros::datetime;
        let m = MunicipalityId::parse("tunis").unwrap();
        let now = datetime!(2026-12-03 10:00 UTC);
        let t = crate::clock::epoch_secs(now);
        let areas = vec!["lac".to_owned()];
        let ask = |area: Option<&str>, urgent| {
            Some(Request {
                area: area.map(str::to_owned),
                urgent,
            })
        };
        // (request, last broadcast, sent, slot taken, error)
        type Case = (
            Option<Request>,
            Option<u64>,
            bool,
            bool,
            Option<&'static str>,
        );
        let cases: Vec<Case> = vec![
            (None, None, false, false, None),
            (ask(None, false), None, true, true, None),
            (ask(Some("lac"), false), Some(t - WEEK), true, true, None),
            (
                ask(None, false),
                Some(t - 3600),
                false,
                false,
                Some("broadcast_limit"),
            ),
            (ask(None, true), Some(t - 3600), true, false, None),
            (
                ask(Some("bardo"), false),
                None,
                false,
                false,
                Some("invalid_field"),
            ),
        ];
        for (request, last, sent, slot, error) in cases {
            let mut p = post(NewsStatus::Published, Some("2026-12-03T10:00:00Z"));
            let got = on_publish(&m, &mut p, request.clone(), &areas, last, now);
            match error {
                Some(code) => assert_eq!(got.unwrap_err().code(), code, "{request:?}"),
                None => {
                    let plan = got.unwrap();
                    assert_eq!(plan.broadcast.is_some(), sent, "{request:?}");
                    assert_eq!(plan.slot, slot.then_some(t), "{request:?}");
                    if let Some(b) = plan.broadcast {
                        let r = p.broadcast.unwrap();
                        assert_eq!(r.status, BroadcastStatus::Sent);
                        assert_eq!(r.id.as_deref(), Some(b.id.as_str()));
                        assert_eq!(b.area, request.unwrap().area);
                    }
                }
            }
        }
    }

    #[test]
    fn a_scheduled_post_broadcasts_when_the_scheduler_publishes_it() {
        use time::macros::datetime;
        let m = MunicipalityId::parse("tunis").unwrap();
        let now = datetime!(2026-12-03 10:00 UTC);
        let at = datetime!(2026-12-10 10:00 UTC);
        let request = Some(Request::default());
        // Planned: nothing goes out now.
        let mut p = post(NewsStatus::Scheduled, Some("2026-12-10T10:00:00Z"));
        let plan = on_publish(&m, &mut p, request.clone(), &[], None, now).unwrap();
        assert_eq!(plan, Plan::default());
        assert_eq!(
            p.broadcast.as_ref().unwrap().status,
            BroadcastStatus::Planned
        );
        // A week that would not allow it at its time is refused at once.
        let last = Some(crate::clock::epoch_secs(at) - 3600);
        let mut q = post(NewsStatus::Scheduled, Some("2026-12-10T10:00:00Z"));
        let refused = on_publish(&m, &mut q, request.clone(), &[], last, now);
        assert_eq!(refused.unwrap_err().code(), "broadcast_limit");
        // Published by the scheduler: it goes out once.
        let mut live = p.clone();
        let plan = on_due(&m, &mut live, None, at);
        assert!(plan.broadcast.is_some());
        assert_eq!(
            live.broadcast.as_ref().unwrap().status,
            BroadcastStatus::Sent
        );
        assert_eq!(on_due(&m, &mut live, None, at), Plan::default(), "once");
        // Another broadcast went out in between: this one is not sent, and says so.
        let mut late = p.clone();
        assert_eq!(on_due(&m, &mut late, last, at), Plan::default());
        assert_eq!(
            late.broadcast.unwrap().status,
            BroadcastStatus::RefusedWeeklyLimit
        );
        // Publishing without a broadcast drops the planned one.
        let mut dropped = p.clone();
        on_publish(&m, &mut dropped, None, &[], None, now).unwrap();
        assert_eq!(dropped.broadcast, None);
    }
}
