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
    /// The ONNX tier cannot run (ONNX Runtime or the model missing or unusable, a damaged
    /// model bundle); `reason` says what to install or fix.
    #[error("{reason}")]
    Onnx {
        /// What to fix.
        reason: String,
    },
    /// A host adapter implemented in Kotlin/Swift/Python failed unexpectedly.
    #[error("{reason}")]
    Adapter {
        /// What the foreign side reported.
        reason: String,
    },
}

/// The one mapping, on the core's stable [`kefu_core::Error::code`].
impl From<kefu_core::Error> for KefuError {
    fn from(e: kefu_core::Error) -> Self {
        let reason = e.to_string();
        match e.code() {
            "invalid_bot" => KefuError::InvalidBot { reason },
            "invalid_input" => KefuError::InvalidInput { reason },
            "invalid_session" => KefuError::InvalidSession { reason },
            "invalid_model" | "encoder_failed" => KefuError::Onnx { reason },
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

    /// `embedded` or `onnx`.
    pub fn tier(&self) -> String {
        self.inner.tier().code().to_string()
    }

    /// How many of the bot's models came from the encoder's bundle instead of training.
    pub fn reused_heads(&self) -> u32 {
        self.inner.reused_heads() as u32
    }
}

/// What the app answers during a turn, implemented in Kotlin, Swift or Python and set with
/// [`Session::set_host_adapter`]. Throwing from a method does not fail the turn: the bot
/// hands off with reason `adapter_failure`. Do not call back into the same session from it.
#[uniffi::export(with_foreign)]
pub trait HostAdapter: Send + Sync {
    /// Is `value` acceptable for `slot` of `intent` (e.g. does this order exist for this
    /// customer)? `false` makes the bot ask again.
    fn validate_slot(&self, intent: String, slot: String, value: String) -> Result<bool, KefuError>;
    /// Can a human agent on `route` take the conversation now? `false` makes the bot offer
    /// the bot file's `handoff.when_unavailable` form.
    fn agent_available(&self, route: String) -> Result<bool, KefuError>;
}

/// Lets the core call a foreign adapter.
struct Bridge<'a>(&'a dyn HostAdapter);

impl kefu_core::HostAdapter for Bridge<'_> {
    fn validate_slot(&self, intent: &str, slot: &str, value: &str) -> Result<bool, kefu_core::AdapterError> {
        self.0.validate_slot(intent.into(), slot.into(), value.into()).map_err(adapter_error)
    }

    fn agent_available(&self, route: &str) -> Result<bool, kefu_core::AdapterError> {
        self.0.agent_available(route.into()).map_err(adapter_error)
    }
}

fn adapter_error(e: KefuError) -> kefu_core::AdapterError {
    kefu_core::AdapterError::new(e.to_string())
}

/// Locks `m`. A panic cannot leave a session or counter half-updated (turns mutate only
/// after checks), so a poisoned lock still holds usable data.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The ONNX tier's sentence encoder (`model.onnx` + `tokenizer.json`), shared by bots.
/// ONNX Runtime is loaded from the file named by the `KEFU_ONNXRUNTIME` environment variable
/// (or `libonnxruntime.so` on the library path).
#[cfg(feature = "onnx")]
#[derive(Debug, uniffi::Object)]
pub struct Encoder {
    inner: Arc<kefu_onnx::OnnxEncoder>,
}

#[cfg(feature = "onnx")]
#[uniffi::export]
impl Encoder {
    /// An encoder from the bytes of `model.onnx` and `tokenizer.json` (e5 `query: ` prefix).
    #[uniffi::constructor]
    pub fn from_bytes(model: Vec<u8>, tokenizer_json: Vec<u8>) -> Result<Arc<Encoder>, KefuError> {
        Ok(Arc::new(Encoder {
            inner: Arc::new(kefu_onnx::OnnxEncoder::from_bytes(&model, &tokenizer_json, "query: ")?),
        }))
    }

    /// An encoder from a model bundle (`kefu bundle --encoder DIR --bot BOT`): with the
    /// embeddings of that bot's examples and the models trained on them, so loading the bot
    /// on it neither embeds its examples nor trains (a bot with 15,000 examples: about 2 s
    /// instead of 40 s). A damaged bundle is a [`KefuError::Onnx`] that says so.
    #[uniffi::constructor]
    pub fn from_bundle(bundle: Vec<u8>) -> Result<Arc<Encoder>, KefuError> {
        let bundle = kefu_core::ModelBundle::from_bytes(&bundle)?;
        Ok(Arc::new(Encoder { inner: Arc::new(kefu_onnx::OnnxEncoder::from_bundle(&bundle)?) }))
    }

    /// Length of the embeddings.
    pub fn dimension(&self) -> u32 {
        self.inner.dimension() as u32
    }
}

