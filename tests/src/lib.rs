//! The golden runner: dialogue and validation goldens are data files under `goldens/`,
//! each checked by one helper here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kefu_core::{
    AdapterError, Bot, BotLoader, HostAdapter, SentenceEncoder, Session, Signal, StaticEncoder, Turn, TurnContext,
};
use kefu_onnx::OnnxEncoder;
use serde::Deserialize;

/// The repository root (goldens name bot files relative to it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A file of conversations against one bot.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialogueGolden {
    /// Bot file, relative to the repository root.
    pub bot: String,
    /// The tier the conversations are for (`embedded` or `onnx`); unset: both. Where a
    /// turn hangs on how sure one tier's model is (a close call), the file names the tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// The conversations; each starts with a new session.
    pub conversations: Vec<Conversation>,
}

/// One conversation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    /// What it shows.
    pub name: String,
    /// Save and restore the session between every two turns.
    #[serde(default)]
    pub round_trip: bool,
    /// How the scripted host adapter answers.
    #[serde(default)]
    pub host: ScriptedHost,
    /// The turns.
    pub turns: Vec<Step>,
}

/// One customer utterance (or host event) and what must come back.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The customer's utterance.
    #[serde(default)]
    pub say: Option<String>,
    /// Values the host sets for `host_values` entities before this step
    /// (entity → value → synonyms).
    #[serde(default)]
    pub entity_values: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Host event instead of an utterance: `agent_finished`, `agent_says:TEXT` or
    /// `set_segment:NAME`.
    #[serde(default)]
    pub event: Option<String>,
    /// Expected intent; `"~"` (null) means out of scope / none.
    #[serde(default, deserialize_with = "some_option")]
    pub intent: Option<Option<String>>,
    /// Expected reply language (`zh` / `en`).
    #[serde(default)]
    pub language: Option<String>,
    /// Substrings that the joined replies must contain.
    #[serde(default)]
    pub reply: Vec<String>,
    /// Expected slot values (exactly these, when given).
    #[serde(default)]
    pub slots: Option<BTreeMap<String, String>>,
    /// Expected action names (exactly these, when given).
    #[serde(default)]
    pub actions: Option<Vec<String>>,
    /// Signal types that must be present (`fallback`, `handoff`, `faq_answered`, …).
    #[serde(default)]
    pub signals: Vec<String>,
    /// Signal types that must be absent.
    #[serde(default)]
    pub no_signals: Vec<String>,
    /// The intents a clarification question offers, in order (exactly these, when given).
    #[serde(default)]
    pub choices: Option<Vec<String>>,
    /// How the turn's intent was found: `rule`, `model`, `form` or `clarified`.
    #[serde(default)]
    pub source: Option<String>,
    /// Expected handoff reasons (exactly, in order) and route.
    #[serde(default)]
    pub handoff: Option<HandoffExpect>,
    /// Expected customer segment after the turn (`~`: none).
    #[serde(default, deserialize_with = "some_option")]
    pub segment: Option<Option<String>>,
    /// Expected state after the turn: `idle`, `form`, `confirm`, `with_agent`, `clarify`.
    #[serde(default)]
    pub state: Option<String>,
    /// Expected error text (substring) instead of a turn.
    #[serde(default)]
    pub error: Option<String>,
}

/// Expected handoff.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffExpect {
    /// Reason codes, main first.
    pub reasons: Vec<String>,
    /// Route tag.
    pub route: String,
    /// Expected priority (`low` … `urgent`).
    #[serde(default)]
    pub priority: Option<String>,
    /// Expected business rule name.
    #[serde(default)]
    pub rule: Option<String>,
    /// Substrings the summary must contain.
    #[serde(default)]
    pub summary: Vec<String>,
    /// Substrings that the transcript must contain (e.g. what an agent said earlier).
    #[serde(default)]
    pub transcript_has: Vec<String>,
    /// Substrings (personal data, abusive words) that must appear nowhere in the transcript
    /// or summary.
    #[serde(default)]
    pub transcript_lacks: Vec<String>,
}

