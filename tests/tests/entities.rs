//! Table-driven tests of every built-in entity kind (`goldens/entities/`), in both
//! languages, each with near-misses that must not match.

use kefu_tests::{golden_files, run_entity_table};

#[test]
fn every_builtin_entity_kind_has_a_passing_table_of_30_cases() {
    let mut kinds = Vec::new();
    let mut failures = Vec::new();
    for path in golden_files("entities", "yaml") {
        let (kind, cases, failed) = run_entity_table(&path);
        assert!(cases >= 30, "{}: {cases} cases; at least 30 are needed", path.display());
        kinds.push(kind);
        failures.extend(failed);
    }
    for kind in kefu_core::BUILTIN_ENTITIES {
        assert!(kinds.iter().any(|k| k == kind), "no table for built-in entity {kind}");
    }
    assert!(failures.is_empty(), "{} entity failures:\n{}", failures.len(), failures.join("\n"));
}
