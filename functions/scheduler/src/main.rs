use baladiya::http::serve;
use scheduler::{Ctx, handle};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Configuration and clients once per cold start, shared by every invocation.
    let (config, aws) = serve::setup()?;
    serve::run_events(Ctx::new(&config, &aws), handle).await
}
