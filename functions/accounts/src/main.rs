use accounts::Ctx;
use baladiya::http::serve;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    // Configuration and clients once per cold start; the signing secret on first use.
    let (config, aws) = serve::setup()?;
    serve::run(Ctx::load(&config, &aws).await?).await
}
