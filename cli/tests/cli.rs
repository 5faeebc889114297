//! The `kefu` binary end to end: chat from stdin, validate, inspect, and eval on a small
//! subset of every dataset so the loaders cannot rot.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn kefu(args: &[&str], stdin: impl AsRef<[u8]>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_ref()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn chat_reads_utterances_from_stdin() {
    let (ok, out, err) = kefu(&["chat", "examples/bots/shop.yaml"], "你好\nwhere is my order 12345678\n转人工\n");
    assert!(ok, "{err}");
    assert!(out.contains("bot: 您好"), "{out}");
    assert!(out.contains("order 12345678"), "{out}");
    assert!(out.contains("HANDOFF to general"), "{out}");
}

#[test]
fn chat_json_prints_one_turn_per_line() {
    let (ok, out, _) = kefu(&["chat", "--json", "examples/bots/shop.yaml"], "运费多少\n");
    assert!(ok);
    let line = out.lines().next().unwrap();
    assert!(line.contains("\"faq_answered\"") && line.contains("\"faq/shipping_fee\""), "{line}");
}

#[test]
fn validate_reports_problems_with_lines() {
    let (ok, out, _) = kefu(&["validate", "examples/bots/shop.yaml"], "");
    assert!(ok && out.contains("ok (20 intents, 21 FAQ entries"), "{out}");
    let (ok, _, err) = kefu(&["validate", "tests/goldens/validation/too_few_examples.yaml"], "");
    assert!(!ok);
    assert!(err.contains("too_few_examples.yaml:4: intent `refund` has 1 example; at least 2 are needed"), "{err}");
}

#[test]
fn inspect_lists_intents_and_model_size() {
    let (ok, out, _) = kefu(&["inspect", "examples/bots/shop.yaml"], "");
    assert!(ok && out.contains("intent order_status") && out.contains("KiB"), "{out}");
    assert!(out.contains("21 FAQ entries, 12 out-of-scope examples"), "{out}");
    assert!(out.contains("emotion: the n-gram model"), "no encoder, no emotion head: {out}");
}

#[test]
fn eval_runs_every_loader_on_a_subset() {
    let data = repo().join("../shared/datasets");
    assert!(data.is_dir(), "the benchmark datasets must be at ../shared/datasets");
    let report = std::env::temp_dir().join(format!("kefu-eval-{}.json", std::process::id()));
    let (ok, out, err) = kefu(&["eval", "--limit", "60", "--out", report.to_str().unwrap()], "");
    assert!(ok, "{err}");
    let json = std::fs::read_to_string(&report).unwrap();
    for name in ["snips", "atis", "clinc150", "banking77", "smp2017", "cais"] {
        assert!(out.contains(name), "{name} missing from the table:\n{out}");
        assert!(json.contains(&format!("\"dataset\": \"{name}\"")), "{name} missing from the report");
    }
    assert!(json.contains("\"in_scope_accuracy\""));
    let _ = std::fs::remove_file(report);
}

#[test]
fn bench_writes_a_report() {
    let report = std::env::temp_dir().join(format!("kefu-bench-{}.json", std::process::id()));
    let (ok, out, err) = kefu(&["bench", "--rounds", "3", "--out", report.to_str().unwrap()], "");
    assert!(ok, "{err}");
    assert!(out.contains("turn p50"), "{out}");
    let json = std::fs::read_to_string(&report).unwrap();
    for key in [
        "\"turn_p50_us\"",
        "\"turn_p99_us\"",
        "\"load_and_train_ms_median\"",
        "\"load_compiled_ms_median\"",
        "\"throughput_turns_per_s\"",
    ] {
        assert!(json.contains(key), "{key} missing");
    }
    let _ = std::fs::remove_file(report);
}

