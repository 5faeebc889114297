//! uniffi bindings of `kefu-core` for Kotlin (Android), Swift (iOS) and Python.
//!
//! Thin wrappers: each exported method delegates to the core in one line, and mirror types
//! convert the core's `Turn` into records the foreign languages can hold. Errors map to
//! [`KefuError`] in one place (`From<kefu_core::Error>`). With `panic = "unwind"` (the
//! `mobile` profile), uniffi turns a Rust panic into a foreign exception.
#![deny(missing_docs)]

mod adapter;
mod agent;
mod analytics;
mod bot;
#[cfg(feature = "onnx")]
mod encoder;
mod error;
mod kinds;
mod mining;
mod session;
mod static_table;
mod turn;

use std::sync::{Mutex, MutexGuard};

pub use adapter::HostAdapter;
pub use agent::{AgentFinding, AgentReview};
pub use analytics::{
    Analytics, AnalyticsReport, ConversationMetrics, ConversationOutcome, GroupMetrics, NamedCount, SuggestionUse,
};
pub use bot::{Bot, Document, FaqSuggestion, PassageHit};
#[cfg(feature = "onnx")]
pub use encoder::{Encoder, LoadProgress};
pub use error::KefuError;
pub use kinds::{HandoffReason, IntentSource, Priority, SessionState, Speaker, Tier};
pub use mining::{Candidate, Mining, Topic, TopicKind, TurnLog};
pub use session::Session;
pub use static_table::StaticTable;
pub use turn::{
    Action, Brief, Entity, HandoffDetails, IntentCandidate, IntentMatch, Signal, Suggestion, TranscriptLine, Turn,
};

uniffi::setup_scaffolding!();

/// Locks `m`. A panic cannot leave a session or counter half-updated (turns mutate only
/// after checks), so a poisoned lock still holds usable data.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// For binding tests: panics inside Rust, to prove that a panic surfaces as an exception in
/// the host language instead of crashing the app.
#[uniffi::export]
pub fn selftest_panic() {
    panic!("kefu self-test panic");
}
