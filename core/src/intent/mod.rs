//! Intent classification: rules first, then the embedded model trained from the examples.

mod background;
mod calibration;
mod features;
mod heads;
mod linear;
mod rules;
mod sgd;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub(crate) use background::{lines_for as background_lines, ngram_set};
pub use calibration::Calibration;
pub(crate) use features::HashedMap;
use features::{hashed_features, slot_features, SparseVec, Vectorizer};
pub(crate) use heads::{check_heads, decode as decode_heads, encode as encode_heads, HeadCache};
pub(crate) use linear::KeyHasher;
use linear::{Shape, Softmax, TrainParams};
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
    /// The customer's answer to the bot's question which of two intents they meant.
    Clarified,
    /// A follow-up ("那手表呢", "what about order 87654321"): the previous intent again,
    /// with the value the line swaps in.
    FollowUp,
}

impl IntentSource {
    /// Stable snake_case name.
    pub fn code(self) -> &'static str {
        match self {
            IntentSource::Rule => "rule",
            IntentSource::Model => "model",
            IntentSource::Form => "form",
            IntentSource::Clarified => "clarified",
            IntentSource::FollowUp => "follow_up",
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

/// The tokens of a text and their BIO slot tags, as [`crate::models::SequenceTagger::tag`] gives
/// them (tokens lower-case): what a classifier that reads slots sees of them.
#[derive(Debug, Clone, Copy)]
pub struct SlotTags<'a> {
    /// The text's tokens.
    pub tokens: &'a [String],
    /// One tag per token: `O`, `B-slot` or `I-slot`.
    pub tags: &'a [String],
}

/// The hashed features of a normalised text, computed and sorted once per turn for every
/// classifier (intents, segments, emotion): its n-grams and, where the text was tagged,
/// the n-grams with its slot features.
pub(crate) struct HashedText {
    ngrams: Vec<u64>,
    /// The n-grams and the slot features, sorted; empty where the text has no slot features.
    with_slots: Vec<u64>,
}

impl HashedText {
    pub(crate) fn new(normalized: &str) -> HashedText {
        let mut ngrams = Vec::new();
        hashed_features(normalized, &mut ngrams);
        ngrams.sort_unstable();
        HashedText { ngrams, with_slots: Vec::new() }
    }

    /// [`HashedText::new`] with the slot features of the text's tags.
    pub(crate) fn with_slots(normalized: &str, slots: Option<SlotTags<'_>>) -> HashedText {
        let mut text = HashedText::new(normalized);
        if let Some(s) = slots {
            let mut with_slots = text.ngrams.clone();
            slot_features(s.tokens, s.tags, &mut with_slots);
            if with_slots.len() > text.ngrams.len() {
                with_slots.sort_unstable();
                text.with_slots = with_slots;
            }
        }
        text
    }

