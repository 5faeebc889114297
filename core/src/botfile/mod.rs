//! Reading and validating bot files (YAML; JSON is valid YAML and is accepted too).
//!
//! Validation collects every problem before failing, each with its line and a fix.

mod annotation;
mod locate;
pub mod schema;

use std::collections::{BTreeSet, HashMap};

pub(crate) use annotation::parse_example;
#[cfg(feature = "yaml")]
use schema::SCHEMA_VERSION;
use schema::{BotFile, Localized};

use crate::error::{BotFileError, Problem, ProblemKind};

/// Largest bot file accepted, in bytes.
pub const MAX_BOT_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Most examples (intent examples, FAQ questions and out-of-scope examples) a bot may have.
pub const MAX_EXAMPLES: usize = 200_000;
/// Most values and synonyms of all entities together (each turn looks for all of them).
pub const MAX_ENTITY_VALUES: usize = 200_000;
/// Most values and synonyms of `fuzzy` entities together: a turn of 20 words compares each
/// of its words with each of them.
pub const MAX_FUZZY_VALUES: usize = 5_000;
/// Most `regex` entities (each turn runs each of them).
pub const MAX_REGEX_ENTITIES: usize = 20;
/// Most intent `patterns` (each turn runs each of them).
pub const MAX_PATTERNS: usize = 100;
/// Most slots of one intent.
pub const MAX_SLOTS: usize = 50;
/// Names of the responses a bot file may override under `responses:`.
pub const BUILTIN_RESPONSES: &[&str] = &[
    "fallback",
    "empty",
    "handoff",
    "no_agent",
    "cancelled",
    "corrected",
    "reprompt_limit",
    "clarify",
    "value_only",
    "survey",
    "survey_thanks",
    "survey_skipped",
];

/// Limits on user-supplied regular expressions (compiled size), so that a bot file cannot
/// make the linear-time `regex` engine use unbounded memory.
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Does a flag group of `pattern` (`(?i)`, `(?xi:…)`) turn case folding on? kefu builds
/// `regex` without its Unicode case tables (20 KB of the gzipped `.wasm`), and a native
/// build may get them from another crate, so the bot file check refuses the flag on every
/// platform alike and says why.
fn turns_on_case_folding(pattern: &str) -> bool {
    pattern.match_indices("(?").any(|(at, _)| {
        let escaped = pattern[..at].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
        let flags = pattern[at + 2..].split([')', ':']).next().unwrap_or_default();
        !escaped && flags.split('-').next().unwrap_or_default().contains('i')
    })
}

#[cfg(feature = "yaml")]
/// How deep `[` and `{` may nest in a bot file.
const MAX_NESTING: usize = 64;

#[cfg(feature = "yaml")]
/// What [`scan`] finds before the YAML parser runs.
struct Shape {
    /// The 1-based line where `[`/`{` first nest deeper than [`MAX_NESTING`].
    too_deep: Option<usize>,
    /// How many aliases (`*name`) the file uses.
    aliases: usize,
}

#[cfg(feature = "yaml")]
/// How much text a file's aliases may stand for, at most: aliases × file size. Each alias
/// repeats a node of the file, so this bounds the expansion, which without a bound lets a
/// 50 KB file ask the parser for gigabytes (it aborted the process).
const ALIAS_BUDGET: usize = 16 << 20;

#[cfg(feature = "yaml")]
/// Scans brackets and aliases outside quoted strings and comments. A quote opens a string
/// only where a scalar starts (after `[`, `{`, `,`, `:`, `-` or at a line's start), so the
/// apostrophe of "where's" does not; so does an alias's `*`.
fn scan(source: &str) -> Shape {
    let mut shape = Shape { too_deep: None, aliases: 0 };
    let (mut depth, mut line, mut quote, mut comment) = (0usize, 1, None::<char>, false);
    let (mut previous, mut significant) = ('\n', '\n');
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_scalar = matches!(significant, '\n' | '[' | '{' | ',' | ':' | '-' | '?');
        match (c, quote) {
            ('\n', _) => {
                line += 1;
                comment = false;
                significant = '\n';
            }
            _ if comment => {}
            ('\\', Some('"')) => {
                chars.next();
            }
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            ('"' | '\'', None) if starts_scalar => quote = Some(c),
            ('*', None)
                if starts_scalar && chars.peek().is_some_and(|n| !n.is_whitespace() && !",[]{}".contains(*n)) =>
            {
                shape.aliases += 1;
            }
            ('#', None) if previous.is_whitespace() => comment = true,
            ('[' | '{', None) => {
                depth += 1;
                if depth > MAX_NESTING && shape.too_deep.is_none() {
                    shape.too_deep = Some(line);
                }
            }
            (']' | '}', None) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !c.is_whitespace() {
            significant = c;
        }
        previous = c;
    }
    shape
}

