//! `kefu eval`: trains the embedded tier on each benchmark dataset's train split, scores its
//! test split, and writes a JSON report and a table. Loaders read the files as published.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use kefu_core::TextClassifier;
use serde::Serialize;

mod loaders;

use loaders::{Dataset, Example};

#[derive(clap::Args)]
pub(crate) struct EvalArgs {
    /// Folder holding the datasets (snips/, atis/, …).
    #[arg(long, default_value = "../shared/datasets", env = "KEFU_DATASETS")]
    data: PathBuf,
    /// Comma-separated datasets to run (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Use at most this many examples per split (a quick check that the loaders work).
    #[arg(long)]
    limit: Option<usize>,
    /// Where to write the JSON report.
    #[arg(long, default_value = "reports/eval.json")]
    out: PathBuf,
}

/// One dataset's scores.
#[derive(Debug, Serialize)]
pub(crate) struct DatasetReport {
    dataset: String,
    language: &'static str,
    tier: &'static str,
    train_examples: usize,
    test_examples: usize,
    intents: usize,
    intent_accuracy: f64,
    /// CLINC150 only: in-scope accuracy and OOS recall at the threshold chosen on validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    out_of_scope: Option<OosReport>,
    train_seconds: f64,
    model_bytes: usize,
    predict_p50_us: f64,
    predict_p99_us: f64,
    /// `(expected, predicted, count)`, most frequent first.
    top_confusions: Vec<(String, String, usize)>,
}

#[derive(Debug, Serialize)]
struct OosReport {
    threshold: f32,
    in_scope_accuracy: f64,
    oos_recall: f64,
    chosen_on: &'static str,
}

#[derive(Debug, Serialize)]
struct Report {
    kefu_version: &'static str,
    git_revision: String,
    limit: Option<usize>,
    total_seconds: f64,
    datasets: Vec<DatasetReport>,
}

pub(crate) fn run(args: &EvalArgs) -> Result<(), String> {
    let started = Instant::now();
    let mut reports = Vec::new();
    for name in loaders::ALL {
        if !args.only.is_empty() && !args.only.iter().any(|o| o == name) {
            continue;
        }
        eprint!("[{name}] loading… ");
        let data = loaders::load(name, &args.data, args.limit)?;
        eprint!("training on {} … ", data.train.len());
        let report = evaluate(&data);
        eprintln!("accuracy {:.2} %", report.intent_accuracy * 100.0);
        reports.push(report);
    }
    if reports.is_empty() {
        return Err(format!("no dataset matched {:?}; choose from {}", args.only, loaders::ALL.join(", ")));
    }
    print_table(&reports);
    let report = Report {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: git_revision(),
        limit: args.limit,
        total_seconds: started.elapsed().as_secs_f64(),
        datasets: reports,
    };
    write_json(&args.out, &report)?;
    eprintln!("report written to {} ({:.1} s)", args.out.display(), report.total_seconds);
    Ok(())
}