/// A host adapter whose answers a golden file scripts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedHost {
    /// `agent_available` answers this (default: an agent is free).
    #[serde(default)]
    pub no_agents: bool,
    /// Values `validate_slot` refuses, by slot.
    #[serde(default)]
    pub reject: BTreeMap<String, Vec<String>>,
    /// Adapter methods that fail (`validate_slot`, `agent_available`).
    #[serde(default)]
    pub fail: Vec<String>,
}

impl HostAdapter for ScriptedHost {
    fn validate_slot(&self, _intent: &str, slot: &str, value: &str) -> Result<bool, AdapterError> {
        if self.fail.iter().any(|f| f == "validate_slot") {
            return Err(AdapterError::new("order service timed out"));
        }
        Ok(!self.reject.get(slot).is_some_and(|values| values.iter().any(|v| v == value)))
    }

    fn agent_available(&self, _route: &str) -> Result<bool, AdapterError> {
        if self.fail.iter().any(|f| f == "agent_available") {
            return Err(AdapterError::new("queue service unreachable"));
        }
        Ok(!self.no_agents)
    }
}

fn some_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn signal_type(s: &Signal) -> &'static str {
    match s {
        Signal::Handoff(_) => "handoff",
        Signal::Fallback { .. } => "fallback",
        Signal::FaqAnswered { .. } => "faq_answered",
        Signal::SlotRequested { .. } => "slot_requested",
        Signal::FormCompleted { .. } => "form_completed",
        Signal::FormCancelled { .. } => "form_cancelled",
        Signal::WithAgent => "with_agent",
        Signal::AgentUnavailable(_) => "agent_unavailable",
        Signal::ConfirmationRequested { .. } => "confirmation_requested",
        Signal::SlotRejected { .. } => "slot_rejected",
        Signal::ClarificationRequested { .. } => "clarification_requested",
        _ => "other",
    }
}

