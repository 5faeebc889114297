//! The server bench: `kefu-server-load --out reports/server.json` starts Redis and two
//! workers on loopback, sends the scripted conversations, checks every transcript against
//! a replay and writes turns per second, latency and where the time goes, per tier.

use std::path::PathBuf;

use clap::Parser;
use kefu_server::harness::redis_server_binary;
use kefu_server::scenario::{self, ScenarioConfig};

#[derive(Parser)]
#[command(about = "Load (and fault) test of kefu-server; writes a JSON report.")]
struct Args {
    /// The bot every conversation talks to.
    #[arg(long, default_value = "examples/bots/shop.yaml")]
    bot: PathBuf,
    /// The scripted conversations.
    #[arg(long, default_value = "examples/server/conversations.txt")]
    scripts: PathBuf,
    /// The tiers to run, each a static table or an ONNX encoder folder or bundle
    /// (`kefu-server --encoder`); `embedded` for the embedded tier. Comma-separated.
    #[arg(long, default_value = "embedded", value_delimiter = ',')]
    tiers: Vec<String>,
    /// Conversations at once.
    #[arg(long, default_value_t = 1_000)]
    conversations: usize,
    /// Steps per conversation (scripts in a row, the last one cut short).
    #[arg(long, default_value_t = 30)]
    steps: usize,
    /// Steps per second offered across all conversations (0: as fast as answered); a
    /// comma-separated list runs each in turn.
    #[arg(long, default_value = "5000", value_delimiter = ',')]
    rate: Vec<f64>,
    /// Kill and restart a worker, restart Redis and reload the bot during the run.
    #[arg(long)]
    faults: bool,
    #[arg(long)]
    out: Option<PathBuf>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match run(args).await {
        Ok(clean) => std::process::exit(if clean { 0 } else { 1 }),
        Err(message) => {
            eprintln!("kefu-server-load: {message}");
            std::process::exit(2);
        }
    }
}

async fn run(args: Args) -> Result<bool, String> {
    let redis_binary = redis_server_binary().ok_or("no redis-server on PATH (apt-get install redis-server)")?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let server_binary = exe.with_file_name("kefu-server");
    let scripts = std::fs::read_to_string(&args.scripts).map_err(|e| format!("{}: {e}", args.scripts.display()))?;
    let mut runs = Vec::new();
    let tiers = args.tiers.iter().map(|t| (t != "embedded").then(|| PathBuf::from(t)));
    let runs_to_do = tiers.flat_map(|encoder| args.rate.iter().map(move |&rate| (encoder.clone(), rate)));
    for (i, (encoder, rate)) in runs_to_do.enumerate() {
        let config = ScenarioConfig {
            server_binary: server_binary.clone(),
            redis_binary: redis_binary.clone(),
            work_dir: std::env::temp_dir().join(format!("kefu-server-load-{}-{i}", std::process::id())),
            bot_file: args.bot.clone(),
            encoder,
            scripts: scripts.clone(),
            conversations: args.conversations,
            steps_per_conversation: args.steps,
            rate,
            faults: args.faults,
        };
        let work_dir = config.work_dir.clone();
        let report = scenario::run(config).await;
        let _ = std::fs::remove_dir_all(work_dir);
        let report = report?;
        eprintln!(
            "{}: {:.0} steps/s (offered {:.0}), p50 {:.2} ms, p99 {:.2} ms; {:?}",
            report.tier,
            report.steps_per_second,
            report.offered_steps_per_second,
            report.latency_ms_p50,
            report.latency_ms_p99,
            report.verdict
        );
        runs.push(report);
    }
    let clean = runs.iter().all(|r| r.verdict.is_clean());
    let report = serde_json::json!({
        "what": "kefu-server: two workers and Redis on loopback, scripted conversations (examples/server/conversations.txt) on the sample bot",
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "runs": runs,
    });
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    match &args.out {
        Some(path) => std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(clean)
}
