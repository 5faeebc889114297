//! `kefu bench-limits`: a bot generated at every per-turn limit of the bot file (entity
//! values, fuzzy values, regex entities — each matching everywhere —, intent patterns,
//! slots) and turns of the longest length, in Chinese, English and digits: load time and
//! the time of each kind of turn, written to a JSON report. The worst case the limits allow.

use std::path::PathBuf;
use std::time::Instant;

use kefu_core::botfile::{MAX_ENTITY_VALUES, MAX_FUZZY_VALUES, MAX_PATTERNS, MAX_REGEX_ENTITIES, MAX_SLOTS};
use kefu_core::{Bot, Session, MAX_UTTERANCE_CHARS};
use serde::Serialize;

#[derive(clap::Args)]
pub(crate) struct BenchLimitsArgs {
    /// Turns of each kind.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Where to write the JSON report.
    #[arg(long, default_value = "reports/bench-limits.json")]
    out: PathBuf,
}

#[derive(Serialize)]
struct Report {
    kefu_version: &'static str,
    git_revision: String,
    bot: BotShape,
    load_ms: f64,
    /// Per kind of turn: median and slowest, in milliseconds.
    turns: Vec<TurnTimes>,
}

#[derive(Serialize)]
struct BotShape {
    file_bytes: usize,
    entity_values_and_synonyms: usize,
    fuzzy_values_and_synonyms: usize,
    regex_entities: usize,
    intent_patterns: usize,
    slots_of_one_intent: usize,
}

#[derive(Serialize)]
struct TurnTimes {
    turn: &'static str,
    chars: usize,
    p50_ms: f64,
    max_ms: f64,
}

/// The bot file at the limits (each value and its one synonym count two).
fn worst_case_bot() -> String {
    let mut y = String::from("version: 1\nentities:\n  catalog:\n    values:\n");
    for i in 0..(MAX_ENTITY_VALUES - MAX_FUZZY_VALUES) / 2 {
        y.push_str(&format!("      c{i}: [item{i}zz]\n"));
    }
    y.push_str("  gadget:\n    fuzzy: 0.5\n    values:\n");
    for i in 0..MAX_FUZZY_VALUES / 2 {
        y.push_str(&format!("      g{i}: [gadget{i}thing]\n"));
    }
    // Patterns that match everywhere, so each search may read to the end of the text.
    for i in 0..MAX_REGEX_ENTITIES {
        y.push_str(&format!("  code{i}:\n    regex: '\\w*[^\\w\\s]{i}|\\w'\n"));
    }
    y.push_str("intents:\n  order:\n    examples: [查订单, where is my order]\n    patterns: [");
    let patterns: Vec<String> = (0..MAX_PATTERNS).map(|i| format!("'\\w*z{i}'")).collect();
    y.push_str(&patterns.join(", "));
    y.push_str("]\n    slots:\n");
    for i in 0..MAX_SLOTS {
        y.push_str(&format!("      s{i}:\n        entity: code{}\n", i % MAX_REGEX_ENTITIES));
    }
    y.push_str("  hi:\n    examples: [你好, hello there]\n");
    y
}

pub(crate) fn run(args: &BenchLimitsArgs) -> Result<(), String> {
    let source = worst_case_bot();
    let t = Instant::now();
    let bot = Bot::from_yaml("limits.yaml", &source).map_err(|e| e.to_string())?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let n = MAX_UTTERANCE_CHARS;
    let words = ["where", "is", "my", "gadget12thing", "gadgt7thin", "item5zz", "order", "please"];
    let english: String = words.iter().cycle().flat_map(|w| w.chars().chain([' '])).take(n).collect();
    let turns: [(&'static str, String); 4] = [
        ("Chinese, one character repeated", "啊".repeat(n)),
        ("English words and catalogue names", english),
        ("digits", "1234567890".chars().cycle().take(n).collect()),
        ("letters and punctuation", "ab,".chars().cycle().take(n).collect()),
    ];
    let mut times = Vec::new();
    for (name, text) in turns {
        let mut ms: Vec<f64> = (0..args.rounds.max(1))
            .map(|_| {
                let mut session = Session::new(&bot);
                let t = Instant::now();
                std::hint::black_box(session.turn(&bot, &text).ok());
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        times.push(TurnTimes {
            turn: name,
            chars: text.chars().count(),
            p50_ms: ms[ms.len() / 2],
            max_ms: ms[ms.len() - 1],
        });
    }
    let report = Report {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: crate::eval::git_revision(),
        bot: BotShape {
            file_bytes: source.len(),
            entity_values_and_synonyms: MAX_ENTITY_VALUES,
            fuzzy_values_and_synonyms: MAX_FUZZY_VALUES,
            regex_entities: MAX_REGEX_ENTITIES,
            intent_patterns: MAX_PATTERNS,
            slots_of_one_intent: MAX_SLOTS,
        },
        load_ms,
        turns: times,
    };
    println!("bot at the limits: load {:.0} ms", report.load_ms);
    for t in &report.turns {
        println!("  {} ({} chars): p50 {:.1} ms, max {:.1} ms", t.turn, t.chars, t.p50_ms, t.max_ms);
    }
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, json + "\n").map_err(|e| format!("{}: {e}", args.out.display()))?;
    Ok(())
}
