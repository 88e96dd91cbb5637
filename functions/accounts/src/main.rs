use std::convert::Infallible;

use accounts::{Ctx, handle};
use baladiya::telemetry;
use lambda_http::{Error, Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    // Configuration, clients and the signing secret once per cold start.
    let ctx: &'static Ctx = Box::leak(Box::new(Ctx::from_env().await?));
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, Infallible>(handle(ctx, req).await)
    }))
    .await
}
