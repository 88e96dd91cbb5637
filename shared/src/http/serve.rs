//! One way to serve an HTTP function: route the request, dispatch it to the
//! function's handler, answer every failure as problem+json (or the function's own
//! error format), log one line. Each function implements [`Service`] for its
//! context and its `main.rs` calls [`run`].

use std::convert::Infallible;
use std::future::Future;
use std::time::Instant;

use lambda_http::{Body, Request, Response, service_fn};

use super::router::{self, Route, RouteMatch};
use super::{ApiError, CursorCodec, RequestView, TokenVerifier};
use crate::clock::Clock;
use crate::config::{Aws, Config};
use crate::domain::GeoBounds;
use crate::http::Answer;
use crate::store::Store;

/// An HTTP function: its routes and how it serves each.
pub trait Service: Sync + 'static {
    type Op: Copy + Send + Sync + 'static;

    /// The function's routes, checked against `template.yaml`, the local router
    /// and `openapi.yaml` (`tests/tests/routes.rs`). Literal segments come before
    /// parameters: the first match wins.
    const ROUTES: &'static [Route<Self::Op>];

    /// Where "now" comes from (fixed in tests).
    fn clock(&self) -> Clock {
        Clock::System
    }

    /// What verifies access tokens, for the tenancy rule that [`serve`]
    /// applies before any handler: none, no rule.
    fn verifier(&self) -> Option<&TokenVerifier> {
        None
    }

    /// Where the revoked tokens are read from, for a request carrying one:
    /// none, no revocation is checked.
    fn store(&self) -> Option<&Store> {
        None
    }

    /// Serve a request that matched `route`.
    fn dispatch(
        &self,
        view: &RequestView<'_>,
        route: RouteMatch<Self::Op>,
    ) -> impl Future<Output = Answer> + Send;

    /// The answer to a refused request: problem+json in the caller's language,
    /// unless the function speaks another error format.
    fn refuse(&self, view: &RequestView<'_>, e: ApiError) -> Response<Body> {
        problem(view, e)
    }
}

/// Serve one request. Never fails: every error becomes an answer. `HEAD` is
/// answered as `GET` without the body (same status and headers).
pub async fn serve<S: Service>(svc: &S, req: Request) -> Response<Body> {
    let started = Instant::now();
    let mut view = RequestView::new(&req, svc.clock().now());
    let mut unavailable = None;
    if let (Some(store), true) = (svc.store(), req.headers().contains_key("authorization")) {
        match store.revocations().await {
            Ok(r) => view = view.with_revocations(r),
            // Unread, a revoked token could pass: refuse rather than guess.
            Err(_) => unavailable = Some(ApiError::unavailable()),
        }
    }
    let head = view.method().eq_ignore_ascii_case("HEAD");
    let method = if head { "GET" } else { view.method() };
    let matched = router::route(S::ROUTES, method, view.path());
    let template = matched.as_ref().map_or("unmatched", |m| m.template);
    let response = match (matched, unavailable) {
        (_, Some(e)) => svc.refuse(&view, e),
        (Ok(m), None) => match tenancy(svc.verifier(), &view, &m) {
            Ok(()) => match svc.dispatch(&view, m).await {
                Ok(r) => r,
                Err(e) => svc.refuse(&view, e),
            },
            Err(e) => svc.refuse(&view, e),
        },
        (Err(e), None) => svc.refuse(&view, e),
    };
    let response = super::finish::finish(&req, view.lang, method == "GET", response);
    router::log_request(view.method(), template, response.status(), started);
    if head {
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, Body::Empty);
    }
    response
}

/// The tenancy rule, once for every function: staff of another municipality
/// find nothing under `/v1/municipalities/{m}` (404), whatever they ask and
/// before anything is read or parsed. A token that does not verify is left to
/// the handler (401 where one is needed).
fn tenancy<Op>(
    verifier: Option<&TokenVerifier>,
    view: &RequestView<'_>,
    route: &RouteMatch<Op>,
) -> Result<(), ApiError> {
    if !route.template.starts_with("/v1/municipalities/{m}") {
        return Ok(());
    }
    let (Some(verifier), Ok(m)) = (verifier, route.municipality()) else {
        return Ok(());
    };
    match view.optional_principal(verifier) {
        Ok(Some(who)) => super::access::outsider(&who, &m),
        _ => Ok(()),
    }
}

/// Telemetry, then the configuration and the AWS clients' settings: once per
/// cold start, before the function's context is built.
pub fn setup() -> Result<(Config, Aws), lambda_http::Error> {
    crate::telemetry::init();
    Ok((Config::from_env()?, Aws::from_env()?))
}

/// Serve `svc` to the Lambda runtime until it stops. The context lives as long as
/// the execution environment: clients are built once, not per request.
pub async fn run<S: Service>(svc: S) -> Result<(), lambda_http::Error> {
    let svc: &'static S = Box::leak(Box::new(svc));
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, Infallible>(serve(svc, req).await)
    }))
    .await
}

