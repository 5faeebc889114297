//! Handoff signals: when, why, to whom, and what the agent needs to know.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Why the conversation goes to a human agent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HandoffReason {
    /// The customer asked for a person (转人工, "talk to an agent").
    ExplicitRequest,
    /// Several consecutive turns were out of scope.
    FallbackStreak,
    /// The intent is flagged `sensitive` (complaint, fraud, legal).
    SensitiveIntent,
    /// A form asked for a slot more often than `max_reprompts` allows.
    RepromptLimit,
}

impl HandoffReason {
    /// Stable snake_case name.
    pub fn code(&self) -> &'static str {
        match self {
            HandoffReason::ExplicitRequest => "explicit_request",
            HandoffReason::FallbackStreak => "fallback_streak",
            HandoffReason::SensitiveIntent => "sensitive_intent",
            HandoffReason::RepromptLimit => "reprompt_limit",
        }
    }

    fn priority(&self) -> Priority {
        match self {
            HandoffReason::SensitiveIntent => Priority::High,
            HandoffReason::ExplicitRequest | HandoffReason::RepromptLimit => Priority::Normal,
            HandoffReason::FallbackStreak => Priority::Normal,
        }
    }
}

/// How urgently an agent should pick the conversation up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Whenever an agent is free.
    Low,
    /// The usual queue.
    Normal,
    /// Ahead of the usual queue.
    High,
    /// At once.
    Urgent,
}

impl Priority {
    /// Stable snake_case name.
    pub fn code(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

impl Speaker {
    /// Stable snake_case name.
    pub fn code(self) -> &'static str {
        match self {
            Speaker::Customer => "customer",
            Speaker::Bot => "bot",
            Speaker::Agent => "agent",
        }
    }
}

/// One line of the conversation as the agent sees it (personal data masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// `customer` or `bot`.
    pub speaker: Speaker,
    /// The text, with phone/ID/card/e-mail numbers masked.
    pub text: String,
}

/// Who said a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The customer.
    Customer,
    /// The bot.
    Bot,
    /// A human agent.
    Agent,
}

/// A request for a human agent, as data: the host decides how to transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    /// Every reason that holds, the main one first.
    pub reasons: Vec<HandoffReason>,
    /// The highest priority of the reasons.
    pub priority: Priority,
    /// Route tag: the team that should take it (`after_sales`, `billing`, …).
    pub route: String,
    /// A short summary for the agent, in the customer's language, personal data masked.
    pub summary: String,
    /// The conversation so far, personal data masked.
    pub transcript: Vec<TranscriptLine>,
    /// Slot values collected so far, personal data masked.
    pub slots: BTreeMap<String, String>,
}

impl Handoff {
    pub(crate) fn priority_of(reasons: &[HandoffReason]) -> Priority {
        reasons.iter().map(HandoffReason::priority).max().unwrap_or(Priority::Normal)
    }
}
