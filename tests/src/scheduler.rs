//! The scheduled functions, run as AWS runs them: the scheduler, and the
//! notifications function (by a stream batch or its sweep).

use serde_json::Value;

use crate::{Api, root};

/// Invoke `function` with `event` as AWS would: `cargo lambda invoke` against
/// the running `cargo lambda watch`; its answer.
fn invoke(api: &Api, function: &str, event: &Value) -> Value {
    let port = api.base.rsplit(':').next().expect("a port").to_owned();
    let out = std::process::Command::new("cargo")
        .args([
            "lambda",
            "invoke",
            function,
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
            &port,
            "--color",
            "never",
            "--data-ascii",
        ])
        .arg(event.to_string())
        .current_dir(root())
        .output()
        .expect("cargo lambda runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the function's report")
}

fn fixture(path: &str) -> Value {
    let raw = std::fs::read_to_string(root().join(path)).expect("fixture");
    serde_json::from_str(&raw).expect("fixture JSON")
}

/// Run the scheduler with the scheduled event of `events/scheduler/`.
pub fn run_scheduler(api: &Api) -> Value {
    invoke(
        api,
        "scheduler",
        &fixture("events/scheduler/scheduled.json"),
    )
}

/// Run the scheduler as EventBridge would at `at` (its event's `time`): a
/// run at a later time than now acts at that time.
pub fn run_scheduler_at(api: &Api, at: time::OffsetDateTime) -> Value {
    let mut event = fixture("events/scheduler/scheduled.json");
    event["time"] = Value::String(
        at.format(&time::format_description::well_known::Rfc3339)
            .expect("an RFC 3339 time"),
    );
    invoke(api, "scheduler", &event)
}

/// Run the notifications function's sweep (its one-minute schedule).
pub fn run_notifications_sweep(api: &Api) -> Value {
    invoke(
        api,
        "notifications",
        &fixture("events/notifications/scheduled-sweep.json"),
    )
}

/// Hand the notifications function a stream batch announcing the outbox
/// record `pk` (`M#<m>#OUTBOX#<id>`) of `type` (`notice`, `broadcast`) as
/// new, as the table's stream would.
pub fn run_notifications_on(api: &Api, pk: &str, sk: &str, kind: &str) -> Value {
    let record = serde_json::json!({
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": { "PK": { "S": pk }, "SK": { "S": sk } },
            "NewImage": { "PK": { "S": pk }, "SK": { "S": sk }, "type": { "S": kind } }
        }
    });
    invoke(
        api,
        "notifications",
        &serde_json::json!({ "Records": [record] }),
    )
}
