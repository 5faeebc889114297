//! One way to load a bot: [`BotLoader`] gathers what a tier needs (an encoder, or the
//! host's embeddings of the bot's examples; a model bundle's trained heads; a progress
//! callback), then reads the bot file.

use std::sync::Arc;

use crate::botfile::schema::BotFile;
use crate::encoder::SentenceEncoder;
use crate::error::{Error, Result};
use crate::intent::{check_heads, HeadCache};
use crate::{Bot, Document, ModelBundle};

/// Options for loading a bot; with none, the bot is on the embedded tier.
///
/// ```
/// # let source = "version: 1\nintents:\n  hi:\n    examples: [hello, hi]\n";
/// let bot = kefu_core::BotLoader::new().from_yaml("bot.yaml", source)?;
/// assert_eq!(bot.tier(), kefu_core::Tier::Embedded);
/// # Ok::<(), kefu_core::Error>(())
/// ```
#[derive(Default)]
pub struct BotLoader<'a> {
    encoder: Option<Arc<dyn SentenceEncoder>>,
    embeddings: Option<&'a [Vec<f32>]>,
    bundle: Option<&'a ModelBundle>,
    progress: Option<&'a mut dyn FnMut(usize, usize)>,
    documents: &'a [Document],
}

impl std::fmt::Debug for BotLoader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotLoader")
            .field("encoder", &self.encoder)
            .field("embeddings", &self.embeddings.map(<[_]>::len))
            .field("bundle", &self.bundle.is_some())
            .field("documents", &self.documents.len())
            .finish_non_exhaustive()
    }
}

