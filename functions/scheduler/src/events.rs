//! Telling those who marked an event: the day-before reminder, and a change
//! of time, place or status. Each is an item on the events' queue (GSI3, by
//! due time); the scheduler writes one notice per person, a page of marks at a
//! time, each page in one transaction with the queue item's cursor
//! (conditioned on the cursor read), so that two runs never tell anyone twice
//! and a run cut short goes on where it stopped.

use baladiya::domain::MunicipalityId;
use baladiya::domain::event::{self, EventStatus, attendance};
use baladiya::domain::notice::Notice;
use baladiya::store::StoreError;
use time::OffsetDateTime;

use crate::{Ctx, Report};

/// Marks read per page (a notice each, plus the cursor: within a transaction).
const PAGE: i32 = 90;

pub(crate) async fn tell(
    ctx: &Ctx,
    m: &MunicipalityId,
    now: OffsetDateTime,
    report: &mut Report,
) -> Result<(), StoreError> {
    let now_s = baladiya::clock::rfc3339(now);
    for mut tell in ctx.store.due_tells(m, &now_s).await? {
        let reminder = tell.what == "reminder";
        let current = ctx.store.event(m, &tell.event, true).await?;
        // A reminder of an event since moved, postponed or cancelled: the
        // change was told, and a moved event has its own reminder.
        let stale = match &current {
            None => true,
            Some((e, _)) => {
                reminder && (tell.sequence != e.sequence || e.status != EventStatus::Scheduled)
            }
        };
        let Some((e, _)) = current.filter(|_| !stale) else {
            match ctx.store.tell_step(m, &tell, &[], None).await {
                Ok(()) | Err(StoreError::VersionConflict) => {}
                Err(e) => return Err(e),
            }
            continue;
        };
        loop {
            let (marks, next) = ctx
                .store
                .marks_page(m, &e.id, tell.cursor.as_deref(), PAGE)
                .await?;
            let notices: Vec<Notice> = marks
                .iter()
                .filter(|a| attendance::told(a, reminder))
                .map(|a| Notice {
                    to: Some(a.user.clone()),
                    ..event::notice(m, &e, &tell.what, now)
                })
                .collect();
            match ctx
                .store
                .tell_step(m, &tell, &notices, next.as_deref())
                .await
            {
                Ok(()) => report.event_notices += notices.len(),
                // Another run wrote this page: it goes on from there.
                Err(StoreError::VersionConflict) => break,
                Err(e) => return Err(e),
            }
            match next {
                Some(n) => tell.cursor = Some(n),
                None => break,
            }
        }
    }
    Ok(())
}
