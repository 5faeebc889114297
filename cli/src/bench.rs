//! `kefu bench`: per-turn latency (p50, p99) on a bot, load + train time, and throughput
//! with N threads sharing one `Bot`; writes a JSON report.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use kefu_core::Session;
use serde::Serialize;

#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    /// Bot file to measure.
    #[arg(default_value = "examples/bots/shop.yaml")]
    bot: PathBuf,
    /// Rounds over the utterance set (each round turns every utterance once).
    #[arg(long, default_value_t = 200)]
    rounds: usize,
    /// Threads for the throughput run.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Where to write the JSON report.
    #[arg(long, default_value = "reports/bench.json")]
    out: PathBuf,
    /// Measure the ONNX tier with the encoder in this folder, next to ONNX Runtime's own
    /// session time for the same utterances; or the static tier with this table file.
    #[arg(long)]
    encoder: Option<PathBuf>,
}

/// Customer utterances of about 20 characters in both languages, in and out of scope.
const UTTERANCES: &[&str] = &[
    "我的订单12345678到哪了",
    "运费多少，满多少包邮",
    "我要退款，东西质量太差",
    "where is my order 12345678",
    "how much is shipping",
    "I want to return an item",
    "转人工",
    "量子力学的波函数坍缩",
];

#[derive(Debug, Serialize)]
struct Report {
    kefu_version: &'static str,
    git_revision: String,
    tier: &'static str,
    bot: String,
    load_and_train_ms_median: f64,
    /// The same bot loaded from its compiled bytes (`kefu compile`) on the same tier: no
    /// parsing, no training (the ONNX tier still embeds the examples).
    load_compiled_ms_median: f64,
    compiled_bytes: usize,
    turn_p50_us: f64,
    turn_p99_us: f64,
    turns_measured: usize,
    threads: usize,
    throughput_turns_per_s: f64,
    /// Throughput with `threads` threads over that with one.
    threads_over_one_thread: f64,
    wasm: Option<serde_json::Value>,
    /// Sizes from `bindings/build-mobile`, when it has run.
    mobile: Option<serde_json::Value>,
    /// Built-in and custom entity extraction alone, per utterance (median, µs).
    entities_p50_us: f64,
    /// Peak resident memory of the whole bench process (Linux `VmHWM`), in KiB.
    peak_rss_kib: Option<u64>,
    /// ONNX tier: ONNX Runtime's `run` alone for the same utterances, and the ratio of
    /// kefu's turn p50 to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    onnx_session_run_p50_us: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    onnx_turn_over_session_run: Option<f64>,
    /// Static tier: the table's sentence vector alone (tokenizing and summing), p50 in µs.
    #[serde(skip_serializing_if = "Option::is_none")]
    static_vector_p50_us: Option<f64>,
}