impl<'a> BotLoader<'a> {
    /// No options: the embedded tier.
    pub fn new() -> BotLoader<'a> {
        BotLoader::default()
    }

    /// The dense tier on `encoder`: every training text is embedded once at load (or taken
    /// from [`BotLoader::embeddings`]), and each turn embeds the utterance. Dialogue
    /// behaviour is the same on every tier; only the classifier differs.
    pub fn encoder(mut self, encoder: Arc<dyn SentenceEncoder>) -> BotLoader<'a> {
        self.encoder = Some(encoder);
        self
    }

    /// The embeddings of the bot's training texts, one per text of
    /// [`Bot::texts_to_embed`], in its order, all of one length: for hosts that run the
    /// encoder themselves (a web page with ONNX Runtime Web). Each turn then takes the
    /// utterance's embedding from [`TurnContext::embedding`](crate::TurnContext).
    pub fn embeddings(mut self, embeddings: &'a [Vec<f32>]) -> BotLoader<'a> {
        self.embeddings = Some(embeddings);
        self
    }

    /// Reuses the models of `bundle` ([`ModelBundle::heads`]) that were trained on these
    /// very inputs; any other trains as usual. (An encoder made from a bundle brings its
    /// heads itself.)
    pub fn bundle(mut self, bundle: &'a ModelBundle) -> BotLoader<'a> {
        self.bundle = Some(bundle);
        self
    }

    /// Calls `progress(done, total)` as the encoder embeds the training texts (about a
    /// minute for 10k examples on one core), for a progress bar.
    pub fn progress(mut self, progress: &'a mut dyn FnMut(usize, usize)) -> BotLoader<'a> {
        self.progress = Some(progress);
        self
    }

    /// Knowledge documents the bot answers from, beside any the bot file holds: the texts
    /// of those it names under `knowledge.documents` without a `text`, and any others.
    pub fn documents(mut self, documents: &'a [Document]) -> BotLoader<'a> {
        self.documents = documents;
        self
    }

    /// Loads a bot from bytes that must be UTF-8 YAML or JSON; `file` names the source in
    /// error messages.
    pub fn from_bytes(self, file: &str, bytes: &[u8]) -> Result<Bot> {
        self.from_yaml(file, utf8_source(file, bytes)?)
    }

    /// Loads a bot from YAML or JSON text; `file` names the source in error messages. Needs
    /// the `yaml` feature (on by default), as [`Bot::from_yaml`] does.
    pub fn from_yaml(self, file: &str, source: &str) -> Result<Bot> {
        self.load(file, crate::botfile::parse(file, source)?, None)
    }

    /// Loads a compiled bot ([`Bot::to_compiled`], `kefu compile`): no YAML parsing, and
    /// the models compiled on the same tier are not trained again. A damaged file is a
    /// [`crate::Error::BotFile`] that says to compile it again.
    pub fn from_compiled(self, file: &str, bytes: &[u8]) -> Result<Bot> {
        let (spec, heads) = crate::compiled::parse(file, bytes)?;
        self.load(file, spec, Some(heads))
    }

    /// Trains the bot of a validated file, reusing `compiled` heads and those of the bundle
    /// or encoder.
    fn load(self, file: &str, spec: BotFile, compiled: Option<HeadCache>) -> Result<Bot> {
        let given = match self.bundle {
            Some(bundle) => Some(&bundle.heads),
            None => self.encoder.as_deref().and_then(SentenceEncoder::trained_heads),
        };
        if let Some(heads) = given {
            check_heads(heads).map_err(crate::bundle::damaged_head)?;
        }
        let merged = compiled.map(|mut c| {
            c.extend(given.into_iter().flatten().map(|(k, v)| (*k, v.clone())));
            c
        });
        let heads = merged.as_ref().or(given);
        let texts = Bot::embedding_texts(&spec);
        let emotion = self.encoder.as_deref();
        let compiled = match (self.embeddings, &self.encoder) {
            (Some(embeddings), _) => {
                check_embeddings(embeddings, texts.len())?;
                let dense = embeddings.first().is_some_and(|e| !e.is_empty());
                Bot::compile(spec, dense.then_some(embeddings), heads, emotion)
            }
            (None, Some(encoder)) => {
                let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                let mut silent = |_, _| {};
                let progress: &mut dyn FnMut(usize, usize) = match self.progress {
                    Some(progress) => progress,
                    None => &mut silent,
                };
                let embeddings = encoder.embed_examples(&texts, progress)?;
                Bot::compile(spec, Some(&embeddings), heads, emotion)
            }
            (None, None) => Bot::compile(spec, None, heads, emotion),
        };
        let mut bot = compiled.map_err(|e| e.into_error(file))?;
        let knowledge = Bot::knowledge_of(file, &bot.spec, self.documents)?;
        bot.knowledge = match (knowledge, &self.encoder) {
            // The hybrid ranking: each passage embedded once, on the host's cores.
            (Some(k), Some(encoder)) => {
                let texts = k.passage_texts();
                let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                Some(k.with_embeddings(encoder.embed_passages(&texts)?, encoder.tier()))
            }
            (k, _) => k,
        };
        bot.encoder = self.encoder;
        Ok(bot)
    }
}

/// `bytes` as text, or the bot-file error that says to save the file as UTF-8.
pub(crate) fn utf8_source<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str> {
    use crate::error::{BotFileError, Problem, ProblemKind};
    let source = std::str::from_utf8(bytes).map_err(|e| BotFileError {
        file: file.to_string(),
        problems: vec![Problem {
            line: None,
            kind: ProblemKind::Syntax,
            message: format!("the file is not UTF-8 (invalid byte at offset {}); save it as UTF-8", e.valid_up_to()),
        }],
    })?;
    Ok(source)
}

/// One embedding per text, all of one non-zero length, every value finite.
fn check_embeddings(embeddings: &[Vec<f32>], expected: usize) -> Result<()> {
    if embeddings.len() != expected {
        return Err(Error::Onnx(format!(
            "got {} embeddings for {expected} texts: pass one per text of texts_to_embed, in its order",
            embeddings.len()
        )));
    }
    let dimension = embeddings.first().map_or(0, Vec::len);
    if expected > 0 && dimension == 0 {
        return Err(Error::Onnx("the embeddings are empty: pass the encoder's output vectors".into()));
    }
    if let Some(i) = embeddings.iter().position(|e| e.len() != dimension || e.iter().any(|x| !x.is_finite())) {
        return Err(Error::Onnx(format!(
            "embedding {i} has {} values or a non-finite one; every embedding needs the first one's {dimension} finite values",
            embeddings[i].len()
        )));
    }
    Ok(())
}