/// Loads a bot file relative to the repository root.
pub fn load_bot(relative: &str) -> Bot {
    let path = repo_root().join(relative);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Bot::from_yaml(relative, &source).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs every conversation of a dialogue golden file on the embedded tier; returns the
/// failures.
pub fn run_dialogue_golden(path: &Path) -> Vec<String> {
    run_dialogue_golden_on(path, None)
}

/// [`run_dialogue_golden`] on the ONNX tier when `encoder` is given.
pub fn run_dialogue_golden_on(path: &Path, encoder: Option<std::sync::Arc<dyn SentenceEncoder>>) -> Vec<String> {
    record_dialogue_golden(path, encoder, &mut Vec::new())
}

/// [`run_dialogue_golden_on`], also appending to `record` one line of JSON per step: the
/// whole turn (or error) and the whole session after it, for the behaviour check.
pub fn record_dialogue_golden(
    path: &Path,
    encoder: Option<std::sync::Arc<dyn SentenceEncoder>>,
    record: &mut Vec<String>,
) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let golden: DialogueGolden = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bot = match encoder {
        None => load_bot(&golden.bot),
        Some(encoder) => {
            let source = std::fs::read_to_string(repo_root().join(&golden.bot)).unwrap_or_default();
            BotLoader::new().encoder(encoder).from_yaml(&golden.bot, &source).unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let mut failures = Vec::new();
    if golden.tier.as_deref().is_some_and(|tier| tier != bot.tier().code()) {
        return failures;
    }
    for conv in &golden.conversations {
        let mut session = Session::new(&bot);
        for (i, step) in conv.turns.iter().enumerate() {
            let at = format!(
                "{} / {:?} / turn {}",
                path.file_name().unwrap_or_default().to_string_lossy(),
                conv.name,
                i + 1
            );
            if conv.round_trip {
                session = Session::from_bytes(&bot, &session.to_bytes())
                    .unwrap_or_else(|e| panic!("{at}: restore failed: {e}"));
            }
            for (entity, values) in &step.entity_values {
                if let Err(e) = session.set_entity_values(&bot, entity, values.clone()) {
                    failures.push(format!("{at}: set_entity_values({entity}) failed: {e}"));
                }
            }
            if let Some(event) = &step.event {
                let result = match event.split_once(':') {
                    None if event == "agent_finished" => session.agent_finished(&bot).map(drop),
                    Some(("agent_says", text)) => session.agent_message(&bot, text).map(drop),
                    Some(("set_segment", name)) => {
                        session.set_segment(Some(name.to_string()));
                        Ok(())
                    }
                    _ => panic!("{at}: unknown event {event:?}"),
                };
                if let Err(e) = &result {
                    failures.push(format!("{at}: event {event} failed: {e}"));
                }
                check_state(&at, step, &session, &mut failures);
                record.push(step_record(&at, &result.map_err(|e| e.to_string()), &session));
                continue;
            }
            let say = step.say.as_deref().unwrap_or_else(|| panic!("{at}: a step needs `say` or `event`"));
            let before = session.clone();
            let ctx = TurnContext { adapter: &conv.host, ..TurnContext::default() };
            let result = session.turn_with(&bot, say, &ctx);
            record.push(step_record(&at, &result.as_ref().map_err(ToString::to_string), &session));
            match result {
                Err(e) => match &step.error {
                    Some(expected) if e.to_string().contains(expected.as_str()) => {
                        if session != before {
                            failures.push(format!("{at}: the session changed on error"));
                        }
                    }
                    _ => failures.push(format!("{at}: unexpected error: {e}")),
                },
                Ok(turn) => {
                    if step.error.is_some() {
                        failures.push(format!("{at}: expected an error, got a turn"));
                    }
                    check_turn(&at, step, &turn, &mut failures);
                    check_state(&at, step, &session, &mut failures);
                }
            }
        }
    }
    failures
}

/// One line of the behaviour record: where, what came back, and the session after it.
pub fn step_record(at: &str, result: &Result<impl serde::Serialize, String>, session: &Session) -> String {
    let result = match result {
        Ok(value) => serde_json::to_value(value).unwrap_or_default(),
        Err(e) => serde_json::json!({ "error": e }),
    };
    let session = serde_json::to_value(session).unwrap_or_default();
    serde_json::json!({ "at": at, "result": result, "session": session }).to_string()
}

fn check_state(at: &str, step: &Step, session: &Session, failures: &mut Vec<String>) {
    if let Some(state) = &step.state {
        let actual = session.state().code();
        if actual != state {
            failures.push(format!("{at}: state {actual}, expected {state}"));
        }
    }
}

fn check_turn(at: &str, step: &Step, turn: &Turn, failures: &mut Vec<String>) {
    let mut fail = |msg: String| failures.push(format!("{at}: {msg}"));
    if let Some(expected) = &step.intent {
        let actual = turn.intent.as_ref().map(|i| i.name.clone());
        if &actual != expected {
            fail(format!("intent {actual:?}, expected {expected:?} (alternatives {:?})", turn.alternatives));
        }
    }
    if let Some(segment) = &step.segment {
        if &turn.segment != segment {
            fail(format!("segment {:?}, expected {segment:?}", turn.segment));
        }
    }
    if let Some(lang) = &step.language {
        if turn.language.code() != lang {
            fail(format!("language {}, expected {lang}", turn.language.code()));
        }
    }
    let replies = turn.replies.join(" | ");
    for r in &step.reply {
        if !replies.contains(r.as_str()) {
            fail(format!("replies {replies:?} do not contain {r:?}"));
        }
    }
    if let Some(slots) = &step.slots {
        if &turn.slots != slots {
            fail(format!("slots {:?}, expected {slots:?}", turn.slots));
        }
    }
    if let Some(actions) = &step.actions {
        let actual: Vec<&str> = turn.actions.iter().map(|a| a.name.as_str()).collect();
        if &actual != actions {
            fail(format!("actions {actual:?}, expected {actions:?}"));
        }
    }
    if let Some(expected) = &step.choices {
        let offered: Vec<&str> = turn
            .signals
            .iter()
            .find_map(|s| match s {
                Signal::ClarificationRequested { choices } => Some(choices.iter().map(|c| c.intent.as_str()).collect()),
                _ => None,
            })
            .unwrap_or_default();
        if &offered != expected {
            fail(format!("choices {offered:?}, expected {expected:?}"));
        }
    }
    if let Some(source) = &step.source {
        let actual = turn.intent.as_ref().map(|i| i.source.code());
        if actual != Some(source.as_str()) {
            fail(format!("intent source {actual:?}, expected {source}"));
        }
    }
    let types: Vec<&str> = turn.signals.iter().map(signal_type).collect();
    for s in &step.signals {
        if !types.contains(&s.as_str()) {
            fail(format!("signals {types:?} lack {s}"));
        }
    }
    for s in &step.no_signals {
        if types.contains(&s.as_str()) {
            fail(format!("signals {types:?} must not have {s}"));
        }
    }
    if let Some(expect) = &step.handoff {
        let handoff = turn.signals.iter().find_map(|s| match s {
            Signal::Handoff(h) | Signal::AgentUnavailable(h) => Some(h),
            _ => None,
        });
        match handoff {
            None => fail("no handoff signal".into()),
            Some(h) => {
                let reasons: Vec<&str> = h.reasons.iter().map(|r| r.code()).collect();
                if reasons != expect.reasons {
                    fail(format!("handoff reasons {reasons:?}, expected {:?}", expect.reasons));
                }
                if h.route != expect.route {
                    fail(format!("handoff route {}, expected {}", h.route, expect.route));
                }
                if expect.priority.as_deref().is_some_and(|p| p != h.priority.code()) {
                    fail(format!("handoff priority {}, expected {:?}", h.priority.code(), expect.priority));
                }
                if expect.rule.is_some() && h.rule != expect.rule {
                    fail(format!("handoff rule {:?}, expected {:?}", h.rule, expect.rule));
                }
                for s in &expect.summary {
                    if !h.summary.contains(s.as_str()) {
                        fail(format!("summary {:?} lacks {s:?}", h.summary));
                    }
                }
                for s in &expect.transcript_has {
                    if !h.transcript.iter().any(|l| l.text.contains(s.as_str())) {
                        fail(format!("the handoff transcript lacks {s:?}"));
                    }
                }
                for s in &expect.transcript_lacks {
                    let leaked =
                        h.summary.contains(s.as_str()) || h.transcript.iter().any(|l| l.text.contains(s.as_str()));
                    if leaked {
                        fail(format!("{s:?} appears in the handoff transcript or summary"));
                    }
                }
            }
        }
    }
}

/// Runs a validation golden: a bot file whose first line is
/// `# expect: kind@line, kind@line` (or `# expect: ok`). Returns the failures.
pub fn run_validation_golden(path: &Path) -> Vec<String> {
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let expect_line = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect:"))
        .unwrap_or_else(|| panic!("{name}: the first line must be `# expect: kind@line, …`"));
    let mut expected: Vec<String> =
        expect_line.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    expected.sort();
    let mut actual: Vec<String> = match Bot::from_yaml(&name, &source) {
        Ok(_) => vec!["ok".to_string()],
        Err(kefu_core::Error::BotFile(e)) => e
            .problems
            .iter()
            .map(|p| match p.line {
                Some(line) => format!("{}@{line}", p.kind.code()),
                None => p.kind.code().to_string(),
            })
            .collect(),
        Err(e) => vec![format!("unexpected error: {e}")],
    };
    actual.sort();
    if actual == expected {
        Vec::new()
    } else {
        vec![format!("{name}: problems {actual:?}, expected {expected:?}")]
    }
}

/// The files with `extension` in `goldens/<dir>`, sorted.
pub fn golden_files(dir: &str, extension: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("goldens").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

/// The ONNX tier's encoder for tests: ONNX Runtime from `KEFU_ONNXRUNTIME`, the model from
/// `KEFU_TEST_ENCODER_DIR` (default: see [`encoder_dir`]). `None` (the
/// test is skipped, and says so) when ONNX Runtime is not set up — unless
/// `KEFU_REQUIRE_ONNX=1`, as in `tools/test-all`, where a missing piece fails the test.
pub fn test_encoder() -> Option<std::sync::Arc<OnnxEncoder>> {
    static ENCODER: std::sync::OnceLock<Option<std::sync::Arc<OnnxEncoder>>> = std::sync::OnceLock::new();
    ENCODER
        .get_or_init(|| {
            let required = std::env::var("KEFU_REQUIRE_ONNX").is_ok_and(|v| v == "1");
            if std::env::var_os(kefu_onnx::ONNXRUNTIME_ENV).is_none() && !required {
                eprintln!("skipped: set {} to run the ONNX tier tests", kefu_onnx::ONNXRUNTIME_ENV);
                return None;
            }
            Some(std::sync::Arc::new(OnnxEncoder::from_dir(&encoder_dir()).unwrap_or_else(|e| panic!("{e}"))))
        })
        .clone()
}

/// The static embedding table tools/build-static writes (`KEFU_TEST_STATIC_TABLE`, else
/// `target/static/me5-small-enzh.kefustatic`) and its path, or `None` when there is none
/// and `KEFU_REQUIRE_STATIC` is not `1` (tools/test-all builds it and sets both).
pub fn test_static_table() -> Option<(std::sync::Arc<StaticEncoder>, PathBuf)> {
    static TABLE: std::sync::OnceLock<Option<(std::sync::Arc<StaticEncoder>, PathBuf)>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            let path = std::env::var_os("KEFU_TEST_STATIC_TABLE")
                .map_or_else(|| repo_root().join("target/static/me5-small-enzh.kefustatic"), PathBuf::from);
            let required = std::env::var("KEFU_REQUIRE_STATIC").is_ok_and(|v| v == "1");
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) if required => panic!("{}: {e}; build it with tools/build-static", path.display()),
                Err(_) => {
                    eprintln!("skipped: no static table at {}; build it with tools/build-static", path.display());
                    return None;
                }
            };
            let table = StaticEncoder::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Some((std::sync::Arc::new(table), path))
        })
        .clone()
}