    /// The sorted features a model reads.
    fn features(&self, reads_slots: bool) -> &[u64] {
        if reads_slots && !self.with_slots.is_empty() {
            &self.with_slots
        } else {
            &self.ngrams
        }
    }
}

/// Label of the background class: examples with it teach the model what the bot does not
/// handle (the bot file's `out_of_scope`, CLINC150's `oos_train`). It is never ranked; the
/// probability it takes lowers the other candidates' confidences, so such turns fall back.
pub const OUT_OF_SCOPE_LABEL: &str = "~";

/// A softmax classifier over hashed word and character n-grams, trained from labelled
/// texts: the embedded tier. Pure Rust, deterministic, no model file. The ONNX tier trains
/// the same model on the n-grams plus each text's sentence embedding
/// ([`TextClassifier::train_with_embeddings`]).
#[derive(Debug, Clone)]
pub struct TextClassifier {
    labels: Vec<String>,
    vectorizer: Vectorizer,
    model: Arc<Softmax>,
    /// [`Softmax::training_key`] of the model.
    head_key: u64,
    /// Whether the model came from a model bundle's heads instead of training.
    reused: bool,
    /// Length of the sentence embeddings appended to the n-gram features (0: none).
    dense: usize,
    /// Whether the model reads slot features (it was trained with slot tags).
    reads_slots: bool,
    /// Class of [`OUT_OF_SCOPE_LABEL`], if the examples had it.
    background: Option<usize>,
    /// The fallback threshold chosen from the examples, when asked for at training.
    calibration: Option<Calibration>,
}

/// Weight of the (unit-length) embedding next to the (unit-length) n-gram vector. First
/// tried 0.5–4 on SMP2017's test split; with the three-layer embedding, checked on the
/// validation splits of five datasets (mean accuracy 96.79 / 96.82 / 96.63 % for 1.5 / 2.5
/// / 3.5).
const EMBEDDING_WEIGHT: f32 = 2.5;

/// The fewest examples a thread featurises at load: below it, starting a thread costs more
/// than it saves.
const PARALLEL_CHUNK: usize = 2_000;

/// How many times each background ([`OUT_OF_SCOPE_LABEL`]) example counts when the model
/// also sees sentence embeddings; once on the embedded tier. Chosen on CLINC150's
/// validation split (ONNX tier, 1 / 2 / 3 / 5: accuracy without a threshold 96.10 / 96.17 /
/// 96.00 / 96.00 %, mean in-scope accuracy at 70, 80 and 85 % OOS recall 95.38 / 95.41 /
/// 95.39 / 95.42 %; a hand trial that repeated them before the idf was fitted, which gives
/// the same numbers at 2). On the embedded tier more weight cost accuracy (5: −0.2 points).
const BACKGROUND_WEIGHT_WITH_EMBEDDINGS: usize = 2;

/// The most weights (feature columns × classes) a model may have where training holds them
/// all, as a dense matrix: 2 GiB of `f32` (ONNX-tier models, and embedded-tier ones of up
/// to 256 classes; larger ones train with sparse updates and keep only the weights they
/// learn, docs/scale.md). 100,000 intents once asked for 591 GB and aborted the process.
pub const MAX_MODEL_WEIGHTS: usize = 1 << 29;

/// The most training work a bot may ask for: feature values of its examples × the weights
/// read for each × passes over them (12 on the embedded tier, 30 on the ONNX tier). A
/// dense matrix is read whole; with sparse updates a feature's own classes at least, or a
/// dense row. Training time grows with it, 0.3–0.8 ns a unit on the machine the project is
/// measured on (CLINC150 on the ONNX tier: about 3·10¹⁰, 25 s), so a load stays under
/// about a minute there.
pub const MAX_TRAINING_WORK: u64 = 100_000_000_000;

/// A model refused before it is trained: too many weights, or too much training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelTooLarge {
    Weights { columns: usize, classes: usize },
    Training { work: u64, values: usize, classes: usize },
}

impl ModelTooLarge {
    /// As a bot file problem of `file`.
    pub(crate) fn into_error(self, file: &str) -> crate::Error {
        let message = match self {
            ModelTooLarge::Weights { columns, classes } => format!(
                "the intent model would need {} weights ({columns} features × {classes} intents, FAQ entries and out-of-scope), over the limit of {MAX_MODEL_WEIGHTS}: use fewer intents or FAQ entries, or fewer examples",
                columns.saturating_mul(classes)
            ),
            ModelTooLarge::Training { work, values, classes } => format!(
                "training would take {work} units of work ({values} feature values in the examples, each scored against up to {classes} intents, FAQ entries and out-of-scope, on every pass), over the limit of {MAX_TRAINING_WORK} (about a minute): use fewer intents or FAQ entries, or fewer examples, or fewer words shared by all of them",
            ),
        };
        crate::Error::BotFile(crate::error::BotFileError {
            file: file.to_string(),
            problems: vec![crate::error::Problem { line: None, kind: crate::error::ProblemKind::TooLarge, message }],
        })
    }
}

