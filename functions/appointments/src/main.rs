use appointments::Ctx;
use baladiya::http::serve;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    // Configuration and clients once per cold start, shared by every invocation.
    let (config, aws) = serve::setup()?;
    serve::run(Ctx::new(&config, &aws)?).await
}
