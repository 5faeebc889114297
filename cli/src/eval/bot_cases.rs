//! `kefu eval --bot BOT --cases FILE`: scores a bot on labelled utterances it was not
//! trained on, through the whole dialogue core (rules, model, FAQ, out-of-scope), one fresh
//! session per utterance. Writes a JSON report and an HTML page with per-intent F1 bars and
//! a confusion matrix.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use kefu_core::{Bot, Choice, Language, Session, Signal};
use serde::{Deserialize, Serialize};

use super::{confusions, git_revision, percentile, write_json};
use crate::progress::Progress;

/// The label of an utterance the bot should not understand.
const OUT_OF_SCOPE: &str = "(out of scope)";

/// One labelled utterance of the cases file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    text: String,
    /// Expected intent (`faq/<id>` for an FAQ entry); `~` when out of scope.
    intent: Option<String>,
}

#[derive(Serialize)]
struct IntentScore {
    intent: String,
    support: usize,
    precision: f64,
    recall: f64,
    f1: f64,
}

#[derive(Serialize)]
struct Miss {
    text: String,
    expected: String,
    predicted: String,
}

#[derive(Serialize)]
struct BotReport {
    kefu_version: &'static str,
    git_revision: String,
    bot: String,
    cases: String,
    tier: &'static str,
    utterances: usize,
    accuracy: f64,
    macro_f1: f64,
    turn_p50_us: f64,
    per_intent: Vec<IntentScore>,
    /// (expected, predicted) → count, most frequent first.
    confusions: Vec<(String, String, usize)>,
    misses: Vec<Miss>,
    clarification: ClarificationScores,
    /// Cases that are texts the bot trains on: they measure how well it recalls its own
    /// examples, not how it generalises, so held-out cases should have none.
    cases_in_bot_file: Vec<String>,
}

pub(crate) fn run(bot_path: &Path, cases_path: &Path, encoder: Option<&Path>, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(cases_path).map_err(|e| format!("cannot read {}: {e}", cases_path.display()))?;
    let cases: Vec<Case> = serde_yaml::from_str(&text).map_err(|e| {
        format!(
            "{}: {e} (expected a list of {{ text: …, intent: … }}; `intent: ~` for out of scope)",
            cases_path.display()
        )
    })?;
    if cases.is_empty() {
        return Err(format!("{}: no cases", cases_path.display()));
    }
    let bot = crate::load_on(bot_path, encoder)?;
    check_labels(&bot, &cases, cases_path)?;

    let mut progress = Progress::new("scoring", cases.len());
    let mut predicted = Vec::with_capacity(cases.len());
    let mut micros = Vec::with_capacity(cases.len());
    let mut clarified = Vec::with_capacity(cases.len());
    for case in &cases {
        let mut session = Session::new(&bot);
        let started = Instant::now();
        let mut turn = session.turn(&bot, &case.text).map_err(|e| format!("{:?}: {e}", case.text))?;
        micros.push(started.elapsed().as_secs_f64() * 1e6);
        let choices = turn.signals.iter().find_map(|s| match s {
            Signal::ClarificationRequested { choices } => Some(choices.clone()),
            _ => None,
        });
        if let Some(choices) = &choices {
            let answer = scripted_answer(choices, case.intent.as_deref(), turn.language);
            turn = session.turn(&bot, answer).map_err(|e| format!("{answer:?}: {e}"))?;
        }
        clarified.push(choices.is_some());
        predicted.push(turn.intent.map_or_else(|| OUT_OF_SCOPE.to_string(), |i| i.name));
        progress.step();
    }
    progress.finish();
    micros.sort_by(f64::total_cmp);

    let expected: Vec<String> =
        cases.iter().map(|c| c.intent.clone().unwrap_or_else(|| OUT_OF_SCOPE.to_string())).collect();
    let mut report = score(&cases, &expected, &predicted, percentile(&micros, 0.5));
    report.clarification = clarification_scores(&expected, &predicted, &clarified);
    report.bot = bot_path.display().to_string();
    report.cases = cases_path.display().to_string();
    report.tier = bot.tier().code();
    report.cases_in_bot_file = cases.iter().filter(|c| bot.trains_on(&c.text)).map(|c| c.text.clone()).collect();
    write_json(out, &report)?;
    let html = out.with_extension("html");
    std::fs::write(&html, render_html(&report, &expected, &predicted))
        .map_err(|e| format!("cannot write {}: {e}", html.display()))?;
    let c = &report.clarification;
    println!(
        "{}: {} utterances, accuracy {:.1} %, macro F1 {:.1} %, {} misses; {} clarified ({} then right), out of scope rejected {:.1} %",
        report.bot,
        report.utterances,
        report.accuracy * 100.0,
        report.macro_f1 * 100.0,
        report.misses.len(),
        c.asked,
        c.right_after,
        c.out_of_scope_rejected * 100.0
    );
    for miss in &report.misses {
        println!("  {:?}: expected {}, got {}", miss.text, miss.expected, miss.predicted);
    }
    for text in &report.cases_in_bot_file {
        eprintln!("warning: case {text:?} is a text of the bot file; a held-out case should not be");
    }
    eprintln!("report written to {} and {}", out.display(), html.display());
    Ok(())
}

