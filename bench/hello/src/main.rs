//! The smallest useful `lambda_http` function, built with the same release profile
//! as ours: the baseline the benchmark (`scripts/bench`) compares every function to.

use lambda_http::{Body, Error, Request, Response, run, service_fn};

async fn hello(_req: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::Text("{\"hello\":\"world\"}".into()))?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(hello)).await
}
