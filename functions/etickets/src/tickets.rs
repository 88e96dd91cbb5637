//! Tickets: take, look, cancel (citizens); call next, served, absent, recall,
//! paper tickets (staff at the counter and the kiosk); claim a paper ticket.

use baladiya::domain::eticket::agency::{Agency, QueueService, Ticket};
use baladiya::domain::eticket::{self, TicketStatus};
use baladiya::domain::notice::Notice;
use baladiya::domain::roles::authorize;
use baladiya::domain::workflow::CaseKind;
use baladiya::domain::{DomainError, Id, MunicipalityId, Permission, Principal};
use baladiya::http::Answer;
use baladiya::http::response::{json, no_content};
use baladiya::http::{ApiError, RequestView};
use baladiya::store::etickets::{QueueKey, TakeError};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Ctx;
use crate::agencies::{agency, counters_for, municipality, open};

/// An agency's service, today's queue of it, and the service's letter.
struct Queue {
    municipality: MunicipalityId,
    agency: Agency,
    service: QueueService,
    key: QueueKey,
    day: String,
    prefix: char,
}

async fn queue(
    ctx: &Ctx,
    m: &MunicipalityId,
    a: &str,
    s: &str,
    now: OffsetDateTime,
) -> Result<Queue, ApiError> {
    let agency = agency(ctx, m, a).await?;
    let code = eticket::parse_code(s, "service").map_err(|_| ApiError::not_found())?;
    let service = agency
        .services
        .iter()
        .find(|x| x.code == code && x.active)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let day = eticket::service_day(now);
    Ok(Queue {
        municipality: m.clone(),
        key: QueueKey::new(m, &agency.code, &service.code, &day),
        prefix: service.prefix.chars().next().unwrap_or('A'),
        agency,
        service,
        day,
    })
}

/// The municipality's check, then the queue's agency, one after the other:
/// reading them at once would take a second connection per request (on Lambda,
/// at times a second TLS handshake), and `scripts/bench-etickets` showed no
/// gain from it against the local stack.
async fn checked_queue(
    ctx: &Ctx,
    who: &Principal,
    m: &MunicipalityId,
    a: &str,
    s: &str,
    now: OffsetDateTime,
) -> Result<Queue, ApiError> {
    municipality(ctx, m, Some(who)).await?;
    queue(ctx, m, a, s, now).await
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct TicketView {
    /// The ticket among every other: the `case_id` of the notices about it.
    pub id: String,
    /// Where to read it (today's ticket of its service).
    pub path: String,
    pub agency: String,
    pub service: String,
    pub day: String,
    pub number: u64,
    /// As shown on screens ("A042").
    pub display: String,
    pub status: TicketStatus,
    pub taken_at: String,
    pub called_at: Option<String>,
    pub counter: Option<String>,
    /// Waiting tickets before this one, and the estimated wait.
    pub ahead: Option<u64>,
    pub estimated_wait_minutes: Option<u32>,
    /// The number last called.
    pub now_serving: Option<String>,
    /// Printed on a paper ticket, to claim it in the app (staff's answer only).
    pub claim_code: Option<String>,
}

/// The ticket as its holder and staff see it: the queue's state and, while it
/// waits, the people ahead.
async fn view_of(ctx: &Ctx, q: &Queue, t: &Ticket) -> Result<TicketView, ApiError> {
    let (state, ahead) = if t.status == TicketStatus::Waiting {
        let (state, ahead) = ctx
            .store
            .queue_with_waiting(&q.key, t.number.saturating_sub(1))
            .await?;
        (state, Some(ahead))
    } else {
        (ctx.store.queue_state(&q.key).await?, None)
    };
    let wait = ahead.map(|ahead| {
        eticket::estimate_minutes(
            ahead,
            eticket::average_secs(state.handled_secs, state.handled_count),
            counters_for(&q.agency, &q.service.code),
        )
    });
    Ok(view_from(q, t, state.last_called, ahead, wait))
}

fn view_from(
    q: &Queue,
    t: &Ticket,
    last_called: u64,
    ahead: Option<u64>,
    wait: Option<u32>,
) -> TicketView {
    TicketView {
        id: ticket_id(q, t),
        path: format!(
            "/v1/municipalities/{}/agencies/{}/services/{}/tickets/{}",
            q.municipality, q.agency.code, q.service.code, t.number
        ),
        agency: q.agency.code.clone(),
        service: q.service.code.clone(),
        day: q.day.clone(),
        number: t.number,
        display: eticket::display_number(q.prefix, t.number),
        status: t.status,
        taken_at: t.taken_at.clone(),
        called_at: t.called_at.clone(),
        counter: t.counter.clone(),
        ahead,
        estimated_wait_minutes: wait,
        now_serving: (last_called > 0).then(|| eticket::display_number(q.prefix, last_called)),
        claim_code: None,
    }
}

/// `<day>#<agency>#<service>#<number>`: a ticket's id, and the case id of the
/// notices about it.
fn ticket_id(q: &Queue, t: &Ticket) -> String {
    format!(
        "{}#{}#{}#{}",
        q.day, q.agency.code, q.service.code, t.number
    )
}

/// A notice to the ticket's holder, due now.
fn notice(
    m: &MunicipalityId,
    q: &Queue,
    t: &Ticket,
    state: String,
    to: &str,
    now: OffsetDateTime,
) -> Notice {
    Notice {
        id: Id::generate("ntf").to_string(),
        municipality: m.clone(),
        kind: CaseKind::Ticket,
        case_id: ticket_id(q, t),
        state,
        seq: 0,
        at: baladiya::clock::rfc3339(now),
        attempts: 0,
        next_attempt_at: baladiya::clock::epoch_secs(now) + 60,
        reference: Some(eticket::display_number(q.prefix, t.number)),
        to: Some(to.to_owned()),
        note: None,
    }
}

/// Tell the holders of the first three waiting tickets that 0, 1 and 2 people
/// are ahead of them, each level once. Failures are logged, never the caller's.
async fn tell_front(ctx: &Ctx, m: &MunicipalityId, q: &Queue, now: OffsetDateTime) {
    match ctx
        .store
        .waiting_after(&q.key, 0, eticket::NOTICE_LEVELS.len())
        .await
    {
        Ok(front) => tell(ctx, m, q, &front, now).await,
        Err(e) => tracing::warn!(error = %e, "reading the front of a queue failed"),
    }
}

/// Tell the holders of `front` (the first waiting tickets, in order) how many
/// people are ahead of them, each level once.
async fn tell(ctx: &Ctx, m: &MunicipalityId, q: &Queue, front: &[Ticket], now: OffsetDateTime) {
    let result = async {
        for (ahead, t) in front.iter().enumerate() {
            let ahead = ahead as u64;
            let (Some(level), Some(holder)) = (eticket::notice_level(ahead), &t.holder) else {
                continue;
            };
            if t.notified.contains(&level) {
                continue;
            }
            let n = notice(m, q, t, format!("ahead_{level}"), holder, now);
            ctx.store
                .tell_ticket_once(&q.key, t.number, level, &n)
                .await?;
        }
        Ok::<(), baladiya::store::StoreError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "telling the front of a queue failed");
    }
}

