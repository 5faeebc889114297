//! `kefu eval --mining`: the knowledge-gap mining protocol (#27). A fifth of each dataset's
//! intents (every fifth by name, from the third) is hidden from the bot; the bot — a bot
//! file of the known intents' training examples and no out-of-scope list, as authors write
//! them — answers the first half of the test split (even positions), each line in a new
//! session; its unanswered lines are mined; the candidates are accepted as new intents as
//! the patch writes them; the retrained bot answers the second half (odd positions), which
//! mining never saw. Reports the grouping of the hidden intents' unanswered lines (adjusted
//! Rand index), the hidden intents' recall after the patch (a line counts when it lands on
//! a candidate whose mined lines were mostly its intent), and the known intents' accuracy
//! before and after. `--mining-split validation` runs the same on the validation split (the
//! development part, for choices) where the dataset has one.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use kefu_core::{adjusted_rand_index, mine_with, Bot, Group, Session, TurnLog};
use serde::Serialize;

use super::loaders::{self, Example};

/// The datasets of the protocol.
pub(crate) const DATASETS: &[&str] = &["clinc150", "banking77", "smp2017"];

#[derive(Debug, Serialize)]
struct MiningRun {
    kefu_version: &'static str,
    git_revision: String,
    tier: &'static str,
    split: String,
    limit: Option<usize>,
    total_seconds: f64,
    datasets: Vec<DatasetMining>,
}

#[derive(Debug, Serialize)]
struct DatasetMining {
    dataset: &'static str,
    intents: usize,
    hidden_intents: Vec<String>,
    /// Lines replayed for mining, and how many the bot left unanswered.
    mined_lines: usize,
    unanswered: usize,
    /// Of the hidden intents' lines in the mining half, the share the bot left unanswered.
    hidden_unanswered: f64,
    /// Per grouping threshold: the grouping of the hidden intents' unanswered lines.
    thresholds: Vec<ThresholdResult>,
    /// The threshold the report's patch used (the core's default for the tier).
    threshold: f32,
    candidates: usize,
    /// Of the hidden intents' lines in the evaluation half, the share that lands on a
    /// candidate mined mostly from their own intent, after the patch.
    hidden_recall_after: f64,
    /// The hidden intents' lines that missed after the patch: still unanswered, taken by a
    /// known intent, taken by another intent's candidate.
    hidden_misses_after: [usize; 3],
    /// The known intents' accuracy on the evaluation half, before and after the patch.
    known_accuracy_before: f64,
    known_accuracy_after: f64,
    /// Seconds to mine the logged lines (grouping included, embedding excluded).
    mining_seconds: f64,
    /// Every line of the mining half grouped as TOP-N topics: purity against the gold
    /// intents, and how many groups.
    topics_purity: f64,
    topics: usize,
    /// Seconds to mine 10,000 logged lines all unanswered (lexical vectors); full runs only.
    mine_10k_seconds: Option<f64>,
    /// A few candidates as mined: label, lines, examples.
    sample_candidates: Vec<(String, usize, Vec<String>)>,
}

#[derive(Debug, Serialize)]
struct ThresholdResult {
    threshold: f32,
    adjusted_rand_index: f64,
    candidates: usize,
}

/// A bot file of `examples`' intents (names kept as the dataset spells them, made safe).
fn bot_file(name: &str, examples: &[&Example], extra: &[(String, Vec<String>)]) -> String {
    let mut by_intent: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for e in examples {
        by_intent.entry(safe_name(&e.intent)).or_default().push(&e.text);
    }
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = format!("version: 1\nname: {}\nintents:\n", quote(name));
    // A bot file's intent needs two examples (a subset may leave one).
    for (intent, texts) in by_intent.iter().filter(|(_, t)| t.len() >= 2) {
        out.push_str(&format!("  {}:\n    examples:\n", quote(intent)));
        for t in texts {
            out.push_str(&format!("      - {}\n", quote(t)));
        }
    }
    for (intent, texts) in extra {
        out.push_str(&format!("  {}:\n    examples:\n", quote(intent)));
        for t in texts {
            out.push_str(&format!("      - {}\n", quote(t)));
        }
    }
    out
}

fn safe_name(label: &str) -> String {
    label.chars().map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}

fn load(name: &str, source: &str, encoder: Option<&Arc<dyn kefu_core::SentenceEncoder>>) -> Result<Bot, String> {
    match encoder {
        None => Bot::from_yaml(name, source),
        Some(e) => crate::compile_on_encoder(name, source, Arc::clone(e), &[]),
    }
    .map_err(|e| format!("{name}: {e}"))
}

/// One line in a new session: its log line (masked, ranked, what came of it).
fn replay(bot: &Bot, text: &str) -> Result<TurnLog, String> {
    let mut session = Session::new(bot);
    let turn = session.turn(bot, text).map_err(|e| format!("{text:?}: {e}"))?;
    Ok(session.log_turn(&turn))
}

