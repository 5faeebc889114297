//! Bad input never panics: every case gives a defined Turn or a typed error, and an error
//! leaves the session as it was.

use kefu_core::{Bot, Error, ProblemKind, Session, MAX_UTTERANCE_CHARS};
use kefu_tests::load_bot;

const SHOP: &str = "examples/bots/shop.yaml";

#[test]
fn odd_utterances_give_a_defined_turn() {
    let bot = load_bot(SHOP);
    let mut session = Session::new(&bot);
    let cases = [
        "",
        "   \t\n ",
        "\0\u{1}\u{7f}订单\u{0}12345678",
        "\u{202E}مرحبا\u{202C} hello",
        "转\u{200B}人\u{200D}工",
        "👍🏽👨‍👩‍👧‍👦🇨🇳",
        "iPhone 15 Pro Max 退货 return プレゼント 선물",
        "\u{FEFF}",
        "１２３４５６７８",
        "ЁЖЗ ÅÄÖ ß İ",
    ];
    for utterance in cases {
        let turn = session.turn(&bot, utterance).unwrap_or_else(|e| panic!("{utterance:?}: {e}"));
        assert!(!turn.replies.is_empty() || !turn.signals.is_empty(), "{utterance:?} gave nothing");
        let _ = session.agent_finished(&bot);
    }
    // Zero-width characters do not hide a keyword.
    let mut s = Session::new(&bot);
    let t = s.turn(&bot, "转\u{200B}人\u{200D}工").unwrap();
    assert_eq!(t.intent.map(|i| i.name), Some("human_agent".into()));
}

#[test]
fn a_huge_utterance_is_rejected_and_the_session_kept() {
    let bot = load_bot(SHOP);
    let mut session = Session::new(&bot);
    session.turn(&bot, "我要退款").unwrap();
    let before = session.clone();
    let huge = "退".repeat(1 << 20);
    let err = session.turn(&bot, &huge).unwrap_err();
    assert!(matches!(err, Error::UtteranceTooLong { max: MAX_UTTERANCE_CHARS, .. }), "{err}");
    assert!(!err.to_string().contains('退'), "the error must not echo the text");
    assert_eq!(session, before);
    // Just at the limit is fine.
    assert!(session.turn(&bot, &"a".repeat(MAX_UTTERANCE_CHARS)).is_ok());
}

#[test]
fn damaged_session_bytes_give_typed_errors() {
    let bot = load_bot(SHOP);
    let mut session = Session::new(&bot);
    session.turn(&bot, "订单12345678到哪了").unwrap();
    let bytes = session.to_bytes();
    assert_eq!(Session::from_bytes(&bot, &bytes).unwrap(), session);
    for cut in [0, 3, 9, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(matches!(Session::from_bytes(&bot, &bytes[..cut]), Err(Error::SessionCorrupt { .. })), "cut at {cut}");
    }
    for i in (0..bytes.len()).step_by(7) {
        let mut flipped = bytes.clone();
        flipped[i] ^= 0x10;
        assert!(Session::from_bytes(&bot, &flipped).is_err(), "flip at {i}");
    }
    let mut future = bytes.clone();
    future[4] = 9;
    assert!(matches!(Session::from_bytes(&bot, &future), Err(Error::SessionVersion { found: 9, .. })));
    let other =
        Bot::from_yaml("other.yaml", "version: 1\nname: other\nintents:\n  hi:\n    examples: [hello, hi]\n").unwrap();
    assert!(matches!(Session::from_bytes(&other, &bytes), Err(Error::SessionBotMismatch { .. })));
}

#[test]
fn sessions_saved_before_newer_fields_still_load() {
    let bot = load_bot(SHOP);
    let mut session = Session::new(&bot);
    session.turn(&bot, "退款多久到账").unwrap();
    // Drop the fields added after the format's first release, as an older kefu saved it.
    let old = forge(&session.to_bytes(), |json| {
        for field in ["segment", "rules_fired", "host_values", "steps"] {
            assert!(json.as_object_mut().unwrap().remove(field).is_some(), "{field} not saved");
        }
    });
    let mut restored = Session::from_bytes(&bot, &old).unwrap();
    assert!(restored.turn(&bot, "转人工").is_ok());
}

