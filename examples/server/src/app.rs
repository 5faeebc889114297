//! The HTTP routes. Every route that changes a conversation goes through
//! [`Store::update`]: read, run kefu, commit if nobody else did first.
//!
//! - `POST /v1/{bot}/conversations/{id}/turns` `{"text", "at"?, "utc_offset_minutes"?}` → the `Turn`
//! - `POST /v1/{bot}/conversations/{id}/agent-messages` `{"text", "at"?}` → the `AgentReview`
//! - `POST /v1/{bot}/conversations/{id}/agent-finished` → `{"findings": [...]}`
//! - `GET  /v1/{bot}/conversations/{id}` → state, turn count, transcript (what an agent reads)
//! - `GET  /v1/{bot}/conversations/{id}/log` → every committed change, oldest first
//! - `POST /admin/v1/{bot}/reload` → reads the bot file again; live conversations go on
//! - `GET  /healthz`
//!
//! A request with an `Idempotency-Key` header (unique within its conversation) runs once:
//! repeated, it returns the first response. Responses carry `Server-Timing` with the time
//! spent in Redis and in kefu.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use kefu_core::{Bot, ReferenceTime, Session, Tier};
use serde::Deserialize;
use serde_json::json;

use crate::store::{Change, Store, StoreError};
use crate::tenants::Tenants;

/// Largest request body taken (a turn's text is at most kefu's utterance limit anyway).
const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the routes share.
#[derive(Debug)]
pub struct App {
    pub tenants: Tenants,
    pub store: Store,
    /// The customers' offset from UTC when a request does not say (UTC+8 = 480).
    pub utc_offset_minutes: i32,
}

/// The router over `app`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/{bot}/conversations/{id}/turns", post(turn))
        .route("/v1/{bot}/conversations/{id}/agent-messages", post(agent_message))
        .route("/v1/{bot}/conversations/{id}/agent-finished", post(agent_finished))
        .route("/v1/{bot}/conversations/{id}", get(conversation))
        .route("/v1/{bot}/conversations/{id}/log", get(log))
        .route("/admin/v1/{bot}/reload", post(reload))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// A refusal, as `{"error": code, "message": ...}` with an HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    fn kefu(error: kefu_core::Error) -> ApiError {
        let status = match error {
            kefu_core::Error::InvalidState(_) => StatusCode::CONFLICT,
            kefu_core::Error::UtteranceTooLong { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            // The saved bytes are kept as they are: nothing is lost, an operator can look.
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, error.code(), error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.code, "message": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError<ApiError>> for ApiError {
    fn from(e: StoreError<ApiError>) -> ApiError {
        match e {
            StoreError::Redis(e) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                format!("the session store failed ({e}); retry the request with the same Idempotency-Key"),
            ),
            StoreError::Contended => ApiError::new(
                StatusCode::CONFLICT,
                "contended",
                "other requests kept changing this conversation; retry with the same Idempotency-Key",
            ),
            StoreError::Change(e) => e,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineRequest {
    text: String,
    /// Seconds since 1970 (the server's clock if absent).
    #[serde(default)]
    at: Option<i64>,
    #[serde(default)]
    utc_offset_minutes: Option<i32>,
}

fn parse_line(body: &[u8]) -> Result<LineRequest, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("the body must be JSON {{\"text\": string, \"at\"?: seconds, \"utc_offset_minutes\"?: int}}: {e}"),
        )
    })
}

fn bot(app: &App, tenant: &str) -> Result<Arc<Bot>, ApiError> {
    app.tenants
        .bot(tenant)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "unknown_bot", format!("no bot {tenant:?} here")))
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(String::new()),
        Some(v) => v.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 200).map(str::to_string).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "Idempotency-Key must be 1–200 visible ASCII characters",
            )
        }),
    }
}

fn restore(bot: &Bot, saved: Option<&[u8]>) -> Result<Session, ApiError> {
    match saved {
        Some(bytes) => Session::from_bytes(bot, bytes).map_err(ApiError::kefu),
        None => Ok(Session::new(bot)),
    }
}

fn now(app: &App, line: &LineRequest) -> ReferenceTime {
    let clock = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    ReferenceTime {
        unix_seconds: line.at.unwrap_or(clock),
        utc_offset_minutes: line.utc_offset_minutes.unwrap_or(app.utc_offset_minutes),
    }
}

