//! What one conversation came to, for conversation-level analytics: whether a person had
//! to take over and why, what the customer needed, how often the bot did not understand or
//! had to ask, and the survey's score. Names and codes only, never the customer's text.

use serde::{Deserialize, Serialize};

use crate::handoff::HandoffReason;
use crate::Session;

/// What a conversation came to so far ([`Session::outcome`]); the host records it in
/// [`crate::Analytics::record_conversation`] when the conversation ends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ConversationOutcome {
    /// Customer turns.
    pub turns: u64,
    /// The customer's needs the bot recognised (intent names and `faq/<id>`), first seen
    /// first; greetings, thanks and requests for a person are not needs.
    pub needs: Vec<String>,
    /// Whether the conversation went to a human agent.
    pub handed_off: bool,
    /// The first handoff's reasons.
    pub handoff_reasons: Vec<HandoffReason>,
    /// The first handoff's route.
    pub route: Option<String>,
    /// Turns the bot did not understand.
    pub fallbacks: u32,
    /// Times the bot asked which of two intents was meant.
    pub clarifications: u32,
    /// The customer segment, recognised or set by the host.
    pub segment: Option<String>,
    /// Whether the survey was asked.
    pub survey_asked: bool,
    /// The survey's score (1–5), if answered.
    pub survey_score: Option<u8>,
}

impl Session {
    /// What this conversation came to so far: record it with
    /// [`crate::Analytics::record_conversation`] when the conversation ends (the customer
    /// left, or a time without messages the host sets passed).
    pub fn outcome(&self) -> ConversationOutcome {
        let tally = &self.tally;
        let (reasons, route) = tally.handoff.clone().map_or((Vec::new(), None), |(r, route)| (r, Some(route)));
        ConversationOutcome {
            turns: self.turns,
            needs: tally.needs.clone(),
            handed_off: tally.handoff.is_some(),
            handoff_reasons: reasons,
            route,
            fallbacks: tally.fallbacks,
            clarifications: tally.clarifications,
            segment: self.segment.clone(),
            survey_asked: tally.survey_asked,
            survey_score: tally.survey_score,
        }
    }
}
