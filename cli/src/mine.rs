//! `kefu mine LOG --bot BOT`: the turns a bot could not answer, from a log of JSON lines
//! (`Session::log_turn`, e.g. `kefu chat --log`), grouped into candidate intents and FAQ
//! entries written as a bot file to edit; with `--top N`, also the complaint and
//! hot-question TOP-N.

use std::io::Write;
use std::path::{Path, PathBuf};

use kefu_core::{mine, top_topics, TopicKind, TurnLog};

#[derive(clap::Args)]
pub(crate) struct MineArgs {
    /// The log: one `TurnLog` JSON object per line.
    log: PathBuf,
    /// The bot the log is of (its encoder, if any, embeds the lines).
    #[arg(long)]
    bot: PathBuf,
    /// Run on the ONNX or static tier with this encoder (as `kefu chat --encoder`).
    #[arg(long, env = "KEFU_ENCODER_DIR")]
    encoder: Option<PathBuf>,
    /// Where to write the candidates as a bot file (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also print the N most frequent complaint causes and questions (to stderr).
    #[arg(long)]
    top: Option<usize>,
}

/// Reads a log of JSON lines; a line that is not a `TurnLog` is an error naming the line.
pub(crate) fn read_log(path: &Path) -> Result<Vec<TurnLog>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                format!(
                    "{}:{}: {e} (expected one TurnLog JSON object per line, as Session::log_turn writes)",
                    path.display(),
                    i + 1
                )
            })
        })
        .collect()
}

pub(crate) fn run(args: &MineArgs) -> Result<(), String> {
    let bot = crate::load_on(&args.bot, args.encoder.as_deref())?;
    let logs = read_log(&args.log)?;
    let mining = mine(&bot, &logs);
    eprintln!(
        "{} lines, {} unanswered, {} candidates ({} lines)",
        logs.len(),
        mining.unanswered,
        mining.candidates.len(),
        mining.candidates.iter().map(|c| c.lines).sum::<usize>()
    );
    if let Some(n) = args.top {
        for (kind, title) in [(TopicKind::Complaints, "complaints"), (TopicKind::Questions, "questions")] {
            eprintln!("top {n} {title}:");
            for t in top_topics(&bot, &logs, kind, n) {
                eprintln!("  {:>4}  {}  e.g. {}", t.count, t.label, t.examples.join(" | "));
            }
        }
    }
    if mining.candidates.is_empty() {
        eprintln!("no group of {} or more unanswered lines: nothing to write", kefu_core::MIN_CANDIDATE_LINES);
        return Ok(());
    }
    let yaml = mining.to_bot_file();
    match &args.out {
        Some(path) => std::fs::write(path, yaml).map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout().write_all(yaml.as_bytes()).map_err(|e| e.to_string()),
    }
}
