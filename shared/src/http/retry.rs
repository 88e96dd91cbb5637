//! Trying a write again after it collided with another on the same item (a
//! poll's tally shard, an event's counters, a slot's bookings).

/// A short, jittered wait before try `attempt` + 1: `attempt` × 10 ms, plus
/// up to 20 ms, so that writes that collided do not collide again in step.
pub async fn back_off(attempt: u32) {
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
            % 20,
    );
    let wait = u64::from(attempt) * 10 + jitter;
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
}
