//! # kefu-onnx
//!
//! The ONNX tier's sentence encoder for kefu: a BERT-style model (e.g.
//! multilingual-e5-small) run by ONNX Runtime through `ort`, with its Hugging Face
//! `tokenizer.json`, implementing [`kefu_core::SentenceEncoder`]. This crate owns what the
//! core must not do: reading model files, the environment lookup and loading ONNX
//! Runtime's library.
//!
//! ## Untrusted input
//!
//! A missing or incompatible ONNX Runtime library, an unreadable model or tokenizer file
//! and a damaged model bundle are [`kefu_core::Error`]s (`encoder_failed`, `invalid_model`)
//! whose message says what to install or fix; nothing is downloaded. Texts longer than 128
//! tokens are cut.
//!
//! ```no_run
//! use std::sync::Arc;
//! let encoder = Arc::new(kefu_onnx::OnnxEncoder::from_dir("encoder/".as_ref())?);
//! let bot = kefu_core::BotLoader::new().encoder(encoder).from_yaml("bot.yaml", "…")?;
//! # Ok::<(), kefu_core::Error>(())
//! ```
//!
//! ONNX Runtime is a shared library loaded at run time, found from an explicit path, else
//! the `KEFU_ONNXRUNTIME` environment variable, else `libonnxruntime.so` on the library
//! search path. kefu never downloads it: `pip install onnxruntime==1.31.1` ships it as
//! `onnxruntime/capi/libonnxruntime.so.1.31.1`. A missing or incompatible library is an
//! [`Error::Onnx`] that says what to install.
//!
//! An encoder opens one session per core, up to [`DEFAULT_WORKERS`] (each about 45 MB with
//! the project's int8 encoder; [`WORKERS_ENV`] or [`OnnxEncoder::with_workers`] choose
//! another number): turns on different threads run side by side and a bot's examples are
//! embedded on every session at load.

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use kefu_core::{Error, ModelBundle, Result, SentenceEncoder};
use ort::session::Session;
use ort::value::Tensor;

#[cfg(target_arch = "wasm32")]
compile_error!(
    "kefu-onnx runs ONNX Runtime natively; in the browser the page runs the encoder through onnxruntime-web"
);

/// Environment variable naming the ONNX Runtime library file.
pub const ONNXRUNTIME_ENV: &str = "KEFU_ONNXRUNTIME";
/// The ONNX Runtime release kefu is built and tested against.
pub const ONNXRUNTIME_VERSION: &str = "1.31.1";
/// Tokens per text (longer texts are cut; customer utterances are short).
const MAX_TOKENS: usize = 128;

/// Weight of the first output's pooled state (`last_hidden_state`) beside the other
/// layers' (each 1) in the sentence embedding. `tools/build-encoder` adds layers 7 and 8 of
/// 12, chosen on validation splits; with them `kefu eval` gained on five of six datasets
/// (see the README's evaluation). The last layer still weighs most.
pub const FIRST_OUTPUT_WEIGHT: f32 = 2.0;
/// Outputs after the first are pooled into the embedding when their name ends so
/// (`layer7_hidden_state`); others, such as a `pooler_output`, are left out.
pub const HIDDEN_STATE_SUFFIX: &str = "_hidden_state";

static ENVIRONMENT: OnceLock<std::result::Result<ort::environment::Environment, String>> = OnceLock::new();

fn install_hint() -> String {
    format!(
        "install it with `pip install onnxruntime=={ONNXRUNTIME_VERSION}` and set {ONNXRUNTIME_ENV} to \
         <site-packages>/onnxruntime/capi/libonnxruntime.so.{ONNXRUNTIME_VERSION}"
    )
}

/// Loads ONNX Runtime once per process; later calls return the first result (the library
/// cannot be swapped while the process runs).
pub fn load_onnxruntime(library: Option<&Path>) -> Result<&'static ort::environment::Environment> {
    let loaded = ENVIRONMENT.get_or_init(|| {
        let path = library
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(ONNXRUNTIME_ENV).map(Into::into))
            .unwrap_or_else(|| "libonnxruntime.so".into());
        let builder = ort::init_from(&path)
            .map_err(|e| format!("cannot load ONNX Runtime from {}: {e}; {}", path.display(), install_hint()))?;
        builder
            .with_name("kefu")
            .with_telemetry(false)
            .build()
            .map_err(|e| format!("ONNX Runtime failed to start: {e}"))
    });
    loaded.as_ref().map_err(|message| Error::Onnx(message.clone()))
}

fn onnx_error(what: &str) -> impl Fn(ort::Error) -> Error + '_ {
    move |e| Error::Onnx(format!("{what}: {e}"))
}

