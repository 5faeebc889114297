//! `kefu eval --per-intent K`: the benchmark datasets as small bots are written — K training
//! examples per intent, drawn with a seed, and no out-of-scope examples at all — scored on
//! the full test splits, averaged over seeds.

use serde::Serialize;

use super::loaders::{Dataset, Example};
use super::{DatasetReport, SplitEmbeddings};
use crate::rng::Rng;

/// Indices of `k` training examples per intent (all of an intent that has fewer), in their
/// original order, drawn with `seed`.
fn draw(train: &[Example], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) | 1);
    let mut by_intent: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, e) in train.iter().enumerate() {
        by_intent.entry(e.intent.as_str()).or_default().push(i);
    }
    let mut chosen = Vec::new();
    for indices in by_intent.values_mut() {
        // A partial Fisher–Yates shuffle: the first k are a uniform draw.
        for j in 0..k.min(indices.len()) {
            let pick = j + (rng.next() % (indices.len() - j) as u64) as usize;
            indices.swap(j, pick);
        }
        chosen.extend_from_slice(&indices[..k.min(indices.len())]);
    }
    chosen.sort_unstable();
    chosen
}

/// At most this many training lines not drawn stand in for a dataset's missing validation
/// split (BANKING77): every 4th, so all intents are there.
const DEVELOPMENT_LINES: usize = 2_500;

/// `data` (and its embeddings) with `k` training examples per intent and no out-of-scope
/// training examples; validation and test splits whole. A dataset without a validation
/// split gets training lines that were not drawn as one, so that choices made on few-shot
/// runs never look at the test split.
pub(super) fn subsample(
    data: &Dataset,
    embeddings: Option<&SplitEmbeddings>,
    k: usize,
    seed: u64,
) -> (Dataset, Option<SplitEmbeddings>) {
    let chosen = draw(&data.train, k, seed);
    let development: Vec<usize> = match data.validation.is_empty() {
        true => (0..data.train.len())
            .filter(|i| chosen.binary_search(i).is_err())
            .step_by(4)
            .take(DEVELOPMENT_LINES)
            .collect(),
        false => Vec::new(),
    };
    let sub = Dataset {
        name: data.name,
        language: data.language,
        train: chosen.iter().map(|&i| data.train[i].clone()).collect(),
        validation: match data.validation.is_empty() {
            true => development.iter().map(|&i| data.train[i].clone()).collect(),
            false => data.validation.clone(),
        },
        test: data.test.clone(),
        oos_train: Vec::new(),
        oos_validation: data.oos_validation.clone(),
        oos_test: data.oos_test.clone(),
    };
    let emb = embeddings.map(|e| SplitEmbeddings {
        train: chosen.iter().map(|&i| e.train[i].clone()).collect(),
        oos_train: Vec::new(),
        validation: match data.validation.is_empty() {
            true => development.iter().map(|&i| e.train[i].clone()).collect(),
            false => e.validation.clone(),
        },
        test: e.test.clone(),
        oos_validation: e.oos_validation.clone(),
        oos_test: e.oos_test.clone(),
    });
    (sub, emb)
}

/// One dataset's few-shot scores: the mean over seeds, and each seed's report.
#[derive(Debug, Serialize)]
pub(super) struct FewShotReport {
    dataset: &'static str,
    language: &'static str,
    per_intent: usize,
    seeds: usize,
    mean_intent_accuracy: f64,
    /// On the validation split, or the training lines not drawn where there is none: the
    /// figure to make choices on.
    #[serde(skip_serializing_if = "Option::is_none")]
    mean_validation_accuracy: Option<f64>,
    /// With no out-of-scope training data, at the threshold chosen on validation (CLINC150).
    #[serde(skip_serializing_if = "Option::is_none")]
    mean_in_scope_accuracy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mean_oos_recall: Option<f64>,
    runs: Vec<DatasetReport>,
}

impl FewShotReport {
    pub(super) fn mean_intent_accuracy(&self) -> f64 {
        self.mean_intent_accuracy
    }

    pub(super) fn mean_validation_accuracy(&self) -> Option<f64> {
        self.mean_validation_accuracy
    }
}

pub(super) fn summarise(data: &Dataset, per_intent: usize, runs: Vec<DatasetReport>) -> FewShotReport {
    let mean = |f: &dyn Fn(&DatasetReport) -> Option<f64>| {
        let values: Vec<f64> = runs.iter().filter_map(f).collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    FewShotReport {
        dataset: data.name,
        language: data.language,
        per_intent,
        seeds: runs.len(),
        mean_intent_accuracy: mean(&|r| Some(r.intent_accuracy)).unwrap_or(0.0),
        mean_validation_accuracy: mean(&|r| r.validation_accuracy),
        mean_in_scope_accuracy: mean(&|r| r.out_of_scope.as_ref().map(|o| o.in_scope_accuracy)),
        mean_oos_recall: mean(&|r| r.out_of_scope.as_ref().map(|o| o.oos_recall)),
        runs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(intent: &str, n: usize) -> Example {
        Example { text: format!("{intent} {n}"), intent: intent.into(), tokens: Vec::new(), tags: Vec::new() }
    }

    #[test]
    fn draws_k_per_intent_deterministically_and_differently_per_seed() {
        let train: Vec<Example> = (0..30).map(|n| example(if n % 3 == 0 { "a" } else { "b" }, n)).collect();
        let first = draw(&train, 4, 0);
        assert_eq!(first, draw(&train, 4, 0));
        assert_eq!(first.len(), 8);
        assert_eq!(first.iter().filter(|&&i| train[i].intent == "a").count(), 4);
        assert_ne!(first, draw(&train, 4, 1));
        assert_eq!(draw(&train, 50, 0).len(), 30, "an intent with fewer keeps them all");
    }

    #[test]
    fn a_dataset_without_validation_is_developed_on_lines_not_drawn() {
        let train: Vec<Example> = (0..40).map(|n| example(if n % 2 == 0 { "a" } else { "b" }, n)).collect();
        let data = Dataset { name: "t", language: "en", train: train.clone(), ..Default::default() };
        let (sub, _) = subsample(&data, None, 3, 0);
        assert_eq!(sub.train.len(), 6);
        assert!(!sub.validation.is_empty());
        assert!(sub.validation.iter().all(|v| !sub.train.iter().any(|t| t.text == v.text)), "no drawn line");
        let with_validation = Dataset { validation: vec![example("a", 99)], ..data };
        assert_eq!(subsample(&with_validation, None, 3, 0).0.validation.len(), 1, "a real validation split is kept");
    }
}