pub(crate) fn run(args: &BenchArgs) -> Result<(), String> {
    let mut loads = Vec::new();
    let mut bot = None;
    let encoder = args.encoder.as_deref();
    // The ONNX tier's load takes seconds: once is enough. Others (the static tier's
    // includes reading its table) take milliseconds: the median of five.
    let mut runs = 5;
    while loads.len() < runs {
        let t = Instant::now();
        let loaded = crate::load_on(&args.bot, encoder)?;
        loads.push(t.elapsed().as_secs_f64() * 1e3);
        if loaded.tier() == kefu_core::Tier::Onnx {
            runs = 1;
        }
        bot = Some(loaded);
    }
    let bot = Arc::new(bot.ok_or("no bot")?);
    let compiled = bot.to_compiled(true);
    let mut compiled_loads = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(crate::load_compiled("bench.kefubot", &compiled, encoder)?);
        compiled_loads.push(t.elapsed().as_secs_f64() * 1e3);
    }
    compiled_loads.sort_by(f64::total_cmp);
    let mut latencies = Vec::with_capacity(args.rounds * UTTERANCES.len());
    for _ in 0..args.rounds {
        // A new session per round, so forms and handoffs start over as in real traffic.
        let mut session = Session::new(&bot);
        for u in UTTERANCES {
            let t = Instant::now();
            let turn = session.turn(&bot, u).map_err(|e| e.to_string())?;
            latencies.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(turn);
            let _ = session.agent_finished(&bot);
        }
    }
    let throughput = throughput_of(&bot, args.threads.max(1), args.rounds);
    let one_thread = throughput_of(&bot, 1, args.rounds);
    loads.sort_by(f64::total_cmp);
    latencies.sort_by(f64::total_cmp);
    let pct = |q: f64| crate::eval::percentile(&latencies, q);
    let entities_p50_us = entities_p50(&bot, args.rounds);
    let session_run = match encoder {
        Some(dir) if bot.tier() == kefu_core::Tier::Onnx => Some(session_run_p50(dir, args.rounds)?),
        _ => None,
    };
    let static_vector_p50_us = match encoder {
        Some(path) if bot.tier() == kefu_core::Tier::Static => Some(vector_p50(path, args.rounds)?),
        _ => None,
    };
    let sizes = |path: &str| std::fs::read_to_string(path).ok().and_then(|s| serde_json::from_str(&s).ok());
    let wasm = sizes("wasm/pkg/size.json");
    let mobile = sizes("target/mobile/size.json");
    let report = Report {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: crate::eval::git_revision(),
        tier: bot.tier().code(),
        bot: args.bot.display().to_string(),
        load_and_train_ms_median: loads[loads.len() / 2],
        load_compiled_ms_median: compiled_loads[compiled_loads.len() / 2],
        compiled_bytes: compiled.len(),
        turn_p50_us: pct(0.5),
        turn_p99_us: pct(0.99),
        turns_measured: latencies.len(),
        threads: args.threads,
        throughput_turns_per_s: throughput,
        threads_over_one_thread: throughput / one_thread,
        wasm,
        mobile,
        entities_p50_us,
        peak_rss_kib: peak_rss_kib(),
        onnx_session_run_p50_us: session_run,
        onnx_turn_over_session_run: session_run.map(|s| pct(0.5) / s),
        static_vector_p50_us,
    };
    println!(
        "bot {}: load+train {:.1} ms · turn p50 {:.1} µs, p99 {:.1} µs · {} threads: {:.0} turns/s ({:.2} × one thread) · peak RSS {} KiB",
        report.bot,
        report.load_and_train_ms_median,
        report.turn_p50_us,
        report.turn_p99_us,
        report.threads,
        report.throughput_turns_per_s,
        report.threads_over_one_thread,
        report.peak_rss_kib.map_or("?".into(), |k| k.to_string()),
    );
    println!(
        "compiled ({} bytes): load {:.1} ms · entity extraction alone: p50 {:.1} µs per utterance",
        report.compiled_bytes, report.load_compiled_ms_median, report.entities_p50_us
    );
    if let (Some(s), Some(r)) = (report.onnx_session_run_p50_us, report.onnx_turn_over_session_run) {
        println!("ONNX Runtime session.run alone: p50 {s:.1} µs; kefu's turn is {r:.2} × that");
    }
    if let Some(v) = report.static_vector_p50_us {
        println!("static table's sentence vector alone: p50 {v:.1} µs");
    }
    crate::eval::write_json(&args.out, &report)?;
    eprintln!("report written to {}", args.out.display());
    Ok(())
}

/// Turns per second with `threads` threads sharing one bot, each turning the bench
/// utterances `rounds` times.
fn throughput_of(bot: &Arc<kefu_core::Bot>, threads: usize, rounds: usize) -> f64 {
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let bot = Arc::clone(bot);
            std::thread::spawn(move || {
                let mut n = 0usize;
                for _ in 0..rounds {
                    let mut session = Session::new(&bot);
                    for u in UTTERANCES {
                        std::hint::black_box(session.turn(&bot, u).ok());
                        let _ = session.agent_finished(&bot);
                        n += 1;
                    }
                }
                n
            })
        })
        .collect();
    let total: usize = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    total as f64 / started.elapsed().as_secs_f64()
}

/// ONNX Runtime's `run` time (p50, µs) for the bench utterances, on a separate encoder so
/// the bot's own is not shared.
fn session_run_p50(dir: &std::path::Path, rounds: usize) -> Result<f64, String> {
    let encoder = crate::load_encoder(dir)?;
    let mut times = Vec::with_capacity(rounds * UTTERANCES.len());
    for _ in 0..rounds {
        for u in UTTERANCES {
            let (_, took) = encoder.embed_timed(u).map_err(|e| e.to_string())?;
            times.push(took.as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The static table's sentence vector time (p50, µs) for the bench utterances.
fn vector_p50(path: &std::path::Path, rounds: usize) -> Result<f64, String> {
    let table = crate::load_any_encoder(path)?;
    let mut times = Vec::with_capacity(rounds * UTTERANCES.len());
    for _ in 0..rounds {
        for u in UTTERANCES {
            let t = Instant::now();
            std::hint::black_box(table.embed(u).map_err(|e| e.to_string())?);
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Peak resident set size from `/proc/self/status` (Linux); `None` elsewhere.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Entity extraction (built-in and the bot's own, dates resolved) per utterance, p50 in µs.
fn entities_p50(bot: &kefu_core::Bot, rounds: usize) -> f64 {
    let now = kefu_core::ReferenceTime { unix_seconds: 1_795_226_400, utc_offset_minutes: 480 };
    let mut times = Vec::with_capacity(rounds * UTTERANCES.len());
    for _ in 0..rounds {
        for u in UTTERANCES {
            let t = Instant::now();
            std::hint::black_box(bot.extract_entities(u, Some(now)));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    crate::eval::percentile(&times, 0.5)
}