/// `POST …/services/{service}/tickets`: a citizen takes a ticket while the
/// agency is open: one active ticket per person and service, within the day's
/// maximum.
pub async fn take(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    a: &str,
    s: &str,
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let now = view.now;
    let q = checked_queue(ctx, &who, m, a, s, now).await?;
    let holidays = ctx.store.calendar().await?;
    if !open(&q.agency, &holidays, now) {
        return Err(ApiError::conflict("agency_closed"));
    }
    let holder = who.user().to_string();
    if let Some(n) = ctx.store.active_ticket(&q.key, &holder).await? {
        return Err(ApiError::conflict("ticket_already_held").with_detail(format!("number: {n}")));
    }
    let t = number_ticket(ctx, &q, Some(holder), None, now).await?;
    let answer = view_of(ctx, &q, &t).await?;
    // Nobody is told anything now: a newcomer joins at the back (nobody else's
    // place changes), and sees in this answer how many are ahead; they are told
    // as that number falls.
    created_ticket(&answer)
}

/// 201 with the ticket and its `Location`.
fn created_ticket(answer: &TicketView) -> Answer {
    let body = serde_json::to_string(answer).map_err(|_| ApiError::internal())?;
    baladiya::http::response::created(&answer.path, body)
}

fn random_code() -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|_| ApiError::unavailable())?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// `POST …/services/{service}/paper-tickets`: the kiosk (signed in as staff
/// with `e_ticket`) prints a ticket; its claim code lets its holder follow it
/// in the app.
pub async fn paper(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    a: &str,
    s: &str,
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::ETicket)?;
    let now = view.now;
    let q = checked_queue(ctx, &who, m, a, s, now).await?;
    let code = random_code()?;
    let t = number_ticket(ctx, &q, None, Some(code.clone()), now).await?;
    let mut v = view_of(ctx, &q, &t).await?;
    v.claim_code = Some(code);
    created_ticket(&v)
}

