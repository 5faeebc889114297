//! Emotion on customer-service lines the project wrote and labelled (calm / dissatisfied /
//! angry, zh and en: tests/fixtures/emotion), every other line the development part: how
//! the sentiment score behind the brief's mood, its trend and the `negative_sentiment`
//! handoff separates angry lines from the rest: F1 on the test part at the default
//! threshold (−0.6, held to issue 25's 0.85) and at a threshold chosen on the development
//! part. Writes reports/emotion.json, with what typical lines of each label score, for
//! authors choosing `handoff.negative_sentiment`; on the static and ONNX tiers, where a
//! head on the encoder's embeddings scores the lines, reports/emotion-static.json and
//! reports/emotion-onnx.json.

use std::sync::Arc;

use kefu_core::{Bot, BotLoader, SentenceEncoder, TurnContext};
use kefu_tests::{load_bot, repo_root, test_static_table, write_report};

fn lines(language: &str) -> Vec<(String, String)> {
    let path = repo_root().join(format!("tests/fixtures/emotion/{language}.txt"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (label, text) = l.split_once('\t').unwrap_or_else(|| panic!("no tab: {l}"));
            (label.to_string(), text.to_string())
        })
        .collect()
}

/// The default `handoff.negative_sentiment`, where the brief's mood turns angry.
const DEFAULT_THRESHOLD: f32 = -0.6;

/// F1 of "angry" for lines scoring at or below `threshold`.
fn f1(scored: &[(f32, bool)], threshold: f32) -> f64 {
    let tp = scored.iter().filter(|(s, angry)| *s <= threshold && *angry).count() as f64;
    let fp = scored.iter().filter(|(s, angry)| *s <= threshold && !*angry).count() as f64;
    let fn_ = scored.iter().filter(|(s, angry)| *s > threshold && *angry).count() as f64;
    if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + fp + fn_)
    }
}

#[test]
fn angry_lines_against_the_rest_per_language() {
    let model = "core/src/emotion.rs: a softmax over n-grams and the rules' signals (core/src/sentiment.rs), trained on core/src/emotion_train.txt";
    score_tier(&load_bot("examples/bots/shop.yaml"), "reports/emotion.json", model);
}

const HEAD: &str = "core/src/emotion.rs: the head, a softmax over n-grams, the rules' signals and the line's embedding, trained on core/src/emotion_train.txt and its embeddings";

fn shop_on(encoder: Arc<dyn SentenceEncoder>) -> Bot {
    let source = std::fs::read_to_string(repo_root().join("examples/bots/shop.yaml")).expect("sample bot");
    BotLoader::new().encoder(encoder).from_yaml("shop.yaml", &source).expect("loads")
}

#[test]
fn angry_lines_on_the_static_tier() {
    let Some((table, _)) = test_static_table() else { return };
    let bot = shop_on(table);
    assert!(bot.has_emotion_head(), "a static table has the lines' embeddings at hand");
    score_tier(&bot, "reports/emotion-static.json", HEAD);
}

/// On the ONNX tier the head needs the training lines' embeddings at hand, as a model
/// bundle made by `kefu bundle` has them: embedded here first, into the encoder's cache.
#[test]
fn angry_lines_on_the_onnx_tier_with_a_bundles_cache() {
    if kefu_tests::test_encoder().is_none() {
        return;
    }
    let encoder = kefu_onnx::OnnxEncoder::from_dir(&kefu_tests::encoder_dir()).expect("encoder");
    encoder.keep_embeddings(true);
    let encoder = Arc::new(encoder);
    assert!(!shop_on(encoder.clone()).has_emotion_head(), "no head without the lines' embeddings at hand");
    encoder.embed_batch(&kefu_core::emotion_training_texts(), &mut |_, _| {}).expect("embeds");
    let with = shop_on(encoder);
    assert!(with.has_emotion_head());
    score_tier(&with, "reports/emotion-onnx.json", HEAD);
}