/// The log entry of a change: `{"op", "input", "result"}`, the input as the transcript keeps
/// it (personal data masked: nothing unmasked is logged), the result as its bytes.
fn log_entry(op: &str, input: &str, result: &[u8]) -> Vec<u8> {
    let head = json!({ "op": op, "input": input }).to_string();
    let mut entry = head.into_bytes();
    entry.pop(); // the closing brace
    entry.extend_from_slice(b",\"result\":");
    entry.extend_from_slice(result);
    entry.push(b'}');
    entry
}

/// Runs `run` on the conversation through the store and answers with its JSON result;
/// `run` gives that result and the masked input for the log.
async fn change<R>(
    app: &App,
    tenant: &str,
    id: &str,
    headers: &HeaderMap,
    op: &str,
    mut run: R,
) -> Result<Response, ApiError>
where
    R: FnMut(&Bot, &mut Session) -> Result<(Vec<u8>, String), ApiError>,
{
    let bot = bot(app, tenant)?;
    let key = idempotency_key(headers)?;
    let committed = app
        .store
        .update(tenant, id, &key, |saved| {
            let mut work = || {
                let mut session = restore(&bot, saved)?;
                let (result, masked) = run(&bot, &mut session)?;
                Ok(Change { session: session.to_bytes(), log_entry: log_entry(op, &masked, &result), result })
            };
            // Embedded and static turns take microseconds; an ONNX turn milliseconds, which
            // would stall the other requests on this thread.
            match bot.tier() {
                Tier::Onnx => tokio::task::block_in_place(work),
                _ => work(),
            }
        })
        .await?;
    let timing = format!(
        "redis;dur={:.3}, kefu;dur={:.3}",
        committed.redis.as_secs_f64() * 1e3,
        committed.kefu.as_secs_f64() * 1e3
    );
    let mut response = (StatusCode::OK, [("content-type", "application/json")], committed.result).into_response();
    if let Ok(timing) = HeaderValue::from_str(&timing) {
        response.headers_mut().insert("server-timing", timing);
    }
    if committed.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // kefu's results are plain data: serialising them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

async fn turn(
    State(app): State<Arc<App>>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let line = parse_line(&body)?;
    let at = now(&app, &line);
    change(&app, &tenant, &id, &headers, "turn", |bot, session| {
        let turn = session.turn_at(bot, &line.text, at).map_err(ApiError::kefu)?;
        Ok((to_json(&turn), session.log_turn(&turn).text))
    })
    .await
}

async fn agent_message(
    State(app): State<Arc<App>>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let line = parse_line(&body)?;
    let at = now(&app, &line);
    change(&app, &tenant, &id, &headers, "agent_message", |bot, session| {
        let review = session.agent_message_at(bot, &line.text, at).map_err(ApiError::kefu)?;
        Ok((to_json(&review), review.masked))
    })
    .await
}

async fn agent_finished(
    State(app): State<Arc<App>>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    change(&app, &tenant, &id, &headers, "agent_finished", |bot, session| {
        let findings = session.agent_finished(bot).map_err(ApiError::kefu)?;
        Ok((to_json(&json!({ "findings": findings })), String::new()))
    })
    .await
}

fn unavailable(e: redis::RedisError) -> ApiError {
    ApiError::from(StoreError::Redis(e))
}

async fn conversation(
    State(app): State<Arc<App>>,
    Path((tenant, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let bot = bot(&app, &tenant)?;
    let Some((version, saved)) = app.store.load(&tenant, &id).await.map_err(unavailable)? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_conversation",
            format!("no conversation {id:?} (or it expired)"),
        ));
    };
    let session = restore(&bot, Some(&saved))?;
    let body = json!({
        "version": version,
        "state": session.state(),
        "turns": session.turn_count(),
        "language": session.language(),
        "slots": session.slots(),
        "transcript": session.transcript(),
    });
    Ok(axum::Json(body).into_response())
}

async fn log(State(app): State<Arc<App>>, Path((tenant, id)): Path<(String, String)>) -> Result<Response, ApiError> {
    bot(&app, &tenant)?;
    let entries = app.store.log(&tenant, &id).await.map_err(unavailable)?;
    let mut body = b"[".to_vec();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(entry);
    }
    body.push(b']');
    Ok((StatusCode::OK, [("content-type", "application/json")], body).into_response())
}

async fn reload(State(app): State<Arc<App>>, Path(tenant): Path<String>) -> Result<Response, ApiError> {
    match app.tenants.reload(&tenant) {
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_bot", format!("no bot {tenant:?} here"))),
        Some(Err(message)) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bot_file", message)),
        Some(Ok(bot)) => Ok(axum::Json(json!({ "bot": bot.name(), "reloaded": true })).into_response()),
    }
}