/// The context of a function that needs [`Base`] and, perhaps, parts each
/// built by its `new(config, aws)` (`cases: Cases`): `Ctx`, built once per
/// cold start by `Ctx::new(config, aws)`.
#[macro_export]
macro_rules! context {
    ($($(#[$doc:meta])* $field:ident: $part:ty),* $(,)?) => {
        /// What a handler needs, built once per cold start.
        pub struct Ctx {
            pub base: $crate::http::serve::Base,
            $($(#[$doc])* pub $field: $part,)*
        }

        impl Ctx {
            pub fn new(
                config: &$crate::config::Config,
                aws: &$crate::config::Aws,
            ) -> Result<Ctx, $crate::http::auth::TokenError> {
                Ok(Ctx {
                    base: $crate::http::serve::Base::new(config, aws)?,
                    $($field: <$part>::new(config, aws),)*
                })
            }
        }
    };
}

/// Declares an HTTP function's plumbing: its context `$ctx` (a struct with a
/// `base: Base` field, which it derefs to) serves `$routes` by calling
/// `$dispatch(ctx, view, route)`, and `handle(ctx, request)` serves one request
/// (what `main.rs`, through [`run`], and the handler tests call).
#[macro_export]
macro_rules! http_function {
    ($ctx:ty, $op:ty, $routes:expr, $dispatch:path) => {
        $crate::http_function!(
            $ctx,
            $op,
            $routes,
            $dispatch,
            refuse = $crate::http::serve::problem
        );
    };
    ($ctx:ty, $op:ty, $routes:expr, $dispatch:path, refuse = $refuse:path) => {
        impl ::std::ops::Deref for $ctx {
            type Target = $crate::http::serve::Base;
            fn deref(&self) -> &$crate::http::serve::Base {
                &self.base
            }
        }

        impl $crate::http::serve::Service for $ctx {
            type Op = $op;
            const ROUTES: &'static [$crate::http::router::Route<$op>] = $routes;

            fn clock(&self) -> $crate::clock::Clock {
                self.base.clock
            }

            fn verifier(&self) -> Option<&$crate::http::TokenVerifier> {
                Some(&self.base.verifier)
            }

            fn store(&self) -> Option<&$crate::store::Store> {
                Some(&self.base.store)
            }

            fn dispatch(
                &self,
                view: &$crate::http::RequestView<'_>,
                route: $crate::http::router::RouteMatch<$op>,
            ) -> impl ::std::future::Future<
                Output = Result<
                    $crate::lambda_http::Response<$crate::lambda_http::Body>,
                    $crate::http::ApiError,
                >,
            > + Send {
                $dispatch(self, view, route)
            }

            fn refuse(
                &self,
                view: &$crate::http::RequestView<'_>,
                e: $crate::http::ApiError,
            ) -> $crate::lambda_http::Response<$crate::lambda_http::Body> {
                $refuse(view, e)
            }
        }

        /// Serve one request. Never fails: every error becomes an answer.
        pub async fn handle(
            ctx: &$ctx,
            req: $crate::lambda_http::Request,
        ) -> $crate::lambda_http::Response<$crate::lambda_http::Body> {
            $crate::http::serve::serve(ctx, req).await
        }
    };
}

/// Serve an event-triggered function (a table stream, a schedule, S3 uploads)
/// to the Lambda runtime: `handle` gets each event's payload and answers a
/// summary. Like [`run`], the context lives as long as the execution
/// environment.
pub async fn run_events<C, F, Fut>(ctx: C, handle: F) -> Result<(), lambda_http::Error>
where
    C: Sync + 'static,
    F: Fn(&'static C, serde_json::Value) -> Fut,
    Fut: Future<Output = serde_json::Value> + Send + 'static,
{
    let ctx: &'static C = Box::leak(Box::new(ctx));
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            // Boxed: the runtime's future stays small whatever the handler's is.
            let answer: std::pin::Pin<Box<dyn Future<Output = serde_json::Value> + Send>> =
                Box::pin(handle(ctx, event.payload));
            async move { Ok::<_, lambda_http::Error>(answer.await) }
        },
    ))
    .await
}

/// A refusal as problem+json in the caller's language: every function's,
/// unless it speaks another error format.
pub fn problem(view: &RequestView<'_>, e: ApiError) -> Response<Body> {
    e.into_response(view.lang)
}

/// What every service function holds: the table, the token verifier, the cursor
/// codec, the accepted area for coordinates and the clock.
pub struct Base {
    pub store: Store,
    pub verifier: TokenVerifier,
    pub cursors: CursorCodec,
    pub geo: GeoBounds,
    pub clock: Clock,
}

impl Base {
    pub fn new(config: &Config, aws: &Aws) -> Result<Base, super::auth::TokenError> {
        Ok(Base {
            store: Store::new(aws.dynamodb(), &config.table).with_read_cache(config.read_cache),
            verifier: TokenVerifier::from_jwks(&config.jwks, &config.token_issuer)?,
            cursors: CursorCodec::new(&config.cursor_key),
            geo: config.geo_bounds,
            clock: Clock::System,
        })
    }
}
