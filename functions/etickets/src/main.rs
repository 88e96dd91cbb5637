use std::convert::Infallible;

use baladiya::{config, telemetry};
use etickets::{Ctx, handle};
use lambda_http::{Error, Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    // Configuration and clients once per cold start, shared by every invocation.
    let config = config::Config::from_env()?;
    let aws = config::Aws::from_env()?;
    let ctx: &'static Ctx = Box::leak(Box::new(Ctx::new(&config, &aws)?));
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, Infallible>(handle(ctx, req).await)
    }))
    .await
}
