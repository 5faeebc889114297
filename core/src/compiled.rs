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
    /// The bot compiled: its file and trained models as bytes, for
    /// [`Bot::from_compiled`] / [`crate::BotLoader::from_compiled`].
    pub fn to_compiled(&self) -> Vec<u8> {
        let mut body = Vec::new();
        let mut section = |bytes: &[u8]| {
            body.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            body.extend_from_slice(bytes);
        };
        // The schema's types serialise to JSON without fail (string keys, finite numbers).
        section(&serde_json::to_vec(&self.spec).unwrap_or_default());
        section(&crate::intent::encode_heads(&self.trained_heads()));
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&COMPILED_BOT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }
}

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
    let mut r = Reader::new(body, Error::ModelBundle);
    let spec = r.section("bot file").map_err(|_| damaged("the bot file section is cut short"))?;
    if spec.len() > MAX_SPEC_BYTES {
        return Err(problem(
            file,
            ProblemKind::TooLarge,
            "the compiled bot's file is over 32 MiB; split the FAQ or examples",
        ));
    }
    let spec: BotFile =
        serde_json::from_slice(spec).map_err(|e| damaged(&format!("its bot file does not read: {e}")))?;
    let heads = r.section("heads").map_err(|_| damaged("the heads section is cut short"))?;
    let heads = crate::intent::decode_heads(heads, Error::ModelBundle, |key| {
        Error::ModelBundle(format!("the model {key:016x} does not read"))
    })
    .map_err(|e| damaged(&format!("{}", e).replace("model bundle: ", "")))?;
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
        let bytes = from_file.to_compiled();
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
        // Compiling the compiled bot gives the same bytes.
        assert_eq!(compiled.to_compiled(), bytes);
    }

    fn message(result: Result<Bot>) -> (ProblemKind, String) {
        match result {
            Err(Error::BotFile(e)) => (e.problems[0].kind, e.problems[0].message.clone()),
            other => panic!("expected a bot file error, got {:?}", other.map(|b| b.name().to_string())),
        }
    }

    /// `spec` and `heads` sections framed as a compiled bot of `version`, checksum right.
    fn framed(version: u16, spec: &[u8], heads: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        for s in [spec, heads] {
            body.extend_from_slice(&(s.len() as u64).to_le_bytes());
            body.extend_from_slice(s);
        }
        [&MAGIC[..], &version.to_le_bytes(), &crc32(&body).to_le_bytes(), &body].concat()
    }

    #[test]
    fn damaged_or_foreign_bytes_are_typed_errors_that_say_what_to_do() {
        let bytes = Bot::from_yaml("shop.yaml", SHOP).unwrap().to_compiled();
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
