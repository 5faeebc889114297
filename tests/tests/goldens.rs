//! Runs every golden file under `tests/goldens/`.

use kefu_tests::{golden_files, run_dialogue_golden, run_validation_golden};

#[test]
fn dialogue_goldens() {
    let files = golden_files("dialogue", "yaml");
    assert!(!files.is_empty());
    let failures: Vec<String> = files.iter().flat_map(|f| run_dialogue_golden(f)).collect();
    assert!(failures.is_empty(), "{} golden failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn validation_goldens() {
    let files = golden_files("validation", "yaml");
    assert!(files.len() >= 10);
    let failures: Vec<String> = files.iter().flat_map(|f| run_validation_golden(f)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
