//! uniffi bindings of `kefu-core` for Kotlin (Android), Swift (iOS) and Python.
//!
//! Thin wrappers: each exported method delegates to the core in one line, and mirror types
//! convert the core's `Turn` into records the foreign languages can hold. Errors map to
//! [`KefuError`] in one place (`From<kefu_core::Error>`). With `panic = "unwind"` (the
//! `mobile` profile), uniffi turns a Rust panic into a foreign exception.
#![deny(missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

uniffi::setup_scaffolding!();

/// Everything that can go wrong, flat, with a message that says what to fix. Messages
/// never contain the customer's text.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum KefuError {
    /// The bot file has problems; `reason` lists each with its line.
    #[error("{reason}")]
    InvalidBot {
        /// What to fix.
        reason: String,
    },
    /// The utterance was rejected (too long); the session is unchanged.
    #[error("{reason}")]
    InvalidInput {
        /// What to fix.
        reason: String,
    },
    /// Saved session bytes cannot be restored; start a new session.
    #[error("{reason}")]
    InvalidSession {
        /// What went wrong.
        reason: String,
    },
    /// The call does not fit the session's state.
    #[error("{reason}")]
    InvalidState {
        /// What went wrong.
        reason: String,
    },
    /// A host adapter implemented in Kotlin/Swift/Python failed unexpectedly.
    #[error("{reason}")]
    Adapter {
        /// What the foreign side reported.
        reason: String,
    },
}

impl From<kefu_core::Error> for KefuError {
    fn from(e: kefu_core::Error) -> Self {
        let reason = e.to_string();
        match e {
            kefu_core::Error::BotFile(_) => KefuError::InvalidBot { reason },
            kefu_core::Error::UtteranceTooLong { .. } => KefuError::InvalidInput { reason },
            kefu_core::Error::SessionCorrupt { .. }
            | kefu_core::Error::SessionVersion { .. }
            | kefu_core::Error::SessionBotMismatch { .. } => KefuError::InvalidSession { reason },
            _ => KefuError::InvalidState { reason },
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KefuError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KefuError::Adapter { reason: e.reason }
    }
}

/// A loaded bot, shared by any number of sessions and threads.
#[derive(Debug, uniffi::Object)]
pub struct Bot {
    inner: kefu_core::Bot,
}

#[uniffi::export]
impl Bot {
    /// Loads a bot from YAML or JSON text; `name` names the file in error messages.
    #[uniffi::constructor]
    pub fn from_yaml(name: String, source: String) -> Result<Arc<Bot>, KefuError> {
        Ok(Arc::new(Bot { inner: kefu_core::Bot::from_yaml(&name, &source)? }))
    }

    /// Loads a bot from UTF-8 bytes of a YAML or JSON file.
    #[uniffi::constructor]
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Arc<Bot>, KefuError> {
        Ok(Arc::new(Bot { inner: kefu_core::Bot::from_bytes(&name, &bytes)? }))
    }

    /// The bot's name.
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The intent names.
    pub fn intent_names(&self) -> Vec<String> {
        self.inner.intent_names().map(str::to_string).collect()
    }

    /// Languages the bot answers in (`zh`, `en`); the first is its default.
    pub fn languages(&self) -> Vec<String> {
        self.inner.languages().iter().map(|l| l.code().to_string()).collect()
    }
}

/// One customer's conversation. Safe to call from any thread (calls are serialised).
#[derive(Debug, uniffi::Object)]
pub struct Session {
    inner: Mutex<kefu_core::Session>,
}

impl Session {
    fn lock(&self) -> MutexGuard<'_, kefu_core::Session> {
        // A panic cannot leave a session half-updated (turns mutate only after checks),
        // so a poisoned lock still holds a usable session.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[uniffi::export]
impl Session {
    /// A new conversation with `bot`.
    #[uniffi::constructor]
    pub fn new(bot: &Bot) -> Arc<Session> {
        Arc::new(Session { inner: Mutex::new(kefu_core::Session::new(&bot.inner)) })
    }