/// The most ONNX Runtime sessions an encoder opens by default: one per core, up to two.
/// Each holds its own copy of the model's weights (measured in docs/scale.md), so more
/// would cost a phone more memory than the throughput is worth.
pub const DEFAULT_WORKERS: usize = 2;

/// Environment variable that sets the number of sessions instead (at least one).
pub const WORKERS_ENV: &str = "KEFU_ONNX_WORKERS";

/// A loaded sentence encoder. `Send + Sync`: one encoder serves every bot and thread. It
/// holds one ONNX Runtime session per worker, each running one call at a time on one thread
/// (`run` takes the session mutably), so calls from different threads run side by side
/// and an embedding depends on its text alone.
pub struct OnnxEncoder {
    sessions: Vec<Mutex<Session>>,
    /// Where a caller that finds every session busy waits next, round robin.
    next_wait: AtomicUsize,
    /// Embeddings of training texts by [`ModelBundle::embedding_key`]: a bundle's, and the
    /// ones embedded since when [`OnnxEncoder::keep_embeddings`] asked for them.
    cache: Mutex<BTreeMap<u64, Vec<f32>>>,
    keep_new: AtomicBool,
    /// Trained heads from a bundle, for bots compiled on this encoder.
    heads: BTreeMap<u64, Vec<u8>>,
    tokenizer: tokenizers::Tokenizer,
    /// Text put before each input (`query: ` for e5 models).
    prefix: String,
    dimension: usize,
}

impl std::fmt::Debug for OnnxEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxEncoder").field("dimension", &self.dimension).field("prefix", &self.prefix).finish()
    }
}

