//! `kefu eval --knowledge DIR`: a help centre (the documents of DIR/help) and customer
//! questions labelled with the passages that answer them, or as unanswerable
//! (DIR/questions.yaml; every third question, from the first, is the development part).
//! Scores, per part: the right passage first and among three; answer precision, coverage
//! and declined unanswerable questions at the bot's threshold and along a sweep of
//! thresholds; time per question; and load time, time per question and index size with
//! the documents repeated to over 1,000 passages.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use kefu_core::{Bot, BotLoader, Citation, Document};
use serde::{Deserialize, Serialize};

use super::{percentile, write_json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    questions: Vec<Question>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Question {
    q: String,
    /// `document#heading` of each passage that answers it; empty: unanswerable.
    a: Vec<String>,
}

/// One question's outcome.
struct Scored {
    answerable: bool,
    right_first: bool,
    right_in_top3: bool,
    /// Answerability score of the first passage (0 when none was found).
    score: f32,
    micros: f64,
}

/// Answer precision, coverage and declined unanswerable questions at one threshold.
#[derive(Debug, Serialize, Clone, Copy)]
struct AtThreshold {
    threshold: f32,
    /// Of the questions answered, the share answered with a right passage.
    precision: f64,
    /// Of the answerable questions, the share answered.
    coverage: f64,
    /// Of the answerable questions, the share answered with a right passage.
    answered_right: f64,
    /// Of the unanswerable questions, the share declined.
    unanswerable_declined: f64,
}

#[derive(Debug, Serialize)]
struct SplitReport {
    questions: usize,
    answerable: usize,
    unanswerable: usize,
    /// Of the answerable questions, the share whose first passage is a right one.
    right_first: f64,
    right_in_top3: f64,
    /// At the bot's threshold.
    at_threshold: AtThreshold,
    /// The lowest threshold at which at least 80 % of the answerable questions are
    /// answered, and what it gives: the operating point.
    at_80_coverage: Option<AtThreshold>,
    sweep: Vec<AtThreshold>,
    question_p50_us: f64,
    question_p99_us: f64,
    misses: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ScaleReport {
    documents: usize,
    passages: usize,
    load_ms: f64,
    question_p50_us: f64,
    question_p99_us: f64,
    index_bytes: usize,
}

#[derive(Debug, Serialize)]
struct Report {
    kefu_version: &'static str,
    git_revision: String,
    set: String,
    tier: &'static str,
    documents: usize,
    passages: usize,
    threshold: f32,
    load_ms: f64,
    index_bytes: usize,
    /// Quoted answers whose citations are not the document's text at their span.
    citation_mismatches: usize,
    splits: BTreeMap<&'static str, SplitReport>,
    scale: ScaleReport,
}

/// What the Python peers read (tools/peers/knowledge.py): every passage as kefu cut it,
/// with its label, and every question with its part.
#[derive(Serialize)]
struct Dump<'a> {
    passages: Vec<DumpedPassage>,
    questions: Vec<(&'static str, &'a Question)>,
}

#[derive(Serialize)]
struct DumpedPassage {
    label: String,
    /// Title, headings and text, as kefu indexes them.
    text: String,
}

pub(crate) fn run(dir: &Path, encoder: Option<&Path>, out: &Path, dump: Option<&Path>) -> Result<(), String> {
    let documents = read_documents(&dir.join("help"))?;
    let path = dir.join("questions.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: QuestionFile = serde_yaml::from_str(&text)
        .map_err(|e| format!("{}: {e} (expected questions: a list of {{ q, a }})", path.display()))?;
    let questions = file.questions;
    let encoder = encoder.map(crate::load_any_encoder).transpose()?;
    let started = Instant::now();
    let bot = help_bot(&documents, encoder.clone())?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    if let Some(dump_dir) = dump {
        let questions = questions.iter().enumerate().map(|(i, q)| (split_of(i), q)).collect();
        let passages =
            bot.knowledge_passages().iter().map(|c| DumpedPassage { label: label(c), text: indexed_text(c) }).collect();
        write_json(&dump_dir.join("knowledge.json"), &Dump { passages, questions })?;
    }
    let threshold = bot.knowledge_threshold().unwrap_or(0.0);
    let mut scored: BTreeMap<&'static str, Vec<Scored>> = BTreeMap::new();
    let mut misses: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (i, question) in questions.iter().enumerate() {
        let split = split_of(i);
        let t = Instant::now();
        let hits = bot.search_knowledge(&question.q, 3).map_err(|e| e.to_string())?;
        let micros = t.elapsed().as_secs_f64() * 1e6;
        let labels: Vec<String> = hits.iter().map(|h| label(&h.passage)).collect();
        let right = |l: &String| question.a.contains(l);
        let s = Scored {
            answerable: !question.a.is_empty(),
            right_first: labels.first().is_some_and(right),
            right_in_top3: labels.iter().any(right),
            score: hits.first().map_or(0.0, |h| h.score),
            micros,
        };
        let answered = answers(s.score, threshold);
        if (s.answerable && !(s.right_first && answered)) || (!s.answerable && answered) {
            let first = labels.first().map_or("nothing", String::as_str);
            misses.entry(split).or_default().push(format!(
                "{:?}: first {first} ({:.3}{}), expected {:?}",
                question.q,
                s.score,
                if answered { ", answered" } else { ", declined" },
                question.a
            ));
        }
        scored.entry(split).or_default().push(s);
    }
    let citation_mismatches = check_citations(&bot, &documents, &questions)?;
    let mut splits = BTreeMap::new();
    for (split, results) in &scored {
        let report = split_report(results, threshold, misses.remove(split).unwrap_or_default());
        println!(
            "{split}: {} questions ({} unanswerable): right passage first {:.1} %, in the top three {:.1} %; at threshold {threshold:.2}: precision {:.1} %, coverage {:.1} %, unanswerable declined {:.1} %; p50 {:.0} µs",
            report.questions,
            report.unanswerable,
            report.right_first * 100.0,
            report.right_in_top3 * 100.0,
            report.at_threshold.precision * 100.0,
            report.at_threshold.coverage * 100.0,
            report.at_threshold.unanswerable_declined * 100.0,
            report.question_p50_us
        );
        if let Some(p) = &report.at_80_coverage {
            println!(
                "  at 80 % coverage (threshold {:.3}): precision {:.1} %, unanswerable declined {:.1} %",
                p.threshold,
                p.precision * 100.0,
                p.unanswerable_declined * 100.0
            );
        }
        splits.insert(*split, report);
    }
    let scale = scale(&documents, &questions, encoder)?;
    println!(
        "scale: {} passages load in {:.0} ms, question p50 {:.0} µs, index {:.0} KiB",
        scale.passages,
        scale.load_ms,
        scale.question_p50_us,
        scale.index_bytes as f64 / 1024.0
    );
    let report = Report {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: super::git_revision(),
        set: dir.display().to_string(),
        tier: bot.tier().code(),
        documents: documents.len(),
        passages: bot.knowledge_passages().len(),
        threshold,
        load_ms,
        index_bytes: bot.knowledge_size_bytes(),
        citation_mismatches,
        splits,
        scale,
    };
    write_json(out, &report)?;
    eprintln!("report written to {}", out.display());
    if citation_mismatches > 0 {
        return Err(format!("{citation_mismatches} citations do not match their document's text"));
    }
    Ok(())
}

/// Every third question, from the first, is the development part.
fn split_of(i: usize) -> &'static str {
    match i % 3 {
        0 => "dev",
        _ => "test",
    }
}

fn label(passage: &Citation) -> String {
    format!("{}#{}", passage.document, passage.heading.last().map_or("", String::as_str))
}

fn indexed_text(passage: &Citation) -> String {
    format!("{} {} {}", passage.title, passage.heading.join(" "), passage.text)
}

/// The Markdown and text files of `dir`, by name.
fn read_documents(dir: &Path) -> Result<Vec<Document>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".md") || n.ends_with(".txt"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).map_err(|e| format!("cannot read {name}: {e}"))?;
            Ok(Document { name, text })
        })
        .collect()
}

