//! What an agency is (an office with its opening hours, its services — one
//! queue each — and its counters) and what a ticket of a day's queue records.

use serde::{Deserialize, Serialize};

use super::{TicketStatus, WeeklyHours};
use crate::domain::Text;
use crate::domain::geo::Coordinates;

/// A service of an agency: one queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueService {
    pub code: String,
    pub name: Text,
    /// The letter before its numbers ("A007").
    pub prefix: String,
    /// Tickets a day at most.
    pub daily_max: u64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A counter (window) of an agency, and the services it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    pub code: String,
    pub label: String,
    pub services: Vec<String>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agency {
    pub code: String,
    pub name: Text,
    pub address: Option<String>,
    pub location: Option<Coordinates>,
    pub hours: WeeklyHours,
    /// Days closed ("YYYY-MM-DD"), besides public holidays.
    #[serde(default)]
    pub closures: Vec<String>,
    /// Open on public holidays too (a permanence), else closed on them.
    #[serde(default)]
    pub open_on_public_holidays: bool,
    pub services: Vec<QueueService>,
    pub counters: Vec<Counter>,
    pub updated_at: String,
}

/// A ticket of a day's queue.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub number: u64,
    pub status: TicketStatus,
    /// `usr_…` of its holder in the app (none for a paper ticket not claimed).
    pub holder: Option<String>,
    /// Printed on a paper ticket: proves it is yours when you claim it.
    pub claim_code: Option<String>,
    pub taken_at: String,
    pub called_at: Option<String>,
    pub counter: Option<String>,
    pub finished_at: Option<String>,
    #[serde(default)]
    pub recalls: u32,
    /// The "people ahead" levels already told (2, 1, 0).
    #[serde(default)]
    pub notified: Vec<u64>,
}