/// Told how far loading a bot on the ONNX tier has come (every example is embedded once:
/// about a minute for 10k examples), e.g. to move a progress bar. Called on the loading
/// thread.
#[cfg(feature = "onnx")]
#[uniffi::export(with_foreign)]
pub trait LoadProgress: Send + Sync {
    /// `done` of `total` examples are embedded.
    fn on_progress(&self, done: u32, total: u32);
}

#[cfg(feature = "onnx")]
#[uniffi::export]
impl Bot {
    /// Loads a bot on the ONNX tier: its intent model uses `encoder`'s sentence embeddings.
    #[uniffi::constructor]
    pub fn from_yaml_with_encoder(name: String, source: String, encoder: &Encoder) -> Result<Arc<Bot>, KefuError> {
        let inner = kefu_core::BotLoader::new().encoder(encoder.inner.clone()).from_yaml(&name, &source)?;
        Ok(Arc::new(Bot { inner }))
    }

    /// [`Bot::from_yaml_with_encoder`], reporting to `progress` as the examples are embedded.
    #[uniffi::constructor]
    pub fn from_yaml_with_encoder_progress(
        name: String,
        source: String,
        encoder: &Encoder,
        progress: Arc<dyn LoadProgress>,
    ) -> Result<Arc<Bot>, KefuError> {
        let mut report = |done: usize, total: usize| progress.on_progress(done as u32, total as u32);
        let inner = kefu_core::BotLoader::new()
            .encoder(encoder.inner.clone())
            .progress(&mut report)
            .from_yaml(&name, &source)?;
        Ok(Arc::new(Bot { inner }))
    }
}

/// One customer's conversation. Safe to call from any thread (calls are serialised).
#[derive(uniffi::Object)]
pub struct Session {
    inner: Mutex<kefu_core::Session>,
    adapter: Mutex<Option<Arc<dyn HostAdapter>>>,
    analytics: Mutex<Option<Arc<Analytics>>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("inner", &*lock(&self.inner)).finish_non_exhaustive()
    }
}

impl Session {
    fn wrap(inner: kefu_core::Session) -> Arc<Session> {
        Arc::new(Session { inner: Mutex::new(inner), adapter: Mutex::new(None), analytics: Mutex::new(None) })
    }

    fn lock(&self) -> MutexGuard<'_, kefu_core::Session> {
        lock(&self.inner)
    }

    fn run(&self, bot: &Bot, utterance: &str, now: Option<kefu_core::ReferenceTime>) -> Result<Turn, KefuError> {
        let adapter = lock(&self.adapter).clone();
        let bridge = adapter.as_deref().map(Bridge);
        let mut ctx = kefu_core::TurnContext { now, ..Default::default() };
        if let Some(b) = &bridge {
            ctx.adapter = b;
        }
        let turn = self.lock().turn_with(&bot.inner, utterance, &ctx)?;
        if let Some(analytics) = lock(&self.analytics).as_ref() {
            lock(&analytics.inner).record(&turn);
        }
        Ok(turn.into())
    }
}

#[uniffi::export]
impl Session {
    /// A new conversation with `bot`.
    #[uniffi::constructor]
    pub fn new(bot: &Bot) -> Arc<Session> {
        Session::wrap(kefu_core::Session::new(&bot.inner))
    }

    /// Restores a session saved with [`Session::save`] for the same bot.
    #[uniffi::constructor]
    pub fn restore(bot: &Bot, bytes: Vec<u8>) -> Result<Arc<Session>, KefuError> {
        Ok(Session::wrap(kefu_core::Session::from_bytes(&bot.inner, &bytes)?))
    }

    /// Handles one customer utterance.
    pub fn turn(&self, bot: &Bot, utterance: String) -> Result<Turn, KefuError> {
        self.run(bot, &utterance, None)
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
        self.run(bot, &utterance, Some(kefu_core::ReferenceTime { unix_seconds, utc_offset_minutes }))
    }

    /// Sets the adapter the bot asks during turns (slot checks, agent availability).
    pub fn set_host_adapter(&self, adapter: Arc<dyn HostAdapter>) {
        *lock(&self.adapter) = Some(adapter);
    }

    /// Sets the customer segment from the app's records (e.g. `vip`); `null` lets the bot
    /// recognise it again.
    pub fn set_segment(&self, segment: Option<String>) {
        self.lock().set_segment(segment);
    }

    /// Sets this customer's values of a custom entity declared with `host_values: true`
    /// (canonical value → synonyms), e.g. their own order numbers, without reloading the bot.
    pub fn set_entity_values(
        &self,
        bot: &Bot,
        entity: String,
        values: HashMap<String, Vec<String>>,
    ) -> Result<(), KefuError> {
        Ok(self.lock().set_entity_values(&bot.inner, &entity, values.into_iter().collect())?)
    }

    /// The customer segment, recognised or set.
    pub fn segment(&self) -> Option<String> {
        self.lock().segment().map(str::to_string)
    }