/// Whether `pattern` has an upper-case letter outside escapes (`\D`, `\p{Han}`, `\x{4E00}`)
/// and group names (`(?P<Order>…)`).
fn has_upper_case_literal(pattern: &str) -> bool {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next();
                if matches!(escaped, Some('p' | 'P' | 'x' | 'u' | 'U')) && chars.peek() == Some(&'{') {
                    chars.by_ref().find(|&c| c == '}');
                }
            }
            '(' if chars.peek() == Some(&'?') => {
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("?P<") || rest.starts_with("?<") {
                    chars.by_ref().find(|&c| c == '>');
                }
            }
            c if c.is_uppercase() => return true,
            _ => {}
        }
    }
    false
}

pub(crate) fn build_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT).build()
}

#[cfg(feature = "yaml")]
/// Parses and validates a bot file. `file` names it in messages.
pub fn parse(file: &str, source: &str) -> Result<BotFile, BotFileError> {
    // Editors on Windows save UTF-8 with a byte-order mark; it is not content.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut v = Validator { source, problems: Vec::new() };
    let bot = v.parse();
    if let Some(bot) = &bot {
        v.check(bot);
    }
    match (bot, v.problems.is_empty()) {
        (Some(bot), true) => Ok(bot),
        _ => Err(BotFileError { file: file.to_string(), problems: v.problems }),
    }
}

/// Checks a bot file read some other way than [`parse`] (a compiled bot's): every check
/// after reading, without lines to point at.
pub(crate) fn validate(file: &str, bot: BotFile) -> Result<BotFile, BotFileError> {
    let mut v = Validator { source: "", problems: Vec::new() };
    if bot.version != schema::SCHEMA_VERSION {
        let msg = format!(
            "schema version {} is not supported; this build reads version {}",
            bot.version,
            schema::SCHEMA_VERSION
        );
        v.report(&[], ProblemKind::UnsupportedVersion, msg);
    }
    v.check(&bot);
    match v.problems.is_empty() {
        true => Ok(bot),
        false => Err(BotFileError { file: file.to_string(), problems: v.problems }),
    }
}

/// Reads YAML (or JSON) text into the schema, collecting the paths of keys the schema does
/// not have. The one place the schema is deserialised from YAML: compiled bots read their
/// JSON through it too, so a build carries one copy of that code.
#[cfg(feature = "yaml")]
pub(crate) fn read_schema(source: &str, unknown: &mut Vec<String>) -> Result<BotFile, serde_yaml::Error> {
    serde_ignored::deserialize(serde_yaml::Deserializer::from_str(source), |path| unknown.push(path.to_string()))
}

/// Without the `yaml` feature, bot files are not read at run time: the error says to load
/// a compiled bot instead.
#[cfg(not(feature = "yaml"))]
pub fn parse(file: &str, _source: &str) -> Result<BotFile, BotFileError> {
    Err(BotFileError {
        file: file.to_string(),
        problems: vec![Problem {
            line: None,
            kind: ProblemKind::Syntax,
            message: "this build of kefu reads compiled bots only: compile the bot file with `kefu compile` and load the result with Bot::from_compiled (or build kefu with its `yaml` feature)".into(),
        }],
    })
}

