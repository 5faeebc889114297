//! Compiled bots (`kefu compile`): a validated bot file and the models trained on it in one
//! versioned binary, so that a phone or a page loads a bot without the YAML parser and
//! without training, and predicts exactly as the bot loaded from its file.
//!
//! Layout (little-endian): `KEFUBOT\0`, format version (u16), CRC-32 of the rest (u32), then
//! sections each prefixed with a u64 length: the bot file as JSON (as read, defaults filled
//! in) and the trained heads with their thresholds (as in model bundles). Reading checks
//! every length, the checksum and each head, and validates the bot file again, so a
//! damaged or hand-edited file is a typed error, never a panic or a different bot.

use crate::botfile::schema::BotFile;
use crate::checksum::crc32;
use crate::error::{BotFileError, Error, Problem, ProblemKind, Result};
use crate::framing::Reader;
use crate::intent::HeadCache;
use crate::Bot;

/// Format version of compiled bots.
pub const COMPILED_BOT_VERSION: u16 = 1;
const MAGIC: &[u8; 8] = b"KEFUBOT\0";

/// The largest bot file a compiled bot may hold, as JSON: twice the YAML limit (JSON spells
/// out the defaults).
const MAX_SPEC_BYTES: usize = 2 * crate::botfile::MAX_BOT_FILE_BYTES;

fn problem(file: &str, kind: ProblemKind, message: impl Into<String>) -> Error {
    Error::BotFile(BotFileError {
        file: file.to_string(),
        problems: vec![Problem { line: None, kind, message: message.into() }],
    })
}

impl Bot {
    /// The bot compiled, for [`Bot::from_compiled`] / [`crate::BotLoader::from_compiled`]:
    /// its checked file and, with `models`, its trained models and thresholds, so that
    /// loading trains nothing. The models are most of the size (the sample bot: 2.5 MB of
    /// its 2.6 MB, against 28 KB without them, which train at load in tens of milliseconds
    /// on the embedded tier).
    pub fn to_compiled(&self, models: bool) -> Vec<u8> {
        // The schema's types serialise to JSON without fail (string keys, finite numbers).
        let spec = serde_json::to_vec(&self.spec).unwrap_or_default();
        let heads = if models { self.trained_heads() } else { HeadCache::new() };
        crate::framing::write(MAGIC, COMPILED_BOT_VERSION, &[&spec, &crate::intent::encode_heads(&heads)])
    }
}

/// The bot file section, read as this build reads bot files: JSON is YAML, and a build with
/// the YAML reader reads it with that (the schema's reading code for a second format was
/// 51 KB of the `.wasm`).
#[cfg(feature = "yaml")]
fn read_spec(json: &[u8]) -> std::result::Result<BotFile, String> {
    let text = std::str::from_utf8(json).map_err(|e| e.to_string())?;
    let mut unknown = Vec::new();
    let spec = crate::botfile::read_schema(text, &mut unknown).map_err(|e| e.to_string())?;
    match unknown.first() {
        Some(key) => Err(format!("unknown key `{key}`")),
        None => Ok(spec),
    }
}

/// The bot file section as JSON, in builds without the YAML reader.
#[cfg(any(test, not(feature = "yaml")))]
fn read_spec_json(json: &[u8]) -> std::result::Result<BotFile, String> {
    serde_json::from_slice(json).map_err(|e| e.to_string())
}

#[cfg(not(feature = "yaml"))]
use read_spec_json as read_spec;