#[test]
fn bad_bot_bytes_give_typed_errors() {
    let not_utf8 = [b'v', b'e', 0xFF, 0xFE, b'\n'];
    match Bot::from_bytes("bot.yaml", &not_utf8) {
        Err(Error::BotFile(e)) => assert!(e.to_string().contains("not UTF-8"), "{e}"),
        other => panic!("{other:?}"),
    }
    let huge = format!("version: 1\n# {}\n", "x".repeat(kefu_core::botfile::MAX_BOT_FILE_BYTES));
    match Bot::from_yaml("big.yaml", &huge) {
        Err(Error::BotFile(e)) => assert_eq!(e.problems[0].kind, ProblemKind::TooLarge),
        other => panic!("{other:?}"),
    }
    // The same intent twice is a duplicate key, not a silent overwrite.
    let twice = "version: 1\nintents:\n  a:\n    examples: [hello, hi]\n  a:\n    examples: [bye, ciao]\n";
    match Bot::from_yaml("twice.yaml", twice) {
        Err(Error::BotFile(e)) => assert!(e.to_string().contains("twice.yaml:"), "{e}"),
        other => panic!("{other:?}"),
    }
    // A form that would hand off to itself when no agent is free is refused.
    let cyclic = "version: 1\nhandoff:\n  when_unavailable: human\nintents:\n  human:\n    keywords: [人工]\n    handoff: true\n";
    match Bot::from_yaml("cyclic.yaml", cyclic) {
        Err(Error::BotFile(e)) => {
            assert!(e.problems.iter().any(|p| p.kind == ProblemKind::BadSetting && p.line == Some(3)), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // A pathological regex is fine: the engine is linear-time.
    let src = "version: 1\nintents:\n  a:\n    examples: [hello, hi]\n    patterns: ['(a+)+$']\n";
    let bot = Bot::from_yaml("re.yaml", src).unwrap();
    let mut s = Session::new(&bot);
    assert!(s.turn(&bot, &format!("{}!", "a".repeat(4000))).is_ok());
}

#[test]
fn the_same_file_gives_the_same_predictions() {
    let a = load_bot(SHOP);
    let b = load_bot(SHOP);
    for u in ["我的快递到哪了", "how much is shipping", "随便说点什么", "退钱"] {
        let ta = Session::new(&a).turn(&a, u).unwrap();
        let tb = Session::new(&b).turn(&b, u).unwrap();
        assert_eq!(ta, tb, "{u}");
    }
}

#[test]
fn sessions_on_many_threads_match_sequential_runs() {
    let bot = std::sync::Arc::new(load_bot(SHOP));
    const SCRIPT: [&str; 5] = ["你好", "我想退货", "订单 87654321", "where is my order 12345678", "转人工"];
    fn run(bot: &Bot, n: usize) -> Vec<kefu_core::Turn> {
        let mut s = Session::new(bot);
        SCRIPT.iter().cycle().skip(n % SCRIPT.len()).take(SCRIPT.len()).map(|u| s.turn(bot, u).unwrap()).collect()
    }
    let sequential: Vec<_> = (0..1000).map(|n| run(&bot, n)).collect();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let bot = bot.clone();
            std::thread::spawn(move || (t..1000).step_by(4).map(|n| (n, run(&bot, n))).collect::<Vec<_>>())
        })
        .collect();
    for h in handles {
        for (n, turns) in h.join().unwrap() {
            assert_eq!(turns, sequential[n], "session {n}");
        }
    }
}

/// Re-signs a session's JSON payload as valid session bytes (a forged or foreign session):
/// header, checksum, the bot's fingerprint, payload.
fn forge(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut json: serde_json::Value = serde_json::from_slice(&bytes[14..]).unwrap();
    edit(&mut json);
    let mut body = bytes[10..14].to_vec();
    body.extend_from_slice(&serde_json::to_vec(&json).unwrap());
    let mut out = bytes[..6].to_vec();
    out.extend_from_slice(&kefu_core::crc32(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn forged_sessions_with_counters_at_their_maximum_or_long_lists_keep_working() {
    let bot = load_bot(SHOP);
    let mut session = Session::new(&bot);
    session.turn(&bot, "hello").unwrap();
    let step = serde_json::json!("not_understood");
    let forged = forge(&session.to_bytes(), |json| {
        json["turns"] = u64::MAX.into();
        json["fallback_streak"] = u32::MAX.into();
        json["repeats"] = u32::MAX.into();
        json["steps"] = serde_json::Value::Array(vec![step.clone(); 500]);
        json["intents_seen"] = serde_json::Value::Array(vec!["greeting".into(); 500]);
    });
    let mut restored = Session::from_bytes(&bot, &forged).unwrap();
    // Counters saturate instead of overflowing (a panic in debug builds before).
    for utterance in ["我要退款", "算了", "量子力学的波函数坍缩是什么意思"] {
        restored.turn(&bot, utterance).unwrap();
    }
    assert_eq!((restored.turn_count(), restored.state().code()), (u64::MAX, "idle"));
    // The oversized lists are trimmed to what a session keeps (they only grew before).
    let json: serde_json::Value = serde_json::from_slice(&restored.to_bytes()[14..]).unwrap();
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(20));
    assert!(json["intents_seen"].as_array().is_some_and(|v| v.len() <= 20));
}

#[test]
fn a_bot_file_saved_with_a_byte_order_mark_loads() {
    let source = "\u{feff}version: 1\nintents:\n  hi:\n    examples: [hello, hi]\n";
    let bot = Bot::from_yaml("bom.yaml", source).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bot.intent_names().collect::<Vec<_>>(), ["hi"]);
    assert!(Bot::from_bytes("bom.yaml", source.as_bytes()).is_ok());
}

/// 100,000 open brackets took the YAML parser 27 s before its own depth error; the depth is
/// now checked first. Apostrophes inside words ("where's") open no quoted string there.
#[test]
fn deep_nesting_is_refused_before_parsing_and_apostrophes_do_not_confuse_it() {
    let deep = format!("version: 1\nintents: {}\n", "[".repeat(100_000));
    match Bot::from_yaml("deep.yaml", &deep) {
        Err(Error::BotFile(e)) => {
            assert_eq!(e.problems.len(), 1);
            assert!(e.problems[0].message.contains("nest more than 64 deep"), "{e}");
            assert_eq!((e.problems[0].kind, e.problems[0].line), (ProblemKind::Syntax, Some(2)));
        }
        other => panic!("expected a bot-file error, got {:?}", other.map(|_| ())),
    }
    let mut many = "version: 1\nintents:\n".to_string();
    for i in 0..100 {
        many.push_str(&format!("  i{i}:\n    examples: [where's item {i}, \"is it {{x {i}\"]\n"));
    }
    if let Err(e) = Bot::from_yaml("many.yaml", &many) {
        panic!("{e}");
    }
}

/// A 50 KB file whose aliases expand quadratically aborted the process (the parser asked
/// for gigabytes); aliases are now bounded before parsing. A few aliases still work.
#[test]
fn quadratic_yaml_aliases_are_refused_and_a_few_aliases_still_work() {
    let list = vec!["x"; 2_000].join(", ");
    let aliases = vec!["*a"; 10_000].join(", ");
    let bomb = format!("version: 1\nnote: &a [{list}]\nintents: [{aliases}]\n");
    assert!(bomb.len() < 60_000);
    match Bot::from_yaml("bomb.yaml", &bomb) {
        Err(Error::BotFile(e)) => {
            assert_eq!(e.problems[0].kind, ProblemKind::TooLarge, "{e}");
            assert!(e.problems[0].message.contains("10000 YAML aliases"), "{e}");
        }
        other => panic!("expected a bot-file error, got {:?}", other.map(|_| ())),
    }
    let shared = "version: 1\nintents:\n  hi:\n    examples: [hello, hi there]\n    response: &r { en: Hello! }\n  hey:\n    examples: [hey, hey you]\n    response: *r\n";
    let bot = Bot::from_yaml("shared.yaml", shared).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Session::new(&bot).turn(&bot, "hey you").unwrap().replies, ["Hello!"]);
}

/// 100,000 intents made training allocate one dense array of ~591 GB and aborted the
/// process, and 20,000 took minutes to train; a model over `MAX_MODEL_WEIGHTS` or
/// `MAX_TRAINING_WORK` is now refused, with a typed error, before it is trained.
#[test]
fn a_bot_whose_model_would_be_too_large_is_a_typed_error() {
    let mut source = String::from("version: 1\nintents:\n");
    for i in 0..20_000 {
        source.push_str(&format!("  i{i}:\n    examples: [\"check word{i}x status\", \"please see item{i}y now\"]\n"));
    }
    let started = std::time::Instant::now();
    let err = Bot::from_yaml("huge.yaml", &source).err().unwrap_or_else(|| panic!("a model this large loaded"));
    assert_eq!(err.code(), "invalid_bot");
    assert!(err.to_string().contains("over the limit of"), "{err}");
    assert!(err.to_string().contains("fewer intents"), "{err}");
    // Refused after the features are counted (about 10 s in a debug build), not after
    // training (minutes); the bound leaves room for a loaded machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
}

/// Bot files asking for per-turn work without bound (1,000 slot types took 1.05 s per long
/// turn, 2,000 fuzzy values 190 ms) are refused with every limit they pass, at once.
#[test]
fn bot_files_over_the_per_turn_limits_are_refused() {
    let mut source = String::from("version: 1\nentities:\n  product:\n    fuzzy: 0.8\n    values:\n");
    for i in 0..3000 {
        source.push_str(&format!("      v{i}: [gadget{i}x]\n"));
    }
    for i in 0..=kefu_core::botfile::MAX_REGEX_ENTITIES {
        source.push_str(&format!("  code{i}:\n    regex: 'c{i}-\\d+'\n"));
    }
    source.push_str("intents:\n  hi:\n    examples: [hello, hi there]\n    patterns: [");
    source.push_str(&(0..=kefu_core::botfile::MAX_PATTERNS).map(|i| format!("'p{i}'")).collect::<Vec<_>>().join(", "));
    source.push_str("]\n");
    let err = Bot::from_yaml("big.yaml", &source).err().unwrap_or_else(|| panic!("it loaded"));
    let text = err.to_string();
    for limit in
        ["`fuzzy` entities; the limit is 5000", "`regex` entities; the limit is 20", "`patterns`; the limit is 100"]
    {
        assert!(text.contains(limit), "{limit}: {text}");
    }
}

/// A custom regex that matches everywhere (`\w*x|\w` on a long turn) was searched to the end
/// of the text for every character, 330 ms a turn with four of them; a turn now keeps at most
/// 4 matches of each, and still works.
#[test]
fn a_regex_entity_matching_everywhere_keeps_a_bounded_number_of_matches() {
    let source = "version: 1\nentities:\n  e1: { regex: '\\w*[^\\w\\s]|\\w' }\nintents:\n  hi:\n    examples: [hello, hi there]\n";
    let bot = Bot::from_yaml("regex.yaml", source).unwrap_or_else(|e| panic!("{e}"));
    let analysis =
        bot.analyze(&"啊".repeat(4000), &kefu_core::TurnContext::default()).unwrap_or_else(|e| panic!("{e}"));
    let found = analysis.entities.iter().filter(|e| e.entity == "e1").count();
    assert!((1..=4).contains(&found), "{found}");
}
