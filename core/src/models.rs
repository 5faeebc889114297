//! The trainable models on their own, for evaluating them on labelled datasets (`kefu
//! eval`) outside any bot. An app never needs this module: a [`crate::Bot`] trains and runs
//! the same models from its bot file.

pub use crate::intent::{SlotTags, TextClassifier, OUT_OF_SCOPE_LABEL};
pub use crate::tagger::{bio_spans, SequenceTagger};

use crate::intent::IntentCandidate;

/// The intent pipeline of a bot, outside one: a slot tagger (where the training data has
/// BIO tags) whose tags the intent classifier reads beside the text's n-grams and, on a
/// dense tier, its sentence embedding.
#[derive(Debug)]
pub struct IntentModel {
    /// The intent classifier.
    pub classifier: TextClassifier,
    /// The slot tagger, when some training example has tags.
    pub tagger: Option<SequenceTagger>,
}

/// One labelled training text: its label, and its tokens with their BIO slot tags (both
/// empty when the text has none).
#[derive(Debug, Clone, Copy)]
pub struct LabelledText<'a> {
    /// The text.
    pub text: &'a str,
    /// Its intent (or [`OUT_OF_SCOPE_LABEL`]).
    pub label: &'a str,
    /// Its tokens.
    pub tokens: &'a [String],
    /// One BIO tag per token.
    pub tags: &'a [String],
}

impl LabelledText<'_> {
    fn tagged(&self) -> bool {
        self.tokens.len() == self.tags.len() && !self.tags.is_empty()
    }
}

impl IntentModel {
    /// Trains the slot tagger on the examples that have tags; `None` when none has.
    pub fn train_tagger(examples: &[LabelledText<'_>]) -> Option<SequenceTagger> {
        let sentences: Vec<(Vec<String>, Vec<String>)> =
            examples.iter().filter(|e| e.tagged()).map(|e| (e.tokens.to_vec(), e.tags.to_vec())).collect();
        (!sentences.is_empty()).then(|| SequenceTagger::train(&sentences))
    }

    /// Trains the classifier on every example beside a tagger trained by
    /// [`IntentModel::train_tagger`] on the same examples (kept apart so that each can be
    /// timed): with a tagger it reads the examples' gold slot tags; `embeddings` (one per
    /// example, or none) are the dense tier's. A model over [`crate::MAX_MODEL_WEIGHTS`] is
    /// an error.
    pub fn train_classifier(
        examples: &[LabelledText<'_>],
        embeddings: &[Vec<f32>],
        tagger: Option<SequenceTagger>,
    ) -> crate::Result<IntentModel> {
        let slots: Vec<SlotTags<'_>> = match &tagger {
            Some(_) => examples.iter().map(|e| SlotTags { tokens: e.tokens, tags: e.tags }).collect(),
            None => Vec::new(),
        };
        let pairs = examples.iter().map(|e| (e.text, e.label));
        Ok(IntentModel { classifier: TextClassifier::train_with(pairs, embeddings, &slots)?, tagger })
    }

    /// The `k` best guesses for `text`, whose `tokens` are tagged first where the
    /// classifier reads slots — as a bot's turn tags its utterance.
    pub fn rank(&self, text: &str, tokens: &[String], embedding: Option<&[f32]>, k: usize) -> Vec<IntentCandidate> {
        let tags = self.tagger.as_ref().filter(|_| self.classifier.reads_slots()).map(|t| t.tag(tokens));
        let slots = tags.as_ref().map(|tags| SlotTags { tokens, tags });
        self.classifier.rank_with(text, embedding, slots, k)
    }
}
