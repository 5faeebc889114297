//! `kefu`: chat with a bot, validate and inspect bot files, evaluate and benchmark.

mod bench;
mod bench_limits;
mod bench_scale;
mod chat;
mod eval;
mod mine;
mod progress;
mod rng;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kefu_core::Bot;
use kefu_onnx::OnnxEncoder;

#[derive(Parser)]
#[command(name = "kefu", version, about = "On-device customer-service bots in Chinese and English")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Chat with a bot: interactive on a terminal, or one utterance per line from stdin.
    Chat {
        /// Bot file (YAML or JSON), or a compiled bot (`kefu compile`).
        bot: PathBuf,
        /// Print each turn as one JSON line instead of text.
        #[arg(long)]
        json: bool,
        /// Append each turn's log line (masked, for `kefu mine`) to this file.
        #[arg(long)]
        log: Option<PathBuf>,
        /// Run on the ONNX tier with the encoder in this folder (`model.onnx`,
        /// `tokenizer.json`; ONNX Runtime is found through KEFU_ONNXRUNTIME) or model
        /// bundle, or on the static tier with this static embedding table (tools/build-static).
        #[arg(long, env = "KEFU_ENCODER_DIR")]
        encoder: Option<PathBuf>,
    },
    /// Check a bot file and list every problem with its line.
    Validate {
        /// Bot file (YAML or JSON).
        bot: PathBuf,
    },
    /// Show a bot's intents, example counts, model size and fallback threshold.
    Inspect {
        /// Bot file (YAML or JSON).
        bot: PathBuf,
        /// Inspect it on the ONNX tier with the encoder in this folder.
        #[arg(long, env = "KEFU_ENCODER_DIR")]
        encoder: Option<PathBuf>,
    },
    /// Train and score a tier on the benchmark datasets; write a JSON report.
    Eval(Box<eval::EvalArgs>),
    /// Group the lines a bot could not answer, from a log of turns, into candidate intents
    /// and FAQ entries, written as a bot file to edit.
    Mine(mine::MineArgs),
    /// Measure turn latency, load time and throughput on a bot; write a JSON report.
    Bench(bench::BenchArgs),
    /// Measure load and the longest turns on a bot generated at every limit of the bot
    /// file; write a JSON report.
    BenchLimits(bench_limits::BenchLimitsArgs),
    /// Measure load, memory, model size and turns on generated bots of 10 to 10,000 intents
    /// and up to 100,000 examples; write a JSON report.
    BenchScale(bench_scale::BenchScaleArgs),
    /// Compile a bot file into one binary: the validated file (with the texts of the
    /// knowledge documents it names beside it) and its trained models, which apps load
    /// with `Bot::from_compiled` without the YAML parser and without training.
    Compile {
        /// Bot file (YAML or JSON).
        bot: PathBuf,
        /// Output file (default: the bot file's name with `.kefubot`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Train the models on this tier's encoder (folder, bundle or static table); the
        /// app then loads the compiled bot with the same encoder.
        #[arg(long, env = "KEFU_ENCODER_DIR")]
        encoder: Option<PathBuf>,
        /// Leave the trained models out: a file of a few per cent of the size, whose models
        /// train at load (tens of milliseconds on the embedded tier; seconds on the ONNX tier).
        #[arg(long)]
        no_models: bool,
    },
    /// Pack an encoder folder (`model.onnx`, `tokenizer.json`) into one model bundle, with
    /// the embeddings of a bot's examples and the models trained on them, so that loading
    /// that bot skips the encoder for its examples and the training, and the embeddings of
    /// the emotion lines, so that bots on it get the emotion head.
    Bundle {
        /// Encoder folder.
        #[arg(long)]
        encoder: PathBuf,
        /// Bot whose examples to embed and whose models to train ahead of time.
        #[arg(long)]
        bot: Option<PathBuf>,
        /// Output file.
        #[arg(long, default_value = "encoder.kefumodl")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Chat { bot, json, log, encoder } => {
            load_on(&bot, encoder.as_deref()).and_then(|b| chat::run(&b, json, log.as_deref()))
        }
        Command::Validate { bot } => load(&bot).map(|b| {
            println!(
                "{}: ok ({} intents, {} FAQ entries, {} examples)",
                bot.display(),
                b.intent_names().count(),
                b.faq_count(),
                b.example_count()
            );
        }),
        Command::Inspect { bot, encoder } => load_on(&bot, encoder.as_deref()).map(|b| inspect(&b)),
        Command::Eval(args) => eval::run(&args),
        Command::Mine(args) => mine::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchLimits(args) => bench_limits::run(&args),
        Command::BenchScale(args) => bench_scale::run(&args),
        Command::Bundle { encoder, bot, out } => bundle(&encoder, bot.as_deref(), &out),
        Command::Compile { bot, out, encoder, no_models } => {
            compile(&bot, &out.unwrap_or_else(|| bot.with_extension("kefubot")), encoder.as_deref(), !no_models)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads and compiles a bot file on the embedded tier; the error is the message to print.
pub(crate) fn load(path: &Path) -> Result<Bot, String> {
    load_on(path, None)
}

/// The name and bytes of a bot file, its size limit checked before it is read; a compiled
/// bot (whose models may be larger) is read whatever its size.
fn read_bot_file(path: &Path) -> Result<(String, Vec<u8>), String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    let mut magic = [0u8; 7];
    let compiled = std::io::Read::read_exact(&mut std::fs::File::open(path).map_err(cannot)?, &mut magic).is_ok()
        && &magic == b"KEFUBOT";
    if !compiled && size > kefu_core::botfile::MAX_BOT_FILE_BYTES as u64 {
        return Err(format!(
            "{} is {size} bytes; a bot file may have at most {} bytes",
            path.display(),
            kefu_core::botfile::MAX_BOT_FILE_BYTES
        ));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    Ok((name, bytes))
}

/// Loads compiled bot bytes, on the tier of `encoder` (folder, bundle or static table).
pub(crate) fn load_compiled(name: &str, bytes: &[u8], encoder: Option<&Path>) -> Result<Bot, String> {
    let loader = match encoder {
        Some(path) => kefu_core::BotLoader::new().encoder(load_any_encoder(path)?),
        None => kefu_core::BotLoader::new(),
    };
    loader.from_compiled(name, bytes).map_err(|e| e.to_string())
}

/// Reads and compiles a bot file, on the ONNX tier when `encoder` names an encoder folder.
pub(crate) fn load_on(path: &Path, encoder: Option<&Path>) -> Result<Bot, String> {
    let (name, bytes) = read_bot_file(path)?;
    if bytes.starts_with(b"KEFUBOT") {
        // A compiled bot (`kefu compile`) holds its documents' texts.
        return load_compiled(&name, &bytes, encoder);
    }
    let documents = documents_beside(path, &name, &bytes);
    match encoder {
        None => kefu_core::BotLoader::new().documents(&documents).from_bytes(&name, &bytes),
        Some(path) => {
            let encoder = load_any_encoder(path)?;
            let source = String::from_utf8_lossy(&bytes);
            compile_on_encoder(&name, &source, encoder, &documents)
        }
    }
    .map_err(|e| e.to_string())
}

/// The knowledge documents the bot file names without a text, read from files of those
/// names beside it (a missing one is left for the core to report with the bot's other
/// problems).
fn documents_beside(path: &Path, name: &str, bytes: &[u8]) -> Vec<kefu_core::Document> {
    let Ok(spec) = kefu_core::botfile::parse(name, &String::from_utf8_lossy(bytes)) else { return Vec::new() };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut documents = Vec::new();
    for d in spec.knowledge.documents.iter().filter(|d| d.text.is_none()) {
        let file = dir.join(&d.name);
        if let Ok(text) = std::fs::read_to_string(&file) {
            documents.push(kefu_core::Document { name: d.name.clone(), text });
        }
    }
    documents
}

/// Compiles a bot on an encoder's tier, with a progress bar while its examples are embedded.
pub(crate) fn compile_on_encoder(
    name: &str,
    source: &str,
    encoder: std::sync::Arc<dyn kefu_core::SentenceEncoder>,
    documents: &[kefu_core::Document],
) -> kefu_core::Result<Bot> {
    let mut bar: Option<progress::Progress> = None;
    let mut step =
        |_, total| bar.get_or_insert_with(|| progress::Progress::new("embedding the bot's examples", total)).step();
    let bot =
        kefu_core::BotLoader::new().encoder(encoder).progress(&mut step).documents(documents).from_yaml(name, source);
    if let Some(bar) = &mut bar {
        bar.finish();
    }
    bot
}

/// The encoder of a tier: a static embedding table file (the static tier), or an ONNX
/// encoder folder or model bundle file (the ONNX tier).
pub(crate) fn load_any_encoder(path: &Path) -> Result<std::sync::Arc<dyn kefu_core::SentenceEncoder>, String> {
    let mut magic = [0u8; 8];
    let is_table = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| &magic == b"KEFUSTAT");
    if is_table {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let table = kefu_core::StaticEncoder::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(std::sync::Arc::new(table));
    }
    Ok(std::sync::Arc::new(load_encoder(path)?))
}

