//! News: what the municipality announces, in five categories — announcements,
//! activities, works and maintenance, calls for tenders, job offers. A post is
//! a draft, then scheduled (published by the scheduler at its time) or
//! published at once, and later archived. A call for tenders or a job offer
//! carries its reference and deadline, and shows closed after it.
//!
//! Pure: the moment is passed in.

use serde::{Deserialize, Serialize};

use super::text::{Text, tr};
use super::{DomainError, Id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewsCategory {
    Announcement,
    Activities,
    Works,
    Tenders,
    Jobs,
}

impl NewsCategory {
    pub const ALL: [NewsCategory; 5] = [
        NewsCategory::Announcement,
        NewsCategory::Activities,
        NewsCategory::Works,
        NewsCategory::Tenders,
        NewsCategory::Jobs,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NewsCategory::Announcement => "announcement",
            NewsCategory::Activities => "activities",
            NewsCategory::Works => "works",
            NewsCategory::Tenders => "tenders",
            NewsCategory::Jobs => "jobs",
        }
    }

    pub fn parse(raw: &str) -> Option<NewsCategory> {
        NewsCategory::ALL
            .into_iter()
            .find(|c| c.code() == raw.trim())
    }

    /// As the reference platform names them.
    pub fn label(self) -> Text<&'static str> {
        match self {
            NewsCategory::Announcement => tr("بلاغ", "Communiqué", "Announcement"),
            NewsCategory::Activities => tr(
                "أنشطة وتظاهرات",
                "Activités et manifestations",
                "Activities and events",
            ),
            NewsCategory::Works => tr(
                "أشغال وصيانة",
                "Travaux et entretien",
                "Works and maintenance",
            ),
            NewsCategory::Tenders => tr("طلب عروض", "Appel d'offres", "Call for tenders"),
            NewsCategory::Jobs => tr("عروض شغل", "Offres d'emploi", "Job offers"),
        }
    }

    /// Whether its posts carry a reference and a deadline.
    pub fn has_deadline(self) -> bool {
        matches!(self, NewsCategory::Tenders | NewsCategory::Jobs)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewsStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl NewsStatus {
    pub fn code(self) -> &'static str {
        match self {
            NewsStatus::Draft => "draft",
            NewsStatus::Scheduled => "scheduled",
            NewsStatus::Published => "published",
            NewsStatus::Archived => "archived",
        }
    }

    /// Whether the public sees it.
    pub fn public(self) -> bool {
        matches!(self, NewsStatus::Published | NewsStatus::Archived)
    }
}

/// A call for tenders' or a job offer's reference and deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub reference: String,
    /// RFC 3339.
    pub closes_at: String,
}

/// What staff write of a post.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostContent {
    pub category: NewsCategory,
    /// Arabic and French required.
    pub title: Text,
    pub body: Text,
    pub deadline: Option<Deadline>,
}

/// A post.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    #[serde(flatten)]
    pub content: PostContent,
    pub status: NewsStatus,
    /// When it is (or was) published.
    pub publish_at: Option<String>,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
    pub author: String,
    /// The push to followers asked for at publication, and what became of it.
    pub broadcast: Option<super::broadcast::Record>,
}

fn instant(raw: &str, field: &'static str) -> Result<time::OffsetDateTime, DomainError> {
    time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| DomainError::invalid(field, "rfc3339"))
}

impl PostContent {
    /// Checked: the texts' lengths; a call for tenders or a job offer has a
    /// reference and a deadline still to come at `now`; other posts none.
    pub fn check(mut self, now: time::OffsetDateTime) -> Result<PostContent, DomainError> {
        self.title = super::guide::check_text(&self.title, "title", 200, true)?;
        self.body = super::guide::check_text(&self.body, "body", 20_000, false)?;
        match (&mut self.deadline, self.category.has_deadline()) {
            (Some(d), true) => {
                d.reference = super::staff::parse_label(&d.reference, "deadline.reference", 60)?;
                let at = instant(&d.closes_at, "deadline.closes_at")?;
                if at <= now {
                    return Err(DomainError::invalid("deadline.closes_at", "in_the_past"));
                }
                d.closes_at = crate::clock::rfc3339(at);
            }
            (None, true) => return Err(DomainError::invalid("deadline", "required")),
            (Some(_), false) => return Err(DomainError::invalid("deadline", "not_for_category")),
            (None, false) => {}
        }
        Ok(self)
    }
}