/// A bot of nothing but these documents, on the encoder's tier if one is given.
fn help_bot(
    documents: &[Document],
    encoder: Option<std::sync::Arc<dyn kefu_core::SentenceEncoder>>,
) -> Result<Bot, String> {
    let mut yaml = String::from("version: 1\nname: help-centre\nknowledge:\n  documents:\n");
    for d in documents {
        yaml.push_str(&format!("    - name: {:?}\n", d.name));
    }
    let loader = BotLoader::new().documents(documents);
    let loader = match encoder {
        Some(e) => loader.encoder(e),
        None => loader,
    };
    loader.from_yaml("help-centre.yaml", &yaml).map_err(|e| e.to_string())
}

/// Runs every question through a session and counts quoted citations whose text is not
/// the document's characters at their span.
fn check_citations(bot: &Bot, documents: &[Document], questions: &[Question]) -> Result<usize, String> {
    let mut mismatches = 0;
    for question in questions {
        let mut session = kefu_core::Session::new(bot);
        let turn = session.turn(bot, &question.q).map_err(|e| e.to_string())?;
        for c in &turn.citations {
            let doc = documents.iter().find(|d| d.name == c.document);
            let text: Option<String> = doc.map(|d| d.text.chars().skip(c.start).take(c.end - c.start).collect());
            if text.as_deref() != Some(c.text.as_str()) || !turn.replies.iter().any(|r| r.contains(&c.text)) {
                mismatches += 1;
            }
        }
    }
    Ok(mismatches)
}