pub(crate) fn run(
    data_root: &Path,
    only: &[String],
    limit: Option<usize>,
    encoder: Option<Arc<dyn kefu_core::SentenceEncoder>>,
    split: &str,
    thresholds: &[f32],
    out: &Path,
) -> Result<(), String> {
    let started = Instant::now();
    let tier = encoder.as_ref().map_or("embedded", |e| e.tier().code());
    let mut reports = Vec::new();
    for &name in DATASETS {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let data = loaders::load(name, data_root, limit)?;
        let lines = match split {
            "test" => &data.test,
            "validation" if !data.validation.is_empty() => &data.validation,
            "validation" => continue,
            other => return Err(format!("--mining-split {other:?}: use test or validation")),
        };
        eprintln!("[{name}] {tier} tier, {split} split");
        reports.push(run_dataset(name, &data.train, lines, encoder.as_ref(), thresholds, limit.is_none())?);
    }
    if reports.is_empty() {
        return Err(format!("no dataset of the protocol matched {only:?}; choose from {}", DATASETS.join(", ")));
    }
    let report = MiningRun {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: super::git_revision(),
        tier,
        split: split.to_string(),
        limit,
        total_seconds: started.elapsed().as_secs_f64(),
        datasets: reports,
    };
    for d in &report.datasets {
        let best = d.thresholds.iter().find(|t| t.threshold == d.threshold).map_or(0.0, |t| t.adjusted_rand_index);
        eprintln!(
            "{:<10} ARI {:.3} · hidden recall after {:.1} % · known accuracy {:.2} → {:.2} % · {} candidates · mined in {:.2} s · topics purity {:.3} ({} groups of {} lines)",
            d.dataset,
            best,
            d.hidden_recall_after * 100.0,
            d.known_accuracy_before * 100.0,
            d.known_accuracy_after * 100.0,
            d.candidates,
            d.mining_seconds,
            d.topics_purity,
            d.topics,
            d.mined_lines
        );
    }
    super::write_json(out, &report)?;
    eprintln!("report written to {} ({:.1} s)", out.display(), report.total_seconds);
    Ok(())
}