/// Number a new waiting ticket: a person's app ticket (`holder`) or a paper one
/// (its `claim_code`).
async fn number_ticket(
    ctx: &Ctx,
    q: &Queue,
    holder: Option<String>,
    claim_code: Option<String>,
    now: OffsetDateTime,
) -> Result<Ticket, ApiError> {
    let ticket = Ticket {
        number: 0,
        status: TicketStatus::Waiting,
        holder,
        claim_code,
        taken_at: baladiya::clock::rfc3339(now),
        called_at: None,
        counter: None,
        finished_at: None,
        recalls: 0,
        notified: vec![],
    };
    match ctx
        .store
        .take_ticket(&q.key, q.service.daily_max, ticket)
        .await
    {
        Ok(t) => Ok(t),
        Err(TakeError::Full) => {
            Err(ApiError::conflict("limit_reached").with_detail("tickets today"))
        }
        Err(TakeError::AlreadyHolding(n)) => {
            Err(ApiError::conflict("ticket_already_held").with_detail(format!("number: {n}")))
        }
        Err(TakeError::Store(e)) => Err(e.into()),
    }
}

fn parse_number(q: &Queue, raw: &str) -> Result<u64, ApiError> {
    eticket::parse_paper_number(q.prefix, raw).map_err(|_| ApiError::not_found())
}

/// The ticket, if `who` holds it or is staff here.
async fn ticket_for(
    ctx: &Ctx,
    who: &Principal,
    m: &MunicipalityId,
    q: &Queue,
    raw: &str,
) -> Result<(Ticket, bool), ApiError> {
    let number = parse_number(q, raw)?;
    let t = ctx
        .store
        .get_ticket(&q.key, number)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let staff = authorize(who, m, Permission::ETicket).is_ok();
    if !staff && t.holder.as_deref() != Some(who.user().as_str()) {
        return Err(ApiError::not_found());
    }
    Ok((t, staff))
}

/// `GET …/tickets/{number}`: its holder (or staff): status, people ahead,
/// estimated wait, the number being served.
pub async fn get(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    a: &str,
    s: &str,
    n: &str,
) -> Answer {
    view.query(&[])?;
    let who = view.principal(&ctx.verifier)?;
    let q = checked_queue(ctx, &who, m, a, s, view.now).await?;
    let (t, _) = ticket_for(ctx, &who, m, &q, n).await?;
    json(StatusCode::OK, &view_of(ctx, &q, &t).await?)
}

/// `DELETE …/tickets/{number}`: its holder gives it up while it waits.
pub async fn cancel(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    a: &str,
    s: &str,
    n: &str,
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let q = checked_queue(ctx, &who, m, a, s, view.now).await?;
    let number = parse_number(&q, n)?;
    let t = ctx
        .store
        .get_ticket(&q.key, number)
        .await?
        .filter(|t| t.holder.as_deref() == Some(who.user().as_str()))
        .ok_or_else(ApiError::not_found)?;
    t.status.check(TicketStatus::Cancelled, t.recalls)?;
    if !ctx
        .store
        .move_ticket(
            &q.key,
            &t,
            TicketStatus::Cancelled,
            None,
            &view.now_rfc3339(),
            None,
            &[],
        )
        .await?
    {
        return Err(ApiError::conflict("version_conflict"));
    }
    tell_front(ctx, m, &q, view.now).await;
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    /// The counter calling.
    counter: String,
}

fn counter_of<'a>(
    q: &'a Queue,
    raw: &str,
) -> Result<&'a baladiya::domain::eticket::agency::Counter, ApiError> {
    q.agency
        .counters
        .iter()
        .find(|c| c.code == raw.trim() && c.services.contains(&q.service.code))
        .ok_or_else(|| ApiError::from(DomainError::invalid("counter", "unknown")))
}