/// Every expected label must be an intent or FAQ entry of the bot: a typo would otherwise
/// count as the bot's mistake.
fn check_labels(bot: &Bot, cases: &[Case], path: &Path) -> Result<(), String> {
    let known: BTreeSet<String> =
        bot.intent_names().map(str::to_string).chain(bot.spec().faq.keys().map(|id| format!("faq/{id}"))).collect();
    let unknown: BTreeSet<&str> =
        cases.iter().filter_map(|c| c.intent.as_deref()).filter(|i| !known.contains(*i)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}: unknown intents {unknown:?}; use an intent of the bot, `faq/<id>` for an FAQ entry, or `~` for out of scope",
        path.display()
    ))
}

/// The scores; the caller fills in which bot, cases file and tier they belong to.
fn score(cases: &[Case], expected: &[String], predicted: &[String], turn_p50_us: f64) -> BotReport {
    let labels: BTreeSet<&str> = expected.iter().chain(predicted).map(String::as_str).collect();
    let mut per_intent = Vec::new();
    for label in &labels {
        let support = expected.iter().filter(|e| e == label).count();
        let guessed = predicted.iter().filter(|p| p == label).count();
        let right = expected.iter().zip(predicted).filter(|(e, p)| e == label && p == label).count();
        let precision = ratio(right, guessed);
        let recall = ratio(right, support);
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        if support > 0 {
            per_intent.push(IntentScore { intent: label.to_string(), support, precision, recall, f1 });
        }
    }
    let (accuracy, confusions) =
        confusions(expected.iter().map(String::as_str).zip(predicted.iter().map(String::as_str)));
    let misses = cases
        .iter()
        .zip(expected.iter().zip(predicted))
        .filter(|(_, (e, p))| e != p)
        .map(|(case, (e, p))| Miss { text: case.text.clone(), expected: e.clone(), predicted: p.clone() })
        .collect();
    BotReport {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: git_revision(),
        bot: String::new(),
        cases: String::new(),
        tier: "",
        utterances: cases.len(),
        accuracy,
        macro_f1: per_intent.iter().map(|s| s.f1).sum::<f64>() / per_intent.len().max(1) as f64,
        turn_p50_us,
        per_intent,
        confusions,
        misses,
        clarification: ClarificationScores::default(),
        cases_in_bot_file: Vec::new(),
    }
}

/// How often the bot asked which intent was meant. A case it asked about counts as right
/// in `accuracy` when the scripted answer ([`scripted_answer`]) led to the expected intent
/// (or, out of scope, to a fallback).
#[derive(Serialize, Default)]
struct ClarificationScores {
    /// Cases where the bot asked.
    asked: usize,
    /// Share of cases where it asked.
    rate: f64,
    /// Cases it asked about and then got right.
    right_after: usize,
    /// Out-of-scope cases that fell back at once, without a question: the strict
    /// rejection rate.
    out_of_scope_rejected: f64,
}

fn clarification_scores(expected: &[String], predicted: &[String], clarified: &[bool]) -> ClarificationScores {
    let asked = clarified.iter().filter(|&&c| c).count();
    let right_after = (0..expected.len()).filter(|&i| clarified[i] && expected[i] == predicted[i]).count();
    let oos: Vec<usize> = (0..expected.len()).filter(|&i| expected[i] == OUT_OF_SCOPE).collect();
    let rejected = oos.iter().filter(|&&i| !clarified[i] && predicted[i] == OUT_OF_SCOPE).count();
    ClarificationScores {
        asked,
        rate: ratio(asked, expected.len()),
        right_after,
        out_of_scope_rejected: ratio(rejected, oos.len()),
    }
}

