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

use std::sync::OnceLock;

use crate::intent::{HashedText, TextClassifier};
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
struct Model {
    classifier: TextClassifier,
    /// Each class's place in [`LABELS`].
    at: Vec<usize>,
    prior: f32,
}

/// The model, trained at first use; `None` only if training failed (it cannot on the
/// shipped lines; the rules' score stands in then).
fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(|| train(&training_lines())).as_ref()
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

fn train(lines: &[(&str, &str)]) -> Option<Model> {
    let dense: Vec<Vec<f32>> = lines.iter().map(|(text, _)| features(&signals_of(text))).collect();
    let classifier = TextClassifier::train_dense(lines.iter().copied(), &dense, &[], None, false).ok()?;
    let at = classifier.labels().iter().map(|l| LABELS.iter().position(|x| x == l)).collect::<Option<_>>()?;
    let mut model = Model { classifier, at, prior: 0.0 };
    model.prior = upset(&model, &HashedText::new(""), &Signals::default());
    Some(model)
}

/// The sentiment score of a line in −1 (angry) … 1 (happy): how upset the model finds it
/// against the positive words it holds. `hashed` is the normalised line's n-grams,
/// `signals` what the rules read in it.
pub(crate) fn score(hashed: &HashedText, signals: &Signals) -> f32 {
    match model() {
        Some(model) => score_with(model, hashed, signals),
        None => sentiment::rule_score(signals),
    }
}

fn score_with(model: &Model, hashed: &HashedText, signals: &Signals) -> f32 {
    let upset = ((upset(model, hashed, signals) - model.prior) / (1.0 - model.prior)).max(0.0);
    let pleased = (signals.positive / 2.0).tanh();
    pleased * (1.0 - upset) - upset
}

/// A dissatisfied line counts a third of an angry one: certain dissatisfaction reads as
/// dissatisfied (about −0.35), certain anger as angry (−1).
fn upset(model: &Model, hashed: &HashedText, signals: &Signals) -> f32 {
    let mut p = [0.0f32; 3];
    for (class, probability) in model.classifier.rank_classes(hashed, Some(&features(signals)), 3) {
        p[model.at[class]] = probability;
    }
    0.35 * p[1] + p[2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score_of(line: &str) -> f32 {
        let normalized = crate::text::normalize(line);
        score(&HashedText::new(&normalized.text), &signals_of(line))
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
            let model = train(&rest).expect("trains");
            for (text, label) in lines.iter().skip(fold).step_by(5) {
                let signals = signals_of(text);
                let s = match rules_only {
                    true => sentiment::rule_score(&signals),
                    false => score_with(&model, &HashedText::new(&crate::text::normalize(text).text), &signals),
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

    #[test]
    fn an_empty_or_odd_line_scores_within_bounds() {
        for line in ["", "!!!!!!", "？？？", "😡😡😡", "ALL CAPS LINE HERE"] {
            let s = score_of(line);
            assert!((-1.0..=1.0).contains(&s), "{line}: {s}");
        }
    }
}
