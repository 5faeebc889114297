//! Customer segments (end user, dealer, …) recognised from how the customer asks.
//!
//! A classifier like the intent model, trained on the segments' examples plus one
//! background class made of every intent example and FAQ question: most utterances say
//! nothing about who is asking, and those must not be forced into a segment.

use crate::intent::{HashedText, HeadCache, TextClassifier};

/// Label of the background class (not a valid segment name, so it cannot clash).
const BACKGROUND: &str = "(none)";
/// A segment is recognised only this sure.
const MIN_CONFIDENCE: f32 = 0.5;

#[derive(Debug)]
pub(crate) struct SegmentClassifier {
    model: TextClassifier,
}

impl SegmentClassifier {
    /// `None` when no segment has examples (segments set by the host only). On the ONNX
    /// tier, `embeddings` holds those of the background texts and then of the segment
    /// examples (the order of [`crate::Bot::texts_to_embed`]).
    pub(crate) fn train<'a>(
        background: impl IntoIterator<Item = &'a str>,
        segments: &[(&'a str, &'a str)],
        embeddings: Option<&[Vec<f32>]>,
        heads: Option<&HeadCache>,
    ) -> Option<SegmentClassifier> {
        if segments.is_empty() {
            return None;
        }
        let mut examples: Vec<(&str, &str)> = background.into_iter().map(|text| (text, BACKGROUND)).collect();
        examples.extend_from_slice(segments);
        let embeddings = embeddings.filter(|e| e.len() == examples.len()).unwrap_or_default();
        // Segments are few: their model stays far below the limit the intents' model is held to.
        let model = TextClassifier::train_dense(examples, embeddings, &[], heads, false).ok()?;
        Some(SegmentClassifier { model })
    }

    /// The trained model (see [`TextClassifier::head_bytes`]).
    pub(crate) fn model(&self) -> &TextClassifier {
        &self.model
    }

    /// The segment a (hashed, normalised) text reveals, if any; `embedding` is the
    /// utterance's on the ONNX tier.
    pub(crate) fn classify(&self, text: &HashedText, embedding: Option<&[f32]>) -> Option<&str> {
        let (class, confidence) = self.model.rank_classes(text, embedding, 1).into_iter().next()?;
        let label = self.model.labels().get(class)?;
        (label != BACKGROUND && confidence >= MIN_CONFIDENCE).then_some(label.as_str())
    }
}
