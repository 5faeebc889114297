//! The crate's one error type. Messages say what to fix and never contain the customer's text.

use std::fmt;

/// Everything that can go wrong in kefu-core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bot file has problems; each names its line and what to change.
    #[error(transparent)]
    BotFile(#[from] BotFileError),
    /// The utterance exceeds [`crate::MAX_UTTERANCE_CHARS`]; split or truncate it before
    /// calling `turn`. The session is unchanged.
    #[error("the utterance has {chars} characters; the limit is {max}: split or truncate it before calling turn")]
    UtteranceTooLong {
        /// Characters in the utterance.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// Saved session bytes are damaged or not a kefu session; start a new session.
    #[error("cannot restore the session: {reason}; start a new session instead")]
    SessionCorrupt {
        /// What is wrong (never the session's content).
        reason: &'static str,
    },
    /// Saved session bytes come from another session format version.
    #[error(
        "the session was saved in format version {found}; this build reads version {supported}: start a new session"
    )]
    SessionVersion {
        /// Version in the bytes.
        found: u16,
        /// Version this build reads.
        supported: u16,
    },
    /// The session was saved for a different bot.
    #[error("the session belongs to bot {found:?}, not {expected:?}: restore it with the bot it was saved with")]
    SessionBotMismatch {
        /// Bot name stored in the session.
        found: String,
        /// Name of the bot passed in.
        expected: String,
    },
    /// Model bundle bytes are damaged, truncated or of another format version.
    #[error("model bundle: {0}")]
    ModelBundle(String),
    /// A static embedding table is damaged, truncated or of another format version.
    #[error("static embedding table: {0}")]
    StaticTable(String),
    /// The ONNX tier cannot run: ONNX Runtime or the model is missing or unusable. The
    /// message says what to install or fix.
    #[error("ONNX tier: {0}")]
    Onnx(String),
    /// An API call that does not fit the session's state (e.g. an agent message without a handoff).
    #[error("{0}")]
    InvalidState(&'static str),
}

impl Error {
    /// A stable snake_case code for the kind of error, the same in every binding:
    /// `invalid_bot`, `invalid_input`, `invalid_session`, `invalid_model` (a damaged or
    /// foreign model bundle), `encoder_failed` (the sentence encoder cannot run, or the
    /// host's embeddings do not fit) or `invalid_state`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BotFile(_) => "invalid_bot",
            Error::UtteranceTooLong { .. } => "invalid_input",
            Error::SessionCorrupt { .. } | Error::SessionVersion { .. } | Error::SessionBotMismatch { .. } => {
                "invalid_session"
            }
            Error::ModelBundle(_) | Error::StaticTable(_) => "invalid_model",
            Error::Onnx(_) => "encoder_failed",
            Error::InvalidState(_) => "invalid_state",
        }
    }
}

/// A bot file that failed to parse or validate: every problem found, at once.
#[derive(Debug, Clone, PartialEq)]
pub struct BotFileError {
    /// The file name used in messages (`bot.yaml`).
    pub file: String,
    /// The problems, in the order found.
    pub problems: Vec<Problem>,
}

impl std::error::Error for BotFileError {}

impl fmt::Display for BotFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "{} has {n} problem{}:", self.file, if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            match p.line {
                Some(line) => writeln!(f, "{}:{line}: {}", self.file, p.message)?,
                None => writeln!(f, "{}: {}", self.file, p.message)?,
            }
        }
        Ok(())
    }
}

/// One problem in a bot file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based line, when it can be located.
    pub line: Option<usize>,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong and what to do.
    pub message: String,
}

/// The kinds of bot-file problems. `code()` gives a stable snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file is empty.
    Empty,
    /// The file exceeds a size limit.
    TooLarge,
    /// Not valid YAML/JSON, or a value of the wrong type.
    Syntax,
    /// A key the schema does not have (often a typo).
    UnknownKey,
    /// `version` is missing or not supported.
    UnsupportedVersion,
    /// A language code other than `zh` or `en`.
    UnknownLanguage,
    /// A setting outside its range.
    BadSetting,
    /// A name with characters other than letters, digits, `_` and `-`.
    BadName,
    /// The bot has no intents and no FAQ.
    NoIntents,
    /// An intent or FAQ entry has too few examples.
    TooFewExamples,
    /// The same example appears under two intents or FAQ entries.
    DuplicateExample,
    /// An inline annotation `[value](slot)` is malformed.
    BadAnnotation,
    /// An annotation or template names a slot the intent does not declare.
    UnknownSlot,
    /// A slot names an entity that is neither built in nor declared.
    UnknownEntity,
    /// An entity has neither `values` nor `regex`.
    EmptyEntity,
    /// A regular expression does not compile.
    InvalidRegex,
    /// A required slot has no prompt.
    MissingPrompt,
    /// A response name that is not one of the built-in responses.
    UnknownResponse,
    /// A handoff reason name that does not exist.
    UnknownReason,
    /// A reference to an intent the bot file does not declare.
    UnknownIntent,
    /// A reference to a customer segment the bot file does not declare.
    UnknownSegment,
    /// A knowledge document named without its text, which the host did not pass in.
    MissingDocument,
}

impl ProblemKind {
    /// Stable snake_case name of the kind.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Empty => "empty",
            ProblemKind::TooLarge => "too_large",
            ProblemKind::Syntax => "syntax",
            ProblemKind::UnknownKey => "unknown_key",
            ProblemKind::UnsupportedVersion => "unsupported_version",
            ProblemKind::UnknownLanguage => "unknown_language",
            ProblemKind::BadSetting => "bad_setting",
            ProblemKind::BadName => "bad_name",
            ProblemKind::NoIntents => "no_intents",
            ProblemKind::TooFewExamples => "too_few_examples",
            ProblemKind::DuplicateExample => "duplicate_example",
            ProblemKind::BadAnnotation => "bad_annotation",
            ProblemKind::UnknownSlot => "unknown_slot",
            ProblemKind::UnknownEntity => "unknown_entity",
            ProblemKind::EmptyEntity => "empty_entity",
            ProblemKind::InvalidRegex => "invalid_regex",
            ProblemKind::MissingPrompt => "missing_prompt",
            ProblemKind::UnknownResponse => "unknown_response",
            ProblemKind::UnknownReason => "unknown_reason",
            ProblemKind::UnknownIntent => "unknown_intent",
            ProblemKind::UnknownSegment => "unknown_segment",
            ProblemKind::MissingDocument => "missing_document",
        }
    }
}

/// Short for `Result<T, kefu_core::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