/// Where the test encoder's `model.onnx` and `tokenizer.json` are: `KEFU_TEST_ENCODER_DIR`,
/// else the encoder `tools/build-encoder` writes (`target/encoder/me5-small-enzh-int8`, the
/// one `tools/test-all` tests and whose outputs the goldens were checked on), else the
/// shared reference model (its last layer only).
pub fn encoder_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KEFU_TEST_ENCODER_DIR") {
        return PathBuf::from(dir);
    }
    let built = repo_root().join("target/encoder/me5-small-enzh-int8");
    if built.join("model.onnx").is_file() {
        return built;
    }
    repo_root().join("../shared/models/me5-small-enzh-int8")
}

/// A table of built-in entity cases: `goldens/entities/<kind>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityTable {
    /// The built-in entity kind every case is about.
    pub kind: String,
    /// Reference time for relative dates.
    #[serde(default)]
    pub now: Option<NowSpec>,
    /// `[text, value]`; a `~` value means the kind must not be found in the text.
    pub cases: Vec<(String, Option<String>)>,
}

/// A reference time in a golden file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NowSpec {
    /// Seconds since the Unix epoch.
    pub unix_seconds: i64,
    /// The customer's UTC offset.
    pub utc_offset_minutes: i32,
}

/// Runs an entity table against a bot without custom entities; returns the table's kind,
/// its number of cases and the failures.
pub fn run_entity_table(path: &Path) -> (String, usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let table: EntityTable = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bot = Bot::from_yaml("plain.yaml", "version: 1\nintents:\n  hi:\n    examples: [hello, hi]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let now = table
        .now
        .as_ref()
        .map(|n| kefu_core::ReferenceTime { unix_seconds: n.unix_seconds, utc_offset_minutes: n.utc_offset_minutes });
    let mut failures = Vec::new();
    for (utterance, expected) in &table.cases {
        let found: Vec<String> = bot
            .extract_entities(utterance, now)
            .into_iter()
            .filter(|e| e.entity == table.kind)
            .map(|e| e.value)
            .collect();
        let ok = match expected {
            Some(value) => found.contains(value),
            None => found.is_empty(),
        };
        if !ok {
            failures.push(format!("{} {utterance:?}: found {found:?}, expected {expected:?}", table.kind));
        }
    }
    (table.kind, table.cases.len(), failures)
}

/// Deterministic generators of personal values for the masking tests.
pub mod generate {
    /// xorshift64*: small, deterministic, good enough to vary inputs.
    #[derive(Debug)]
    pub struct Rng(pub u64);

    impl Rng {
        /// The next number.
        pub fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        /// A number in `0..n`.
        pub fn below(&mut self, n: u64) -> u64 {
            self.next_u64() % n
        }
        /// `n` random digits.
        pub fn digits(&mut self, n: usize) -> String {
            (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
        }
        /// One of `items`.
        pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len() as u64) as usize]
        }
    }

    /// `body` with the Luhn check digit that bank cards end with.
    pub fn with_luhn_digit(body: &str) -> String {
        format!("{body}{}", kefu_core::luhn_check_digit(body).unwrap_or_default())
    }

    /// An 18-digit ID-card number with a valid date and check character.
    pub fn id_card(r: &mut Rng) -> String {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let region = r.pick(&["110105", "310104", "440305", "510107"]);
        let body = format!("{region}{}{:02}{:02}{}", 1950 + r.below(55), 1 + r.below(12), 1 + r.below(28), r.digits(3));
        let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        format!("{body}{}", char::from(b"10X98765432"[(sum % 11) as usize]))
    }
}