impl OnnxEncoder {
    /// An encoder from the bytes of `model.onnx` and `tokenizer.json`; inputs are prefixed
    /// with `prefix`. Loads ONNX Runtime first (see [`load_onnxruntime`]). Opens one
    /// session per core, at most [`DEFAULT_WORKERS`], or as many as [`WORKERS_ENV`] says.
    pub fn from_bytes(model: &[u8], tokenizer_json: &[u8], prefix: &str) -> Result<OnnxEncoder> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = std::env::var(WORKERS_ENV).ok().and_then(|v| v.trim().parse().ok());
        OnnxEncoder::with_workers(model, tokenizer_json, prefix, workers.unwrap_or(cores.min(DEFAULT_WORKERS)))
    }

    /// [`OnnxEncoder::from_bytes`] with `workers` sessions (at least one), opened side by
    /// side.
    pub fn with_workers(model: &[u8], tokenizer_json: &[u8], prefix: &str, workers: usize) -> Result<OnnxEncoder> {
        let environment = load_onnxruntime(None)?;
        let tokenizer = tokenizers::Tokenizer::from_bytes(tokenizer_json)
            .map_err(|e| Error::Onnx(format!("tokenizer.json is not a Hugging Face tokenizer: {e}")))?;
        let open = || -> Result<Session> {
            let builder = Session::builder(environment).map_err(onnx_error("ONNX Runtime session"))?;
            let mut builder =
                builder.with_intra_threads(1).map_err(|e| Error::Onnx(format!("ONNX Runtime threads: {e}")))?;
            builder.commit_from_memory(model).map_err(onnx_error("the model is not a loadable ONNX file"))
        };
        let sessions: Vec<Result<Session>> = std::thread::scope(|scope| {
            let opening: Vec<_> = (0..workers.max(1)).map(|_| scope.spawn(open)).collect();
            opening
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| Err(Error::Onnx("opening an ONNX Runtime session panicked".into())))
                })
                .collect()
        });
        let sessions = sessions.into_iter().map(|s| s.map(Mutex::new)).collect::<Result<Vec<_>>>()?;
        let mut encoder = OnnxEncoder {
            sessions,
            next_wait: AtomicUsize::new(0),
            cache: Mutex::default(),
            keep_new: AtomicBool::new(false),
            heads: Default::default(),
            tokenizer,
            prefix: prefix.to_string(),
            dimension: 0,
        };
        encoder.dimension = encoder.embed("ok")?.len();
        if encoder.dimension == 0 {
            return Err(Error::Onnx("the model gave an empty embedding; is it a sentence encoder?".into()));
        }
        Ok(encoder)
    }

    /// An encoder from a directory holding `model.onnx` and `tokenizer.json` (e5 prefix).
    pub fn from_dir(dir: &Path) -> Result<OnnxEncoder> {
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .map_err(|e| Error::Onnx(format!("cannot read {}: {e}", dir.join(name).display())))
        };
        OnnxEncoder::from_bytes(&read("model.onnx")?, &read("tokenizer.json")?, "query: ")
    }

    /// Length of the embeddings.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Number of sessions (calls that can run at once).
    pub fn workers(&self) -> usize {
        self.sessions.len()
    }

    /// Whether texts embedded from now on by [`OnnxEncoder::embed_batch`] are kept for
    /// [`OnnxEncoder::cached_embeddings`] (to write a model bundle). Off by default: a bot's
    /// examples take about 1.5 KB each, for as long as the encoder lives.
    pub fn keep_embeddings(&self, keep: bool) {
        self.keep_new.store(keep, Ordering::Relaxed);
    }

    /// Sentence embeddings of many texts (training examples), one ONNX Runtime call per
    /// text: an int8 model quantizes activations per call, so padding texts into a batch
    /// would make an embedding depend on its neighbours. The calls are spread over the
    /// sessions. Texts in the cache (from a bundle) are not embedded again. Calls
    /// `progress(done, total)` as texts are done (a bot with 10k examples takes about a
    /// minute on one core).
    pub fn embed_batch(&self, texts: &[&str], progress: &mut dyn FnMut(usize, usize)) -> Result<Vec<Vec<f32>>> {
        self.embed_cached(&self.prefix, texts, progress)
    }

    /// [`OnnxEncoder::embed_passage`] of many passages, through the same cache as
    /// [`OnnxEncoder::embed_batch`] (keyed by the passage prefix): a bundle made with a
    /// bot's documents holds their embeddings, and a bot loaded again on an encoder that
    /// keeps embeddings embeds only the passages that changed.
    pub fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.embed_cached(self.passage_prefix(), texts, &mut |_, _| {})
    }

    fn passage_prefix(&self) -> &str {
        if self.prefix == "query: " {
            "passage: "
        } else {
            &self.prefix
        }
    }

    fn embed_cached(
        &self,
        prefix: &str,
        texts: &[&str],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<Vec<f32>>> {
        let keys: Vec<u64> = texts.iter().map(|t| ModelBundle::embedding_key(prefix, t)).collect();
        let mut out: Vec<Option<Vec<f32>>> = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            keys.iter().map(|k| cache.get(k).filter(|v| v.len() == self.dimension).cloned()).collect()
        };
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
        let mut done = texts.len() - missing.len();
        let workers = self.sessions.len().min(missing.len()).max(1);
        let (sender, receiver) = std::sync::mpsc::channel::<(usize, Result<Vec<f32>>)>();
        let failed = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for w in 0..workers {
                let (sender, missing, failed) = (sender.clone(), &missing, &failed);
                scope.spawn(move || {
                    for &i in missing.iter().skip(w).step_by(workers) {
                        if failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let v = self.embed_prefixed(prefix, texts[i]).map(|(v, _)| v);
                        failed.fetch_or(v.is_err(), Ordering::Relaxed);
                        if sender.send((i, v)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(sender);
            // Results come back here, where `progress` (not `Send`) is called.
            for (i, v) in receiver {
                out[i] = Some(v?);
                done += 1;
                progress(done, texts.len());
            }
            Ok::<(), Error>(())
        })?;
        let out: Vec<Vec<f32>> = out.into_iter().map(Option::unwrap_or_default).collect();
        if self.keep_new.load(Ordering::Relaxed) {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for &i in &missing {
                cache.insert(keys[i], out[i].clone());
            }
        }
        Ok(out)
    }

    /// A free session, else the next one round robin once it is free.
    fn session(&self) -> MutexGuard<'_, Session> {
        for session in &self.sessions {
            match session.try_lock() {
                Ok(guard) => return guard,
                Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        let next = self.next_wait.fetch_add(1, Ordering::Relaxed) % self.sessions.len();
        self.sessions[next].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An encoder from a [`ModelBundle`], with its cached embeddings and heads.
    pub fn from_bundle(bundle: &ModelBundle) -> Result<OnnxEncoder> {
        bundle.check_heads()?;
        let mut encoder = OnnxEncoder::from_bytes(&bundle.model, &bundle.tokenizer, &bundle.metadata.prefix)?;
        if encoder.dimension != bundle.metadata.dimension {
            return Err(Error::ModelBundle(format!(
                "the bundle says dimension {}, its model gives {}",
                bundle.metadata.dimension, encoder.dimension
            )));
        }
        *encoder.cache.lock().unwrap_or_else(|p| p.into_inner()) = bundle.embeddings.clone();
        encoder.heads = bundle.heads.clone();
        Ok(encoder)
    }

    /// The embeddings of training texts so far, for [`ModelBundle::embeddings`].
    pub fn cached_embeddings(&self) -> BTreeMap<u64, Vec<f32>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The text put before each input.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The sentence embedding of one text: the model's first output (`last_hidden_state`)
    /// and every other output named `…_hidden_state`, each averaged over the text's tokens and
    /// L2-normalised, as e5 models are used; the first weighted [`FIRST_OUTPUT_WEIGHT`];
    /// all concatenated and L2-normalised. With one output this is the plain e5 embedding.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>> {
        Ok(self.embed_timed(text)?.0)
    }

    /// [`OnnxEncoder::embed`], also returning the time spent inside ONNX Runtime's `run` (what
    /// `kefu bench` compares kefu's turn latency with).
    pub fn embed_timed(&self, text: &str) -> Result<(Vec<f32>, std::time::Duration)> {
        self.embed_prefixed(&self.prefix, text)
    }

    /// The embedding of a passage to be retrieved: e5 models want `passage: ` before a
    /// document's text where questions have `query: ` (other prefixes stay as they are).
    pub fn embed_passage(&self, text: &str) -> Result<Vec<f32>> {
        Ok(self.embed_prefixed(self.passage_prefix(), text)?.0)
    }

    fn embed_prefixed(&self, prefix: &str, text: &str) -> Result<(Vec<f32>, std::time::Duration)> {
        let encoding = self
            .tokenizer
            .encode(format!("{prefix}{text}"), true)
            .map_err(|e| Error::Onnx(format!("tokenizing failed: {e}")))?;
        let ids: Vec<i64> = encoding.get_ids().iter().take(MAX_TOKENS).map(|&id| i64::from(id)).collect();
        // Every token is real (one text, no padding): the attention mask is all ones and the
        // mean runs over every position.
        let n = ids.len();
        let tensor = |data: Vec<i64>| Tensor::from_array(([1, n], data)).map_err(onnx_error("input tensor"));
        let mut session = self.session();
        let started = std::time::Instant::now();
        let outputs = session
            .run(ort::inputs![
                "input_ids" => tensor(ids)?,
                "attention_mask" => tensor(vec![1; n])?,
                "token_type_ids" => tensor(vec![0; n])?,
            ])
            .map_err(onnx_error("running the encoder failed"))?;
        let took = started.elapsed();
        let mut v = Vec::new();
        for (i, (name, output)) in outputs.iter().enumerate() {
            if i > 0 && !name.ends_with(HIDDEN_STATE_SUFFIX) {
                continue; // e.g. a `pooler_output` some exports add
            }
            let (shape, hidden) = output.try_extract_tensor::<f32>().map_err(onnx_error("encoder output"))?;
            let dim = shape.get(2).copied().unwrap_or(0).max(0) as usize;
            if shape.len() != 3 || hidden.len() != n * dim || dim == 0 {
                return Err(Error::Onnx(format!(
                    "the encoder's output `{name}` has shape {shape:?}; expected [1, tokens, dim]"
                )));
            }
            let weight = if i == 0 { FIRST_OUTPUT_WEIGHT } else { 1.0 };
            v.extend(unit_mean(hidden, dim).into_iter().map(|x| x * weight));
        }
        normalize_in_place(&mut v);
        Ok((v, took))
    }
}

impl SentenceEncoder for OnnxEncoder {
    fn dimension(&self) -> usize {
        self.dimension
    }

    fn embed(&self, text: &str) -> Result<Vec<f32>> {
        OnnxEncoder::embed(self, text)
    }

    fn embed_examples(&self, texts: &[&str], progress: &mut dyn FnMut(usize, usize)) -> Result<Vec<Vec<f32>>> {
        self.embed_batch(texts, progress)
    }

    fn embed_passage(&self, text: &str) -> Result<Vec<f32>> {
        OnnxEncoder::embed_passage(self, text)
    }

    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        OnnxEncoder::embed_passages(self, texts)
    }

    fn trained_heads(&self) -> Option<&BTreeMap<u64, Vec<u8>>> {
        Some(&self.heads)
    }

    /// From the cache alone (a model bundle's, or texts embedded since `keep_embeddings`).
    fn embed_at_hand(&self, texts: &[&str]) -> Option<Vec<Vec<f32>>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        texts
            .iter()
            .map(|t| {
                cache.get(&ModelBundle::embedding_key(&self.prefix, t)).filter(|v| v.len() == self.dimension).cloned()
            })
            .collect()
    }
}

/// The mean of `rows` (each `dim` long), L2-normalised.
fn unit_mean(rows: &[f32], dim: usize) -> Vec<f32> {
    let mut v = vec![0f32; dim];
    for row in rows.chunks_exact(dim) {
        v.iter_mut().zip(row).for_each(|(s, h)| *s += h);
    }
    normalize_in_place(&mut v);
    v
}

fn normalize_in_place(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