/// A new draft by `author`.
pub fn draft(content: PostContent, author: &str, now: &str) -> Post {
    Post {
        id: Id::generate("nws").to_string(),
        content,
        status: NewsStatus::Draft,
        publish_at: None,
        version: 1,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
        author: author.to_owned(),
        broadcast: None,
    }
}

fn not_allowed(from: NewsStatus, to: &str) -> DomainError {
    DomainError::TransitionNotAllowed {
        from: from.code().to_owned(),
        to: to.to_owned(),
    }
}

/// Staff edit a post's content: any time before it is archived (an edit of a
/// published post changes nothing else).
pub fn edit(post: &Post, content: PostContent, now: &str) -> Result<Post, DomainError> {
    if post.status == NewsStatus::Archived {
        return Err(not_allowed(post.status, "edited"));
    }
    let mut p = post.clone();
    p.content = content;
    p.version += 1;
    p.updated_at = now.to_owned();
    Ok(p)
}

/// Staff publish a draft now, or schedule it for `at` (a moment to come);
/// a scheduled post may be moved to another moment, or published now.
pub fn publish(
    post: &Post,
    at: Option<&str>,
    now: time::OffsetDateTime,
) -> Result<Post, DomainError> {
    if !matches!(post.status, NewsStatus::Draft | NewsStatus::Scheduled) {
        return Err(not_allowed(post.status, "published"));
    }
    let now_s = crate::clock::rfc3339(now);
    let mut p = post.clone();
    match at {
        Some(raw) => {
            let at = instant(raw, "at")?;
            if at <= now {
                return Err(DomainError::invalid("at", "in_the_past"));
            }
            p.status = NewsStatus::Scheduled;
            p.publish_at = Some(crate::clock::rfc3339(at));
        }
        None => {
            p.status = NewsStatus::Published;
            p.publish_at = Some(now_s.clone());
        }
    }
    p.version += 1;
    p.updated_at = now_s;
    Ok(p)
}

/// The scheduler publishes a scheduled post whose time has come; `None`
/// when it is not (or no longer) due.
pub fn publish_due(post: &Post, now: time::OffsetDateTime) -> Option<Post> {
    let at = instant(post.publish_at.as_deref()?, "publish_at").ok()?;
    if post.status != NewsStatus::Scheduled || at > now {
        return None;
    }
    let mut p = post.clone();
    p.status = NewsStatus::Published;
    p.version += 1;
    p.updated_at = crate::clock::rfc3339(now);
    Some(p)
}

/// Staff archive a published post: it stays readable, off the current list.
pub fn archive(post: &Post, now: &str) -> Result<Post, DomainError> {
    if post.status != NewsStatus::Published {
        return Err(not_allowed(post.status, "archived"));
    }
    let mut p = post.clone();
    p.status = NewsStatus::Archived;
    p.version += 1;
    p.updated_at = now.to_owned();
    Ok(p)
}