fn run_dataset(
    name: &'static str,
    train: &[Example],
    lines: &[Example],
    encoder: Option<&Arc<dyn kefu_core::SentenceEncoder>>,
    thresholds: &[f32],
    full: bool,
) -> Result<DatasetMining, String> {
    let mut intents: Vec<&str> = train.iter().map(|e| e.intent.as_str()).collect();
    intents.sort_unstable();
    intents.dedup();
    let hidden: Vec<&str> = intents.iter().copied().skip(2).step_by(5).collect();
    let is_hidden = |intent: &str| hidden.contains(&intent);
    let known: Vec<&Example> = train.iter().filter(|e| !is_hidden(&e.intent)).collect();
    let bot = load(&format!("{name}-known.yaml"), &bot_file(name, &known, &[]), encoder)?;

    let mining_half: Vec<&Example> = lines.iter().step_by(2).collect();
    let eval_half: Vec<&Example> = lines.iter().skip(1).step_by(2).collect();
    let mut progress = crate::progress::Progress::new("replaying", mining_half.len());
    let mut logs = Vec::with_capacity(mining_half.len());
    for e in &mining_half {
        logs.push(replay(&bot, &e.text)?);
        progress.step();
    }
    progress.finish();
    let picked: Vec<usize> = (0..logs.len()).filter(|&i| logs[i].unanswered()).collect();
    let texts: Vec<&str> = picked.iter().map(|&i| logs[i].text.as_str()).collect();
    // Every logged line embedded once (the TOP-N groups them all; mining its unanswered ones).
    let all_texts: Vec<&str> = logs.iter().map(|l| l.text.as_str()).collect();
    let all_embeddings: Option<Vec<Vec<f32>>> = match encoder {
        Some(e) => {
            Some(all_texts.iter().map(|t| e.embed(t)).collect::<kefu_core::Result<_>>().map_err(|e| e.to_string())?)
        }
        None => None,
    };
    let embeddings: Option<Vec<Vec<f32>>> =
        all_embeddings.as_ref().map(|all| picked.iter().map(|&i| all[i].clone()).collect());
    // Speed: 10,000 logged lines, every one unanswered (the worst case), mined on the
    // embedded tier's lexical vectors.
    // Only on full runs: a short run's lines repeated are no measure.
    let mine_10k_seconds = full.then(|| {
        let many: Vec<&str> = lines.iter().map(|e| e.text.as_str()).cycle().take(10_000).collect();
        let origin: Vec<usize> = (0..many.len()).collect();
        let t0 = Instant::now();
        std::hint::black_box(mine_with(&many, None, kefu_core::MINING_THRESHOLD_LEXICAL, &origin));
        t0.elapsed().as_secs_f64()
    });
    // TOP-N: every line of the mining half grouped as operators' topics, against gold.
    let default = kefu_core::grouping_threshold(encoder.is_some());
    let topics = kefu_core::group(&all_texts, all_embeddings.as_deref(), default);
    let all_gold: Vec<&str> = mining_half.iter().map(|e| e.intent.as_str()).collect();
    let topics_purity = kefu_core::purity(&topics, &all_gold);
    let topics_count = topics.len();
    let hidden_lines = mining_half.iter().filter(|e| is_hidden(&e.intent)).count();
    let hidden_picked: Vec<usize> = (0..picked.len()).filter(|&k| is_hidden(&mining_half[picked[k]].intent)).collect();

    let mut sweep: Vec<f32> = thresholds.to_vec();
    if !sweep.contains(&default) {
        sweep.push(default);
    }
    let mut results = Vec::new();
    let mut chosen = None;
    let mut mining_seconds = 0.0;
    for &t in &sweep {
        let t0 = Instant::now();
        let mining = mine_with(&texts, embeddings.as_deref(), t, &picked);
        let seconds = t0.elapsed().as_secs_f64();
        // The grouping of the hidden intents' unanswered lines: candidates restricted to
        // them (a line in no candidate is a group of its own).
        let position: HashMap<usize, usize> = hidden_picked.iter().enumerate().map(|(k, &p)| (picked[p], k)).collect();
        let groups: Vec<Group> = mining
            .candidates
            .iter()
            .map(|c| {
                let members: Vec<usize> = c.members.iter().filter_map(|m| position.get(m).copied()).collect();
                kefu_core::Group::new(c.label.clone(), members)
            })
            .collect();
        let gold: Vec<&str> = hidden_picked.iter().map(|&p| mining_half[picked[p]].intent.as_str()).collect();
        results.push(ThresholdResult {
            threshold: t,
            adjusted_rand_index: adjusted_rand_index(&groups, &gold),
            candidates: mining.candidates.len(),
        });
        if t == default {
            mining_seconds = seconds;
            chosen = Some(mining);
        }
    }
    results.sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
    let mining = chosen.unwrap_or_else(|| mine_with(&[], None, default, &[]));

    // Accept the patch as written (its examples), retrain, and answer the other half.
    let majority: Vec<String> = mining
        .candidates
        .iter()
        .map(|c| {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for &m in &c.members {
                *counts.entry(mining_half[m].intent.as_str()).or_default() += 1;
            }
            counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(k, _)| k.to_string())
                .unwrap_or_default()
        })
        .collect();
    let extra: Vec<(String, Vec<String>)> =
        mining.candidates.iter().map(|c| (c.name.clone(), c.examples.clone())).collect();
    let patched = load(&format!("{name}-patched.yaml"), &bot_file(name, &known, &extra), encoder)?;

    let (mut known_n, mut known_before, mut known_after, mut hidden_n, mut hidden_hit) = (0, 0, 0, 0, 0);
    // The hidden intents' lines after the patch that miss: unanswered, on a known intent,
    // on another intent's candidate.
    let mut hidden_where = [0usize; 3];
    let mut progress = crate::progress::Progress::new("scoring", eval_half.len());
    for e in &eval_half {
        let after = replay(&patched, &e.text)?.intent;
        if is_hidden(&e.intent) {
            hidden_n += 1;
            let landed = after.as_ref().and_then(|a| mining.candidates.iter().position(|c| &c.name == a));
            hidden_hit += usize::from(landed.is_some_and(|k| majority[k] == e.intent));
            match (&after, landed) {
                (None, _) => hidden_where[0] += 1,
                (Some(_), None) => hidden_where[1] += 1,
                (Some(_), Some(k)) if majority[k] != e.intent => hidden_where[2] += 1,
                _ => {}
            }
        } else {
            known_n += 1;
            let want = safe_name(&e.intent);
            known_before += usize::from(replay(&bot, &e.text)?.intent.as_deref() == Some(&want));
            known_after += usize::from(after.as_deref() == Some(&want));
        }
        progress.step();
    }
    progress.finish();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Ok(DatasetMining {
        dataset: name,
        intents: intents.len(),
        hidden_intents: hidden.iter().map(|s| s.to_string()).collect(),
        mined_lines: logs.len(),
        unanswered: picked.len(),
        hidden_unanswered: ratio(hidden_picked.len(), hidden_lines),
        thresholds: results,
        threshold: default,
        candidates: mining.candidates.len(),
        hidden_recall_after: ratio(hidden_hit, hidden_n),
        hidden_misses_after: hidden_where,
        known_accuracy_before: ratio(known_before, known_n),
        known_accuracy_after: ratio(known_after, known_n),
        mining_seconds,
        topics_purity,
        topics: topics_count,
        mine_10k_seconds,
        sample_candidates: mining
            .candidates
            .iter()
            .take(5)
            .map(|c| (c.label.clone(), c.lines, c.examples.iter().take(3).cloned().collect()))
            .collect(),
    })
}