struct Validator<'a> {
    source: &'a str,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn report(&mut self, path: &[&str], kind: ProblemKind, message: impl Into<String>) {
        let line = if path.is_empty() { None } else { locate::line_of(self.source, path) };
        self.problems.push(Problem { line, kind, message: message.into() });
    }

    #[cfg(feature = "yaml")]
    fn syntax(&mut self, err: &serde_yaml::Error) {
        let line = err.location().map(|l| l.line());
        // serde_yaml's message names the field and expected type; the line is reported apart.
        let text = err.to_string();
        let what = text.split(" at line ").next().unwrap_or(&text);
        let message = format!("{what}; fix the YAML/JSON here");
        self.problems.push(Problem { line, kind: ProblemKind::Syntax, message });
    }

    #[cfg(feature = "yaml")]
    /// Reads the file into the schema; `None` when it cannot be read at all.
    fn parse(&mut self) -> Option<BotFile> {
        if self.source.len() > MAX_BOT_FILE_BYTES {
            let mib = MAX_BOT_FILE_BYTES >> 20;
            self.report(
                &[],
                ProblemKind::TooLarge,
                format!("the file is larger than {mib} MiB; split the FAQ or examples"),
            );
            return None;
        }
        if self.source.trim().is_empty() {
            self.report(
                &[],
                ProblemKind::Empty,
                "the file is empty; start with `version: 1` and an `intents:` section",
            );
            return None;
        }
        let shape = scan(self.source);
        if let Some(line) = shape.too_deep {
            // The YAML parser would take tens of seconds over 100,000 open brackets before
            // its own depth error.
            self.problems.push(Problem {
                line: Some(line),
                kind: ProblemKind::Syntax,
                message: format!("brackets nest more than {MAX_NESTING} deep here; a bot file never needs that"),
            });
            return None;
        }
        if shape.aliases.saturating_mul(self.source.len()) > ALIAS_BUDGET {
            let msg = format!(
                "the file uses {} YAML aliases (`*name`), which could expand it past {} MiB: write the repeated values out, or use fewer aliases",
                shape.aliases,
                ALIAS_BUDGET >> 20
            );
            self.report(&[], ProblemKind::TooLarge, msg);
            return None;
        }
        // The version decides how to read the rest, so check it before anything else.
        let doc: serde_yaml::Value = match serde_yaml::from_str(self.source) {
            Ok(doc) => doc,
            Err(e) => {
                self.syntax(&e);
                return None;
            }
        };
        if doc.is_null() {
            self.report(
                &[],
                ProblemKind::Empty,
                "the file has no content; start with `version: 1` and an `intents:` section",
            );
            return None;
        }
        let version = doc.get("version");
        match version.and_then(serde_yaml::Value::as_u64) {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            Some(v) => {
                let msg = format!("schema version {v} is not supported; this build reads `version: {SCHEMA_VERSION}`");
                self.report(&["version"], ProblemKind::UnsupportedVersion, msg);
                return None;
            }
            None => {
                let msg = format!("`version` is missing or not a number; add `version: {SCHEMA_VERSION}` at the top");
                let at: &[&str] = if version.is_some() { &["version"] } else { &[] };
                self.report(at, ProblemKind::UnsupportedVersion, msg);
                return None;
            }
        }
        let mut unknown = Vec::new();
        let bot: BotFile = match read_schema(self.source, &mut unknown) {
            Ok(bot) => bot,
            Err(e) => {
                // The parser stops at the first value of the wrong type: read each part on
                // its own to report them all, or that first one if the parts read.
                if !self.type_errors(&doc) {
                    self.syntax(&e);
                }
                return None;
            }
        };
        for path in unknown {
            let segments: Vec<&str> = path.split('.').filter(|s| s.parse::<usize>().is_err()).collect();
            let key = segments.last().copied().unwrap_or("");
            let msg = format!("unknown key `{key}` (at `{path}`); check its spelling against the bot file reference");
            self.report(&segments, ProblemKind::UnknownKey, msg);
        }
        Some(bot)
    }

    #[cfg(feature = "yaml")]
    /// Reports every part of `doc` whose value has the wrong type — each top-level setting,
    /// each entity, intent (and slot), FAQ entry, segment and response on its own, at the
    /// line of the field that fails — and whether it found any.
    fn type_errors(&mut self, doc: &serde_yaml::Value) -> bool {
        use schema::{EntitySpec, FaqSpec, HandoffSpec, IntentSpec, SegmentSpec, Settings, SlotSpec};
        use serde_yaml::Value;
        let before = self.problems.len();
        let Some(top) = doc.as_mapping() else { return false };
        for (key, value) in top {
            let Some(key) = key.as_str() else { continue };
            match key {
                "name" => self.type_error::<String>(&[key], value),
                "languages" | "out_of_scope" => self.type_error::<Vec<String>>(&[key], value),
                "settings" => self.type_error::<Settings>(&[key], value),
                "handoff" => self.type_error::<HandoffSpec>(&[key], value),
                _ => {}
            }
            let item: fn(&mut Self, &[&str], &Value) = match key {
                "entities" => |v, path, entry| v.type_error::<EntitySpec>(path, entry),
                "intents" => |v, path, entry| {
                    // An intent's slots are read one by one, so the line is the slot's.
                    let slots = entry.get("slots").and_then(Value::as_mapping).into_iter().flatten();
                    let before = v.problems.len();
                    for (slot, spec) in slots {
                        if let Some(slot) = slot.as_str() {
                            v.type_error::<SlotSpec>(&[path[0], path[1], "slots", slot], spec);
                        }
                    }
                    if v.problems.len() == before {
                        v.type_error::<IntentSpec>(path, entry);
                    }
                },
                "faq" => |v, path, entry| v.type_error::<FaqSpec>(path, entry),
                "segments" => |v, path, entry| v.type_error::<SegmentSpec>(path, entry),
                "responses" => |v, path, entry| v.type_error::<Localized>(path, entry),
                _ => continue,
            };
            match value.as_mapping() {
                Some(items) => {
                    for (name, entry) in items {
                        if let Some(name) = name.as_str() {
                            item(self, &[key, name], entry);
                        }
                    }
                }
                None if !value.is_null() => {
                    let msg = format!("`{key}` must be a mapping of names to entries; fix the YAML/JSON here");
                    self.report(&[key], ProblemKind::Syntax, msg);
                }
                None => {}
            }
        }
        self.problems.len() > before
    }

    #[cfg(feature = "yaml")]
    /// Reports `value` at `path` if it does not read as a `T`: at the line of the first of its
    /// fields that does not read on its own, or at `path` itself.
    fn type_error<T: serde::de::DeserializeOwned>(&mut self, path: &[&str], value: &serde_yaml::Value) {
        let fails = |v: &serde_yaml::Value| serde_yaml::from_value::<T>(v.clone()).err().map(|e| e.to_string());
        let Some(whole) = fails(value) else { return };
        let field = value.as_mapping().into_iter().flatten().find_map(|(k, v)| {
            let k = k.as_str()?;
            let alone = serde_yaml::Mapping::from_iter([(serde_yaml::Value::from(k), v.clone())]);
            fails(&serde_yaml::Value::Mapping(alone)).filter(|e| !e.starts_with("missing field")).map(|e| (k, e))
        });
        let dotted = path.join(".");
        match field {
            Some((k, e)) => {
                let at: Vec<&str> = path.iter().copied().chain([k]).collect();
                self.report(&at, ProblemKind::Syntax, format!("`{dotted}.{k}`: {e}; fix the YAML/JSON here"));
            }
            None => self.report(path, ProblemKind::Syntax, format!("`{dotted}`: {whole}; fix the YAML/JSON here")),
        }
    }

    fn check(&mut self, bot: &BotFile) {
        self.check_top(bot);
        for (name, entity) in &bot.entities {
            self.check_name(&["entities", name], "entity", name);
            if entity.values.is_empty() && entity.regex.is_none() && !entity.host_values {
                let msg = format!(
                    "entity `{name}` has neither `values` nor `regex`; give it one of them, or `host_values: true` if the app supplies its values"
                );
                self.report(&["entities", name], ProblemKind::EmptyEntity, msg);
            }
            if let Some(f) = entity.fuzzy.filter(|f| !(0.5..=1.0).contains(f)) {
                let msg =
                    format!("`fuzzy` of entity `{name}` is {f}; use a similarity between 0.5 (lenient) and 1 (exact)");
                self.report(&["entities", name, "fuzzy"], ProblemKind::BadSetting, msg);
            }
            if let Some(pattern) = &entity.regex {
                self.check_regex(&["entities", name, "regex"], pattern, true);
            }
        }
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut total = 0;
        for (name, intent) in &bot.intents {
            total += intent.examples.len();
            self.check_intent(bot, name, intent, &mut seen);
        }
        for (id, faq) in &bot.faq {
            total += faq.questions.len();
            self.check_name(&["faq", id], "FAQ entry", id);
            if faq.questions.is_empty() {
                let msg = format!("FAQ entry `{id}` has no questions; add the ways customers ask it under `questions`");
                self.report(&["faq", id], ProblemKind::TooFewExamples, msg);
            }
            let owner = format!("FAQ entry `{id}`");
            for q in &faq.questions {
                self.check_duplicate(&["faq", id, q], q, &owner, &mut seen);
            }
            self.check_texts(bot, &["faq", id, "answer"], &faq.answer, &BTreeSet::new());
            if let Some(title) = &faq.title {
                self.check_texts(bot, &["faq", id, "title"], title, &BTreeSet::new());
            }
        }
        total += bot.out_of_scope.len();
        for text in &bot.out_of_scope {
            self.check_duplicate(&["out_of_scope", text], text, "`out_of_scope`", &mut seen);
        }
        if total > MAX_EXAMPLES {
            let msg = format!("the bot has {total} examples; the limit is {MAX_EXAMPLES}");
            self.report(&[], ProblemKind::TooLarge, msg);
        }
        for (name, text) in &bot.responses {
            if !BUILTIN_RESPONSES.contains(&name.as_str()) {
                let msg = format!(
                    "`responses.{name}` is not a built-in response; use one of {}, or put the reply under its intent's `response`",
                    BUILTIN_RESPONSES.join(", ")
                );
                self.report(&["responses", name], ProblemKind::UnknownResponse, msg);
            }
            // The clarification question names its choices with `{choices}`.
            let fills: BTreeSet<&str> = if name == "clarify" { BTreeSet::from(["choices"]) } else { BTreeSet::new() };
            self.check_texts(bot, &["responses", name], text, &fills);
        }
        self.check_name(&["handoff", "default_route"], "route", &bot.handoff.default_route);
        for reason in bot.handoff.priorities.keys() {
            if !crate::handoff::HANDOFF_REASONS.contains(&reason.as_str()) {
                let msg = format!(
                    "`handoff.priorities.{reason}` is not a handoff reason; use one of {}",
                    crate::handoff::HANDOFF_REASONS.join(", ")
                );
                self.report(&["handoff", "priorities", reason], ProblemKind::UnknownReason, msg);
            }
        }
        if let Some(name) = &bot.handoff.when_unavailable {
            let path = ["handoff", "when_unavailable"];
            match bot.intents.get(name) {
                None => {
                    let msg = format!("`handoff.when_unavailable` names intent `{name}`, which is not under `intents`");
                    self.report(&path, ProblemKind::UnknownIntent, msg);
                }
                Some(intent) if intent.handoff || intent.sensitive => {
                    let msg = format!("`handoff.when_unavailable` intent `{name}` hands off itself; use a form that takes a message instead");
                    self.report(&path, ProblemKind::BadSetting, msg);
                }
                Some(_) => {}
            }
        }
        for (i, name) in bot.survey.after_intents.iter().enumerate() {
            if !bot.intents.contains_key(name) {
                let msg = format!("`survey.after_intents` names intent `{name}`, which is not under `intents`");
                self.report(&["survey", "after_intents", &i.to_string()], ProblemKind::UnknownIntent, msg);
            }
        }
        for (name, segment) in &bot.segments {
            self.check_name(&["segments", name], "segment", name);
            if segment.examples.len() == 1 {
                let msg = format!("segment `{name}` has 1 example; give at least 2, or none if only the app sets it");
                self.report(&["segments", name], ProblemKind::TooFewExamples, msg);
            }
            if let Some(route) = &segment.route {
                self.check_name(&["segments", name, "route"], "route", route);
            }
        }
        for rule in &bot.handoff.rules {
            self.check_rule(bot, rule);
        }
        let threshold = bot.handoff.negative_sentiment;
        if !(-1.0..=0.0).contains(&threshold) {
            let msg = format!("`handoff.negative_sentiment` is {threshold}; it must be between -1 and 0");
            self.report(&["handoff", "negative_sentiment"], ProblemKind::BadSetting, msg);
        }
    }

    fn check_top(&mut self, bot: &BotFile) {
        if bot.languages.is_empty() {
            self.report(&["languages"], ProblemKind::UnknownLanguage, "`languages` is empty; list `zh`, `en` or both");
        }
        for lang in &bot.languages {
            if crate::Language::from_code(lang).is_none() {
                let msg = format!("language `{lang}` is not supported; use `zh` or `en`");
                self.report(&["languages"], ProblemKind::UnknownLanguage, msg);
            }
        }
        let s = &bot.settings;
        for (key, value) in [
            ("confidence_threshold", s.confidence_threshold.unwrap_or(0.0)),
            ("margin_threshold", s.margin_threshold),
            ("form_exit_threshold", s.form_exit_threshold),
        ] {
            if !(0.0..=1.0).contains(&value) {
                let msg = format!("`settings.{key}` is {value}; it must be between 0 and 1");
                self.report(&["settings", key], ProblemKind::BadSetting, msg);
            }
        }
        if let Some(t) = bot.knowledge.threshold.filter(|t| !(0.0..=1.0).contains(t)) {
            let msg = format!("`knowledge.threshold` is {t}; it must be between 0 and 1");
            self.report(&["knowledge", "threshold"], ProblemKind::BadSetting, msg);
        }
        if bot.knowledge.documents.iter().any(|d| d.name.trim().is_empty()) {
            let msg = "a knowledge document has an empty `name`; name each (citations show it)";
            self.report(&["knowledge", "documents"], ProblemKind::BadName, msg);
        }
        if bot.intents.is_empty() && bot.faq.is_empty() && bot.knowledge.documents.is_empty() {
            self.report(
                &["intents"],
                ProblemKind::NoIntents,
                "the bot has no intents, no FAQ and no knowledge documents; add an `intents:` section",
            );
        }
        self.check_sizes(bot);
    }

    /// The limits that keep each turn's work bounded (a long turn under about ten
    /// milliseconds on the machine the project is measured on): each is checked here, before
    /// anything is compiled.
    fn check_sizes(&mut self, bot: &BotFile) {
        let values: usize = bot.entities.values().flat_map(|e| e.values.values()).map(|s| s.len() + 1).sum();
        let fuzzy: usize = bot
            .entities
            .values()
            .filter(|e| e.fuzzy.is_some())
            .flat_map(|e| e.values.values())
            .map(|s| s.len() + 1)
            .sum();
        let regexes = bot.entities.values().filter(|e| e.regex.is_some()).count();
        let patterns: usize = bot.intents.values().map(|i| i.patterns.len()).sum();
        let limits = [
            (
                "entities",
                values,
                MAX_ENTITY_VALUES,
                "entity values and synonyms",
                "move long catalogues to `host_values`",
            ),
            (
                "entities",
                fuzzy,
                MAX_FUZZY_VALUES,
                "values and synonyms of `fuzzy` entities",
                "keep `fuzzy` for the lists customers misspell",
            ),
            ("entities", regexes, MAX_REGEX_ENTITIES, "`regex` entities", "merge patterns into fewer entities"),
            (
                "intents",
                patterns,
                MAX_PATTERNS,
                "intent `patterns`",
                "use `keywords`, or let the examples train the model",
            ),
        ];
        for (at, count, limit, what, fix) in limits {
            if count > limit {
                self.report(
                    &[at],
                    ProblemKind::TooLarge,
                    format!("the bot has {count} {what}; the limit is {limit}: {fix}"),
                );
            }
        }
        for (name, intent) in &bot.intents {
            if intent.slots.len() > MAX_SLOTS {
                let msg = format!("intent `{name}` has {} slots; the limit is {MAX_SLOTS}", intent.slots.len());
                self.report(&["intents", name, "slots"], ProblemKind::TooLarge, msg);
            }
        }
    }

    fn check_intent(
        &mut self,
        bot: &BotFile,
        name: &str,
        intent: &schema::IntentSpec,
        seen: &mut HashMap<String, String>,
    ) {
        let at = ["intents", name];
        self.check_name(&at, "intent", name);
        let n = intent.examples.len();
        let has_rules = !intent.keywords.is_empty() || !intent.patterns.is_empty();
        if n == 1 || (n == 0 && !has_rules) {
            let msg = format!(
                "intent `{name}` has {n} example{}; at least 2 are needed (or keywords/patterns only)",
                if n == 1 { "" } else { "s" }
            );
            self.report(&at, ProblemKind::TooFewExamples, msg);
        }
        let owner = format!("intent `{name}`");
        for example in &intent.examples {
            let path = ["intents", name, "examples", example.as_str()];
            match parse_example(example) {
                Err(why) => self.report(&path, ProblemKind::BadAnnotation, format!("example {example:?}: {why}")),
                Ok(parsed) => {
                    for (_, _, slot) in &parsed.spans {
                        if !intent.slots.contains_key(slot) {
                            let msg = format!("example {example:?} annotates slot `{slot}`, which intent `{name}` does not declare under `slots`");
                            self.report(&path, ProblemKind::UnknownSlot, msg);
                        }
                    }
                    self.check_duplicate(&path, &parsed.text, &owner, seen);
                }
            }
        }
        for pattern in &intent.patterns {
            self.check_regex(&["intents", name, "patterns", pattern], pattern, true);
        }
        for (slot, spec) in &intent.slots {
            let path = ["intents", name, "slots", slot.as_str()];
            self.check_name(&path, "slot", slot);
            if !crate::entity::is_builtin(&spec.entity) && !bot.entities.contains_key(&spec.entity) {
                let msg = format!(
                    "slot `{slot}` uses entity `{}`, which is neither built in ({}) nor declared under `entities`",
                    spec.entity,
                    crate::entity::BUILTIN_ENTITIES.join(", ")
                );
                self.report(&["intents", name, "slots", slot, "entity"], ProblemKind::UnknownEntity, msg);
            }
            if let Some(pattern) = &spec.pattern {
                self.check_regex(&["intents", name, "slots", slot, "pattern"], pattern, false);
            }
            if let Some(invalid) = &spec.invalid {
                self.check_texts(bot, &["intents", name, "slots", slot, "invalid"], invalid, &BTreeSet::new());
            }
            match &spec.prompt {
                Some(prompt) => {
                    self.check_texts(bot, &["intents", name, "slots", slot, "prompt"], prompt, &BTreeSet::new())
                }
                None if spec.required => {
                    let msg = format!("required slot `{slot}` of intent `{name}` has no `prompt` to ask for it");
                    self.report(&path, ProblemKind::MissingPrompt, msg);
                }
                None => {}
            }
        }
        let slots: BTreeSet<&str> = intent.slots.keys().map(String::as_str).collect();
        if let Some(response) = &intent.response {
            self.check_texts(bot, &["intents", name, "response"], response, &slots);
        }
        if let Some(confirm) = &intent.confirm {
            self.check_texts(bot, &["intents", name, "confirm"], confirm, &slots);
        }
        if let Some(title) = &intent.title {
            self.check_texts(bot, &["intents", name, "title"], title, &BTreeSet::new());
        }
        if let Some(route) = &intent.route {
            self.check_name(&["intents", name, "route"], "route", route);
        }
    }

    fn check_rule(&mut self, bot: &BotFile, rule: &schema::RuleSpec) {
        let name = &rule.name;
        let at = ["handoff", "rules", name];
        self.check_name(&at, "rule", name);
        let when = &rule.when;
        if when.segment.is_none() && when.intent.is_none() && when.slot.is_none() {
            let msg = format!("rule `{name}` has no condition; give `when` a `segment`, `intent` or `slot`");
            self.report(&at, ProblemKind::BadSetting, msg);
        }
        if let Some(segment) = when.segment.as_ref().filter(|s| !bot.segments.contains_key(*s)) {
            let msg = format!("rule `{name}` names segment `{segment}`, which is not under `segments`");
            self.report(&["handoff", "rules", name, "segment"], ProblemKind::UnknownSegment, msg);
        }
        if let Some(intent) = when.intent.as_ref().filter(|i| !bot.intents.contains_key(*i)) {
            let msg = format!("rule `{name}` names intent `{intent}`, which is not under `intents`");
            self.report(&["handoff", "rules", name, "intent"], ProblemKind::UnknownIntent, msg);
        }
        match &when.slot {
            Some(slot) if !bot.intents.values().any(|i| i.slots.contains_key(slot)) => {
                let msg = format!("rule `{name}` names slot `{slot}`, which no intent declares");
                self.report(&["handoff", "rules", name, "slot"], ProblemKind::UnknownSlot, msg);
            }
            None if when.above.is_some() || when.below.is_some() => {
                let msg = format!("rule `{name}` compares with `above`/`below` but names no `slot`");
                self.report(&at, ProblemKind::BadSetting, msg);
            }
            _ => {}
        }
        if let Some(route) = &rule.route {
            self.check_name(&at, "route", route);
        }
    }

    fn check_duplicate(&mut self, path: &[&str], text: &str, owner: &str, seen: &mut HashMap<String, String>) {
        let key = crate::text::normalize(text).text;
        match seen.get(&key) {
            Some(first) if first != owner => {
                let msg = format!("example {text:?} of {owner} is also an example of {first}; keep it in one place");
                self.report(path, ProblemKind::DuplicateExample, msg);
            }
            Some(_) => {}
            None => {
                seen.insert(key, owner.to_string());
            }
        }
    }

    fn check_texts(&mut self, bot: &BotFile, path: &[&str], text: &Localized, slots: &BTreeSet<&str>) {
        for (lang, variant) in text.texts() {
            if let Some(lang) = lang {
                if !bot.languages.iter().any(|l| l == lang) {
                    let msg = format!(
                        "text for language `{lang}`, which is not in `languages`; use one of {}",
                        bot.languages.join(", ")
                    );
                    self.report(path, ProblemKind::UnknownLanguage, msg);
                }
            }
            for slot in template_slots(variant) {
                if !slots.contains(slot) {
                    let msg = format!("text {variant:?} uses `{{{slot}}}`, which is not a slot here");
                    self.report(path, ProblemKind::UnknownSlot, msg);
                }
            }
        }
    }

    /// `reads_text`: the pattern searches the customer's normalised, lower-cased text (an
    /// intent's `patterns`, an entity's `regex`), not a slot value.
    fn check_regex(&mut self, path: &[&str], pattern: &str, reads_text: bool) {
        if reads_text && has_upper_case_literal(pattern) {
            let msg = format!("regex {pattern:?} has upper-case letters, but it searches the lower-cased text, where they never occur: write them in lower case");
            self.report(path, ProblemKind::InvalidRegex, msg);
        } else if reads_text && build_regex(pattern).is_ok_and(|re| re.is_match("")) {
            let msg = format!("regex {pattern:?} matches the empty string, so it would match every utterance: make it require at least one character");
            self.report(path, ProblemKind::InvalidRegex, msg);
        } else if turns_on_case_folding(pattern) {
            let msg = format!("regex {pattern:?} asks for case-insensitive matching (`i` flag), which kefu leaves out to stay small in the browser; patterns are matched on lower-cased text, so remove the flag and write letters in lower case");
            self.report(path, ProblemKind::InvalidRegex, msg);
        } else if let Err(e) = build_regex(pattern) {
            let first_line = e.to_string().lines().last().unwrap_or_default().trim().to_string();
            let msg = format!("regex {pattern:?} does not compile ({first_line}); kefu uses Rust `regex` syntax (no look-around or back-references)");
            self.report(path, ProblemKind::InvalidRegex, msg);
        }
    }

    fn check_name(&mut self, path: &[&str], what: &str, name: &str) {
        let ok = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !ok {
            let msg = format!("{what} name {name:?} may only have letters, digits, `_` and `-`");
            self.report(path, ProblemKind::BadName, msg);
        }
    }
}

