//! Sentence encoders: what a tier with dense features asks of its encoder. kefu-core
//! runs none itself (it does no I/O and loads no library); the `kefu-onnx` crate
//! implements this trait with ONNX Runtime, and the web package's page passes embeddings
//! its own encoder computed ([`crate::BotLoader::embeddings`], [`crate::TurnContext`]).

use std::collections::BTreeMap;

use crate::error::Result;
use crate::Tier;

/// A sentence encoder: text in, vector out.
///
/// **Determinism:** an embedding must depend on its text alone — never on which other
/// texts were embedded with it (an int8 model that quantizes activations per call would
/// make a batched embedding depend on its neighbours) — so the same bot file gives the
/// same predictions every time.
pub trait SentenceEncoder: Send + Sync + std::fmt::Debug {
    /// Length of every embedding.
    fn dimension(&self) -> usize;

    /// The sentence embedding of one text. A failing turn embedding does not fail the
    /// turn: the bot classifies on its n-grams alone.
    fn embed(&self, text: &str) -> Result<Vec<f32>>;

    /// The embedding of a document's passage that questions are matched against (the
    /// knowledge search): the same as [`SentenceEncoder::embed`] unless the model embeds
    /// documents differently (e5's `passage: ` prefix).
    fn embed_passage(&self, text: &str) -> Result<Vec<f32>> {
        self.embed(text)
    }

    /// [`SentenceEncoder::embed_passage`] of every passage of a bot's documents, in
    /// order, at load. An encoder with a cache answers from it (a model bundle made with
    /// the bot's documents, or an earlier load of the same documents).
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let embedded = crate::parallel::map(texts, 8, |t| self.embed_passage(t));
        embedded.into_iter().collect()
    }

    /// The embeddings of a bot's training texts, in order, calling `progress(done, total)`
    /// after each. An encoder with a cache (e.g. from a model bundle) answers from it.
    fn embed_examples(&self, texts: &[&str], progress: &mut dyn FnMut(usize, usize)) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for text in texts {
            out.push(self.embed(text)?);
            progress(out.len(), texts.len());
        }
        Ok(out)
    }

    /// Models trained earlier on this encoder's embeddings (a model bundle's
    /// [`crate::ModelBundle::heads`]), by the key of their training run: a bot reuses one
    /// only when its own training run has the same key, so they change load time, never a
    /// prediction.
    fn trained_heads(&self) -> Option<&BTreeMap<u64, Vec<u8>>> {
        None
    }

    /// The embeddings of `texts` if the encoder has them at hand without running a model
    /// (a static table's lookups, a model bundle's cache), else `None`. Bots train optional
    /// models (the emotion head) only on embeddings got this way, so these never slow a
    /// load.
    fn embed_at_hand(&self, texts: &[&str]) -> Option<Vec<Vec<f32>>> {
        let _ = texts;
        None
    }

    /// The tier a bot on this encoder is on: [`Tier::Onnx`] unless the encoder says.
    fn tier(&self) -> Tier {
        Tier::Onnx
    }
}
