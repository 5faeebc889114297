//! Host adapters: the host app's own data and people, asked during a turn.
//!
//! kefu has no I/O of its own. Where a turn needs the host's knowledge — does this order
//! number exist for this customer, is an agent free on this route — it asks a
//! [`HostAdapter`] the host passes in with [`TurnContext`]. The adapter sees raw slot values
//! for the current turn only; nothing it is given is stored unmasked.

use crate::entity::ReferenceTime;

/// A host adapter failed (network down, exception in the host's code). The turn still
/// completes: the failure becomes the `adapter_failure` handoff reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterError {
    /// What the host reported, for the host's own logs.
    pub message: String,
}

impl AdapterError {
    /// An error with the host's message.
    pub fn new(message: impl Into<String>) -> AdapterError {
        AdapterError { message: message.into() }
    }
}

impl std::fmt::Display for AdapterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host adapter failed: {}", self.message)
    }
}

impl std::error::Error for AdapterError {}

/// What the host app answers during a turn. Every method has a permissive default, so an
/// adapter implements only what it knows.
pub trait HostAdapter {
    /// Is `value` acceptable for `slot` of `intent` — e.g. an order number that exists and
    /// belongs to this customer? Called after the bot file's own checks (entity, `pattern`,
    /// `values`) passed. `false` makes the bot ask again.
    fn validate_slot(&self, intent: &str, slot: &str, value: &str) -> Result<bool, AdapterError> {
        let _ = (intent, slot, value);
        Ok(true)
    }

    /// Can a human agent on `route` take the conversation now? `false` (off-hours, queue
    /// full) makes the bot offer the bot file's `handoff.when_unavailable` intent instead.
    fn agent_available(&self, route: &str) -> Result<bool, AdapterError> {
        let _ = route;
        Ok(true)
    }
}

/// The adapter of a host that has none: accepts every value, always has an agent.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAdapter;

impl HostAdapter for NoAdapter {}

/// What the host passes into a turn besides the utterance.
#[derive(Clone, Copy)]
pub struct TurnContext<'a> {
    /// The host's current time, so that relative dates ("明天下午三点") resolve; `None`
    /// leaves them unresolved (kefu has no clock of its own).
    pub now: Option<ReferenceTime>,
    /// The host's data and agent adapter.
    pub adapter: &'a dyn HostAdapter,
    /// The utterance's sentence embedding, for a bot loaded with
    /// [`crate::BotLoader::embeddings`] (the host runs the encoder, e.g. ONNX
    /// Runtime Web in a page). Without it such a bot classifies on its n-grams alone; a bot
    /// with its own encoder, or on the embedded tier, ignores it.
    pub embedding: Option<&'a [f32]>,
}

impl Default for TurnContext<'_> {
    fn default() -> Self {
        TurnContext { now: None, adapter: &NoAdapter, embedding: None }
    }
}

impl std::fmt::Debug for TurnContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnContext").field("now", &self.now).finish_non_exhaustive()
    }
}
