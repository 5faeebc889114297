//! Intent classification: rules first, then the embedded model trained from the examples.

mod features;
mod linear;
mod rules;

use serde::{Deserialize, Serialize};

use features::{SparseVec, Vectorizer};
use linear::{Softmax, TrainParams};
pub(crate) use rules::Rules;

use crate::text::normalize;

/// How an intent was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentSource {
    /// A keyword or pattern of the bot file.
    Rule,
    /// The statistical model.
    Model,
    /// The dialogue state: the utterance answers the open form of this intent.
    Form,
}

impl IntentSource {
    /// Stable snake_case name.
    pub fn code(self) -> &'static str {
        match self {
            IntentSource::Rule => "rule",
            IntentSource::Model => "model",
            IntentSource::Form => "form",
        }
    }
}

/// One ranked guess of the classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentCandidate {
    /// Intent name (FAQ entries appear as `faq/<id>`).
    pub name: String,
    /// Probability in 0–1; the candidates of one utterance sum to at most 1.
    pub confidence: f32,
}

/// The embedded tier: a softmax classifier over hashed word and character n-grams,
/// trained from labelled texts. Pure Rust, deterministic, no model file.
#[derive(Debug, Clone)]
pub struct TextClassifier {
    labels: Vec<String>,
    vectorizer: Vectorizer,
    model: Softmax,
}

impl TextClassifier {
    /// Trains on `(text, label)` pairs. Texts are normalised here; labels are kept in order
    /// of first appearance.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, &'a str)>) -> TextClassifier {
        let mut labels: Vec<String> = Vec::new();
        let mut label_index = std::collections::HashMap::new();
        let mut texts = Vec::new();
        let mut ys = Vec::new();
        for (text, label) in examples {
            let next = labels.len();
            let y = *label_index.entry(label.to_string()).or_insert(next);
            if y == next {
                labels.push(label.to_string());
            }
            texts.push(normalize(text).text);
            ys.push(y);
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectorizer = Vectorizer::fit(&refs);
        let xs: Vec<SparseVec> = refs.iter().map(|t| vectorizer.transform(t)).collect();
        let model = Softmax::train(&xs, &ys, vectorizer.len(), labels.len(), TrainParams::default());
        TextClassifier { labels, vectorizer, model }
    }

    /// The labels, in class order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Size of the model's parameters and vocabulary in bytes.
    pub fn size_bytes(&self) -> usize {
        self.model.size_bytes() + self.vectorizer.len() * 12
    }

    /// The `k` most likely labels of a raw utterance, best first.
    pub fn rank(&self, utterance: &str, k: usize) -> Vec<IntentCandidate> {
        self.rank_normalized(&normalize(utterance).text, k)
    }

    pub(crate) fn rank_normalized(&self, text: &str, k: usize) -> Vec<IntentCandidate> {
        self.candidates(&self.rank_classes(text, k))
    }

    /// The `k` most likely `(class index, probability)` of normalised text, best first.
    pub(crate) fn rank_classes(&self, text: &str, k: usize) -> Vec<(usize, f32)> {
        let x = self.vectorizer.transform(text);
        let mut p = Vec::new();
        self.model.probabilities(&x, &mut p);
        let mut order: Vec<usize> = (0..p.len()).collect();
        // Ties break by class order, so ranking is deterministic.
        order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
        order.into_iter().take(k).map(|i| (i, p[i])).collect()
    }

    /// Named candidates for ranked classes.
    pub(crate) fn candidates(&self, ranked: &[(usize, f32)]) -> Vec<IntentCandidate> {
        ranked.iter().map(|&(i, confidence)| IntentCandidate { name: self.labels[i].clone(), confidence }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_both_languages() {
        let data = [
            ("我的订单到哪了", "order"),
            ("查一下物流", "order"),
            ("快递怎么还没到", "order"),
            ("where is my package", "order"),
            ("track my order", "order"),
            ("我要退款", "refund"),
            ("钱能退回来吗", "refund"),
            ("申请退款", "refund"),
            ("i want a refund", "refund"),
            ("give me my money back", "refund"),
        ];
        let c = TextClassifier::train(data);
        assert_eq!(c.rank("我的快递到哪了", 1)[0].name, "order");
        assert_eq!(c.rank("退款", 1)[0].name, "refund");
        assert_eq!(c.rank("where is my order", 1)[0].name, "order");
        assert_eq!(c.rank("refund please", 1)[0].name, "refund");
        let ranked = c.rank("hello", 2);
        assert!(ranked[0].confidence >= ranked[1].confidence);
    }
}