/// Two generated bots, one of them past the full softmax (300 intents), each loaded in a
/// process of its own: the report has both, with the growth law needing three shapes.
#[test]
fn bench_scale_writes_a_report() {
    let report = std::env::temp_dir().join(format!("kefu-bench-scale-{}.json", std::process::id()));
    let args = ["bench-scale", "--shapes", "10x1000,300x1000", "--turns", "50", "--out", report.to_str().unwrap()];
    let (ok, out, err) = kefu(&args, "");
    assert!(ok, "{err}");
    assert!(out.contains("300 intents"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let shapes = json["shapes"].as_array().cloned().unwrap_or_default();
    assert_eq!(shapes.len(), 2);
    for shape in &shapes {
        assert!(shape["refused"].is_null(), "{shape}");
        assert!(shape["held_out_accuracy"].as_f64().unwrap_or(0.0) > 0.5, "{shape}");
        assert!(shape["peak_mib"].as_f64().unwrap_or(0.0) > 0.0, "{shape}");
    }
    let (ok, _, err) = kefu(&["bench-scale", "--shapes", "10x5"], "");
    assert!(!ok && err.contains("two examples per intent"), "{err}");
    let _ = std::fs::remove_file(report);
}

#[test]
fn eval_scores_a_bot_on_labelled_utterances() {
    let dir = std::env::temp_dir().join(format!("kefu-bot-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = dir.join("cases.yaml");
    // Two utterances the bot's rules answer for sure, one out of scope, one deliberately
    // mislabelled so that the confusion and the misses are not empty, and one that is an
    // example of the bot file, which the report names.
    std::fs::write(
        &cases,
        "- { text: 转人工, intent: human_agent }\n\
         - { text: 我的订单12345678到哪了, intent: order_status }\n\
         - { text: 今天北京天气怎么样, intent: ~ }\n\
         - { text: 转人工, intent: refund }\n\
         - { text: 我要报修, intent: warranty_repair }\n",
    )
    .unwrap();
    let report = dir.join("bot.json");
    let args = ["eval", "--bot", "examples/bots/shop.yaml", "--cases", cases.to_str().unwrap()];
    let (ok, out, err) = kefu(&[&args[..], &["--out", report.to_str().unwrap()]].concat(), "");
    assert!(ok, "{err}");
    assert!(out.contains("5 utterances, accuracy 80.0 %"), "{out}");
    assert!(err.contains("case \"我要报修\" is a text of the bot file"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["accuracy"], 0.8);
    assert_eq!(json["cases_in_bot_file"], serde_json::json!(["我要报修"]));
    assert_eq!(json["misses"][0]["expected"], "refund");
    assert_eq!(json["misses"][0]["predicted"], "human_agent");
    let refund = json["per_intent"].as_array().unwrap().iter().find(|s| s["intent"] == "refund").unwrap();
    assert_eq!(refund["recall"], 0.0);
    let html = std::fs::read_to_string(dir.join("bot.html")).unwrap();
    assert!(html.contains("Confusion matrix") && html.contains("human_agent"), "{html}");

    // A label the bot does not have is the user's typo, not the bot's mistake.
    std::fs::write(&cases, "- { text: 你好, intent: greting }\n").unwrap();
    let (ok, _, err) = kefu(&args, "");
    assert!(!ok && err.contains("unknown intents {\"greting\"}"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// One line of invalid UTF-8 ended the chat; an error in `--json` mode came as plain text.
#[test]
fn chat_survives_invalid_utf8_and_reports_errors_as_json() {
    let mut input = b"\xff\xfe hello\n".to_vec();
    input.extend_from_slice(format!("{}\n运费多少\n", "x".repeat(5000)).as_bytes());
    let (ok, stdout, stderr) = kefu(&["chat", "--json", "examples/bots/shop.yaml"], input);
    assert!(ok, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[1]["error"]["code"], "invalid_input", "{stdout}");
    assert!(lines[2].to_string().contains("faq/shipping_fee"), "{stdout}");
}

/// The size limit is checked before the file is read: a 10 GB (sparse) file is refused at
/// once instead of being read into memory first.
#[test]
fn an_oversized_bot_file_is_refused_before_it_is_read() {
    let dir = std::env::temp_dir().join(format!("kefu-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.yaml");
    std::fs::File::create(&path).unwrap().set_len(10 << 30).unwrap();
    let (ok, _, err) = kefu(&["validate", path.to_str().unwrap()], "");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ok && err.contains("at most 16777216 bytes"), "{err}");
}

/// `kefu eval --bot examples/bots/shop.yaml MODE FILE`: the JSON report and stdout.
fn bot_eval_report(mode: &str, file: &str) -> (serde_json::Value, String) {
    let report = std::env::temp_dir().join(format!("kefu-eval{mode}-{}.json", std::process::id()));
    let args = ["eval", "--bot", "examples/bots/shop.yaml", mode, file, "--out", report.to_str().unwrap()];
    let (ok, out, err) = kefu(&args, "");
    assert!(ok, "{err}");
    let json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let _ = std::fs::remove_file(report);
    (json, out)
}

/// The agent's brief on the held-out part of the handoff set (issue 25's targets, embedded
/// tier): of the conversations handed off, a gold issue line quoted in ≥ 90 %, slot F1 ≥ 0.9,
/// no personal value unmasked, no intent name shown where a title exists; and every
/// conversation handed off at a line a person would accept for a right reason in ≥ 70 %
/// (issue 22's target for the embedded tier; 90.6 % when it was first measured), also on the
/// set written in long lines (73.3 %).
#[test]
fn handoff_briefs_meet_their_targets_on_the_test_part() {
    let (json, out) = bot_eval_report("--handoff", "examples/bots/shop.handoff.yaml");
    let test = &json["splits"]["test"];
    assert!(test["conversations"].as_u64().unwrap_or(0) >= 30, "{out}");
    assert!(test["handed_off"].as_u64().unwrap_or(0) >= 20, "{out}");
    assert!(test["issue_quoted"].as_f64().unwrap_or(0.0) >= 0.9, "{out}");
    assert!(test["slot_f1"].as_f64().unwrap_or(0.0) >= 0.9, "{out}");
    assert_eq!(test["unmasked_personal_values"].as_u64(), Some(0), "{out}");
    assert_eq!(test["internal_names_shown"].as_u64(), Some(0), "{out}");
    assert_eq!(test["handoff_labelled"].as_u64(), test["conversations"].as_u64(), "{out}");
    assert!(test["handoff_right"].as_f64().unwrap_or(0.0) >= 0.7, "{out}");
    // The set in long lines: when and why at the same target, the brief quoting the issue.
    let (json, out) = bot_eval_report("--handoff", "examples/bots/shop.handoff-long.yaml");
    let test = &json["splits"]["test"];
    assert_eq!(test["handoff_labelled"].as_u64(), Some(30), "{out}");
    assert!(test["handoff_right"].as_f64().unwrap_or(0.0) >= 0.7, "{out}");
    assert!(test["issue_quoted"].as_f64().unwrap_or(0.0) >= 0.9, "{out}");
    assert_eq!(test["unmasked_personal_values"].as_u64(), Some(0), "{out}");
    let bad = std::env::temp_dir().join(format!("kefu-handoff-bad-{}.yaml", std::process::id()));
    std::fs::write(&bad, "- { id: x, split: dev, lines: [hi], issue: [1], handoff: { at: [1], reasons: [bored] } }\n")
        .unwrap();
    let args = ["eval", "--bot", "examples/bots/shop.yaml", "--handoff", bad.to_str().unwrap(), "--out", "/dev/null"];
    let (ok, _, err) = kefu(&args, "");
    let _ = std::fs::remove_file(&bad);
    assert!(!ok && err.contains("unknown handoff reason \"bored\""), "{err}");
    let (ok, _, err) = kefu(&["eval", "--bot", "examples/bots/shop.yaml"], "");
    assert!(!ok && err.contains("--handoff FILE"), "{err}");
}

/// Suggested replies on the held-out lines said to an agent: the report is written and the
/// share with an acceptable reply in the top three holds issue 25's target, 85 % (88 % on
/// the embedded tier with the term search; 82 % before it), on the test part; the test
/// part's misses are not printed.
#[test]
fn agent_suggestions_are_scored_on_the_test_part() {
    let (json, out) = bot_eval_report("--agent-lines", "examples/bots/shop.agent-lines.yaml");
    let test = &json["splits"]["test"];
    assert_eq!(test["lines"].as_u64(), Some(50), "{out}");
    assert!(test["acceptable_in_top3"].as_f64().unwrap_or(0.0) >= 0.85, "{out}");
    assert!(test["turn_p50_us"].as_f64().is_some() && test["turn_p50_first_us"].as_f64().is_some(), "{out}");
    let printed_misses =
        out.lines().skip_while(|l| !l.starts_with("test:")).skip(1).take_while(|l| l.starts_with("  "));
    assert_eq!(printed_misses.count(), 0, "{out}");
}

/// The documents a bot file names are read beside it, quoted with their source, and a
/// missing one is a bot-file error that names it.
#[test]
fn a_compiled_bot_chats_as_its_file_and_carries_its_documents() {
    let dir = std::env::temp_dir().join(format!("kefu-cli-compile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let compiled = dir.join("help.kefubot");
    let (ok, out, err) = kefu(&["compile", "examples/bots/help-desk.yaml", "--out", compiled.to_str().unwrap()], "");
    assert!(ok && out.contains("embedded tier"), "{out}{err}");
    // Alone in another folder: the documents' texts are inside.
    let lines = "退货运费谁出\n你们招聘吗\nwhere is my order 12345678\n转人工\n";
    let (ok, from_compiled, err) = kefu(&["chat", "--json", compiled.to_str().unwrap()], lines);
    assert!(ok, "{err}");
    let (_, from_file, _) = kefu(&["chat", "--json", "examples/bots/help-desk.yaml"], lines);
    assert_eq!(from_compiled, from_file);
    assert!(from_compiled.contains("help/returns.md"), "{from_compiled}");
    let (ok, out, _) = kefu(&["inspect", compiled.to_str().unwrap()], "");
    assert!(ok && out.contains("1 trained model(s) taken from the compiled bot"), "{out}");
    let (_, out, _) = kefu(&["inspect", "examples/bots/help-desk.yaml"], "");
    assert!(!out.contains("taken from"), "{out}");
    let small = dir.join("small.kefubot");
    let (ok, out, err) =
        kefu(&["compile", "examples/bots/help-desk.yaml", "--no-models", "--out", small.to_str().unwrap()], "");
    assert!(ok && out.contains("no models"), "{out}{err}");
    assert!(std::fs::metadata(&small).unwrap().len() * 10 < std::fs::metadata(&compiled).unwrap().len());
    let (ok, from_small, err) = kefu(&["chat", "--json", small.to_str().unwrap()], lines);
    assert!(ok && from_small == from_file, "{err}");
    let (ok, _, err) =
        kefu(&["compile", "tests/goldens/validation/too_few_examples.yaml", "--out", compiled.to_str().unwrap()], "");
    assert!(!ok && err.contains("too_few_examples.yaml:4:"), "{err}");
    std::fs::write(&compiled, b"KEFUBOT\0 not really").unwrap();
    let (ok, _, err) = kefu(&["chat", compiled.to_str().unwrap()], "");
    assert!(!ok && err.contains("kefu compile"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn chat_quotes_the_documents_beside_the_bot() {
    let (ok, out, err) = kefu(&["chat", "examples/bots/help-desk.yaml"], "退货运费谁出\n你们招聘吗\n");
    assert!(ok, "{err}");
    assert!(out.contains("bot: 质量问题退货的来回运费由我们承担"), "{out}");
    assert!(out.contains("quoted from help/returns.md › 退货运费"), "{out}");
    let (ok, out, err) = kefu(&["inspect", "examples/bots/help-desk.yaml"], "");
    assert!(ok && out.contains("knowledge: 2 documents, 8 passages"), "{out}{err}");
    let dir = std::env::temp_dir().join(format!("kefu-cli-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bot = dir.join("bot.yaml");
    std::fs::write(&bot, "version: 1\nknowledge:\n  documents:\n    - name: gone.md\n").unwrap();
    let (ok, _, err) = kefu(&["validate", bot.to_str().unwrap()], "");
    assert!(!ok && err.contains("gone.md") && err.contains("was not passed in"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn eval_scores_the_knowledge_set() {
    let out = std::env::temp_dir().join(format!("kefu-knowledge-{}.json", std::process::id()));
    let (ok, stdout, err) =
        kefu(&["eval", "--knowledge", "tests/fixtures/knowledge", "--out", out.to_str().unwrap()], "");
    assert!(ok, "{err}");
    assert!(stdout.contains("dev: 110 questions") && stdout.contains("test: 218 questions"), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["citation_mismatches"], 0);
    assert_eq!(report["passages"], 138);
    assert!(report["scale"]["passages"].as_u64().unwrap() >= 1000);
    std::fs::remove_file(&out).ok();
}

/// `kefu chat --log` writes masked log lines; `kefu mine` groups the unanswered ones into a
/// bot file `kefu validate` accepts, and prints the TOP-N with `--top`.
#[test]
fn mine_turns_a_chat_log_into_candidates() {
    let dir = std::env::temp_dir().join(format!("kefu-mine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (log, patch) = (dir.join("turns.jsonl"), dir.join("mined.yaml"));
    // One conversation per line, as an app's many sessions would log them.
    for line in ["where can I rent a car", "where can I rent a car, call me on 13812345678", "I want to rent a car"] {
        let (ok, _, err) =
            kefu(&["chat", "examples/bots/shop.yaml", "--log", log.to_str().unwrap()], format!("{line}\n"));
        assert!(ok, "{err}");
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(logged.lines().count(), 3);
    assert!(!logged.contains("13812345678"), "the log is masked: {logged}");
    let (ok, _, err) = kefu(
        &[
            "mine",
            log.to_str().unwrap(),
            "--bot",
            "examples/bots/shop.yaml",
            "--top",
            "3",
            "--out",
            patch.to_str().unwrap(),
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(err.contains("3 unanswered, 1 candidates") && err.contains("top 3 questions"), "{err}");
    let (ok, out, err) = kefu(&["validate", patch.to_str().unwrap()], "");
    assert!(ok, "{out}{err}");
    assert!(std::fs::read_to_string(&patch).unwrap().contains("car"));

    std::fs::write(&log, "{\"text\": 1}\n").unwrap();
    let (ok, _, err) = kefu(&["mine", log.to_str().unwrap(), "--bot", "examples/bots/shop.yaml"], "");
    assert!(!ok && err.contains(":1:") && err.contains("TurnLog"), "a bad line is named: {err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The mining protocol's short run: every dataset of it, a subset, one report.
#[test]
fn eval_mining_protocol_runs_on_a_subset() {
    let out = std::env::temp_dir().join(format!("kefu-mining-{}.json", std::process::id()));
    let (ok, _, err) = kefu(&["eval", "--mining", "--limit", "400", "--out", out.to_str().unwrap()], "");
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let datasets = report["datasets"].as_array().unwrap();
    assert_eq!(datasets.len(), 3, "{report}");
    for d in datasets {
        assert!(d["hidden_intents"].as_array().is_some_and(|h| !h.is_empty()), "{d}");
        let ari = d["thresholds"][0]["adjusted_rand_index"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&ari), "{d}");
    }
    std::fs::remove_file(&out).ok();
}