fn score_tier(bot: &Bot, report_path: &str, model: &str) {
    let ctx = TurnContext::default();
    let mut report = serde_json::Map::new();
    let mut results = Vec::new();
    for language in ["zh", "en"] {
        let labelled = lines(language);
        assert!(labelled.len() >= 150, "{language}: {} lines", labelled.len());
        for label in ["calm", "dissatisfied", "angry"] {
            assert!(labelled.iter().filter(|(l, _)| l == label).count() >= 50, "{language} {label}");
        }
        let scored: Vec<(f32, bool, &str)> = labelled
            .iter()
            .map(|(label, text)| {
                let s = bot.analyze(text, &ctx).unwrap_or_else(|e| panic!("{text}: {e}")).sentiment;
                (s, label == "angry", label.as_str())
            })
            .collect();
        let part = |dev: bool| -> Vec<(f32, bool)> {
            scored.iter().enumerate().filter(|(i, _)| (i % 2 == 0) == dev).map(|(_, (s, a, _))| (*s, *a)).collect()
        };
        let (dev, test) = (part(true), part(false));
        let mut candidates: Vec<f32> = dev.iter().map(|(s, _)| *s).collect();
        candidates.sort_by(f32::total_cmp);
        candidates.dedup();
        let threshold = candidates.iter().copied().max_by(|a, b| f1(&dev, *a).total_cmp(&f1(&dev, *b))).unwrap_or(0.0);
        let mean = |label: &str| {
            let v: Vec<f32> = scored.iter().filter(|(_, _, l)| *l == label).map(|(s, _, _)| *s).collect();
            v.iter().sum::<f32>() as f64 / v.len() as f64
        };
        // What a tenth, half and nine tenths of each label's lines score at most.
        let spread = |label: &str| {
            let mut v: Vec<f32> = scored.iter().filter(|(_, _, l)| *l == label).map(|(s, _, _)| *s).collect();
            v.sort_by(f32::total_cmp);
            [0.1, 0.5, 0.9].map(|q| v[((v.len() - 1) as f64 * q).round() as usize])
        };
        let zero = |label: &str| {
            let v: Vec<&(f32, bool, &str)> = scored.iter().filter(|(_, _, l)| *l == label).collect();
            v.iter().filter(|(s, _, _)| *s == 0.0).count() as f64 / v.len() as f64
        };
        let examples: Vec<(String, String, f32)> = labelled
            .iter()
            .zip(&scored)
            .enumerate()
            .filter(|(i, _)| i % 17 == 0)
            .map(|(_, ((label, text), (s, _, _)))| (label.clone(), text.clone(), *s))
            .collect();
        let (dev_f1, test_f1) = (f1(&dev, threshold), f1(&test, threshold));
        // What a bot gets: `handoff.negative_sentiment` and the brief's "angry" at −0.6.
        let default_test_f1 = f1(&test, DEFAULT_THRESHOLD);
        // What the lexicon does get right: angry lines score lower than calm ones on average.
        assert!(mean("angry") < mean("calm"), "{language}: angry {} vs calm {}", mean("angry"), mean("calm"));
        results.push((language, default_test_f1));
        report.insert(
            language.to_string(),
            serde_json::json!({
                "lines": labelled.len(),
                "threshold_chosen_on_development_part": threshold,
                "angry_f1_development": dev_f1,
                "angry_f1_test": test_f1,
                "angry_f1_test_at_default_threshold": default_test_f1,
                "angry_f1_development_at_default_threshold": f1(&dev, DEFAULT_THRESHOLD),
                "mean_score": { "calm": mean("calm"), "dissatisfied": mean("dissatisfied"), "angry": mean("angry") },
                "score_deciles_1_5_9": { "calm": spread("calm"), "dissatisfied": spread("dissatisfied"), "angry": spread("angry") },
                "share_scoring_zero": { "calm": zero("calm"), "dissatisfied": zero("dissatisfied"), "angry": zero("angry") },
                "examples": examples,
            }),
        );
    }
    let json = serde_json::json!({
        "written_from": "tests/fixtures/emotion (the project's labelled lines); tests/tests/emotion.rs",
        "tier": bot.tier().code(),
        "model": model,
        "languages": report,
    });
    write_report(report_path, &json);
    for (language, test_f1) in results {
        // Issue 25's target, at the threshold bots use. (The lexicon alone scored 0.57 / 0.54
        // at the threshold chosen on the development part, about as well as calling every
        // line angry.)
        assert!(test_f1 >= 0.85, "{language}: angry F1 {test_f1} on the test part");
    }
}
