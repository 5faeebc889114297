//! The emotion behind the sentiment score: calm, dissatisfied or angry.
//!
//! A lexicon alone misses most angry lines (no lexicon word in "敢情钱到手了就不管了是吧？" or
//! "is your support team just for show"). This model is a softmax over a line's n-grams and
//! the rules' signals ([`crate::sentiment::Signals`]: lexicon words, cues of anger and of
//! complaint, exclamation and question marks, shouting, abuse), trained once per process
//! while the first bot loads, on the project's labelled lines (`emotion_train.txt`, zh and
//! en; about 35 ms natively, deterministic). Its probabilities become the score the bot
//! already used: −1 (angry) … 1 (happy); the brief reads −0.6 and below (the default
//! `handoff.negative_sentiment`) as angry, a third of that as dissatisfied.
//!
//! On the static and ONNX tiers a second model, a head, also reads the line's embedding
//! (the one the turn computes for its intent): trained on the same lines' embeddings while
//! the bot loads (once per process and encoder), but only when its encoder has them at
//! hand without running a model ([`SentenceEncoder::embed_at_hand`]: a static table's
//! lookups, or a model bundle's cache, which `kefu bundle` fills with them).
//! Cross-validated on the training lines it finds angry lines better (F1 zh / en: n-grams
//! 0.80 / 0.80, static head 0.85 / 0.83, ONNX head 0.90 / 0.91).

use std::sync::{Arc, Mutex, OnceLock};

use crate::encoder::SentenceEncoder;
use crate::intent::{HashedText, KeyHasher, TextClassifier};
use crate::sentiment::{self, Signals};

/// The training lines: `LABEL<TAB>TEXT`, `#` comments.
const TRAINING: &str = include_str!("emotion_train.txt");

/// The model's classes, in the order the score reads them.
const LABELS: [&str; 3] = ["calm", "dissatisfied", "angry"];

/// The rules' signals as the model's dense features, each within about −1…1. Question
/// marks, capitals and demands count only beside something negative: "I need a VAT
/// invoice" and "I want to change my address?" are calm.
fn features(s: &Signals) -> Vec<f32> {
    let clip = |v: f32, most: f32| v.clamp(-most, most) / most;
    let negative = s.negative + s.anger + s.complaint < 0.0 || s.abusive > 0;
    let beside_negative = |v: f32| if negative { v } else { 0.0 };
    vec![
        sentiment::rule_score(s),
        clip(s.negative, 3.0),
        clip(s.positive, 3.0),
        clip(s.anger, 4.0),
        clip(s.complaint, 1.5),
        clip(s.abusive as f32, 2.0),
        clip(s.bangs as f32, 3.0),
        beside_negative(clip(s.questions as f32, 2.0)),
        beside_negative(clip(s.shouted as f32, 2.0)),
        beside_negative(f32::from(u8::from(s.demands))),
    ]
}

/// The signals of a raw line, as [`crate::analysis`] computes them for a turn.
fn signals_of(raw: &str) -> Signals {
    let normalized = crate::text::normalize(raw);
    let abusive = crate::abuse::count(&normalized, raw);
    sentiment::signals(&normalized.text, raw, abusive)
}

/// The trained model and how upset it finds a line it knows nothing of ("red", "ok?"):
/// it learned from about as many upset lines as calm ones, where customers' lines are
/// mostly calm, so only what a line holds beyond that counts.
pub(crate) struct Model {
    classifier: TextClassifier,
    /// Each class's place in [`LABELS`].
    at: Vec<usize>,
    prior: f32,
    /// Length of the embedding a head reads after the signals; 0 for the n-gram model.
    dimension: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("emotion::Model").field("dimension", &self.dimension).finish_non_exhaustive()
    }
}

/// The model, trained at first use; `None` only if training failed (it cannot on the
/// shipped lines; the rules' score stands in then).
fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(|| train(&training_lines(), &[])).as_ref()
}

/// Trains the model now if no bot has yet, so that no customer's turn waits for it
/// (about 35 ms natively: bots call this while they load).
pub(crate) fn warm() {
    model();
}

/// The shipped training lines as `(text, label)`.
fn training_lines() -> Vec<(&'static str, &'static str)> {
    TRAINING
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(label, text)| (text, label))
        .collect()
}

/// How many heads a process keeps trained (one per encoder it loads bots on).
const KEPT_HEADS: usize = 4;

/// The first training lines, whose embeddings tell one encoder from another: a head
/// trained earlier in the process on the same embeddings of them is reused.
const PROBE_LINES: usize = 32;

