//! The whole run, for the test and the bench alike: Redis and two workers on loopback,
//! the scripted load round-robin across them, and (with faults) one worker killed and
//! restarted, Redis restarted and the bot file reloaded while it runs; then every
//! conversation is checked against a replay in this process.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kefu_core::Bot;
use serde::Serialize;

use crate::harness::{RedisProcess, ServerProcess};
use crate::load::{self, LoadConfig, Verdict};
use crate::store::Store;
use crate::tenants::{load_encoder, Tenants};

#[derive(Debug, Clone)]
pub struct ScenarioConfig {
    pub server_binary: PathBuf,
    pub redis_binary: PathBuf,
    /// Redis's data and log go here.
    pub work_dir: PathBuf,
    pub bot_file: PathBuf,
    /// The bots' tier: a static table or an ONNX encoder (`kefu-server --encoder`).
    pub encoder: Option<PathBuf>,
    pub scripts: String,
    pub conversations: usize,
    pub steps_per_conversation: usize,
    /// Steps per second offered (0: as fast as answered).
    pub rate: f64,
    pub faults: bool,
}

/// What a run measured and found.
#[derive(Debug, Serialize)]
pub struct ScenarioReport {
    pub tier: &'static str,
    pub workers: usize,
    pub conversations: usize,
    pub steps_answered: usize,
    pub seconds: f64,
    pub steps_per_second: f64,
    pub offered_steps_per_second: f64,
    /// Client-side latency of a step, retries included, milliseconds.
    pub latency_ms_p50: f64,
    pub latency_ms_p99: f64,
    /// The workers' own time per step (`Server-Timing`): in Redis (two round trips: read,
    /// commit script) and in kefu (restore, turn, save), medians in milliseconds.
    pub redis_ms_p50: f64,
    pub kefu_ms_p50: f64,
    /// One PING round trip from this process, median milliseconds.
    pub redis_ping_ms_p50: f64,
    /// The kefu part of a step measured alone (one core, no load).
    pub in_process: load::StepCost,
    pub retries: u64,
    pub faults: Vec<String>,
    pub verdict: Verdict,
}

const TENANT: &str = "shop";

/// The bot as the workers load it, and its tier's name.
fn load_bot(config: &ScenarioConfig) -> Result<(Arc<Bot>, &'static str), String> {
    let encoder = config.encoder.as_deref().map(load_encoder).transpose()?;
    let tier = encoder.as_ref().map_or("embedded", |e| e.tier().code());
    let tenants = Tenants::load(&[(TENANT.to_string(), config.bot_file.clone())], encoder)?;
    Ok((tenants.bot(TENANT).ok_or("no bot")?, tier))
}