/// `POST …/services/{service}/call`: staff at a counter call the next waiting
/// ticket. Two counters calling at once never get the same one: the call is
/// conditioned on the ticket still waiting, and the loser takes the next.
pub async fn call(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    a: &str,
    s: &str,
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::ETicket)?;
    let body: CallBody = view.json()?;
    let q = checked_queue(ctx, &who, m, a, s, view.now).await?;
    let counter = counter_of(&q, &body.counter)?;
    for _ in 0..20 {
        // The first waiting ticket of the day, whatever was called before: one
        // written a moment after a later one was called is not left behind.
        // With the three behind it: the front once this one is called.
        let mut next = ctx
            .store
            .waiting_after(&q.key, 0, 1 + eticket::NOTICE_LEVELS.len())
            .await?;
        if next.is_empty() {
            return Err(ApiError::conflict("queue_empty"));
        }
        let t = next.remove(0);
        let told = match &t.holder {
            Some(holder) => vec![notice(
                m,
                &q,
                &t,
                format!("called:{}", counter.label),
                holder,
                view.now,
            )],
            None => vec![],
        };
        if ctx
            .store
            .call_ticket(&q.key, &t, &counter.code, &view.now_rfc3339(), &told)
            .await?
        {
            let called = Ticket {
                status: TicketStatus::Called,
                called_at: Some(view.now_rfc3339()),
                counter: Some(counter.code.clone()),
                ..t
            };
            tell(ctx, m, &q, &next, view.now).await;
            // The number called is the one now served (`CALLED` was set to it).
            let view = view_from(&q, &called, called.number, None, None);
            return json(StatusCode::OK, &view);
        }
    }
    Err(ApiError::conflict("version_conflict"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `served`, `absent`, or `called` (an absent ticket recalled, once).
    status: TicketStatus,
    counter: Option<String>,
}

/// `POST …/tickets/{number}/status`: staff mark a called ticket served or
/// absent, or recall an absent one (once).
pub async fn status(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    a: &str,
    s: &str,
    n: &str,
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    authorize(&who, m, Permission::ETicket)?;
    let body: StatusBody = view.json()?;
    let now = view.now;
    let q = checked_queue(ctx, &who, m, a, s, now).await?;
    let (t, _) = ticket_for(ctx, &who, m, &q, n).await?;
    t.status.check(body.status, t.recalls)?;
    let counter = match (body.status, body.counter.as_deref()) {
        (TicketStatus::Called, Some(c)) => Some(counter_of(&q, c)?.clone()),
        (TicketStatus::Called, None) => {
            return Err(DomainError::invalid("counter", "required").into());
        }
        _ => None,
    };
    let handled = match (body.status, &t.called_at) {
        (TicketStatus::Served, Some(c)) => OffsetDateTime::parse(c, &Rfc3339)
            .ok()
            .map(|c| (now - c).whole_seconds().clamp(0, 4 * 3600) as u64),
        _ => None,
    };
    let mut extra = vec![];
    if let (TicketStatus::Called, Some(holder), Some(c)) = (body.status, &t.holder, &counter) {
        extra.push(notice(
            m,
            &q,
            &t,
            format!("called:{}", c.label),
            holder,
            view.now,
        ));
    }
    if !ctx
        .store
        .move_ticket(
            &q.key,
            &t,
            body.status,
            counter.as_ref().map(|c| c.code.as_str()),
            &baladiya::clock::rfc3339(now),
            handled,
            &extra,
        )
        .await?
    {
        return Err(ApiError::conflict("version_conflict"));
    }
    let t = ctx
        .store
        .get_ticket(&q.key, t.number)
        .await?
        .ok_or_else(ApiError::internal)?;
    json(StatusCode::OK, &view_of(ctx, &q, &t).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    /// The code printed on the paper ticket.
    code: String,
}

/// `POST …/tickets/{number}/claim`: a paper ticket from the kiosk becomes the
/// caller's app ticket (with its notices): the number and the printed code.
pub async fn claim(
    ctx: &Ctx,
    view: &RequestView<'_>,
    m: &MunicipalityId,
    a: &str,
    s: &str,
    n: &str,
) -> Answer {
    let who = view.principal(&ctx.verifier)?;
    let body: ClaimBody = view.json()?;
    let q = checked_queue(ctx, &who, m, a, s, view.now).await?;
    let number = parse_number(&q, n)?;
    let t = ctx
        .store
        .get_ticket(&q.key, number)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let matches = t.claim_code.as_deref().is_some_and(|c| {
        let given = body.code.trim().to_ascii_uppercase();
        c.len() == given.len()
            && c.bytes()
                .zip(given.bytes())
                .fold(0u8, |a, (x, y)| a | (x ^ y))
                == 0
    });
    if !matches || t.holder.is_some() || !t.status.is_active() {
        return Err(ApiError::not_found());
    }
    let holder = who.user().to_string();
    if ctx.store.active_ticket(&q.key, &holder).await?.is_some() {
        return Err(ApiError::conflict("ticket_already_held"));
    }
    if !ctx.store.claim_ticket(&q.key, number, &holder).await? {
        return Err(ApiError::conflict("ticket_already_held"));
    }
    // As for a ticket taken in the app: the answer says how many are ahead;
    // the holder is told as that number falls.
    let t = ctx
        .store
        .get_ticket(&q.key, number)
        .await?
        .ok_or_else(ApiError::internal)?;
    json(StatusCode::OK, &view_of(ctx, &q, &t).await?)
}