    /// Restores a session saved with [`Session::save`] for the same bot.
    #[uniffi::constructor]
    pub fn restore(bot: &Bot, bytes: Vec<u8>) -> Result<Arc<Session>, KefuError> {
        Ok(Arc::new(Session { inner: Mutex::new(kefu_core::Session::from_bytes(&bot.inner, &bytes)?) }))
    }

    /// Handles one customer utterance.
    pub fn turn(&self, bot: &Bot, utterance: String) -> Result<Turn, KefuError> {
        Ok(self.lock().turn(&bot.inner, &utterance)?.into())
    }

    /// [`Session::turn`] at the host's current time (seconds since the Unix epoch and the
    /// customer's UTC offset in minutes), so relative dates such as "明天下午三点" resolve.
    pub fn turn_at(
        &self,
        bot: &Bot,
        utterance: String,
        unix_seconds: i64,
        utc_offset_minutes: i32,
    ) -> Result<Turn, KefuError> {
        let now = kefu_core::ReferenceTime { unix_seconds, utc_offset_minutes };
        Ok(self.lock().turn_at(&bot.inner, &utterance, now)?.into())
    }

    /// Saves the session as versioned bytes.
    pub fn save(&self) -> Vec<u8> {
        self.lock().to_bytes()
    }

    /// The agent has finished: the bot takes the conversation back.
    pub fn agent_finished(&self) -> Result<(), KefuError> {
        Ok(self.lock().agent_finished()?)
    }

    /// `idle`, `form` or `with_agent`.
    pub fn state(&self) -> String {
        self.lock().state().code().to_string()
    }
}

/// For binding tests: panics inside Rust, to prove that a panic surfaces as an exception in
/// the host language instead of crashing the app.
#[uniffi::export]
pub fn selftest_panic() {
    panic!("kefu self-test panic");
}

/// The result of one customer utterance.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Turn {
    /// `zh` or `en`: the language of the replies.
    pub language: String,
    /// What the bot says, in order.
    pub replies: Vec<String>,
    /// The recognised intent; `null` when out of scope.
    pub intent: Option<IntentMatch>,
    /// The model's ranked guesses, best first.
    pub alternatives: Vec<IntentCandidate>,
    /// Entities found in the utterance.
    pub entities: Vec<Entity>,
    /// Slots of the active intent filled so far.
    pub slots: HashMap<String, String>,
    /// Host actions to run.
    pub actions: Vec<Action>,
    /// Signals: handoff, fallback, FAQ answered, form progress.
    pub signals: Vec<Signal>,
    /// Sentiment of the utterance, −1 (angry) … 1 (happy).
    pub sentiment: f32,
}

/// The chosen intent.
#[derive(Debug, Clone, uniffi::Record)]
pub struct IntentMatch {
    /// Intent name (`faq/<id>` for an FAQ entry).
    pub name: String,
    /// 0–1.
    pub confidence: f32,
    /// `rule`, `model` or `form` (the utterance answered an open form).
    pub source: String,
}

/// A ranked guess.
#[derive(Debug, Clone, uniffi::Record)]
pub struct IntentCandidate {
    /// Intent name.
    pub name: String,
    /// 0–1.
    pub confidence: f32,
}

/// An entity in the utterance; `start`/`end` count Unicode scalar values.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Entity {
    /// Entity name (`phone`, `money`, or a custom one).
    pub entity: String,
    /// Start, in characters.
    pub start: u32,
    /// End (exclusive), in characters.
    pub end: u32,
    /// Text as written.
    pub raw: String,
    /// Normalised value.
    pub value: String,
}

/// A host action to run.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Action {
    /// Action name from the bot file.
    pub name: String,
    /// Slot values it needs.
    pub slots: HashMap<String, String>,
}