pub(crate) fn write_json(path: &Path, value: &impl Serialize) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub(crate) fn git_revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(|| "unknown".into(), |o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn evaluate(data: &Dataset) -> DatasetReport {
    let t0 = Instant::now();
    let model = TextClassifier::train(data.train.iter().map(|e| (e.text.as_str(), e.intent.as_str())));
    let train_seconds = t0.elapsed().as_secs_f64();
    let (accuracy, confusions, mut latencies) = score(&model, &data.test);
    latencies.sort_by(f64::total_cmp);
    let out_of_scope = (!data.oos_test.is_empty()).then(|| choose_threshold(&model, data));
    DatasetReport {
        dataset: data.name.to_string(),
        language: data.language,
        tier: "embedded",
        train_examples: data.train.len(),
        test_examples: data.test.len(),
        intents: model.labels().len(),
        intent_accuracy: accuracy,
        out_of_scope,
        train_seconds,
        model_bytes: model.size_bytes(),
        predict_p50_us: percentile(&latencies, 0.5),
        predict_p99_us: percentile(&latencies, 0.99),
        top_confusions: confusions,
    }
}

/// Accuracy, the most frequent confusions and per-utterance latencies (µs).
fn score(model: &TextClassifier, test: &[Example]) -> (f64, Vec<(String, String, usize)>, Vec<f64>) {
    let mut correct = 0;
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut latencies = Vec::with_capacity(test.len());
    for e in test {
        let t = Instant::now();
        let best = model.rank(&e.text, 1);
        latencies.push(t.elapsed().as_secs_f64() * 1e6);
        let predicted = best.first().map_or("", |c| c.name.as_str());
        if predicted == e.intent {
            correct += 1;
        } else {
            *confusions.entry((e.intent.clone(), predicted.to_string())).or_default() += 1;
        }
    }
    let mut top: Vec<_> = confusions.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    top.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    top.truncate(10);
    (correct as f64 / test.len().max(1) as f64, top, latencies)
}

/// Picks the confidence threshold on the validation split: the one with the best in-scope
/// accuracy among those reaching 85 % OOS recall (or the best mean of the two if none
/// does), then reports it on the test split.
fn choose_threshold(model: &TextClassifier, data: &Dataset) -> OosReport {
    let best = |examples: &[Example]| -> Vec<(String, f32)> {
        examples
            .iter()
            .map(|e| model.rank(&e.text, 1).into_iter().next().map_or((String::new(), 0.0), |c| (c.name, c.confidence)))
            .collect()
    };
    let val_in = best(&data.validation);
    let val_oos = best(&data.oos_validation);
    let rates = |threshold: f32, ins: &[(String, f32)], in_gold: &[Example], oos: &[(String, f32)]| {
        let in_ok = ins.iter().zip(in_gold).filter(|((p, c), g)| *c >= threshold && *p == g.intent).count();
        let oos_ok = oos.iter().filter(|(_, c)| *c < threshold).count();
        (in_ok as f64 / ins.len().max(1) as f64, oos_ok as f64 / oos.len().max(1) as f64)
    };
    let candidates: Vec<f32> = (1..100).map(|i| i as f32 / 100.0).collect();
    let scored: Vec<(f32, f64, f64)> = candidates
        .iter()
        .map(|&t| {
            let (a, r) = rates(t, &val_in, &data.validation, &val_oos);
            (t, a, r)
        })
        .collect();
    let threshold = scored
        .iter()
        .filter(|(_, _, r)| *r >= 0.85)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .or_else(|| scored.iter().max_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2))))
        .map_or(0.5, |s| s.0);
    let (in_scope_accuracy, oos_recall) = rates(threshold, &best(&data.test), &data.test, &best(&data.oos_test));
    OosReport { threshold, in_scope_accuracy, oos_recall, chosen_on: "validation" }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn print_table(reports: &[DatasetReport]) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<12} {:>4} {:>7} {:>6} {:>9} {:>8} {:>9} {:>10}  out-of-scope",
        "dataset", "lang", "train", "test", "accuracy", "train s", "model KiB", "p50 µs"
    );
    for r in reports {
        let oos = r.out_of_scope.as_ref().map_or(String::new(), |o| {
            format!(
                "in-scope {:.1} % / OOS recall {:.1} % @ {:.2}",
                o.in_scope_accuracy * 100.0,
                o.oos_recall * 100.0,
                o.threshold
            )
        });
        let _ = writeln!(
            out,
            "{:<12} {:>4} {:>7} {:>6} {:>8.2}% {:>8.2} {:>9.0} {:>10.1}  {oos}",
            r.dataset,
            r.language,
            r.train_examples,
            r.test_examples,
            r.intent_accuracy * 100.0,
            r.train_seconds,
            r.model_bytes as f64 / 1024.0,
            r.predict_p50_us,
        );
    }
}
