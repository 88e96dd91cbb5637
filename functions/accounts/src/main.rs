use accounts::Ctx;
use baladiya::http::serve;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    // Configuration, clients and the signing secret once per cold start.
    let (config, aws) = serve::setup()?;
    serve::run(Ctx::load(&config, &aws).await?).await
}
