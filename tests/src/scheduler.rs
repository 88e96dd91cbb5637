//! The scheduler, run as AWS runs it.

use serde_json::Value;

use crate::{Api, root};

/// Run the scheduler as AWS would: `cargo lambda invoke` with the scheduled
/// event of `events/scheduler/`, against the running `cargo lambda watch`.
pub fn run_scheduler(api: &Api) -> Value {
    let port = api.base.rsplit(':').next().expect("a port").to_owned();
    let out = std::process::Command::new("cargo")
        .args([
            "lambda",
            "invoke",
            "scheduler",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
            &port,
            "--color",
            "never",
            "--data-file",
        ])
        .arg(root().join("events/scheduler/scheduled.json"))
        .current_dir(root())
        .output()
        .expect("cargo lambda runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the scheduler's report")
}
