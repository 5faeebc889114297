//! # kefu-core
//!
//! An on-device customer-service dialogue core for Chinese and English: intent
//! classification (rules, then a pure-Rust model trained from the bot's own examples when
//! it loads), entities and slot filling, forms, FAQ answers, and handoff signals that tell
//! the host when, why and to whom a human agent must take over. It is synchronous and does
//! no I/O: the host owns transport, storage and threads.
//!
//! A turn has two halves: [`Bot::analyze`] understands an utterance (a pure function that
//! returns an [`Analysis`]), and [`Session::turn`] runs the dialogue policy on it. Bots load
//! through [`BotLoader`] ([`Bot::from_yaml`] for the embedded tier).
//!
//! ## Quick start
//!
//! ```
//! use kefu_core::{Bot, Session, Signal};
//!
//! let bot = Bot::from_yaml("bot.yaml", r#"
//! version: 1
//! name: demo
//! intents:
//!   order_status:
//!     examples: [我的订单到哪了, 查一下物流, where is my order, track my package]
//!     response: { zh: 正在为您查询。, en: Let me check that for you. }
//!   human_agent:
//!     keywords: [转人工, human agent]
//!     handoff: true
//! "#)?;
//! let mut session = Session::new(&bot);
//! let turn = session.turn(&bot, "我的订单到哪了？")?;
//! assert_eq!(turn.intent.unwrap().name, "order_status");
//! assert_eq!(turn.replies, ["正在为您查询。"]);
//! let turn = session.turn(&bot, "转人工")?;
//! assert!(turn.signals.iter().any(|s| matches!(s, Signal::Handoff(_))));
//! # Ok::<(), kefu_core::Error>(())
//! ```
//!
//! ## Crate features
//!
//! - `fast-regex` (default): the regex engine's literal and lazy-DFA speed-ups, about 5 %
//!   off a turn for 420 KB of machine code; the web and phone builds leave it out.
//!
//! Every feature builds on every target, wasm32 included. The ONNX tier's encoder is not
//! here: the core takes any [`SentenceEncoder`] ([`BotLoader::encoder`]), and the
//! `kefu-onnx` crate implements one with ONNX Runtime.
//!
//! Loading a bot uses the host's cores (scoped threads that end before the load returns;
//! none on wasm32): the environment variable `KEFU_THREADS` caps them, `KEFU_THREADS=1`
//! keeps a load on the caller's thread. Turns always run on the caller's thread.
//!
//! ## Untrusted input
//!
//! No utterance, bot file or saved session makes kefu panic. Utterances longer than
//! [`MAX_UTTERANCE_CHARS`] are rejected with [`Error::UtteranceTooLong`] and leave the
//! session unchanged; empty ones get the `empty` response. Bot files over
//! [`botfile::MAX_BOT_FILE_BYTES`] are rejected, and so, before anything is compiled, are
//! files over the other limits of [`botfile`] (YAML nesting and alias expansion, examples,
//! entity values, fuzzy values, regex entities, patterns, slots) and bots whose training
//! would exceed [`MAX_MODEL_WEIGHTS`] or [`MAX_TRAINING_WORK`]; user regexes run on the
//! linear-time `regex` engine with a size limit and a bounded number of matches per turn
//! (`kefu bench-limits` measures a bot at every limit). Damaged or foreign session bytes give a typed error
//! and never a half-restored session; so do damaged model bundles ([`ModelBundle`]), whose
//! every section length is checked before it is read. Host adapters that fail or throw
//! never fail a turn (reason `adapter_failure`). Error messages and `Debug` output never
//! contain the customer's text or personal data (a property test checks summaries,
//! transcripts, analytics, `Debug` and errors for phone, ID-card, bank-card and e-mail
//! values).
#![deny(missing_docs)]

mod abuse;
mod adapter;
mod agent_quality;
mod analysis;
mod analytics;
mod bot;
pub mod botfile;
mod brief;
mod bundle;
mod checksum;
mod clarify;
mod compiled;
mod dialogue;
mod emotion;
mod encoder;
mod entity;
mod error;
mod flow;
mod follow_up;
mod framing;
mod grouping;
mod handoff;
mod intent;
mod knowledge;
mod legal_threat;
mod literal_set;
mod loader;
mod mining;
pub mod models;
mod outcome;
mod parallel;
mod person_request;
mod pii;
mod segment;
mod sentiment;
mod session;
mod static_encoder;
mod suggest;
mod survey;
mod tagger;
mod text;
mod topics;
mod turn;
mod unigram;

pub use adapter::{AdapterError, HostAdapter, NoAdapter, TurnContext};
pub use agent_quality::{AgentFinding, AgentReview};
pub use analysis::{Analysis, SlotSpan, MAX_UTTERANCE_CHARS};
pub use analytics::{Analytics, AnalyticsReport, ConversationMetrics, SuggestionUse, DEFAULT_RETURN_WINDOW_DAYS};
pub use bot::{Bot, Tier, DEFAULT_CONFIDENCE_THRESHOLD, MAX_KNOWLEDGE_BYTES};
pub use brief::Brief;
pub use bundle::{BundleMetadata, ModelBundle, MODEL_BUNDLE_VERSION};
/// CRC-32 as session bytes and model bundles use it (for tools and fuzz targets that
/// forge such bytes).
#[doc(hidden)]
pub use checksum::{crc32, luhn_check_digit};
pub use clarify::Choice;
pub use compiled::COMPILED_BOT_VERSION;
pub use emotion::training_texts as emotion_training_texts;
pub use encoder::SentenceEncoder;
pub use entity::{is_builtin, Entity, ReferenceTime, BUILTIN_ENTITIES};
pub use error::{BotFileError, Error, Problem, ProblemKind, Result};
pub use grouping::{adjusted_rand_index, group, purity, Group};
pub use handoff::{Handoff, HandoffReason, Priority, Speaker, TranscriptLine, HANDOFF_REASONS};
pub use intent::{Calibration, IntentCandidate, IntentSource, MAX_MODEL_WEIGHTS, MAX_TRAINING_WORK};
pub use knowledge::{Citation, Document, KnowledgeAnswer, PassageHit};
pub use loader::BotLoader;
pub use mining::{
    grouping_threshold, mine, mine_with, Candidate, CandidateKind, Mining, TurnLog, TurnOutcome, MAX_MINED_LINES,
    MINING_THRESHOLD_ENCODER, MINING_THRESHOLD_LEXICAL, MIN_CANDIDATE_LINES,
};
pub use outcome::ConversationOutcome;
pub use session::{DialogueState, Session, SESSION_FORMAT_VERSION};
pub use static_encoder::{static_table_bytes, StaticEncoder, StaticTableMetadata, STATIC_TABLE_VERSION};
pub use suggest::{Suggestion, SuggestionSource};
pub use text::{detect_language, Language};
pub use topics::{top_topics, Topic, TopicKind};
pub use turn::{Action, IntentMatch, Signal, Turn};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_and_session_are_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Bot>();
        assert_send_sync::<Session>();
    }
}
