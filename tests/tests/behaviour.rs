//! Behaviour check: every golden conversation and every held-out case of the sample bot,
//! turn by turn and session by session, exactly as recorded in `fixtures/behaviour/`.
//! A refactoring must leave these files unchanged; a change of behaviour regenerates them
//! (`KEFU_UPDATE_BEHAVIOUR=1 cargo test -p kefu-tests --test behaviour`) and the diff shows
//! what changed in review.

use std::path::PathBuf;

use kefu_core::{Bot, BotLoader, Session};
use kefu_tests::{golden_files, int8_kernel_family, record_dialogue_golden, repo_root, step_record, test_encoder};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    text: String,
}

/// The record of every golden step, then of each held-out case as a new session's first turn.
fn record(encoder: Option<std::sync::Arc<dyn kefu_core::SentenceEncoder>>) -> Vec<String> {
    let mut lines = Vec::new();
    for file in golden_files("dialogue", "yaml") {
        let failures = record_dialogue_golden(&file, encoder.clone(), &mut lines);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
    let source = std::fs::read_to_string(repo_root().join("examples/bots/shop.yaml")).unwrap();
    let bot = match &encoder {
        None => Bot::from_yaml("shop.yaml", &source).unwrap(),
        Some(encoder) => BotLoader::new().encoder(encoder.clone()).from_yaml("shop.yaml", &source).unwrap(),
    };
    let cases = std::fs::read_to_string(repo_root().join("examples/bots/shop.test.yaml")).unwrap();
    let cases: Vec<Case> = serde_yaml::from_str(&cases).unwrap();
    for (i, case) in cases.iter().enumerate() {
        let mut session = Session::new(&bot);
        let turn = session.turn(&bot, &case.text).map_err(|e| e.to_string());
        lines.push(step_record(&format!("shop.test.yaml / case {}", i + 1), &turn, &session));
    }
    lines
}

fn check(tier: &str, lines: Vec<String>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/behaviour/{tier}.jsonl"));
    let actual = lines.join("\n") + "\n";
    if std::env::var("KEFU_UPDATE_BEHAVIOUR").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (n, (want, got)) in expected.lines().zip(actual.lines()).enumerate() {
        assert_eq!(got, want, "{tier}: line {} of {} differs", n + 1, path.display());
    }
    assert_eq!(expected.lines().count(), actual.lines().count(), "{tier}: a different number of steps");
}

#[test]
fn embedded_tier_behaves_as_recorded() {
    check("embedded", record(None));
}

#[test]
fn onnx_tier_behaves_as_recorded() {
    let Some(encoder) = test_encoder() else { return };
    // Per family of ONNX Runtime's int8 kernels (`int8_kernel_family`).
    check(&format!("onnx{}", int8_kernel_family()), record(Some(encoder)));
}