/// What an agent reads of `line`: the customer's transcript line after one turn of a new
/// session (personal data and abuse masked).
pub fn agent_reads(bot: &Bot, line: &str) -> String {
    let mut session = Session::new(bot);
    session.turn(bot, line).unwrap_or_else(|e| panic!("{e}"));
    session.transcript()[0].text.clone()
}

/// What a human agent's `line` becomes, in a session the sample customer handed to them:
/// the transcript's masked text and the quality findings.
pub fn agent_writes(bot: &Bot, line: &str) -> kefu_core::AgentReview {
    let mut session = Session::new(bot);
    session.turn(bot, "转人工").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(session.state(), &kefu_core::DialogueState::WithAgent, "{} hands off on 转人工", bot.name());
    session.agent_message(bot, line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// The digits of `text` as one string: ASCII, full-width and Chinese numerals (幺 for one)
/// alike, so a number is found in what an agent reads whatever script it is left in.
pub fn digits_of(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - 0xFF10 + 0x30),
            '幺' => Some('1'),
            _ => "零一二三四五六七八九".chars().position(|z| z == c).and_then(|d| char::from_digit(d as u32, 10)),
        })
        .collect()
}

/// `text` with its printable ASCII characters in full width (`ｆｕｃｋ`), as customers type
/// them to get past filters.
pub fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_graphic() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
        .collect()
}