    /// Counts every later turn of this session in `analytics` (shared by many sessions).
    pub fn attach_analytics(&self, analytics: Arc<Analytics>) {
        *lock(&self.analytics) = Some(analytics);
    }

    /// Saves the session as versioned bytes.
    pub fn save(&self) -> Vec<u8> {
        self.lock().to_bytes()
    }

    /// What the agent wrote to the customer, for the transcript (masked).
    pub fn agent_message(&self, bot: &Bot, text: String) -> Result<(), KefuError> {
        Ok(self.lock().agent_message(&bot.inner, &text)?)
    }

    /// The agent has finished: the bot takes the conversation back.
    pub fn agent_finished(&self) -> Result<(), KefuError> {
        Ok(self.lock().agent_finished()?)
    }

    /// `idle`, `form`, `confirm` or `with_agent`.
    pub fn state(&self) -> String {
        self.lock().state().code().to_string()
    }
}

/// Counts over many sessions for operators: containment, escalation reasons, top intents.
/// Only intent names, reason codes and counts are kept, never the customer's text.
#[derive(Debug, Default, uniffi::Object)]
pub struct Analytics {
    inner: Mutex<kefu_core::Analytics>,
}

#[uniffi::export]
impl Analytics {
    /// Empty counts.
    #[uniffi::constructor]
    pub fn new() -> Arc<Analytics> {
        Arc::new(Analytics::default())
    }

    /// Adds the counts of `other` (e.g. from another device).
    pub fn merge(&self, other: &Analytics) {
        let theirs = lock(&other.inner).clone();
        lock(&self.inner).merge(&theirs);
    }

    /// The report over everything counted so far.
    pub fn report(&self) -> AnalyticsReport {
        let r = lock(&self.inner).report();
        let pairs = |v: Vec<(String, u64)>| v.into_iter().map(|(name, count)| NamedCount { name, count }).collect();
        AnalyticsReport {
            turns: r.turns,
            containment_rate: r.containment_rate,
            fallback_rate: r.fallback_rate,
            faq_answered: r.faq_answered,
            forms_completed: r.forms_completed,
            forms_cancelled: r.forms_cancelled,
            escalation_reasons: pairs(r.escalation_reasons),
            top_intents: pairs(r.top_intents),
            top_complaint_topics: pairs(r.top_complaint_topics),
        }
    }
}

/// What operators read.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AnalyticsReport {
    /// Customer turns counted.
    pub turns: u64,
    /// Share of turns handled without a handoff (0–1).
    pub containment_rate: f64,
    /// Share of out-of-scope turns (0–1).
    pub fallback_rate: f64,
    /// FAQ answers given.
    pub faq_answered: u64,
    /// Forms completed.
    pub forms_completed: u64,
    /// Forms cancelled or abandoned.
    pub forms_cancelled: u64,
    /// Handoffs per reason code, most frequent first.
    pub escalation_reasons: Vec<NamedCount>,
    /// The ten most frequent intents.
    pub top_intents: Vec<NamedCount>,
    /// Intents of complaint handoffs, most frequent first.
    pub top_complaint_topics: Vec<NamedCount>,
}

/// A name with its count.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NamedCount {
    /// Intent name or reason code.
    pub name: String,
    /// How often.
    pub count: u64,
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
    /// The customer segment, once recognised or set with `set_segment`.
    pub segment: Option<String>,
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
    /// A handoff was due but no agent is available; the details are for a ticket.
    AgentUnavailable {
        /// Why, to whom, and what to tell the agent.
        handoff: HandoffDetails,
    },
    /// The bot asked the customer to confirm before the intent's action.
    ConfirmationRequested {
        /// Intent.
        intent: String,
    },
    /// A slot value failed its checks; the bot asks again.
    SlotRejected {
        /// Intent.
        intent: String,
        /// Slot.
        slot: String,
    },
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
    /// The customer segment, when known.
    pub segment: Option<String>,
    /// The business rule that handed off (reason `business_rule`).
    pub rule: Option<String>,
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
            segment: t.segment,
        }
    }
}

impl Signal {
    fn from_core(s: kefu_core::Signal) -> Option<Signal> {
        use kefu_core::Signal as S;
        Some(match s {
            S::Handoff(h) => Signal::Handoff { handoff: (*h).into() },
            S::AgentUnavailable(h) => Signal::AgentUnavailable { handoff: (*h).into() },
            S::ConfirmationRequested { intent } => Signal::ConfirmationRequested { intent },
            S::SlotRejected { intent, slot } => Signal::SlotRejected { intent, slot },
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

impl From<kefu_core::Handoff> for HandoffDetails {
    fn from(h: kefu_core::Handoff) -> Self {
        HandoffDetails {
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
            segment: h.segment,
            rule: h.rule,
        }
    }
}
