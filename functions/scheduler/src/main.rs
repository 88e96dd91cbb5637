use baladiya::{config, telemetry};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use scheduler::{Ctx, handle};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    // Configuration and clients once per cold start, shared by every invocation.
    let config = config::Config::from_env()?;
    let aws = config::Aws::from_env()?;
    let ctx: &'static Ctx = Box::leak(Box::new(Ctx::new(&config, &aws)));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, Error>(handle(ctx, event.payload).await)
        },
    ))
    .await
}