/// Waits until `target` steps are answered; false if the load ended first.
async fn wait_for(done: &AtomicUsize, ended: &AtomicBool, target: usize) -> bool {
    while done.load(Ordering::Relaxed) < target {
        if ended.load(Ordering::Relaxed) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

pub async fn run(config: ScenarioConfig) -> Result<ScenarioReport, String> {
    let io = |what: &str| {
        let what = what.to_string();
        move |e: std::io::Error| format!("{what}: {e}")
    };
    let (bot, tier) = load_bot(&config)?;
    let scripts = load::parse_scripts(&config.scripts)?;
    let conversations = load::plan(
        &scripts,
        config.conversations,
        config.steps_per_conversation,
        &format!("run{}", std::process::id()),
    );
    let total: usize = conversations.iter().map(|c| c.steps.len()).sum();

    let redis =
        RedisProcess::start(&config.redis_binary, &config.work_dir.join("redis")).map_err(io("redis-server"))?;
    let mut args = vec![
        "--redis".to_string(),
        redis.url(),
        "--bot".to_string(),
        format!("{TENANT}={}", config.bot_file.display()),
    ];
    if let Some(encoder) = &config.encoder {
        args.extend(["--encoder".to_string(), encoder.display().to_string()]);
    }
    let workers = (0..2)
        .map(|_| ServerProcess::start(&config.server_binary, &args))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io("kefu-server"))?;
    let load_config = LoadConfig {
        servers: workers.iter().map(|w| w.addr).collect(),
        tenant: TENANT.to_string(),
        rate: config.rate,
        request_timeout: Duration::from_secs(5),
        give_up_after: Duration::from_secs(120),
    };

    let done = Arc::new(AtomicUsize::new(0));
    let ended = Arc::new(AtomicBool::new(false));
    let progress = Progress { total, done: done.clone(), ended: ended.clone() };
    let faults = tokio::spawn(inject_faults(config.faults, progress, redis, workers, load_config.clone()));
    let result = load::run(&load_config, &conversations, done.clone()).await;
    ended.store(true, Ordering::Relaxed);
    let (redis, workers, fault_log) = faults.await.map_err(|e| e.to_string())??;

    let logs = load::fetch_logs(&load_config, &conversations).await?;
    let verdict = load::verify(&bot, &conversations, &result, &logs);

    let store = Store::connect(&redis.url(), 60).await.map_err(|e| e.to_string())?;
    let mut pings = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let started = Instant::now();
        store.ping().await.map_err(|e| e.to_string())?;
        pings.push(started.elapsed().as_secs_f64() * 1e3);
    }
    drop(workers);
    drop(redis);

    let exchanges: Vec<_> = result.conversations.iter().filter_map(|c| c.as_ref().ok()).flatten().collect();
    let column = |f: &dyn Fn(&load::Exchange) -> f64| exchanges.iter().map(|e| f(e)).collect::<Vec<f64>>();
    let mut latencies = column(&|e| e.latency.as_secs_f64() * 1e3);
    let seconds = result.elapsed.as_secs_f64();
    Ok(ScenarioReport {
        tier,
        workers: 2,
        conversations: conversations.len(),
        steps_answered: exchanges.len(),
        seconds,
        steps_per_second: exchanges.len() as f64 / seconds,
        offered_steps_per_second: config.rate,
        latency_ms_p50: load::quantile(&mut latencies, 0.5),
        latency_ms_p99: load::quantile(&mut latencies, 0.99),
        redis_ms_p50: load::quantile(&mut column(&|e| e.redis_ms), 0.5),
        kefu_ms_p50: load::quantile(&mut column(&|e| e.kefu_ms), 0.5),
        redis_ping_ms_p50: load::quantile(&mut pings, 0.5),
        in_process: load::step_cost(&bot, &conversations[..conversations.len().min(200)]),
        retries: result.retries,
        faults: fault_log,
        verdict,
    })
}

type Processes = (RedisProcess, Vec<ServerProcess>, Vec<String>);

/// How far the load is: steps answered of `total`, and whether it has ended.
struct Progress {
    total: usize,
    done: Arc<AtomicUsize>,
    ended: Arc<AtomicBool>,
}

/// With `faults`: at a quarter of the steps, kills worker 2 and restarts it half a second
/// later; at half, restarts Redis; at 70 %, reloads the bot file on worker 1.
async fn inject_faults(
    faults: bool,
    Progress { total, done, ended }: Progress,
    mut redis: RedisProcess,
    mut workers: Vec<ServerProcess>,
    config: LoadConfig,
) -> Result<Processes, String> {
    let mut log = Vec::new();
    if !faults {
        return Ok((redis, workers, log));
    }
    let at = |share: f64| (total as f64 * share) as usize;

    if !wait_for(&done, &ended, at(0.25)).await {
        return Ok((redis, workers, log));
    }
    let mut worker = workers.pop().ok_or("no worker")?;
    log.push(format!("worker 2 killed (SIGKILL) after {} of {total} steps", done.load(Ordering::Relaxed)));
    worker = tokio::task::spawn_blocking(move || {
        worker.kill()?;
        std::thread::sleep(Duration::from_millis(500));
        worker.restart().map(|()| worker)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("restarting worker 2: {e}"))?;
    workers.push(worker);
    log.push(format!("worker 2 restarted after {} steps", done.load(Ordering::Relaxed)));

    if !wait_for(&done, &ended, at(0.5)).await {
        return Ok((redis, workers, log));
    }
    log.push(format!("Redis shut down after {} steps", done.load(Ordering::Relaxed)));
    redis = tokio::task::spawn_blocking(move || redis.restart().map(|()| redis))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("restarting Redis: {e}"))?;
    log.push(format!("Redis restarted after {} steps", done.load(Ordering::Relaxed)));

    if !wait_for(&done, &ended, at(0.7)).await {
        return Ok((redis, workers, log));
    }
    let client = load::client();
    let reloaded = load::send(
        &client,
        config.servers[0],
        "POST",
        &format!("/admin/v1/{}/reload", config.tenant),
        None,
        Vec::new(),
        Duration::from_secs(30),
    )
    .await?;
    if reloaded.0 != 200 {
        return Err(format!("reload answered {}: {}", reloaded.0, String::from_utf8_lossy(&reloaded.2)));
    }
    log.push(format!("bot file reloaded on worker 1 after {} steps", done.load(Ordering::Relaxed)));
    Ok((redis, workers, log))
}