/// What the host may react to.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Signal {
    /// A human agent must take over.
    Handoff {
        /// Why, to whom, and what to tell the agent.
        handoff: HandoffDetails,
    },
    /// Out of scope; `streak` consecutive times.
    Fallback {
        /// Consecutive out-of-scope turns.
        streak: u32,
    },
    /// An FAQ entry was answered.
    FaqAnswered {
        /// FAQ id.
        id: String,
    },
    /// The bot asked for a slot.
    SlotRequested {
        /// Intent.
        intent: String,
        /// Slot.
        slot: String,
    },
    /// An intent's required slots are all filled.
    FormCompleted {
        /// Intent.
        intent: String,
    },
    /// A form was cancelled or abandoned.
    FormCancelled {
        /// Intent.
        intent: String,
    },
    /// The conversation is with an agent; the bot stays silent.
    WithAgent,
}

/// A request for a human agent.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HandoffDetails {
    /// Reason codes (`explicit_request`, `fallback_streak`, …), main first.
    pub reasons: Vec<String>,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// Route tag (team).
    pub route: String,
    /// Summary for the agent, personal data masked.
    pub summary: String,
    /// The conversation, personal data masked.
    pub transcript: Vec<TranscriptLine>,
    /// Slots collected, personal data masked.
    pub slots: HashMap<String, String>,
    /// Sentiment trend of the last turns, −1 … 1.
    pub sentiment: f32,
}

/// One transcript line.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TranscriptLine {
    /// `customer`, `bot` or `agent`.
    pub speaker: String,
    /// Text, personal data masked.
    pub text: String,
}

impl From<kefu_core::Turn> for Turn {
    fn from(t: kefu_core::Turn) -> Self {
        Turn {
            language: t.language.code().to_string(),
            replies: t.replies,
            intent: t.intent.map(|i| IntentMatch {
                name: i.name,
                confidence: i.confidence,
                source: i.source.code().into(),
            }),
            alternatives: t
                .alternatives
                .into_iter()
                .map(|c| IntentCandidate { name: c.name, confidence: c.confidence })
                .collect(),
            entities: t
                .entities
                .into_iter()
                .map(|e| Entity {
                    entity: e.entity,
                    start: e.start as u32,
                    end: e.end as u32,
                    raw: e.raw,
                    value: e.value,
                })
                .collect(),
            slots: t.slots.into_iter().collect(),
            actions: t
                .actions
                .into_iter()
                .map(|a| Action { name: a.name, slots: a.slots.into_iter().collect() })
                .collect(),
            signals: t.signals.into_iter().filter_map(Signal::from_core).collect(),
            sentiment: t.sentiment,
        }
    }
}

impl Signal {
    fn from_core(s: kefu_core::Signal) -> Option<Signal> {
        use kefu_core::Signal as S;
        Some(match s {
            S::Handoff(h) => Signal::Handoff {
                handoff: HandoffDetails {
                    reasons: h.reasons.iter().map(|r| r.code().to_string()).collect(),
                    priority: h.priority.code().into(),
                    route: h.route,
                    summary: h.summary,
                    transcript: h
                        .transcript
                        .into_iter()
                        .map(|l| TranscriptLine { speaker: l.speaker.code().into(), text: l.text })
                        .collect(),
                    slots: h.slots.into_iter().collect(),
                    sentiment: h.sentiment,
                },
            },
            S::Fallback { streak } => Signal::Fallback { streak },
            S::FaqAnswered { id } => Signal::FaqAnswered { id },
            S::SlotRequested { intent, slot } => Signal::SlotRequested { intent, slot },
            S::FormCompleted { intent } => Signal::FormCompleted { intent },
            S::FormCancelled { intent } => Signal::FormCancelled { intent },
            S::WithAgent => Signal::WithAgent,
            // A signal added to the core later is dropped until the bindings mirror it.
            _ => return None,
        })
    }
}
