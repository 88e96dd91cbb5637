//! A person's ballot, who may cast one, and the tally: counters kept in
//! [`SHARDS`] shards (a person always counts in the same one), moved by each
//! ballot in the transaction that records it, so the count is exact however
//! many vote at once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Eligibility, Phase, Poll, PollKind, phase};
use crate::domain::DomainError;

/// Shards of a poll's tally: concurrent ballots of different people mostly
/// write different items.
pub const SHARDS: u32 = 16;

/// A person's ballot, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    /// The choices' ids, sorted.
    pub choices: Vec<String>,
    /// Whether they counted as a resident when they cast it.
    pub resident: bool,
    pub cast_at: String,
    /// 1 for the first, then one more each time it is replaced.
    pub version: u64,
}

/// Why a ballot is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The poll is not open (upcoming, closed, or a draft).
    NotOpen(Phase),
    /// The person is not among those who may vote.
    NotEligible,
    Invalid(DomainError),
}

/// What is known of the voter: whether they follow the municipality, and
/// which of its areas they chose.
#[derive(Debug, Clone, Default)]
pub struct Voter {
    pub follows: bool,
    pub areas: Vec<String>,
    pub resident: bool,
}

/// Whether `voter` may vote in `poll`.
pub fn eligible(poll: &Poll, voter: &Voter) -> bool {
    match &poll.content.eligibility {
        Eligibility::Anyone => true,
        Eligibility::Followers => voter.follows,
        Eligibility::Area { area } => voter.follows && voter.areas.iter().any(|a| a == area),
    }
}

/// The ballot `voter` casts with `choices` at `now`, replacing `before`.
pub fn cast(
    poll: &Poll,
    voter: &Voter,
    choices: &[String],
    before: Option<&Ballot>,
    now: OffsetDateTime,
) -> Result<Ballot, Refusal> {
    let at = phase(poll, now);
    if at != Phase::Open {
        return Err(Refusal::NotOpen(at));
    }
    if !eligible(poll, voter) {
        return Err(Refusal::NotEligible);
    }
    let mut picked: Vec<String> = choices.iter().map(|c| c.trim().to_owned()).collect();
    picked.sort_by_key(|c| c.parse::<u32>().unwrap_or(u32::MAX));
    picked.dedup();
    let invalid = |reason| Err(Refusal::Invalid(DomainError::invalid("choices", reason)));
    if picked.len() != choices.len() {
        return invalid("duplicate");
    }
    if picked.is_empty() {
        return invalid("empty");
    }
    let max = match poll.content.kind {
        PollKind::Single => 1,
        PollKind::Multiple => poll
            .content
            .max_choices
            .unwrap_or(poll.content.choices.len()),
    };
    if picked.len() > max {
        return invalid("too_many");
    }
    if !picked
        .iter()
        .all(|c| poll.content.choices.iter().any(|k| &k.id == c))
    {
        return invalid("unknown");
    }
    Ok(Ballot {
        choices: picked,
        resident: voter.resident,
        cast_at: crate::clock::rfc3339(now),
        version: before.map_or(1, |b| b.version + 1),
    })
}

/// The tally's shard a person counts in.
pub fn shard(user: &str) -> u32 {
    // FNV-1a: stable across builds and machines.
    let mut h: u32 = 0x811c_9dc5;
    for b in user.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// How a ballot replacing `before` moves the counters: `(counter, delta)`,
/// nonzero only. Counters: `participants`, `residents`, and per choice
/// `v<id>` (votes) and `r<id>` (residents' votes).
pub fn delta(before: Option<&Ballot>, after: &Ballot) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    let mut add = |name: String, d: i64| match out.iter_mut().find(|(n, _)| *n == name) {
        Some((_, v)) => *v += d,
        None => out.push((name, d)),
    };
    let mut count = |b: &Ballot, sign: i64| {
        add("participants".into(), sign);
        if b.resident {
            add("residents".into(), sign);
        }
        for c in &b.choices {
            add(format!("v{c}"), sign);
            if b.resident {
                add(format!("r{c}"), sign);
            }
        }
    };
    if let Some(b) = before {
        count(b, -1);
    }
    count(after, 1);
    out.retain(|(_, d)| *d != 0);
    out
}

/// One choice's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChoiceResult {
    pub id: String,
    pub votes: i64,
    pub residents: i64,
    pub others: i64,
}

/// A poll's results, summed over the shards' counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Results {
    pub participants: i64,
    pub residents: i64,
    pub others: i64,
    pub choices: Vec<ChoiceResult>,
}

/// Sum the shards (each a map of counter → value) into results for `poll`.
pub fn results<'a>(
    poll: &Poll,
    shards: impl IntoIterator<Item = &'a std::collections::HashMap<String, i64>>,
) -> Results {
    let mut total: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for s in shards {
        for (k, v) in s {
            *total.entry(k.as_str()).or_default() += v;
        }
    }
    let get = |k: &str| total.get(k).copied().unwrap_or(0);
    let participants = get("participants");
    let residents = get("residents");
    Results {
        participants,
        residents,
        others: participants - residents,
        choices: poll
            .content
            .choices
            .iter()
            .map(|c| {
                let votes = get(&format!("v{}", c.id));
                let residents = get(&format!("r{}", c.id));
                ChoiceResult {
                    id: c.id.clone(),
                    votes,
                    residents,
                    others: votes - residents,
                }
            })
            .collect(),
    }
}

/// The aggregate as CSV (RFC 4180): one row a choice, then the participants.
pub fn csv(poll: &Poll, r: &Results) -> String {
    // Quoted; a text a spreadsheet would take for a formula is kept text.
    let quote = |s: &str| {
        let lead = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            "'"
        } else {
            ""
        };
        format!("\"{lead}{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("choice,text_ar,text_fr,votes,residents,others\r\n");
    for (c, res) in poll.content.choices.iter().zip(&r.choices) {
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            c.id,
            quote(&c.text.ar),
            quote(&c.text.fr),
            res.votes,
            res.residents,
            res.others
        ));
    }
    out.push_str(&format!(
        "participants,,,{},{},{}\r\n",
        r.participants, r.residents, r.others
    ));
    out
}