/// Whether the bot answers a question whose first passage scored `score` (a question
/// with no passage at all is never answered).
fn answers(score: f32, threshold: f32) -> bool {
    score > 0.0 && score >= threshold
}

fn at(results: &[Scored], threshold: f32) -> AtThreshold {
    let answerable = results.iter().filter(|s| s.answerable).count().max(1) as f64;
    let unanswerable = results.iter().filter(|s| !s.answerable).count().max(1) as f64;
    let answered: Vec<&Scored> = results.iter().filter(|s| answers(s.score, threshold)).collect();
    let right = answered.iter().filter(|s| s.answerable && s.right_first).count() as f64;
    let declined = results.iter().filter(|s| !s.answerable && !answers(s.score, threshold)).count() as f64;
    AtThreshold {
        threshold,
        precision: if answered.is_empty() { 1.0 } else { right / answered.len() as f64 },
        coverage: answered.iter().filter(|s| s.answerable).count() as f64 / answerable,
        answered_right: right / answerable,
        unanswerable_declined: declined / unanswerable,
    }
}

fn split_report(results: &[Scored], threshold: f32, misses: Vec<String>) -> SplitReport {
    let answerable: Vec<&Scored> = results.iter().filter(|s| s.answerable).collect();
    let share = |n: usize| n as f64 / answerable.len().max(1) as f64;
    let sweep: Vec<AtThreshold> = (0..=40).map(|i| at(results, i as f32 * 0.025)).collect();
    // The operating point: the highest threshold that still answers 80 % of the answerable.
    let mut scores: Vec<f32> = answerable.iter().map(|s| s.score).collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    let at_80 = scores.get((answerable.len() as f64 * 0.8).ceil() as usize - 1).map(|&t| at(results, t));
    let mut times: Vec<f64> = results.iter().map(|s| s.micros).collect();
    times.sort_by(f64::total_cmp);
    SplitReport {
        questions: results.len(),
        answerable: answerable.len(),
        unanswerable: results.len() - answerable.len(),
        right_first: share(answerable.iter().filter(|s| s.right_first).count()),
        right_in_top3: share(answerable.iter().filter(|s| s.right_in_top3).count()),
        at_threshold: at(results, threshold),
        at_80_coverage: at_80,
        sweep,
        question_p50_us: percentile(&times, 0.5),
        question_p99_us: percentile(&times, 0.99),
        misses,
    }
}

/// The documents repeated (under other names) to over 1,000 passages: load time, time per
/// question and index size at the scale.
fn scale(
    documents: &[Document],
    questions: &[Question],
    encoder: Option<std::sync::Arc<dyn kefu_core::SentenceEncoder>>,
) -> Result<ScaleReport, String> {
    let passages_per_copy = help_bot(documents, None)?.knowledge_passages().len().max(1);
    let copies = 1000usize.div_ceil(passages_per_copy);
    let many: Vec<Document> = (0..copies)
        .flat_map(|c| {
            documents.iter().map(move |d| Document { name: format!("copy{c}/{}", d.name), text: d.text.clone() })
        })
        .collect();
    let started = Instant::now();
    let bot = help_bot(&many, encoder)?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut times = Vec::with_capacity(questions.len());
    for question in questions {
        let t = Instant::now();
        bot.search_knowledge(&question.q, 3).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    Ok(ScaleReport {
        documents: many.len(),
        passages: bot.knowledge_passages().len(),
        load_ms,
        question_p50_us: percentile(&times, 0.5),
        question_p99_us: percentile(&times, 0.99),
        index_bytes: bot.knowledge_size_bytes(),
    })
}