impl TextClassifier {
    /// Trains on `(text, label)` pairs. Texts are normalised here; labels are kept in order
    /// of first appearance. A model over [`MAX_MODEL_WEIGHTS`] is an error.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, &'a str)>) -> crate::Result<TextClassifier> {
        TextClassifier::train_dense(examples, &[], &[], None, false).map_err(|e| e.into_error("the training examples"))
    }

    /// Trains on `(text, label)` pairs with, optionally, each text's sentence embedding and
    /// its slot tags (same order; empty slices: none). A model trained with slot tags also
    /// learns from the sentence with each slot's words replaced by the slot's name, so it
    /// wants the tags of each utterance it ranks (the tagger's guess):
    /// [`TextClassifier::rank_with`].
    pub fn train_with<'a>(
        examples: impl IntoIterator<Item = (&'a str, &'a str)>,
        embeddings: &[Vec<f32>],
        slots: &[SlotTags<'_>],
    ) -> crate::Result<TextClassifier> {
        TextClassifier::train_dense(examples, embeddings, slots, None, false)
            .map_err(|e| e.into_error("the training examples"))
    }

    /// Trains on `(text, label)` pairs and each text's sentence embedding (same order, same
    /// length; see [`crate::SentenceEncoder`]). Rank with [`TextClassifier::rank_with_embedding`].
    pub fn train_with_embeddings<'a>(
        examples: impl IntoIterator<Item = (&'a str, &'a str)>,
        embeddings: &[Vec<f32>],
    ) -> crate::Result<TextClassifier> {
        TextClassifier::train_dense(examples, embeddings, &[], None, false)
            .map_err(|e| e.into_error("the training examples"))
    }

    /// Trains on n-grams, `embeddings` (none: the embedded tier) and `slots` (none: no slot
    /// features), reusing the model of `heads` when it holds this very training run; with
    /// `calibrate`, also chooses a fallback threshold from the examples
    /// ([`TextClassifier::calibration`]).
    pub(crate) fn train_dense<'a>(
        examples: impl IntoIterator<Item = (&'a str, &'a str)>,
        embeddings: &[Vec<f32>],
        slots: &[SlotTags<'_>],
        heads: Option<&HeadCache>,
        calibrate: bool,
    ) -> Result<TextClassifier, ModelTooLarge> {
        let mut labels: Vec<String> = Vec::new();
        let mut label_index = std::collections::HashMap::new();
        let mut raw = Vec::new();
        let mut ys = Vec::new();
        for (text, label) in examples {
            let next = labels.len();
            let y = *label_index.entry(label.to_string()).or_insert(next);
            if y == next {
                labels.push(label.to_string());
            }
            raw.push(text);
            ys.push(y);
        }
        let texts: Vec<String> = crate::parallel::map(&raw, PARALLEL_CHUNK, |t| normalize(t).text);
        let reads_slots = !slots.is_empty();
        let indices: Vec<usize> = (0..texts.len()).collect();
        let hashed: Vec<HashedText> = crate::parallel::map(&indices, PARALLEL_CHUNK, |&i| {
            HashedText::with_slots(&texts[i], slots.get(i).copied().filter(|_| reads_slots))
        });
        let features: Vec<&[u64]> = hashed.iter().map(|h| h.features(reads_slots)).collect();
        let mut vectorizer = Vectorizer::fit(&features);
        let dense = embeddings.first().map_or(0, Vec::len);
        let shape = Shape { sparse: vectorizer.len(), dense, classes: labels.len() };
        let (columns, classes) = (shape.columns(), shape.classes);
        if !sgd::sparse_updates(shape) && columns.saturating_mul(classes) > MAX_MODEL_WEIGHTS {
            return Err(ModelTooLarge::Weights { columns, classes });
        }
        if dense > 0 {
            vectorizer.ignore_unseen();
        }
        let background = labels.iter().position(|l| l == OUT_OF_SCOPE_LABEL);
        let mut c = TextClassifier {
            labels,
            vectorizer,
            model: Arc::default(),
            head_key: 0,
            reused: false,
            dense,
            reads_slots,
            background,
            calibration: None,
        };
        let mut xs: Vec<SparseVec> = crate::parallel::map(&indices, PARALLEL_CHUNK, |&i| {
            c.features_hashed(&hashed[i], embeddings.get(i).map(Vec::as_slice))
        });
        if let Some(b) = background.filter(|_| dense > 0) {
            // The background examples, repeated: they stand for everything the bot does not
            // do, so they weigh more than as many examples of one intent.
            for _ in 1..BACKGROUND_WEIGHT_WITH_EMBEDDINGS {
                for i in 0..texts.len() {
                    if ys[i] == b {
                        xs.push(xs[i].clone());
                        ys.push(b);
                    }
                }
            }
        }
        let params = if dense > 0 { TrainParams::WITH_EMBEDDINGS } else { TrainParams::NGRAMS };
        let work = sgd::work(&xs, &ys, shape, params);
        if work > MAX_TRAINING_WORK {
            let values = xs.iter().map(|x| x.idx.len()).sum();
            return Err(ModelTooLarge::Training { work, values, classes });
        }
        // The model and the threshold's trainings side by side where the host has cores;
        // either may come from the cache.
        let key = Softmax::training_key(&xs, &ys, shape, params);
        let (head, calibration) = crate::parallel::join(
            || heads::get_or_train(heads, key, &xs, &ys, shape, params),
            || match calibrate {
                true => heads::cached_calibration(heads, key, background)
                    .or_else(|| calibration::calibrate(&xs, &ys, shape, background, params)),
                false => None,
            },
        );
        (c.model, c.head_key, c.reused, c.calibration) = (head.model, head.key, head.reused, calibration);
        Ok(c)
    }

    /// The fallback threshold chosen from the training examples by cross-validation, if
    /// training was asked to choose one and the examples allow it (three intents or more,
    /// at most 5,000 examples).
    pub fn calibration(&self) -> Option<Calibration> {
        self.calibration
    }

    /// The trained model as `(key, bytes)` for [`crate::ModelBundle::heads`] and compiled
    /// bots, and its chosen threshold, if any, under [`Calibration::cache_key`].
    pub(crate) fn head_bytes(&self) -> impl Iterator<Item = (u64, Vec<u8>)> + '_ {
        let key = Calibration::cache_key(self.head_key, self.background);
        let calibration = self.calibration.map(|c| (key, c.to_bytes()));
        std::iter::once((self.head_key, self.model.to_bytes())).chain(calibration)
    }

    /// Whether the model came from a model bundle's cached heads.
    pub(crate) fn reused(&self) -> bool {
        self.reused
    }

    /// The tf-idf vector of a text's n-grams (and slot features, if the model reads them),
    /// followed by its embedding when the model has one (a missing or wrong-length
    /// embedding counts as zeros).
    fn features_hashed(&self, text: &HashedText, embedding: Option<&[f32]>) -> SparseVec {
        let mut x = self.vectorizer.transform_sorted(text.features(self.reads_slots));
        if let Some(e) = embedding.filter(|e| self.dense > 0 && e.len() == self.dense) {
            let first = self.vectorizer.len() as u32;
            x.idx.extend((0..self.dense as u32).map(|d| first + d));
            x.val.extend(e.iter().map(|v| v * EMBEDDING_WEIGHT));
        }
        x
    }

    /// Whether the model reads slot tags (see [`TextClassifier::train_with`]).
    pub fn reads_slots(&self) -> bool {
        self.reads_slots
    }

    /// Length of the embeddings the model was trained with (0: the embedded tier).
    pub fn embedding_dimension(&self) -> usize {
        self.dense
    }

    /// The labels, in class order (with [`OUT_OF_SCOPE_LABEL`] where the examples had it).
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

    /// [`TextClassifier::rank`] for a model trained with embeddings: `embedding` is the
    /// utterance's sentence embedding from the same encoder.
    pub fn rank_with_embedding(&self, utterance: &str, embedding: &[f32], k: usize) -> Vec<IntentCandidate> {
        self.candidates(&self.rank_classes(&HashedText::new(&normalize(utterance).text), Some(embedding), k))
    }

    /// [`TextClassifier::rank`] with, optionally, the utterance's sentence embedding and its
    /// slot tags (see [`TextClassifier::train_with`]; tokens of the normalised utterance).
    pub fn rank_with(
        &self,
        utterance: &str,
        embedding: Option<&[f32]>,
        slots: Option<SlotTags<'_>>,
        k: usize,
    ) -> Vec<IntentCandidate> {
        self.candidates(&self.rank_classes(&HashedText::with_slots(&normalize(utterance).text, slots), embedding, k))
    }

    pub(crate) fn rank_normalized(&self, text: &str, k: usize) -> Vec<IntentCandidate> {
        self.candidates(&self.rank_classes(&HashedText::new(text), None, k))
    }

    /// The `k` most likely `(class index, probability)` of hashed normalised text, best
    /// first; never the background class.
    pub(crate) fn rank_classes(&self, text: &HashedText, embedding: Option<&[f32]>, k: usize) -> Vec<(usize, f32)> {
        self.rank_against_background(text, embedding, k).0
    }

    /// [`TextClassifier::rank_classes`] and the probability of the background class (0
    /// without one).
    pub(crate) fn rank_against_background(
        &self,
        text: &HashedText,
        embedding: Option<&[f32]>,
        k: usize,
    ) -> (Vec<(usize, f32)>, f32) {
        let x = self.features_hashed(text, embedding);
        let mut p = Vec::new();
        self.model.probabilities(&x, &mut p);
        let background = self.background.map_or(0.0, |b| p[b]);
        // The best k in one pass (k is a handful, classes may be thousands); ties break by
        // class order, so ranking is deterministic.
        let ranks_before = |a: usize, b: usize| p[b].total_cmp(&p[a]).then(a.cmp(&b)).is_lt();
        let mut top: Vec<usize> = Vec::with_capacity(k + 1);
        for i in (0..p.len()).filter(|&i| Some(i) != self.background) {
            if top.len() == k && top.last().map_or(true, |&worst| !ranks_before(i, worst)) {
                continue;
            }
            let at = top.partition_point(|&t| ranks_before(t, i));
            top.insert(at, i);
            top.truncate(k);
        }
        (top.into_iter().map(|i| (i, p[i])).collect(), background)
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
        let c = TextClassifier::train(data).unwrap();
        assert_eq!(c.rank("我的快递到哪了", 1)[0].name, "order");
        assert_eq!(c.rank("退款", 1)[0].name, "refund");
        assert_eq!(c.rank("where is my order", 1)[0].name, "order");
        assert_eq!(c.rank("refund please", 1)[0].name, "refund");
        let ranked = c.rank("hello", 2);
        assert!(ranked[0].confidence >= ranked[1].confidence);
        // The best k are the first k of the whole ranking, best first.
        let all = c.rank("退款 where is my order", 10);
        assert_eq!(all.len(), 2);
        assert!(all.windows(2).all(|w| w[0].confidence >= w[1].confidence));
        for k in 0..=3 {
            assert_eq!(c.rank("退款 where is my order", k), all[..k.min(2)]);
        }
    }

    #[test]
    fn a_model_trained_with_slot_tags_reads_the_slot_of_an_unknown_word() {
        // Same carrier words; only what is booked tells the intents apart.
        let data = [
            ("book luigis", "restaurant", "O B-place"),
            ("book the golden dragon", "restaurant", "O O B-place I-place"),
            ("book sakura for tonight", "restaurant", "O B-place O O"),
            ("book dune", "cinema", "O B-movie"),
            ("book the matrix", "cinema", "O O B-movie"),
            ("book alien for tonight", "cinema", "O B-movie O O"),
        ];
        let split = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let tokens: Vec<Vec<String>> = data.iter().map(|(text, _, _)| split(text)).collect();
        let tags: Vec<Vec<String>> = data.iter().map(|(_, _, tags)| split(tags)).collect();
        let slots: Vec<SlotTags<'_>> =
            tokens.iter().zip(&tags).map(|(tokens, tags)| SlotTags { tokens, tags }).collect();
        let c = TextClassifier::train_with(data.iter().map(|(t, l, _)| (*t, *l)), &[], &slots).unwrap();
        assert!(
            c.reads_slots() && !TextClassifier::train(data.iter().map(|(t, l, _)| (*t, *l))).unwrap().reads_slots()
        );
        let query = split("book zorba");
        let top = |tags: &str| {
            let tags = split(tags);
            c.rank_with("book zorba", None, Some(SlotTags { tokens: &query, tags: &tags }), 1)[0].name.clone()
        };
        assert_eq!(top("O B-place"), "restaurant");
        assert_eq!(top("O B-movie"), "cinema");
    }

    #[test]
    fn out_of_scope_examples_are_learned_but_never_ranked() {
        let intents = [
            ("where is my package", "order"),
            ("track my order", "order"),
            ("has my order shipped", "order"),
            ("i want a refund", "refund"),
            ("give me my money back", "refund"),
            ("refund my order", "refund"),
        ];
        let background = [
            ("what is the weather like today", OUT_OF_SCOPE_LABEL),
            ("will it rain tomorrow", OUT_OF_SCOPE_LABEL),
            ("tell me a joke", OUT_OF_SCOPE_LABEL),
        ];
        let plain = TextClassifier::train(intents).unwrap();
        let with_background = TextClassifier::train(intents.iter().chain(&background).copied()).unwrap();
        let weather = "what will the weather be tomorrow";
        let top = |c: &TextClassifier, text| c.rank(text, 1)[0].confidence;
        assert!(top(&with_background, weather) < top(&plain, weather) - 0.2, "the background class takes the weather");
        let mut names: Vec<String> = with_background.rank(weather, 10).into_iter().map(|c| c.name).collect();
        names.sort();
        assert_eq!(names, ["order", "refund"]);
        assert_eq!(with_background.rank("track my package", 1)[0].name, "order");
        assert!(top(&with_background, "track my package") > 0.5);
    }
}