/// An encoder from a folder (`model.onnx`, `tokenizer.json`) or a model bundle file.
pub(crate) fn load_encoder(path: &Path) -> Result<OnnxEncoder, String> {
    if path.is_dir() {
        return OnnxEncoder::from_dir(path).map_err(|e| e.to_string());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bundle = kefu_core::ModelBundle::from_bytes(&bytes).map_err(|e| e.to_string())?;
    OnnxEncoder::from_bundle(&bundle).map_err(|e| e.to_string())
}

fn compile(path: &Path, out: &Path, encoder: Option<&Path>, models: bool) -> Result<(), String> {
    // Checked as `chat` checks it (problems with their lines), then loaded from the file with
    // the documents' texts written in, so that the compiled bot needs nothing beside it.
    let (name, bytes) = read_bot_file(path)?;
    let source = std::str::from_utf8(&bytes).map_err(|e| format!("{}: not UTF-8 ({e})", path.display()))?;
    let mut spec = kefu_core::botfile::parse(&name, source).map_err(|e| e.to_string())?;
    let beside = documents_beside(path, &name, &bytes);
    for d in spec.knowledge.documents.iter_mut().filter(|d| d.text.is_none()) {
        d.text = beside.iter().find(|b| b.name == d.name).map(|b| b.text.clone());
    }
    let source = serde_json::to_string(&spec).map_err(|e| e.to_string())?;
    let bot = match encoder {
        None => kefu_core::BotLoader::new().from_yaml(&name, &source),
        Some(encoder) => compile_on_encoder(&name, &source, load_any_encoder(encoder)?, &[]),
    }
    .map_err(|e| e.to_string())?;
    let bytes = bot.to_compiled(models);
    std::fs::write(out, &bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let models = match models {
        true => format!("trained models and thresholds: {}", bot.trained_heads().len()),
        false => "no models (they train at load)".into(),
    };
    println!("{}: {} bytes, {models} ({} tier)", out.display(), bytes.len(), bot.tier().code());
    Ok(())
}

fn bundle(dir: &Path, bot: Option<&Path>, out: &Path) -> Result<(), String> {
    let encoder = std::sync::Arc::new(OnnxEncoder::from_dir(dir).map_err(|e| e.to_string())?);
    encoder.keep_embeddings(true);
    // The emotion head's training lines, so that bots loaded from the bundle have it.
    encoder.embed_batch(&kefu_core::emotion_training_texts(), &mut |_, _| {}).map_err(|e| e.to_string())?;
    let mut heads = std::collections::BTreeMap::new();
    if let Some(bot) = bot {
        let source = std::fs::read_to_string(bot).map_err(|e| format!("cannot read {}: {e}", bot.display()))?;
        // The documents' passage embeddings go into the bundle with the examples'.
        let documents = documents_beside(bot, &bot.display().to_string(), source.as_bytes());
        let bot = compile_on_encoder(&bot.display().to_string(), &source, encoder.clone() as _, &documents)
            .map_err(|e| e.to_string())?;
        heads = bot.trained_heads();
    }
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"));
    let name = dir.file_name().map_or_else(|| "encoder".into(), |n| n.to_string_lossy().into_owned());
    let bundle = kefu_core::ModelBundle {
        metadata: kefu_core::BundleMetadata {
            name,
            prefix: encoder.prefix().to_string(),
            dimension: encoder.dimension(),
        },
        model: read("model.onnx")?,
        tokenizer: read("tokenizer.json")?,
        embeddings: encoder.cached_embeddings(),
        heads,
    };
    std::fs::write(out, bundle.to_bytes()).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("{}: {} cached embeddings, {} trained heads", out.display(), bundle.embeddings.len(), bundle.heads.len());
    Ok(())
}

fn inspect(bot: &Bot) {
    println!("bot {:?}: languages {:?}", bot.name(), bot.languages().iter().map(|l| l.code()).collect::<Vec<_>>());
    for (name, intent) in &bot.spec().intents {
        let mut notes = Vec::new();
        if !intent.keywords.is_empty() || !intent.patterns.is_empty() {
            notes.push(format!("{} rules", intent.keywords.len() + intent.patterns.len()));
        }
        if !intent.slots.is_empty() {
            notes.push(format!("slots: {}", intent.slots.keys().cloned().collect::<Vec<_>>().join(", ")));
        }
        if intent.handoff || intent.sensitive {
            notes.push("hands off".into());
        }
        println!("  intent {name:<20} {:>3} examples  {}", intent.examples.len(), notes.join("; "));
    }
    println!(
        "  {} FAQ entries, {} out-of-scope examples, {} entities",
        bot.faq_count(),
        bot.spec().out_of_scope.len(),
        bot.spec().entities.len()
    );
    let reused = match bot.reused_heads() {
        0 => String::new(),
        n => format!("; {n} trained model(s) taken from the compiled bot or bundle, not trained at load"),
    };
    println!(
        "model: {} training examples, {:.1} KiB{reused}",
        bot.example_count(),
        bot.model_size_bytes() as f64 / 1024.0
    );
    println!(
        "emotion: {}",
        match bot.has_emotion_head() {
            true => "the head on the encoder's embeddings",
            false => "the n-gram model (no encoder, or its embeddings of the emotion lines not at hand: `kefu bundle`)",
        }
    );
    if let Some(threshold) = bot.knowledge_threshold() {
        let passages = bot.knowledge_passages();
        let documents: std::collections::BTreeSet<&str> = passages.iter().map(|p| p.document.as_str()).collect();
        println!(
            "knowledge: {} documents, {} passages, {:.0} KiB; quotes a passage whose answerability reaches {threshold:.3}",
            documents.len(),
            passages.len(),
            bot.knowledge_size_bytes() as f64 / 1024.0
        );
    }
    let threshold = bot.confidence_threshold();
    match (bot.spec().settings.confidence_threshold, bot.calibration()) {
        (Some(_), _) => println!("confidence threshold {threshold:.3}, set in the bot file"),
        (None, Some(c)) => println!(
            "confidence threshold {threshold:.3}, chosen from the bot's own examples: trained {} times, each time without a quarter of every intent's examples and without every example of a quarter of the intents; at this threshold {:.1} % of the held-out examples are accepted and ranked right, and {:.1} % of the examples of the left-out intents (as near as out-of-scope lines come) are rejected ({} scored)",
            c.rounds,
            c.accepted * 100.0,
            c.rejected * 100.0,
            c.scored
        ),
        (None, None) => println!(
            "confidence threshold {threshold:.3}, the default: the bot has too many examples (over 5,000) or too few intents (under 3) to choose its own"
        ),
    }
}
