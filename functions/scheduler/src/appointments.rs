//! Reminding people of their appointments: 24 hours and 2 hours before a
//! confirmed one, by push (an SMS where they chose it: the appointment is
//! their own file). Each reminder is written once per appointment, kind of
//! reminder and slot, with its guard in the same transaction: a moved
//! appointment is reminded of again for its new slot, a run twice does
//! nothing twice.

use baladiya::domain::MunicipalityId;
use baladiya::domain::appointment::{self, Appointment, AppointmentData};
use baladiya::domain::case::CaseType;
use baladiya::domain::notice::Notice;
use baladiya::store::StoreError;
use time::OffsetDateTime;

use crate::{Ctx, Report};

pub(crate) async fn remind(
    ctx: &Ctx,
    m: &MunicipalityId,
    now: OffsetDateTime,
    report: &mut Report,
) -> Result<(), StoreError> {
    let from = baladiya::clock::rfc3339(now);
    let to = baladiya::clock::rfc3339(now + time::Duration::hours(24));
    let mut start = None;
    loop {
        let page = ctx
            .store
            .queue_between::<AppointmentData>(m, Appointment::KIND, &from, &to, 100, start)
            .await?;
        for case in &page.items {
            let Some(what) = appointment::reminder_due(&case.state, &case.data.starts_at, now)
            else {
                continue;
            };
            let notice = Notice::about(
                case,
                what,
                case.seq,
                Appointment::reference(&case.data),
                now,
            );
            match ctx
                .store
                .tell_once(case, what, &case.data.starts_at, &notice)
                .await
            {
                Ok(new) => report.appointment_reminders += usize::from(new),
                Err(e) => {
                    tracing::error!(error = %e, "scheduler: an appointment's reminder failed");
                    report.errors += 1;
                }
            }
        }
        match page.next {
            Some(k) => start = Some(k),
            None => return Ok(()),
        }
    }
}
