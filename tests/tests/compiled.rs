//! Compiled bots on the dense tiers: a bot compiled on an encoder and loaded again on it
//! reuses its models and predicts as the bot loaded from its file; loaded on another tier,
//! it trains for that tier instead of using models of the wrong shape.

use std::sync::Arc;

use kefu_core::{Bot, BotLoader, SentenceEncoder, TurnContext};
use kefu_tests::{repo_root, test_encoder, test_static_table};

fn shop() -> String {
    std::fs::read_to_string(repo_root().join("examples/bots/shop.yaml")).unwrap()
}

/// The held-out lines of the sample bot.
fn lines() -> Vec<String> {
    let cases = std::fs::read_to_string(repo_root().join("examples/bots/shop.test.yaml")).unwrap();
    let cases: Vec<serde_json::Value> = serde_yaml::from_str(&cases).unwrap();
    cases.iter().filter_map(|c| c["text"].as_str().map(str::to_string)).collect()
}

fn compiled_on(encoder: Arc<dyn SentenceEncoder>, lines: &[String]) {
    let from_file = BotLoader::new().encoder(encoder.clone()).from_yaml("shop.yaml", &shop()).unwrap();
    let bytes = from_file.to_compiled(true);
    let compiled = BotLoader::new().encoder(encoder).from_compiled("shop.kefubot", &bytes).unwrap();
    assert_eq!((compiled.tier(), compiled.reused_heads()), (from_file.tier(), 2));
    assert_eq!(compiled.calibration(), from_file.calibration());
    let ctx = TurnContext::default();
    for line in lines {
        assert!(from_file.analyze(line, &ctx).unwrap() == compiled.analyze(line, &ctx).unwrap(), "{line}");
    }
    // On the embedded tier the models are of another shape: trained again, as from the file.
    let embedded = Bot::from_compiled("shop.kefubot", &bytes).unwrap();
    assert_eq!(embedded.reused_heads(), 0);
    let from_yaml = Bot::from_yaml("shop.yaml", &shop()).unwrap();
    for line in lines.iter().take(40) {
        assert!(embedded.analyze(line, &ctx).unwrap() == from_yaml.analyze(line, &ctx).unwrap(), "{line}");
    }
}

#[test]
fn a_bot_compiled_on_the_static_tier_reuses_its_models_there() {
    let Some((table, _)) = test_static_table() else { return };
    compiled_on(table, &lines());
}

#[test]
fn a_bot_compiled_on_the_onnx_tier_reuses_its_models_there() {
    let Some(encoder) = test_encoder() else { return };
    // Each line runs the encoder twice: a sample of them.
    let lines: Vec<String> = lines().into_iter().step_by(6).collect();
    compiled_on(encoder, &lines);
}
