//! Handoff signals: when, why, to whom, and what the agent needs to know.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::brief::Brief;

/// Why the conversation goes to a human agent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person (转人工, "talk to an agent").
    ExplicitRequest,
    /// Several consecutive turns were out of scope.
    FallbackStreak,
    /// The intent is flagged `sensitive` (complaint, fraud, legal).
    SensitiveIntent,
    /// A form asked for a slot more often than `max_reprompts` allows.
    RepromptLimit,
    /// The customer is upset: one very negative turn or a negative trend.
    NegativeSentiment,
    /// The customer used abusive language.
    Abuse,
    /// The same intent came up `loop_limit` times in a row without the customer moving on.
    Loop,
    /// A host adapter failed (e.g. the order lookup is down), so the bot cannot go on.
    AdapterFailure,
    /// A business rule of the bot file holds (VIP segment, amount above a limit); the
    /// handoff's `rule` names it.
    BusinessRule,
    /// The customer threatens legal or regulatory action (起诉, 消协, 12315, "I'll sue",
    /// "my lawyer"): urgent by default.
    LegalThreat,
}

/// Every reason code, for validating bot files.
pub const HANDOFF_REASONS: &[&str] = &[
    "explicit_request",
    "fallback_streak",
    "sensitive_intent",
    "reprompt_limit",
    "negative_sentiment",
    "abuse",
    "loop",
    "adapter_failure",
    "business_rule",
    "legal_threat",
];

impl HandoffReason {
    /// Whether the reason marks a complaint (a sensitive matter, an upset or abusive
    /// customer, a legal threat): what analytics and the complaint TOP-N count.
    pub fn is_complaint(&self) -> bool {
        matches!(
            self,
            HandoffReason::SensitiveIntent
                | HandoffReason::NegativeSentiment
                | HandoffReason::Abuse
                | HandoffReason::LegalThreat
        )
    }

    /// Stable snake_case name.
    pub fn code(&self) -> &'static str {
        match self {
            HandoffReason::ExplicitRequest => "explicit_request",
            HandoffReason::FallbackStreak => "fallback_streak",
            HandoffReason::SensitiveIntent => "sensitive_intent",
            HandoffReason::RepromptLimit => "reprompt_limit",
            HandoffReason::NegativeSentiment => "negative_sentiment",
            HandoffReason::Abuse => "abuse",
            HandoffReason::Loop => "loop",
            HandoffReason::AdapterFailure => "adapter_failure",
            HandoffReason::BusinessRule => "business_rule",
            HandoffReason::LegalThreat => "legal_threat",
        }
    }

    /// The default priority of the reason (a bot file may override it).
    fn default_priority(&self) -> Priority {
        match self {
            HandoffReason::LegalThreat => Priority::Urgent,
            HandoffReason::SensitiveIntent | HandoffReason::NegativeSentiment | HandoffReason::Abuse => Priority::High,
            HandoffReason::ExplicitRequest
            | HandoffReason::RepromptLimit
            | HandoffReason::FallbackStreak
            | HandoffReason::Loop
            | HandoffReason::AdapterFailure
            | HandoffReason::BusinessRule => Priority::Normal,
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

/// Something the bot did for the customer, listed in the agent's summary so the agent
/// neither repeats an answer nor asks for what a finished form already took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum BotStep {
    AnsweredFaq(String),
    /// Quoted the documents: the passage's title and headings.
    Quoted(Vec<String>),
    Completed(String),
    Cancelled(String),
    NotUnderstood,
}

impl BotStep {
    /// At most this many steps are kept (the oldest go first).
    pub(crate) const KEPT: usize = 20;
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
    /// The brief as one text for a person, a line per item (issue, wants, what the bot
    /// already did, details, segment, mood, reason and priority), in the customer's
    /// language, personal data masked.
    pub summary: String,
    /// The conversation so far, personal data masked.
    pub transcript: Vec<TranscriptLine>,
    /// Slot values collected so far, personal data masked.
    pub slots: BTreeMap<String, String>,
    /// Sentiment trend: the mean of the customer's last turns, −1 (angry) … 1 (happy).
    pub sentiment: f32,
    /// The customer segment, when known.
    #[serde(default)]
    pub segment: Option<String>,
    /// The business rule that handed off (reason `business_rule`).
    #[serde(default)]
    pub rule: Option<String>,
    /// What the agent reads first ([`Handoff::summary`] is it rendered as text).
    #[serde(default)]
    pub brief: Brief,
}

impl Handoff {
    /// The highest priority among the reasons, with the bot file's overrides.
    pub(crate) fn priority_of(reasons: &[HandoffReason], overrides: &BTreeMap<String, Priority>) -> Priority {
        reasons
            .iter()
            .map(|r| overrides.get(r.code()).copied().unwrap_or_else(|| r.default_priority()))
            .max()
            .unwrap_or(Priority::Normal)
    }
}
