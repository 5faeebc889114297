//! `kefu eval --bot BOT --agent-lines FILE`: customer lines said while an agent has the
//! conversation, each with the suggestions an agent could send as they are. Counts, per
//! split, the lines with one of them among the three suggested, and the time per line
//! (each line said in [`TIMED_RUNS`] sessions: the median, and the first alone).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use kefu_core::Session;
use serde::{Deserialize, Serialize};

use super::{percentile, write_json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    split: String,
    text: String,
    /// Suggestion ids an agent could send as they are.
    acceptable: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
struct SplitScores {
    lines: usize,
    /// Share of lines with an acceptable suggestion among the three.
    acceptable_in_top3: f64,
    /// Share with one first.
    acceptable_first: f64,
    /// Time of the customer's turn during the agent session, median over lines of each
    /// line's median of [`TIMED_RUNS`] sessions, µs.
    turn_p50_us: f64,
    /// The same over each line's first session alone (colder caches), µs.
    turn_p50_first_us: f64,
    misses: Vec<String>,
}

/// A split's counts while the lines are said.
#[derive(Default)]
struct Tally {
    scores: SplitScores,
    /// Lines with an acceptable reply in the top three, and first.
    top3: usize,
    first: usize,
    /// Per line, the median of its sessions' times and its first session's, µs.
    times: Vec<f64>,
    first_times: Vec<f64>,
}

#[derive(Debug, Serialize)]
struct Report {
    kefu_version: &'static str,
    git_revision: String,
    bot: String,
    lines: String,
    tier: &'static str,
    splits: BTreeMap<String, SplitScores>,
}

/// How many times each line is said (in a session of its own) to time it.
const TIMED_RUNS: usize = 5;

pub(crate) fn run(bot_path: &Path, lines_path: &Path, encoder: Option<&Path>, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(lines_path).map_err(|e| format!("cannot read {}: {e}", lines_path.display()))?;
    let lines: Vec<Line> = serde_yaml::from_str(&text)
        .map_err(|e| format!("{}: {e} (expected a list of {{ split, text, acceptable }})", lines_path.display()))?;
    let bot = crate::load_on(bot_path, encoder)?;
    let mut splits: BTreeMap<String, Tally> = BTreeMap::new();
    for line in &lines {
        // Each line said in a few sessions of its own: its time is the median of those, so
        // that one interruption of a noisy machine does not stand for the line.
        let mut runs = Vec::with_capacity(TIMED_RUNS);
        let mut turn = None;
        for _ in 0..TIMED_RUNS {
            let mut session = Session::new(&bot);
            session.turn(&bot, "转人工").map_err(|e| e.to_string())?;
            if session.state() != &kefu_core::DialogueState::WithAgent {
                return Err("the bot did not hand off on 转人工: the set needs a bot that does".into());
            }
            let started = Instant::now();
            turn = Some(session.turn(&bot, &line.text).map_err(|e| format!("{:?}: {e}", line.text))?);
            runs.push(started.elapsed().as_secs_f64() * 1e6);
        }
        let turn = turn.expect("at least one run");
        let first_run = runs[0];
        runs.sort_by(f64::total_cmp);
        let micros = runs[runs.len() / 2];
        let tally = splits.entry(line.split.clone()).or_default();
        tally.scores.lines += 1;
        tally.times.push(micros);
        tally.first_times.push(first_run);
        let ids: Vec<&str> = turn.suggestions.iter().map(|s| s.id.as_str()).collect();
        let ok = |id: &&str| line.acceptable.iter().any(|a| a == id);
        if ids.iter().any(ok) {
            tally.top3 += 1;
        } else {
            tally.scores.misses.push(format!("{:?}: suggested {ids:?}, acceptable {:?}", line.text, line.acceptable));
        }
        tally.first += usize::from(ids.first().is_some_and(ok));
    }
    let mut report_splits = BTreeMap::new();
    for (split, mut tally) in splits {
        tally.times.sort_by(f64::total_cmp);
        tally.first_times.sort_by(f64::total_cmp);
        let mut scores = tally.scores;
        scores.turn_p50_first_us = percentile(&tally.first_times, 0.5);
        scores.acceptable_in_top3 = tally.top3 as f64 / scores.lines.max(1) as f64;
        scores.acceptable_first = tally.first as f64 / scores.lines.max(1) as f64;
        scores.turn_p50_us = percentile(&tally.times, 0.5);
        println!(
            "{split}: {} lines, acceptable in the top three {:.1} %, first {:.1} %, turn p50 {:.1} µs ({:.1} µs on first saying)",
            scores.lines,
            scores.acceptable_in_top3 * 100.0,
            scores.acceptable_first * 100.0,
            scores.turn_p50_us,
            scores.turn_p50_first_us
        );
        // The test part's misses stay in the report: read on the console, they would steer.
        for m in scores.misses.iter().filter(|_| split != "test") {
            println!("  {m}");
        }
        report_splits.insert(split, scores);
    }
    let report = Report {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: super::git_revision(),
        bot: bot_path.display().to_string(),
        lines: lines_path.display().to_string(),
        tier: bot.tier().code(),
        splits: report_splits,
    };
    write_json(out, &report)?;
    eprintln!("report written to {}", out.display());
    Ok(())
}