/// The bot file and trained heads of compiled bytes; `file` names them in errors.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<(BotFile, HeadCache)> {
    let damaged = |what: &str| {
        problem(
            file,
            ProblemKind::Syntax,
            format!("the compiled bot is damaged ({what}); compile it again with `kefu compile`"),
        )
    };
    if bytes.len() < 14 || &bytes[..8] != MAGIC {
        return Err(problem(
            file,
            ProblemKind::Syntax,
            "not a compiled kefu bot (no KEFUBOT header); make one from the bot file with `kefu compile`",
        ));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != COMPILED_BOT_VERSION {
        return Err(problem(
            file,
            ProblemKind::UnsupportedVersion,
            format!("compiled bot format version {version}; this build reads version {COMPILED_BOT_VERSION}: compile the bot again with this build's `kefu compile`"),
        ));
    }
    let body = &bytes[14..];
    if crc32(body) != u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) {
        return Err(damaged("checksum mismatch"));
    }
    // The reader's errors carry their message in a `ModelBundle`, re-worded below.
    let reworded = |e: Error| match e {
        Error::ModelBundle(message) => damaged(&message),
        other => other,
    };
    let mut r = Reader::new(body, Error::ModelBundle);
    let spec = r.section("bot file").map_err(|_| damaged("the bot file section is cut short"))?;
    if spec.len() > MAX_SPEC_BYTES {
        return Err(problem(
            file,
            ProblemKind::TooLarge,
            "the compiled bot's file is over 32 MiB; split the FAQ or examples",
        ));
    }
    let spec = read_spec(spec).map_err(|e| damaged(&format!("its bot file does not read: {e}")))?;
    let heads = r.section("heads").map_err(|_| damaged("the heads section is cut short"))?;
    let heads = crate::intent::decode_heads(heads, Error::ModelBundle, |key| {
        Error::ModelBundle(format!("the model {key:016x} does not read"))
    })
    .map_err(reworded)?;
    if !r.rest.is_empty() {
        return Err(damaged("trailing bytes after the last section"));
    }
    Ok((crate::botfile::validate(file, spec)?, heads))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Session, TurnContext};

    const SHOP: &str = include_str!("../../examples/bots/shop.yaml");

    /// Held-out lines of the sample bot, in both languages and out of scope.
    fn lines() -> Vec<String> {
        let cases = include_str!("../../examples/bots/shop.test.yaml");
        let cases: Vec<std::collections::BTreeMap<String, Option<String>>> = serde_yaml::from_str(cases).unwrap();
        cases.into_iter().filter_map(|mut c| c.remove("text").flatten()).collect()
    }

    #[test]
    fn a_compiled_bot_predicts_as_its_file_without_training() {
        let from_file = Bot::from_yaml("shop.yaml", SHOP).unwrap();
        let bytes = from_file.to_compiled(true);
        let compiled = Bot::from_compiled("shop.kefubot", &bytes).unwrap();
        assert_eq!(compiled.reused_heads(), 2, "the intent and segment models come from the file");
        assert_eq!(from_file.reused_heads(), 0);
        assert_eq!(compiled.calibration(), from_file.calibration(), "the chosen threshold comes from the file too");
        assert!(compiled.calibration().is_some());
        assert_eq!(compiled.trained_heads(), from_file.trained_heads());
        let lines = lines();
        assert!(lines.len() > 150);
        let ctx = TurnContext::default();
        for line in &lines {
            assert!(from_file.analyze(line, &ctx).unwrap() == compiled.analyze(line, &ctx).unwrap(), "{line}");
        }
        // A whole conversation, form and handoff included, turn by turn.
        let (mut a, mut b) = (Session::new(&from_file), Session::new(&compiled));
        for line in lines.iter().take(60).map(String::as_str).chain(["我要退款", "12345678", "转人工"]) {
            assert!(a.turn(&from_file, line).unwrap() == b.turn(&compiled, line).unwrap(), "{line}");
        }
        // A session saved with one restores into the other.
        let mut restored = Session::from_bytes(&compiled, &a.to_bytes()).unwrap();
        assert!(restored.turn(&compiled, "谢谢").unwrap() == a.turn(&from_file, "谢谢").unwrap());
        // Compiling the compiled bot gives the same bytes.
        assert_eq!(compiled.to_compiled(true), bytes);
        // Without the models: the file alone, a few per cent of the size, trained at load.
        let small = from_file.to_compiled(false);
        assert!(small.len() * 20 < bytes.len(), "{} against {}", small.len(), bytes.len());
        let trained = Bot::from_compiled("shop.kefubot", &small).unwrap();
        assert_eq!((trained.reused_heads(), trained.trained_heads()), (0, from_file.trained_heads()));
    }

    #[test]
    fn the_bot_file_section_reads_the_same_as_yaml_and_as_json() {
        let help = include_str!("../../examples/bots/help-desk.yaml");
        for (name, source) in [("shop.yaml", SHOP), ("help-desk.yaml", help)] {
            let mut spec = crate::botfile::parse(name, source).unwrap();
            // Text with what JSON escapes and YAML reads differently, if read wrongly.
            spec.name = "a \"quoted\" name: with # and \\ and \u{1} and 😀 and\nlines".into();
            let json = serde_json::to_vec(&spec).unwrap();
            let (yaml, plain) = (read_spec(&json).unwrap(), read_spec_json(&json).unwrap());
            assert_eq!(serde_json::to_value(&yaml).unwrap(), serde_json::to_value(&plain).unwrap(), "{name}");
            assert_eq!(serde_json::to_value(&yaml).unwrap(), serde_json::to_value(&spec).unwrap(), "{name}");
        }
        let unknown = br#"{"version":1,"intents":{},"colour":"red"}"#;
        assert!(read_spec(unknown).unwrap_err().contains("unknown key `colour`"));
    }

    #[test]
    fn a_threshold_is_reused_only_for_the_same_background_class() {
        // The same texts and labels, as `out_of_scope` in one bot and as an intent in the
        // other: one training run, so one model, but two thresholds.
        let intents = "intents:\n  a: { examples: [查订单, 订单到哪了, where is my order] }\n  b: { examples: [退款, 我要退钱, refund please] }\n  d: { examples: [发票, 开发票, invoice please] }\n";
        let lines = "[今天天气怎么样, 讲个笑话, what is the capital of france]";
        let a = format!("version: 1\nsettings: {{ background: false }}\n{intents}out_of_scope: {lines}\n");
        let b = format!("version: 1\nsettings: {{ background: false }}\n{intents}  zz: {{ examples: {lines} }}\n");
        let (a, b) = (Bot::from_yaml("a.yaml", &a).unwrap(), Bot::from_yaml("b.yaml", &b).unwrap());
        assert!(a.calibration().is_some() && a.calibration() != b.calibration());
        let b_spec = serde_json::to_vec(b.spec()).unwrap();
        let mixed =
            Bot::from_compiled("b", &framed(1, &b_spec, &crate::intent::encode_heads(&a.trained_heads()))).unwrap();
        assert_eq!(mixed.reused_heads(), 1, "the model is the same training run");
        assert_eq!(mixed.calibration(), b.calibration(), "the threshold is not");
    }

    fn message(result: Result<Bot>) -> (ProblemKind, String) {
        match result {
            Err(Error::BotFile(e)) => (e.problems[0].kind, e.problems[0].message.clone()),
            other => panic!("expected a bot file error, got {:?}", other.map(|b| b.name().to_string())),
        }
    }

    /// `spec` and `heads` sections framed as a compiled bot of `version`, checksum right.
    fn framed(version: u16, spec: &[u8], heads: &[u8]) -> Vec<u8> {
        crate::framing::write(MAGIC, version, &[spec, heads])
    }

    #[test]
    fn damaged_or_foreign_bytes_are_typed_errors_that_say_what_to_do() {
        let bytes = Bot::from_yaml("shop.yaml", SHOP).unwrap().to_compiled(true);
        for cut in [0, 7, 13, 14, 40, bytes.len() / 2, bytes.len() - 1] {
            let (kind, msg) = message(Bot::from_compiled("b", &bytes[..cut]));
            assert_eq!(kind, ProblemKind::Syntax, "cut at {cut}: {msg}");
            assert!(msg.contains("kefu compile"), "cut at {cut}: {msg}");
        }
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 3] ^= 0x10;
        assert!(message(Bot::from_compiled("b", &flipped)).1.contains("checksum mismatch"));
        let (kind, msg) = message(Bot::from_compiled("b", SHOP.as_bytes()));
        assert!(kind == ProblemKind::Syntax && msg.contains("not a compiled kefu bot"), "{msg}");
        let mut version = bytes.clone();
        version[8] = 9;
        let (kind, msg) = message(Bot::from_compiled("b", &version));
        assert!(kind == ProblemKind::UnsupportedVersion && msg.contains("version 9"), "{msg}");

        // Well framed, but what the sections hold is wrong.
        let spec = serde_json::to_vec(Bot::from_yaml("shop.yaml", SHOP).unwrap().spec()).unwrap();
        let (_, msg) = message(Bot::from_compiled("b", &framed(1, b"{ nope", &[])));
        assert!(msg.contains("its bot file does not read"), "{msg}");
        let (_, msg) = message(Bot::from_compiled("b", &framed(1, &spec, &[1, 2, 3])));
        assert!(msg.contains("damaged"), "{msg}");
        let head = [&7u64.to_le_bytes()[..], &3u64.to_le_bytes(), &[1, 2, 3]].concat();
        let (_, msg) = message(Bot::from_compiled("b", &framed(1, &spec, &head)));
        assert!(msg.contains("0000000000000007 does not read"), "{msg}");
        let mut trailing = framed(1, &spec, &[]);
        trailing.push(0);
        let crc = crc32(&trailing[14..]);
        trailing[10..14].copy_from_slice(&crc.to_le_bytes());
        assert!(message(Bot::from_compiled("b", &trailing)).1.contains("trailing bytes"));
        // A bot file edited into one the checks refuse is refused as from YAML.
        let edited = String::from_utf8(spec.clone()).unwrap().replacen(
            "\"languages\":[\"zh\",\"en\"]",
            "\"languages\":[\"fr\"]",
            1,
        );
        assert_ne!(edited.as_bytes(), &spec[..]);
        let (kind, _) = message(Bot::from_compiled("b", &framed(1, edited.as_bytes(), &[])));
        assert_eq!(kind, ProblemKind::UnknownLanguage);
        let version = String::from_utf8(spec.clone()).unwrap().replacen("\"version\":1", "\"version\":2", 1);
        let (kind, msg) = message(Bot::from_compiled("b", &framed(1, version.as_bytes(), &[])));
        assert!(kind == ProblemKind::UnsupportedVersion && msg.contains("schema version 2"), "{msg}");
        // Heads of another bot are not used: the bot trains and predicts as from its file.
        let other = Bot::from_yaml(
            "t.yaml",
            "version: 1\nintents:\n  hi:\n    examples: [你好, hello]\n  bye:\n    examples: [再见, bye]\n",
        )
        .unwrap();
        let foreign = framed(1, &spec, &crate::intent::encode_heads(&other.trained_heads()));
        let bot = Bot::from_compiled("b", &foreign).unwrap();
        assert_eq!(bot.reused_heads(), 0);
        assert_eq!(bot.trained_heads(), Bot::from_yaml("shop.yaml", SHOP).unwrap().trained_heads());
    }
}
