//! `kefu bench-scale`: generated bots of 10 to 10,000 intents and 1,000 to 100,000
//! examples, as a bank's or a large shop's FAQ bot grows (issue 24): load time, peak
//! memory, model size, turn p50 / p99 and the accuracy on held-out generated lines, per
//! shape, written to a JSON report with the growth law of load time fitted.
//!
//! Each intent is a pair of its own words — an action and a thing, two spellings of each,
//! from pools of made-up English words and Chinese two-character words, so intents share
//! words as real ones do — said through carrier phrases common to every intent, half in
//! English, half in Chinese. Held-out lines are drawn the same way with another seed.

use std::path::PathBuf;
use std::time::Instant;

use std::sync::Arc;

use kefu_core::{Bot, Session};
use kefu_onnx::OnnxEncoder;

use crate::rng::Rng;
use serde::Serialize;

#[derive(clap::Args)]
pub(crate) struct BenchScaleArgs {
    /// Shapes to run as INTENTSxEXAMPLES, comma-separated (default: the grid of 10 / 100 /
    /// 1,000 / 10,000 intents and 1k / 10k / 100k examples with two examples per intent or
    /// more, and 10,000 intents of two examples). With several, each runs in a process of
    /// its own, so that one's memory does not count in the next one's peak.
    #[arg(long, value_delimiter = ',')]
    shapes: Vec<String>,
    /// Held-out turns measured per shape.
    #[arg(long, default_value_t = 2000)]
    turns: usize,
    /// Where to write the JSON report.
    #[arg(long, default_value = "reports/bench-scale.json")]
    out: PathBuf,
    /// Measure the ONNX tier with the encoder in this folder (opened before the clock
    /// starts: the load is the examples' embeddings and the training).
    #[arg(long)]
    encoder: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report {
    kefu_version: &'static str,
    git_revision: String,
    tier: &'static str,
    /// ONNX tier: ONNX Runtime sessions the encoder ran side by side.
    #[serde(skip_serializing_if = "Option::is_none")]
    encoder_workers: Option<usize>,
    shapes: Vec<ShapeResult>,
    /// Load time ≈ c · examples^a · intents^b, least squares on logarithms over the shapes
    /// that loaded.
    load_growth: Option<Growth>,
}

#[derive(Serialize, serde::Deserialize)]
struct ShapeResult {
    intents: usize,
    examples: usize,
    /// The error, for a shape the limits refuse.
    refused: Option<String>,
    load_ms: f64,
    /// Peak resident memory of the process from start to loaded (Linux `VmHWM`): the
    /// generated bot file, the bot and the memory training needed.
    peak_mib: Option<f64>,
    model_mib: f64,
    turn_p50_us: f64,
    turn_p99_us: f64,
    /// Share of held-out generated lines whose intent the model ranks first.
    held_out_accuracy: f64,
}

#[derive(Serialize)]
struct Growth {
    c_ms: f64,
    examples_exponent: f64,
    intents_exponent: f64,
}

const EN_TEMPLATES: &[&str] = &[
    "how do i {v} my {n}",
    "i want to {v} the {n}",
    "can you help me {v} my {n}",
    "where can i {v} a {n}",
    "{n} {v} please",
    "is it possible to {v} my {n} today",
    "what is the fee to {v} a {n}",
    "why can't i {v} my {n}",
    "please {v} my {n}",
    "i need to {v} {n} now",
    "help with {n}, i can't {v} it",
    "{v} {n}",
];

const ZH_TEMPLATES: &[&str] = &[
    "我想{v}{n}",
    "怎么{v}{n}",
    "{n}可以{v}吗",
    "请问{n}怎么{v}",
    "帮我{v}一下{n}",
    "{n}{v}要多久",
    "为什么不能{v}{n}",
    "我要{v}我的{n}",
    "{v}{n}需要什么",
    "{n}能不能{v}",
    "如何{v}{n}",
    "{v}{n}",
];

const SYLLABLE_START: &[&str] = &["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st"];
const SYLLABLE_VOWEL: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou"];
const HANZI: &str = "安保办包报备变补查产长场车成充出处传存打单到登等低地点电调定动冻额发法费分服付改高个更工公购关管规国过还行号合和户划换回会活机积级计记加价间检件交缴结借金进经卡开看可客款扣快来理利联量领流路率满贸密免明目能年派配票品平期企起签钱清请取全权认日入商上设申身生时实使市式收手售书数税顺送算台提天条通退外网为位文息销项小效新信修续寻验业移已易银用优邮有余预元员月运账证支知值指置中终重转资自租组";

/// A pool of `n` made-up English words, each distinct.
fn english_words(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(n);
    while words.len() < n {
        let syllables = 2 + rng.below(2);
        let word: String = (0..syllables)
            .map(|_| {
                let s = SYLLABLE_START[rng.below(SYLLABLE_START.len())];
                format!("{s}{}", SYLLABLE_VOWEL[rng.below(SYLLABLE_VOWEL.len())])
            })
            .collect();
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// A pool of `n` Chinese two-character words, each distinct.
fn chinese_words(rng: &mut Rng, n: usize) -> Vec<String> {
    let chars: Vec<char> = HANZI.chars().collect();
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(n);
    while words.len() < n.min(chars.len() * chars.len()) {
        let word: String = [chars[rng.below(chars.len())], chars[rng.below(chars.len())]].iter().collect();
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// An intent: two spellings each of its action and its thing, in each language.
struct IntentWords {
    en: [[usize; 2]; 2],
    zh: [[usize; 2]; 2],
}

struct Generator {
    en_verbs: Vec<String>,
    en_nouns: Vec<String>,
    zh_verbs: Vec<String>,
    zh_nouns: Vec<String>,
    intents: Vec<IntentWords>,
}

impl Generator {
    fn new(intents: usize) -> Generator {
        let mut rng = Rng(0x5EED_0000_0000_0001);
        let (verbs, nouns) = (300, 2 * intents);
        let mut g = Generator {
            en_verbs: english_words(&mut rng, verbs),
            en_nouns: english_words(&mut rng, nouns),
            zh_verbs: chinese_words(&mut rng, verbs),
            zh_nouns: chinese_words(&mut rng, nouns),
            intents: Vec::new(),
        };
        // Actions are shared, common ones by many intents; each intent has things of its own.
        let verbs = |rng: &mut Rng| [rng.skewed(verbs), rng.skewed(verbs)];
        for i in 0..intents {
            let own = [2 * i, 2 * i + 1];
            g.intents.push(IntentWords { en: [verbs(&mut rng), own], zh: [verbs(&mut rng), own] });
        }
        g
    }

    /// A line for intent `i`: English when `english`, else Chinese.
    fn line(&self, rng: &mut Rng, i: usize, english: bool) -> String {
        let w = &self.intents[i];
        let (templates, words, verbs, nouns) = if english {
            (EN_TEMPLATES, &w.en, &self.en_verbs, &self.en_nouns)
        } else {
            (ZH_TEMPLATES, &w.zh, &self.zh_verbs, &self.zh_nouns)
        };
        let template = templates[rng.below(templates.len())];
        let verb = &verbs[words[0][rng.below(2)]];
        let noun = &nouns[words[1][rng.below(2)]];
        template.replace("{v}", verb).replace("{n}", noun)
    }

    fn bot(&self, examples: usize) -> String {
        let mut rng = Rng(0x5EED_0000_0000_0002);
        let per_intent = examples / self.intents.len();
        let mut y = String::from("version: 1\nsettings:\n  confidence_threshold: 0.2\nintents:\n");
        for i in 0..self.intents.len() {
            y.push_str(&format!("  intent{i}:\n    response: {{ en: \"Answer {i}.\" }}\n    examples:\n"));
            // Distinct lines while the templates allow, then repeats (as authors repeat).
            let mut lines = std::collections::HashSet::new();
            for e in 0..per_intent {
                let mut line = self.line(&mut rng, i, e % 2 == 0);
                for _ in 0..8 {
                    if lines.insert(line.clone()) {
                        break;
                    }
                    line = self.line(&mut rng, i, e % 2 == 0);
                }
                y.push_str(&format!("      - \"{line}\"\n"));
            }
        }
        y
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// [`measure`] in a process of its own: this program, asked for one shape.
fn measure_apart(intents: usize, examples: usize, args: &BenchScaleArgs) -> Result<ShapeResult, String> {
    let out = std::env::temp_dir().join(format!("kefu-bench-scale-{}-{intents}x{examples}.json", std::process::id()));
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = std::process::Command::new(exe);
    command.args(["bench-scale", "--shapes", &format!("{intents}x{examples}"), "--turns", &args.turns.to_string()]);
    if let Some(dir) = &args.encoder {
        command.arg("--encoder").arg(dir);
    }
    let status = command
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&out).map_err(|e| format!("shape {intents}x{examples} ({status}): {e}"))?;
    let _ = std::fs::remove_file(&out);
    let mut report: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    serde_json::from_value(report["shapes"][0].take()).map_err(|e| e.to_string())
}

fn measure(intents: usize, examples: usize, turns: usize, encoder: Option<&Arc<OnnxEncoder>>) -> ShapeResult {
    let generator = Generator::new(intents);
    let source = generator.bot(examples);
    let mut result = ShapeResult {
        intents,
        examples,
        refused: None,
        load_ms: 0.0,
        peak_mib: None,
        model_mib: 0.0,
        turn_p50_us: 0.0,
        turn_p99_us: 0.0,
        held_out_accuracy: 0.0,
    };
    let t = Instant::now();
    let loaded = match encoder {
        Some(encoder) => kefu_core::BotLoader::new().encoder(encoder.clone()).from_yaml("scale.yaml", &source),
        None => Bot::from_yaml("scale.yaml", &source),
    };
    let bot = match loaded {
        Ok(bot) => bot,
        Err(e) => {
            result.refused = Some(e.to_string().chars().take(400).collect());
            return result;
        }
    };
    result.load_ms = t.elapsed().as_secs_f64() * 1e3;
    drop(source);
    result.peak_mib = peak_kib().map(|kib| kib as f64 / 1024.0);
    result.model_mib = bot.model_size_bytes() as f64 / (1024.0 * 1024.0);
    let mut rng = Rng(0x7E57_0000_0000_0003);
    let mut times = Vec::with_capacity(turns);
    let mut right = 0;
    for n in 0..turns {
        let i = rng.below(intents);
        let line = generator.line(&mut rng, i, n % 2 == 0);
        let mut session = Session::new(&bot);
        let t = Instant::now();
        let turn = session.turn(&bot, &line);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(turn.ok());
        let expected = format!("intent{i}");
        let analysis = bot.analyze(&line, &kefu_core::TurnContext::default());
        right +=
            usize::from(analysis.ok().and_then(|a| a.ranked.into_iter().next()).is_some_and(|c| c.name == expected));
    }
    times.sort_by(f64::total_cmp);
    result.turn_p50_us = crate::eval::percentile(&times, 0.5);
    result.turn_p99_us = crate::eval::percentile(&times, 0.99);
    result.held_out_accuracy = right as f64 / turns.max(1) as f64;
    result
}

/// Least squares of ln(load) on ln(examples) and ln(intents).
fn fit_growth(shapes: &[ShapeResult]) -> Option<Growth> {
    let points: Vec<[f64; 3]> = shapes
        .iter()
        .filter(|s| s.refused.is_none() && s.load_ms > 0.0)
        .map(|s| [(s.examples as f64).ln(), (s.intents as f64).ln(), s.load_ms.ln()])
        .collect();
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mean = |k: usize| points.iter().map(|p| p[k]).sum::<f64>() / n;
    let (mx, my, mz) = (mean(0), mean(1), mean(2));
    let s = |a: usize, ma: f64, b: usize, mb: f64| points.iter().map(|p| (p[a] - ma) * (p[b] - mb)).sum::<f64>();
    let (sxx, syy, sxy, sxz, syz) =
        (s(0, mx, 0, mx), s(1, my, 1, my), s(0, mx, 1, my), s(0, mx, 2, mz), s(1, my, 2, mz));
    let det = sxx * syy - sxy * sxy;
    if det.abs() < 1e-12 {
        return None;
    }
    let a = (sxz * syy - syz * sxy) / det;
    let b = (syz * sxx - sxz * sxy) / det;
    Some(Growth { c_ms: (mz - a * mx - b * my).exp(), examples_exponent: a, intents_exponent: b })
}

fn parse_shape(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("shape {text:?}: write INTENTSxEXAMPLES, e.g. 1000x10000");
    let (i, e) = text.split_once('x').ok_or_else(bad)?;
    let (i, e) = (i.parse::<usize>().map_err(|_| bad())?, e.parse::<usize>().map_err(|_| bad())?);
    if i < 2 || e < 2 * i {
        return Err(format!("shape {text:?}: at least two intents and two examples per intent"));
    }
    Ok((i, e))
}

pub(crate) fn run(args: &BenchScaleArgs) -> Result<(), String> {
    let shapes: Vec<(usize, usize)> = if args.shapes.is_empty() {
        let mut grid = Vec::new();
        for intents in [10, 100, 1_000, 10_000] {
            for examples in [1_000, 10_000, 100_000] {
                if examples >= 2 * intents {
                    grid.push((intents, examples));
                }
            }
        }
        grid.push((10_000, 20_000));
        grid.sort();
        grid
    } else {
        args.shapes.iter().map(|s| parse_shape(s)).collect::<Result<_, _>>()?
    };
    let mut results = Vec::new();
    let apart = shapes.len() > 1;
    let encoder = match (&args.encoder, apart) {
        (Some(dir), false) => Some(Arc::new(crate::load_encoder(dir)?)),
        _ => None,
    };
    for (intents, examples) in shapes {
        let r = if apart {
            measure_apart(intents, examples, args)?
        } else {
            measure(intents, examples, args.turns, encoder.as_ref())
        };
        match &r.refused {
            Some(e) => println!("{intents:>6} intents × {examples:>6} examples: refused: {e}"),
            None => println!(
                "{intents:>6} intents × {examples:>6} examples: load {:>8.0} ms · peak {:>7} MiB · model {:>6.1} MiB · turn p50 {:>6.1} µs, p99 {:>6.1} µs · held-out {:.1} %",
                r.load_ms,
                r.peak_mib.map_or("?".into(), |m| format!("{m:.0}")),
                r.model_mib,
                r.turn_p50_us,
                r.turn_p99_us,
                r.held_out_accuracy * 100.0
            ),
        }
        results.push(r);
    }
    let load_growth = fit_growth(&results);
    if let Some(g) = &load_growth {
        println!("load ≈ {:.3} ms · examples^{:.2} · intents^{:.2}", g.c_ms, g.examples_exponent, g.intents_exponent);
    }
    let report = Report {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: crate::eval::git_revision(),
        tier: if args.encoder.is_some() { "onnx" } else { "embedded" },
        encoder_workers: encoder.as_ref().map(|e| e.workers()),
        shapes: results,
        load_growth,
    };
    crate::eval::write_json(&args.out, &report)?;
    eprintln!("report written to {}", args.out.display());
    Ok(())
}
