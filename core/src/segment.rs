//! Customer segments (end user, dealer, …) recognised from how the customer asks.
//!
//! A classifier like the intent model, trained on the segments' examples plus one
//! background class made of every intent example and FAQ question: most utterances say
//! nothing about who is asking, and those must not be forced into a segment.

use crate::intent::{HashedText, TextClassifier};

/// Label of the background class (not a valid segment name, so it cannot clash).
const BACKGROUND: &str = "(none)";
/// A segment is recognised only this sure.
const MIN_CONFIDENCE: f32 = 0.5;

#[derive(Debug)]
pub(crate) struct SegmentClassifier {
    model: TextClassifier,
}

impl SegmentClassifier {
    /// `None` when no segment has examples (segments set by the host only).
    pub(crate) fn train<'a>(
        segments: impl IntoIterator<Item = (&'a str, &'a str)>,
        background: impl IntoIterator<Item = &'a str>,
    ) -> Option<SegmentClassifier> {
        let mut examples: Vec<(&str, &str)> = segments.into_iter().collect();
        if examples.is_empty() {
            return None;
        }
        examples.extend(background.into_iter().map(|text| (text, BACKGROUND)));
        Some(SegmentClassifier { model: TextClassifier::train(examples) })
    }

    /// The segment a (hashed, normalised) text reveals, if any.
    pub(crate) fn classify(&self, text: &HashedText) -> Option<&str> {
        let (class, confidence) = self.model.rank_classes(text, None, 1).into_iter().next()?;
        let label = self.model.labels().get(class)?;
        (label != BACKGROUND && confidence >= MIN_CONFIDENCE).then_some(label.as_str())
    }
}
