//! The load generator and the transcript check: scripted conversations sent to the workers
//! round-robin, retried on failure with the same idempotency key; then every conversation's
//! log is compared with a replay of its script in one process.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use kefu_core::{Bot, ReferenceTime, Session};
use serde_json::{json, Value};

/// What one step of a script does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Turn,
    AgentMessage,
    AgentFinished,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub op: Op,
    pub text: String,
}

/// Reads `conversations.txt`: blocks separated by blank lines; `agent: …` and
/// `agent-finished` lines are the agent's.
pub fn parse_scripts(text: &str) -> Result<Vec<Vec<Step>>, String> {
    let mut scripts = vec![Vec::new()];
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        let script = scripts.last_mut().expect("never empty");
        if line.is_empty() {
            if !script.is_empty() {
                scripts.push(Vec::new());
            }
            continue;
        }
        let step = match (line.strip_prefix("agent:"), line == "agent-finished") {
            (Some(text), _) => Step { op: Op::AgentMessage, text: text.trim().to_string() },
            (None, true) => Step { op: Op::AgentFinished, text: String::new() },
            (None, false) => Step { op: Op::Turn, text: line.to_string() },
        };
        script.push(step);
    }
    scripts.retain(|s| !s.is_empty());
    if scripts.is_empty() {
        return Err("no conversations in the scripts".into());
    }
    Ok(scripts)
}

/// One conversation of the load: its id and steps.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: String,
    pub steps: Vec<Step>,
}

/// `count` conversations of `steps` steps each: scripts in a row, conversation `i`
/// starting with script `i`, the last one cut where the steps run out (so every
/// conversation ends at the same paced time).
pub fn plan(scripts: &[Vec<Step>], count: usize, steps: usize, run: &str) -> Vec<Conversation> {
    (0..count)
        .map(|i| {
            let steps = scripts.iter().cycle().skip(i % scripts.len()).flatten().take(steps.max(1)).cloned().collect();
            Conversation { id: format!("{run}-{i}"), steps }
        })
        .collect()
}

/// The time of a conversation's `k`-th step: fixed, so that a replay sees the same times.
fn step_time(k: usize) -> ReferenceTime {
    ReferenceTime { unix_seconds: 1_796_000_000 + 20 * k as i64, utc_offset_minutes: 480 }
}

fn request_body(k: usize, step: &Step) -> Vec<u8> {
    match step.op {
        Op::AgentFinished => Vec::new(),
        _ => json!({ "text": step.text, "at": step_time(k).unix_seconds }).to_string().into_bytes(),
    }
}

fn path(tenant: &str, id: &str, op: Op) -> String {
    let what = match op {
        Op::Turn => "turns",
        Op::AgentMessage => "agent-messages",
        Op::AgentFinished => "agent-finished",
    };
    format!("/v1/{tenant}/conversations/{id}/{what}")
}

/// One answered step as the client saw it.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub body: Vec<u8>,
    /// From the first attempt to the answer, retries included.
    pub latency: Duration,
    /// The answering worker's `Server-Timing`: time in Redis and in kefu, milliseconds.
    pub redis_ms: f64,
    pub kefu_ms: f64,
}

/// How the load is sent.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub servers: Vec<SocketAddr>,
    pub tenant: String,
    /// Steps per second offered across all conversations (each conversation paces its
    /// steps, as customers type); 0 sends each step as soon as the last is answered.
    pub rate: f64,
    pub request_timeout: Duration,
    /// A step not answered after this long fails its conversation.
    pub give_up_after: Duration,
}

/// What the load gave back.
#[derive(Debug)]
pub struct LoadResult {
    /// Per conversation, its answered steps in order, or why it stopped.
    pub conversations: Vec<Result<Vec<Exchange>, String>>,
    pub elapsed: Duration,
    /// Attempts that failed (connection refused or cut, 5xx, timeout) and were sent again.
    pub retries: u64,
}

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(4096).build_http()
}

/// Sends a request; `Ok((status, headers' Server-Timing, body))`, or `Err` on a network
/// failure or timeout.
pub async fn send(
    client: &HttpClient,
    server: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Vec<u8>,
    timeout: Duration,
) -> Result<(u16, String, Vec<u8>), String> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(format!("http://{server}{path}"))
        .header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let request = request.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?;
    let exchange = async {
        let response = client.request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let timing =
            response.headers().get("server-timing").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes().to_vec();
        Ok((status, timing, body))
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| "timed out".to_string())?
}