/// The `{slot}` names a response template interpolates.
pub(crate) fn template_slots(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_problem_with_its_line() {
        let src = "version: 1\nintents:\n  refund:\n    examples: [我要退款]\n  track:\n    exampels: [a, b]\n";
        let err = parse("bot.yaml", src).unwrap_err();
        let lines: Vec<_> = err.problems.iter().map(|p| (p.kind.code(), p.line)).collect();
        assert!(lines.contains(&("unknown_key", Some(6))), "{lines:?}");
        assert!(lines.contains(&("too_few_examples", Some(3))), "{lines:?}");
        assert!(err.to_string().contains("bot.yaml:3: intent `refund` has 1 example; at least 2 are needed"), "{err}");
    }

    /// Values of the wrong type came one at a time (the parser stops at the first): each
    /// part is now read on its own and every one is reported with its line.
    #[test]
    fn reports_every_type_error_at_once() {
        let src = "version: 1
settings:
  confidence_threshold: high
intents:
  refund:
    examples: 5
  track:
    examples: [where is it, 在哪]
    slots:
      order:
        entity: number
        required: maybe
faq:
  hours: 42
";
        let err = parse("bot.yaml", src).unwrap_err();
        let lines: Vec<_> = err.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(6), Some(12), Some(14)], "{err}");
        assert!(err.to_string().contains("bot.yaml:12: `intents.track.slots.order.required`:"), "{err}");
    }

    #[test]
    fn accepts_json() {
        let src = r#"{"version": 1, "intents": {"hi": {"examples": ["hello", "hi there"]}}}"#;
        assert!(parse("bot.json", src).is_ok());
    }

    #[test]
    fn case_folding_flag_is_explained() {
        for (pattern, folds) in [
            ("(?i)refund", true),
            ("(?xi:a b)", true),
            ("(?-i)a", false),
            ("(?s)a", false),
            (r"\(?i", false),
            (r"\\(?i)a", true),
            ("a", false),
        ] {
            assert_eq!(turns_on_case_folding(pattern), folds, "{pattern}");
        }
        let src = "version: 1\nintents:\n  hi:\n    examples: [hello, hi]\n    patterns: [\"(?i)hello there\"]\n";
        let err = parse("bot.yaml", src).unwrap_err().to_string();
        assert!(err.contains("bot.yaml:5:") && err.contains("lower case"), "{err}");
    }
}