/// What a customer who meant `expected` answers when offered `choices`: its ordinal, or
/// "neither" when it is not among them.
fn scripted_answer(choices: &[Choice], expected: Option<&str>, language: Language) -> &'static str {
    let at = expected.and_then(|e| choices.iter().position(|c| c.intent == e));
    match (language, at) {
        (Language::Zh, Some(0)) => "第一个",
        (Language::Zh, Some(1)) => "第二个",
        (Language::Zh, Some(_)) => "第三个",
        (Language::Zh, None) => "都不是",
        (Language::En, Some(0)) => "the first one",
        (Language::En, Some(1)) => "the second one",
        (Language::En, Some(_)) => "the third one",
        (Language::En, None) => "neither",
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// A self-contained page (no scripts, no external files): summary, per-intent F1 bars,
/// the confusion matrix with cells shaded by count, and the misses.
fn render_html(r: &BotReport, expected: &[String], predicted: &[String]) -> String {
    let labels: Vec<&str> =
        expected.iter().chain(predicted).map(String::as_str).collect::<BTreeSet<_>>().into_iter().collect();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (e, p) in expected.iter().zip(predicted) {
        *counts.entry((e, p)).or_default() += 1;
    }
    let peak = counts.values().copied().max().unwrap_or(1) as f64;

    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><meta charset=utf-8><title>kefu eval: {bot}</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ddd;padding:2px 6px;text-align:right}}th{{background:#f4f4f4}}\
         .bar{{background:#4a7;height:12px}}.label{{text-align:left;white-space:nowrap}}\
         .matrix th.col{{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left}}</style>\
         <h1>{bot}</h1><p>{n} utterances from {cases}, {tier} tier, revision {rev}: \
         accuracy <b>{acc:.1} %</b>, macro F1 <b>{f1:.1} %</b>, turn p50 {p50:.0} µs.</p>",
        bot = escape(&r.bot),
        cases = escape(&r.cases),
        n = r.utterances,
        tier = r.tier,
        rev = escape(&r.git_revision),
        acc = r.accuracy * 100.0,
        f1 = r.macro_f1 * 100.0,
        p50 = r.turn_p50_us,
    );
    h.push_str(
        "<h2>Per-intent F1</h2><table><tr><th class=label>intent<th>support<th>precision<th>recall<th>F1<th></tr>",
    );
    for s in &r.per_intent {
        let _ = write!(
            h,
            "<tr><td class=label>{}<td>{}<td>{:.2}<td>{:.2}<td>{:.2}<td style=width:200px><div class=bar style=width:{:.0}%></div></tr>",
            escape(&s.intent),
            s.support,
            s.precision,
            s.recall,
            s.f1,
            s.f1 * 100.0
        );
    }
    h.push_str(
        "</table><h2>Confusion matrix</h2><p>Rows: expected; columns: predicted.</p><table class=matrix><tr><th>",
    );
    for p in &labels {
        let _ = write!(h, "<th class=col>{}", escape(p));
    }
    for e in &labels {
        let _ = write!(h, "<tr><th class=label>{}", escape(e));
        for p in &labels {
            match counts.get(&(*e, *p)) {
                Some(&n) => {
                    let shade = 0.15 + 0.85 * n as f64 / peak;
                    let hue = if e == p { "40,150,90" } else { "210,60,50" };
                    let _ = write!(h, "<td style=background:rgba({hue},{shade:.2})>{n}");
                }
                None => h.push_str("<td>"),
            }
        }
    }
    h.push_str("</table><h2>Misses</h2><table><tr><th class=label>utterance<th class=label>expected<th class=label>predicted</tr>");
    for m in &r.misses {
        let _ = write!(
            h,
            "<tr><td class=label>{}<td class=label>{}<td class=label>{}</tr>",
            escape(&m.text),
            escape(&m.expected),
            escape(&m.predicted)
        );
    }
    h.push_str("</table>\n");
    h
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
