//! Mirror types of the core's agent quality checks.

/// What a supervisor should see about an agent's line or session.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AgentFinding {
    /// Abusive language (masked in the transcript).
    Abuse,
    /// A phrase of the bot file's `agent_quality.forbidden`.
    ForbiddenPhrase {
        /// The phrase as the bot file writes it.
        phrase: String,
    },
    /// Personal data typed by the agent (masked in the transcript).
    PersonalData {
        /// The kinds found (`phone`, `id_card`, `bank_card`, `email`, …).
        kinds: Vec<String>,
    },
    /// The agent's first line holds no greeting.
    MissingGreeting,
    /// The agent finished without a closing in their last line.
    MissingClosing,
    /// The customer waited longer for this line than `agent_quality.reply_within_seconds`.
    SlowReply {
        /// How long the customer waited, in seconds.
        waited_seconds: u64,
    },
}

/// An agent's line as the transcript keeps it, and what was found in it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AgentReview {
    /// The line with personal data and abuse masked.
    pub masked: String,
    /// Findings in the order checked; empty for a good line.
    pub findings: Vec<AgentFinding>,
}

impl From<kefu_core::AgentFinding> for AgentFinding {
    fn from(f: kefu_core::AgentFinding) -> AgentFinding {
        match f {
            kefu_core::AgentFinding::Abuse => AgentFinding::Abuse,
            kefu_core::AgentFinding::ForbiddenPhrase { phrase } => AgentFinding::ForbiddenPhrase { phrase },
            kefu_core::AgentFinding::PersonalData { kinds } => AgentFinding::PersonalData { kinds },
            kefu_core::AgentFinding::MissingGreeting => AgentFinding::MissingGreeting,
            kefu_core::AgentFinding::MissingClosing => AgentFinding::MissingClosing,
            kefu_core::AgentFinding::SlowReply { waited_seconds } => AgentFinding::SlowReply { waited_seconds },
            // A finding a newer core adds reads as what a supervisor should look at most.
            _ => AgentFinding::Abuse,
        }
    }
}

impl From<kefu_core::AgentReview> for AgentReview {
    fn from(r: kefu_core::AgentReview) -> AgentReview {
        AgentReview { masked: r.masked, findings: r.findings.into_iter().map(Into::into).collect() }
    }
}