/// Whether a call for tenders or a job offer is closed at `now`.
pub fn closed(post: &Post, now: time::OffsetDateTime) -> bool {
    post.content
        .deadline
        .as_ref()
        .and_then(|d| instant(&d.closes_at, "closes_at").ok())
        .is_some_and(|at| at <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn content(category: NewsCategory, deadline: Option<&str>) -> PostContent {
        PostContent {
            category,
            title: Text {
                ar: "انقطاع الماء".into(),
                fr: "Coupure d'eau".into(),
                en: String::new(),
            },
            body: Text {
                ar: "غدا".into(),
                fr: "Demain".into(),
                en: String::new(),
            },
            deadline: deadline.map(|at| Deadline {
                reference: "AO-2026-07".into(),
                closes_at: at.into(),
            }),
        }
    }

    #[test]
    fn tenders_and_jobs_carry_a_deadline_to_come() {
        let now = datetime!(2026-12-03 10:00 UTC);
        // (category, deadline, error)
        let cases = [
            (
                NewsCategory::Tenders,
                Some("2027-01-15T12:00:00+01:00"),
                None,
            ),
            (
                NewsCategory::Jobs,
                None,
                Some(DomainError::invalid("deadline", "required")),
            ),
            (
                NewsCategory::Tenders,
                Some("2026-12-01T12:00:00Z"),
                Some(DomainError::invalid("deadline.closes_at", "in_the_past")),
            ),
            (
                NewsCategory::Tenders,
                Some("demain"),
                Some(DomainError::invalid("deadline.closes_at", "rfc3339")),
            ),
            (
                NewsCategory::Works,
                Some("2027-01-15T12:00:00Z"),
                Some(DomainError::invalid("deadline", "not_for_category")),
            ),
            (NewsCategory::Announcement, None, None),
        ];
        for (c, d, e) in cases {
            assert_eq!(content(c, d).check(now).err(), e, "{c:?} {d:?}");
        }
        let ok = content(NewsCategory::Tenders, Some("2027-01-15T12:00:00+01:00"))
            .check(now)
            .unwrap();
        assert_eq!(
            ok.deadline.as_ref().unwrap().closes_at,
            "2027-01-15T11:00:00Z"
        );
        let p = draft(ok, "usr_1", "2026-12-03T10:00:00Z");
        assert!(!closed(&p, now));
        assert!(closed(&p, datetime!(2027-01-15 11:00 UTC)));
    }

    #[test]
    fn a_post_goes_draft_scheduled_published_archived() {
        let now = datetime!(2026-12-03 10:00 UTC);
        let p = draft(
            content(NewsCategory::Announcement, None),
            "usr_1",
            "2026-12-03T10:00:00Z",
        );
        assert!(!p.status.public());
        let s = publish(&p, Some("2026-12-04T08:00:00+01:00"), now).unwrap();
        assert_eq!(
            (s.status, s.publish_at.as_deref()),
            (NewsStatus::Scheduled, Some("2026-12-04T07:00:00Z"))
        );
        assert!(!s.status.public());
        assert_eq!(
            publish_due(&s, datetime!(2026-12-04 06:59 UTC)),
            None,
            "not before its time"
        );
        let live = publish_due(&s, datetime!(2026-12-04 07:00 UTC)).unwrap();
        assert_eq!(live.status, NewsStatus::Published);
        assert_eq!(
            publish_due(&live, datetime!(2026-12-05 00:00 UTC)),
            None,
            "once"
        );
        assert_eq!(
            publish(&p, Some("2026-12-01T00:00:00Z"), now).unwrap_err(),
            DomainError::invalid("at", "in_the_past")
        );
        let now_pub = publish(&p, None, now).unwrap();
        assert_eq!(now_pub.status, NewsStatus::Published);
        assert_eq!(
            publish(&now_pub, None, now).unwrap_err().code(),
            "transition_not_allowed"
        );
        let a = archive(&now_pub, "2026-12-10T00:00:00Z").unwrap();
        assert!(a.status.public());
        assert_eq!(
            edit(&a, content(NewsCategory::Works, None), "t")
                .unwrap_err()
                .code(),
            "transition_not_allowed"
        );
        let e = edit(&now_pub, content(NewsCategory::Works, None), "t").unwrap();
        assert_eq!(
            (e.status, e.version),
            (NewsStatus::Published, now_pub.version + 1)
        );
    }
}