/// The head on `encoder`'s embeddings, if the encoder has the training lines' embeddings
/// at hand (and they are finite and of one length): one trained earlier in this process on
/// the same encoder, else trained now.
pub(crate) fn head_on(encoder: &dyn SentenceEncoder) -> Option<Arc<Model>> {
    static TRAINED: Mutex<Vec<(u64, Arc<Model>)>> = Mutex::new(Vec::new());
    let texts = training_texts();
    let probe = encoder.embed_at_hand(&texts[..PROBE_LINES.min(texts.len())])?;
    let mut key = KeyHasher::default();
    probe.iter().for_each(|e| e.iter().for_each(|x| key.word(u64::from(x.to_bits()))));
    key.word(probe.first().map_or(0, Vec::len) as u64);
    let key = key.finish();
    let known =
        TRAINED.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == key).map(|(_, m)| m.clone());
    if known.is_some() {
        return known;
    }
    let embeddings = encoder.embed_at_hand(&texts)?;
    let dimension = embeddings.first().map_or(0, Vec::len);
    let usable = dimension > 0
        && embeddings.len() == texts.len()
        && embeddings.iter().all(|e| e.len() == dimension && e.iter().all(|x| x.is_finite()));
    let model = Arc::new(train(&training_lines(), usable.then_some(embeddings.as_slice())?)?);
    let mut trained = TRAINED.lock().unwrap_or_else(|p| p.into_inner());
    if trained.len() == KEPT_HEADS {
        trained.remove(0);
    }
    trained.push((key, model.clone()));
    Some(model)
}

/// The texts a head trains on, for an encoder to keep at hand (`kefu bundle` embeds them).
pub fn training_texts() -> Vec<&'static str> {
    training_lines().into_iter().map(|(text, _)| text).collect()
}

/// Trains on `lines`, each with its embedding when `embeddings` is not empty (a head).
fn train(lines: &[(&str, &str)], embeddings: &[Vec<f32>]) -> Option<Model> {
    let dense: Vec<Vec<f32>> = lines.iter().enumerate().map(|(i, (text, _))| dense(text, embeddings.get(i))).collect();
    let classifier = TextClassifier::train_dense(lines.iter().copied(), &dense, &[], None, false).ok()?;
    let at = classifier.labels().iter().map(|l| LABELS.iter().position(|x| x == l)).collect::<Option<_>>()?;
    let dimension = embeddings.first().map_or(0, Vec::len);
    let mut model = Model { classifier, at, prior: 0.0, dimension };
    model.prior = upset(&model, &HashedText::new(""), &Signals::default(), None);
    Some(model)
}

/// A training line's dense features: its signals' (computed once per process for the
/// shipped lines, which every model trains on), then a head's embedding.
fn dense(text: &str, embedding: Option<&Vec<f32>>) -> Vec<f32> {
    static SHIPPED: OnceLock<std::collections::HashMap<&'static str, Vec<f32>>> = OnceLock::new();
    let shipped =
        SHIPPED.get_or_init(|| training_lines().into_iter().map(|(t, _)| (t, features(&signals_of(t)))).collect());
    let mut out = shipped.get(text).cloned().unwrap_or_else(|| features(&signals_of(text)));
    out.extend(embedding.into_iter().flatten());
    out
}

/// The sentiment score of a line in −1 (angry) … 1 (happy): how upset the model finds it
/// against the positive words it holds. `hashed` is the normalised line's n-grams,
/// `signals` what the rules read in it. With a `head` and the line's `embedding` (of the
/// head's length) the head scores it, else the n-gram model.
pub(crate) fn score(hashed: &HashedText, signals: &Signals, head: Option<&Model>, embedding: Option<&[f32]>) -> f32 {
    let on_head = head.zip(embedding).filter(|(h, e)| e.len() == h.dimension && h.dimension > 0);
    match (on_head, model()) {
        (Some((head, embedding)), _) => score_with(head, hashed, signals, Some(embedding)),
        (None, Some(model)) => score_with(model, hashed, signals, None),
        (None, None) => sentiment::rule_score(signals),
    }
}

fn score_with(model: &Model, hashed: &HashedText, signals: &Signals, embedding: Option<&[f32]>) -> f32 {
    let upset = ((upset(model, hashed, signals, embedding) - model.prior) / (1.0 - model.prior)).max(0.0);
    let pleased = (signals.positive / 2.0).tanh();
    pleased * (1.0 - upset) - upset
}