fn timing(header: &str, name: &str) -> f64 {
    header
        .split(',')
        .filter_map(|part| part.trim().strip_prefix(name)?.strip_prefix(";dur=")?.parse().ok())
        .next()
        .unwrap_or(0.0)
}

/// Runs every conversation at once; `done` counts answered steps as they come.
pub async fn run(config: &LoadConfig, conversations: &[Conversation], done: Arc<AtomicUsize>) -> LoadResult {
    let client = client();
    let retries = Arc::new(AtomicU64::new(0));
    let turn = Arc::new(AtomicUsize::new(0));
    let count = conversations.len().max(1) as f64;
    let interval = if config.rate > 0.0 { Duration::from_secs_f64(count / config.rate) } else { Duration::ZERO };
    let started = tokio::time::Instant::now();
    let tasks: Vec<_> = conversations
        .iter()
        .enumerate()
        .map(|(i, conversation)| {
            let (client, config, conversation) = (client.clone(), config.clone(), conversation.clone());
            let (retries, turn, done) = (retries.clone(), turn.clone(), done.clone());
            let offset = interval.mul_f64(i as f64 / count);
            tokio::spawn(async move {
                let mut answered = Vec::with_capacity(conversation.steps.len());
                for (k, step) in conversation.steps.iter().enumerate() {
                    tokio::time::sleep_until(started + offset + interval * k as u32).await;
                    let (path, body, key) =
                        (path(&config.tenant, &conversation.id, step.op), request_body(k, step), k.to_string());
                    let first = Instant::now();
                    loop {
                        if first.elapsed() > config.give_up_after {
                            return Err(format!(
                                "{}: step {k} not answered in {:?}",
                                conversation.id, config.give_up_after
                            ));
                        }
                        let server = config.servers[turn.fetch_add(1, Ordering::Relaxed) % config.servers.len()];
                        let sent =
                            send(&client, server, "POST", &path, Some(&key), body.clone(), config.request_timeout)
                                .await;
                        match sent {
                            Ok((200, header, body)) => {
                                answered.push(Exchange {
                                    body,
                                    latency: first.elapsed(),
                                    redis_ms: timing(&header, "redis"),
                                    kefu_ms: timing(&header, "kefu"),
                                });
                                done.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                            Ok((status, _, body))
                                if status < 500
                                    && !(status == 409 && body.starts_with(b"{\"error\":\"contended\"")) =>
                            {
                                let why = String::from_utf8_lossy(&body);
                                return Err(format!("{}: step {k} refused with {status}: {why}", conversation.id));
                            }
                            _ => {
                                retries.fetch_add(1, Ordering::Relaxed);
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                        }
                    }
                }
                Ok(answered)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.unwrap_or_else(|e| Err(format!("the conversation's task failed: {e}"))));
    }
    LoadResult { conversations: results, elapsed: started.elapsed(), retries: retries.load(Ordering::Relaxed) }
}

/// What each step of `conversation` gives when run in this process on `bot`, as JSON,
/// and its input as the log keeps it (masked).
pub fn replay(bot: &Bot, conversation: &Conversation) -> Result<Vec<(Value, String)>, kefu_core::Error> {
    let mut session = Session::new(bot);
    let mut results = Vec::with_capacity(conversation.steps.len());
    for (k, step) in conversation.steps.iter().enumerate() {
        let (bytes, masked) = match step.op {
            Op::Turn => {
                let turn = session.turn_at(bot, &step.text, step_time(k))?;
                (serde_json::to_vec(&turn), session.log_turn(&turn).text)
            }
            Op::AgentMessage => {
                let review = session.agent_message_at(bot, &step.text, step_time(k))?;
                (serde_json::to_vec(&review), review.masked)
            }
            Op::AgentFinished => {
                (serde_json::to_vec(&json!({ "findings": session.agent_finished(bot)? })), String::new())
            }
        };
        // Through the bytes, as the server sends them: f32s compare as written.
        results.push((bytes.ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null), masked));
    }
    Ok(results)
}

/// What a worker's step costs in kefu, measured in this process on one core: restoring
/// the saved bytes, the step itself, saving, medians in microseconds.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct StepCost {
    pub restore_us_p50: f64,
    pub step_us_p50: f64,
    pub save_us_p50: f64,
    pub saved_bytes_p50: f64,
}

/// Runs each conversation as a worker does (restore, step, save at every step) and times
/// the parts.
pub fn step_cost(bot: &Bot, conversations: &[Conversation]) -> StepCost {
    let (mut restore, mut run, mut save, mut size) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let micros = |t: Instant| t.elapsed().as_secs_f64() * 1e6;
    for conversation in conversations {
        let mut saved = Session::new(bot).to_bytes();
        for (k, step) in conversation.steps.iter().enumerate() {
            let t = Instant::now();
            let Ok(mut session) = Session::from_bytes(bot, &saved) else { break };
            restore.push(micros(t));
            let t = Instant::now();
            let ok = match step.op {
                Op::Turn => session.turn_at(bot, &step.text, step_time(k)).map(|t| serde_json::to_vec(&t).is_ok()),
                Op::AgentMessage => {
                    session.agent_message_at(bot, &step.text, step_time(k)).map(|r| serde_json::to_vec(&r).is_ok())
                }
                Op::AgentFinished => session.agent_finished(bot).map(|f| serde_json::to_vec(&f).is_ok()),
            };
            run.push(micros(t));
            if ok.is_err() {
                break;
            }
            let t = Instant::now();
            saved = session.to_bytes();
            save.push(micros(t));
            size.push(saved.len() as f64);
        }
    }
    StepCost {
        restore_us_p50: quantile(&mut restore, 0.5),
        step_us_p50: quantile(&mut run, 0.5),
        save_us_p50: quantile(&mut save, 0.5),
        saved_bytes_p50: quantile(&mut size, 0.5),
    }
}

/// How the stored logs and the answers compare with the replay.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    pub conversations: usize,
    pub steps: usize,
    /// Steps the replay has and the log lacks.
    pub lost: usize,
    /// Log entries beyond the replay's steps.
    pub doubled: usize,
    /// Log entries (by position) whose input or result differs from the replay's: a turn
    /// reordered, interleaved or changed.
    pub differing: usize,
    /// Answers the client got that differ from the replay's.
    pub answers_differing: usize,
    /// Conversations that did not finish (a step never answered or refused).
    pub unfinished: usize,
}

impl Verdict {
    pub fn is_clean(&self) -> bool {
        self.lost + self.doubled + self.differing + self.answers_differing + self.unfinished == 0
    }
}

/// Compares each conversation's stored `logs` (entries `{"op","input","result"}`) and the
/// client's answers with the replay on `bot`.
pub fn verify(bot: &Bot, conversations: &[Conversation], result: &LoadResult, logs: &[Vec<Value>]) -> Verdict {
    let mut verdict = Verdict { conversations: conversations.len(), ..Verdict::default() };
    for ((conversation, answered), log) in conversations.iter().zip(&result.conversations).zip(logs) {
        let expected = match replay(bot, conversation) {
            Ok(expected) => expected,
            Err(_) => {
                verdict.unfinished += 1;
                continue;
            }
        };
        verdict.steps += expected.len();
        verdict.lost += expected.len().saturating_sub(log.len());
        verdict.doubled += log.len().saturating_sub(expected.len());
        for (entry, (want, masked)) in log.iter().zip(&expected) {
            if entry.get("result") != Some(want) || entry.get("input").and_then(Value::as_str) != Some(masked.as_str())
            {
                verdict.differing += 1;
            }
        }
        match answered {
            Ok(answered) => {
                verdict.answers_differing += answered
                    .iter()
                    .zip(&expected)
                    .filter(|(got, (want, _))| serde_json::from_slice::<Value>(&got.body).ok().as_ref() != Some(want))
                    .count()
            }
            Err(_) => verdict.unfinished += 1,
        }
    }
    verdict
}

/// Fetches every conversation's log (retrying while workers or Redis come back).
pub async fn fetch_logs(config: &LoadConfig, conversations: &[Conversation]) -> Result<Vec<Vec<Value>>, String> {
    let client = client();
    let mut logs = Vec::with_capacity(conversations.len());
    for (i, conversation) in conversations.iter().enumerate() {
        let path = format!("/v1/{}/conversations/{}/log", config.tenant, conversation.id);
        let mut attempt = 0;
        let body = loop {
            let server = config.servers[(i + attempt) % config.servers.len()];
            match send(&client, server, "GET", &path, None, Vec::new(), config.request_timeout).await {
                Ok((200, _, body)) => break body,
                failed if attempt >= 50 => return Err(format!("log of {}: {failed:?}", conversation.id)),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
            attempt += 1;
        };
        logs.push(serde_json::from_slice(&body).map_err(|e| format!("log of {}: {e}", conversation.id))?);
    }
    Ok(logs)
}

/// The `q`-quantile (0–1) of `values`, by nearest rank; 0 for none.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}