/// Each of `texts` in `per_text` of `contexts` (`{}` stands for the text), turning through
/// the contexts so that neighbouring texts get different ones.
pub fn in_contexts(texts: &[&str], contexts: &[&str], per_text: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        for k in 0..per_text {
            lines.push(contexts[(i + k) % contexts.len()].replace("{}", text));
        }
    }
    lines
}

/// Writes `json` (pretty, one trailing newline) to `relative` under the repository root.
pub fn write_report(relative: &str, json: &serde_json::Value) {
    let path = repo_root().join(relative);
    std::fs::write(&path, serde_json::to_string_pretty(json).unwrap_or_default() + "\n")
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Abuse detection and masking measured on labelled lines, each through the public API: the
/// analysis says whether a line is abusive, a real turn's transcript shows what an agent
/// reads.
pub mod abuse {
    use kefu_core::{AgentFinding, Bot, TurnContext};

    /// An abusive line and the abusive words in it as typed (which must not reach an agent).
    pub type Abusive = (String, String);

    /// The figures of one corpus, and examples of each kind of miss.
    #[derive(Debug, serde::Serialize)]
    pub struct Scores {
        pub abusive: usize,
        pub innocent: usize,
        pub recall: f64,
        pub precision: f64,
        /// Of the abusive lines detected, the share whose words as typed an agent cannot read.
        pub detected_masked: f64,
        pub missed: Vec<String>,
        pub false_alarms: Vec<String>,
        pub unmasked: Vec<String>,
    }

    /// One part of the abuse corpus: what it was written from, what part it is, its
    /// report, and the least recall and precision it must keep.
    #[derive(Debug)]
    pub struct Part {
        pub written_from: &'static str,
        pub part: &'static str,
        pub report: &'static str,
        pub least_recall: f64,
        pub least_precision: f64,
    }

    /// Scores `abusive` and `innocent` through the sample bot as customers' lines and as
    /// agents' (caught by the same detector, masked alike: #25), writes the part's report
    /// and checks it: at least 300 lines of each kind, the least recall and precision,
    /// every detected line masked, agents' lines scored as customers'.
    pub fn check_part(part: &Part, abusive: &[Abusive], innocent: &[String]) {
        let bot = super::load_bot("examples/bots/shop.yaml");
        let scores = score(&bot, abusive, innocent);
        let agent = score_agent(&bot, abusive, innocent);
        let json = serde_json::json!({
            "written_from": part.written_from,
            "part": part.part,
            "scores": scores,
            "agent_lines": agent,
        });
        super::write_report(part.report, &json);
        assert!(
            abusive.len() >= 300 && innocent.len() >= 300,
            "{} abusive, {} innocent",
            abusive.len(),
            innocent.len()
        );
        assert!(scores.recall >= part.least_recall, "recall {}: missed {:#?}", scores.recall, scores.missed);
        assert!(scores.precision >= part.least_precision, "precision {}: {:#?}", scores.precision, scores.false_alarms);
        assert_eq!(scores.detected_masked, 1.0, "unmasked: {:#?}", scores.unmasked);
        assert_eq!((agent.recall, agent.precision), (scores.recall, scores.precision), "agents' lines: {agent:#?}");
        assert_eq!(agent.detected_masked, 1.0, "agents' lines unmasked: {:#?}", agent.unmasked);
    }

    /// Customers' lines: the analysis flags them, the transcript masks them.
    pub fn score(bot: &Bot, abusive: &[Abusive], innocent: &[String]) -> Scores {
        let ctx = TurnContext::default();
        let flagged = |line: &str| bot.analyze(line, &ctx).unwrap_or_else(|e| panic!("{line}: {e}")).abusive;
        score_with(abusive, innocent, &flagged, &|line| super::agent_reads(bot, line))
    }

    /// The same lines written by a human agent: the quality review flags them, the
    /// transcript masks them.
    pub fn score_agent(bot: &Bot, abusive: &[Abusive], innocent: &[String]) -> Scores {
        let flagged = |line: &str| super::agent_writes(bot, line).findings.contains(&AgentFinding::Abuse);
        score_with(abusive, innocent, &flagged, &|line| super::agent_writes(bot, line).masked)
    }

    fn score_with(
        abusive: &[Abusive],
        innocent: &[String],
        flagged: &dyn Fn(&str) -> bool,
        reads: &dyn Fn(&str) -> String,
    ) -> Scores {
        let (mut hits, mut masked, mut missed, mut unmasked) = (0, 0, Vec::new(), Vec::new());
        for (line, words) in abusive {
            if !flagged(line) {
                missed.push(line.clone());
                continue;
            }
            hits += 1;
            if reads(line).contains(words.as_str()) {
                unmasked.push(line.clone());
            } else {
                masked += 1;
            }
        }
        let false_alarms: Vec<String> = innocent.iter().filter(|l| flagged(l)).cloned().collect();
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        Scores {
            abusive: abusive.len(),
            innocent: innocent.len(),
            recall: ratio(hits, abusive.len()),
            precision: ratio(hits, hits + false_alarms.len()),
            detected_masked: ratio(masked, hits),
            missed,
            false_alarms,
            unmasked,
        }
    }
}

/// The family of ONNX Runtime's int8 kernels on this CPU, as a suffix for records that
/// depend on it ("" or "-avx2"). Without AVX-512 VNNI or AVX-VNNI, ONNX Runtime multiplies
/// int8 with AVX2 instructions that round and saturate differently: the encoder's
/// embeddings move by a quantisation step here and there — and so the static table
/// distilled from them, and the heads trained on either — and a few close calls go the
/// other way. The plain records were made on a machine of the other family.
pub fn int8_kernel_family() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if !std::arch::is_x86_feature_detected!("avx512vnni") && !std::arch::is_x86_feature_detected!("avxvnni") {
        return "-avx2";
    }
    ""
}