/// A dissatisfied line counts a third of an angry one: certain dissatisfaction reads as
/// dissatisfied (about −0.35), certain anger as angry (−1).
fn upset(model: &Model, hashed: &HashedText, signals: &Signals, embedding: Option<&[f32]>) -> f32 {
    let mut features = features(signals);
    match embedding {
        Some(e) => features.extend_from_slice(e),
        None => features.resize(features.len() + model.dimension, 0.0),
    }
    let mut p = [0.0f32; 3];
    for (class, probability) in model.classifier.rank_classes(hashed, Some(&features), 3) {
        p[model.at[class]] = probability;
    }
    0.35 * p[1] + p[2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score_of(line: &str) -> f32 {
        let normalized = crate::text::normalize(line);
        score(&HashedText::new(&normalized.text), &signals_of(line), None, None)
    }

    /// Angry-against-the-rest F1 at the default handoff threshold (−0.6), per language,
    /// over five folds of the training lines: each fold scored by a model trained on the
    /// other four. The rules' score alone, for comparison.
    fn cross_validated_f1(rules_only: bool) -> [f64; 2] {
        let lines = training_lines();
        let mut counts = [[0usize; 3]; 2]; // per language: true positives, false positives, misses
        for fold in 0..5 {
            let rest: Vec<(&str, &str)> =
                lines.iter().enumerate().filter(|(i, _)| i % 5 != fold).map(|(_, l)| *l).collect();
            let model = train(&rest, &[]).expect("trains");
            for (text, label) in lines.iter().skip(fold).step_by(5) {
                let signals = signals_of(text);
                let s = match rules_only {
                    true => sentiment::rule_score(&signals),
                    false => score_with(&model, &HashedText::new(&crate::text::normalize(text).text), &signals, None),
                };
                let c = &mut counts[usize::from(!text.chars().any(crate::text::is_cjk))];
                match (s <= -0.6, *label == "angry") {
                    (true, true) => c[0] += 1,
                    (true, false) => c[1] += 1,
                    (false, true) => c[2] += 1,
                    (false, false) => {}
                }
            }
        }
        counts.map(|[tp, fp, missed]| 2.0 * tp as f64 / (2 * tp + fp + missed).max(1) as f64)
    }

    #[test]
    fn the_model_reads_anger_in_lines_it_did_not_train_on() {
        let (model, rules) = (cross_validated_f1(false), cross_validated_f1(true));
        for (i, language) in ["zh", "en"].iter().enumerate() {
            // 0.81 / 0.79 when written (the rules alone: 0.42 / 0.28).
            assert!(model[i] >= 0.75, "{language}: cross-validated F1 {:.3}", model[i]);
            assert!(model[i] > rules[i] + 0.2, "{language}: {:.3} against the rules' {:.3}", model[i], rules[i]);
        }
    }

    #[test]
    fn the_model_trains_on_the_shipped_lines() {
        let model = model().expect("trains");
        let mut labels = model.classifier.labels().to_vec();
        labels.sort();
        assert_eq!(labels, ["angry", "calm", "dissatisfied"]);
    }

    #[test]
    fn reads_calm_dissatisfied_and_angry_lines_in_both_languages() {
        for calm in ["请问这个有蓝色的吗", "thanks, that's all I needed"] {
            assert!(score_of(calm) > -0.2, "{calm}: {}", score_of(calm));
        }
        for upset in ["快递五天了还没动静", "the parcel is late again"] {
            assert!(score_of(upset) <= -0.2, "{upset}: {}", score_of(upset));
        }
        for angry in ["你们这群骗子，马上退钱！", "this is a scam, refund me right now!"] {
            assert!(score_of(angry) <= -0.6, "{angry}: {}", score_of(angry));
        }
    }

    /// An encoder whose "embedding" is a line's length and its count of '!', at hand or not.
    #[derive(Debug)]
    struct Counting {
        at_hand: bool,
        scale: f32,
    }

    impl SentenceEncoder for Counting {
        fn dimension(&self) -> usize {
            2
        }
        fn embed(&self, text: &str) -> crate::Result<Vec<f32>> {
            Ok(vec![text.chars().count() as f32 / 40.0 * self.scale, text.matches(['!', '！']).count() as f32])
        }
        fn embed_at_hand(&self, texts: &[&str]) -> Option<Vec<Vec<f32>>> {
            self.at_hand.then(|| texts.iter().map(|t| self.embed(t).unwrap()).collect())
        }
    }

    #[test]
    fn a_head_trains_once_per_encoder_and_only_on_embeddings_at_hand() {
        let encoder = Counting { at_hand: true, scale: 1.0 };
        let head = head_on(&encoder).expect("trains");
        assert_eq!(head.dimension, 2);
        assert!(Arc::ptr_eq(&head, &head_on(&encoder).unwrap()), "the same encoder: the head trained before");
        let other = head_on(&Counting { at_hand: true, scale: 2.0 }).unwrap();
        assert!(!Arc::ptr_eq(&head, &other), "another encoder: its own head");
        assert!(head_on(&Counting { at_hand: false, scale: 1.0 }).is_none(), "never runs a model for it");
        let broken = Counting { at_hand: true, scale: f32::NAN };
        assert!(head_on(&broken).is_none(), "non-finite embeddings train nothing");
        // A turn without an embedding of the head's length is scored by the n-gram model.
        let line = "你们这群骗子，马上退钱！";
        let hashed = HashedText::new(&crate::text::normalize(line).text);
        let signals = signals_of(line);
        let alone = score(&hashed, &signals, None, None);
        assert_eq!(score(&hashed, &signals, Some(&head), Some(&[1.0])), alone);
        let on_head = score(&hashed, &signals, Some(&head), Some(&encoder.embed(line).unwrap()));
        assert!((-1.0..=1.0).contains(&on_head) && on_head <= -0.6, "{on_head}");
    }

    #[test]
    fn an_empty_or_odd_line_scores_within_bounds() {
        for line in ["", "!!!!!!", "？？？", "😡😡😡", "ALL CAPS LINE HERE"] {
            let s = score_of(line);
            assert!((-1.0..=1.0).contains(&s), "{line}: {s}");
        }
    }
}
