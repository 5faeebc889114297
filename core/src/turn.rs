//! What one turn gives back to the host.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::entity::Entity;
use crate::handoff::Handoff;
use crate::intent::{IntentCandidate, IntentSource};
use crate::knowledge::Citation;
use crate::suggest::Suggestion;
use crate::text::Language;

/// The result of one customer utterance.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Language of the utterance (or of the session, for an utterance without letters);
    /// the replies are in this language when the bot has it.
    pub language: Language,
    /// What the bot says, in order.
    pub replies: Vec<String>,
    /// The recognised intent; `None` when the utterance was out of scope, empty, or went to
    /// an agent.
    pub intent: Option<IntentMatch>,
    /// The model's ranked guesses (best first), also when out of scope.
    pub alternatives: Vec<IntentCandidate>,
    /// Entities found in the utterance.
    pub entities: Vec<Entity>,
    /// Slots of the active intent, filled so far.
    pub slots: BTreeMap<String, String>,
    /// Host actions to run (look up an order, open a ticket, …).
    pub actions: Vec<Action>,
    /// Signals for the host: handoff, fallback, FAQ answered, form progress.
    pub signals: Vec<Signal>,
    /// Sentiment of the utterance, −1 (angry) … 1 (happy).
    pub sentiment: f32,
    /// The customer segment (`dealer`, `vip`, …), once recognised or set by the host.
    #[serde(default)]
    pub segment: Option<String>,
    /// While an agent has the conversation: replies the agent may send, best first (at
    /// most three). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// Where the reply's sentences come from, when it quotes the bot's documents (one
    /// citation per sentence, in order); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
}

impl Turn {
    /// A turn that says nothing yet.
    pub(crate) fn empty(language: Language, segment: Option<String>) -> Turn {
        Turn {
            language,
            replies: Vec::new(),
            intent: None,
            alternatives: Vec::new(),
            entities: Vec::new(),
            slots: BTreeMap::new(),
            actions: Vec::new(),
            signals: Vec::new(),
            sentiment: 0.0,
            segment,
            suggestions: Vec::new(),
            citations: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Turn {
    // Slot values and replies (which may interpolate them) can hold personal data: `Debug`
    // ends up in logs, so it shows their shape only. Entities and actions mask themselves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Turn")
            .field("language", &self.language)
            .field("replies", &self.replies.len())
            .field("intent", &self.intent)
            .field("alternatives", &self.alternatives)
            .field("entities", &self.entities)
            .field("slots", &self.slots.keys().collect::<Vec<_>>())
            .field("actions", &self.actions)
            .field("signals", &self.signals)
            .field("sentiment", &self.sentiment)
            .field("segment", &self.segment)
            .field("citations", &self.citations.len())
            .finish()
    }
}

/// The intent chosen for a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentMatch {
    /// Intent name (`faq/<id>` for an FAQ entry).
    pub name: String,
    /// Confidence in 0–1 (1 for a rule).
    pub confidence: f32,
    /// Rule or model.
    pub source: IntentSource,
}

/// A host action the bot asks for, with the slot values it needs.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Action name from the bot file.
    pub name: String,
    /// Slot values (raw values, for the host's own data adapters).
    pub slots: BTreeMap<String, String>,
}

impl std::fmt::Debug for Action {
    // Slot values may be personal data: print the names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Action")
            .field("name", &self.name)
            .field("slots", &self.slots.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Something the host may want to react to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Signal {
    /// A human agent must take over.
    Handoff(Box<Handoff>),
    /// The utterance was out of scope; `streak` counts consecutive ones.
    Fallback {
        /// Consecutive out-of-scope turns so far.
        streak: u32,
    },
    /// The bot quoted its documents: the first quoted sentence's document and headings
    /// (every sentence's source is in [`Turn::citations`]).
    KnowledgeAnswered {
        /// The document's name.
        document: String,
        /// The headings above the passage, outermost first.
        heading: Vec<String>,
    },
    /// An FAQ entry was answered.
    FaqAnswered {
        /// The FAQ entry's id.
        id: String,
    },
    /// The bot asked for a slot.
    SlotRequested {
        /// Intent of the form.
        intent: String,
        /// The slot asked for.
        slot: String,
    },
    /// Every required slot of an intent is filled.
    FormCompleted {
        /// The intent.
        intent: String,
    },
    /// The customer cancelled a form, or it was abandoned.
    FormCancelled {
        /// The intent.
        intent: String,
    },
    /// The session is with an agent: the utterance is for the agent, the bot stays silent.
    WithAgent,
    /// While an agent has the conversation, a customer line added a reason (abuse, an upset
    /// customer, a sensitive matter): the handoff again, with every reason, the new
    /// priority and route and a current brief, for the host to re-queue or escalate.
    HandoffUpdated(Box<Handoff>),
    /// A handoff was due, but the host's adapter said no agent is available on its route;
    /// the details are for a ticket or callback. The bot keeps the conversation.
    AgentUnavailable(Box<Handoff>),
    /// The bot asked the customer to confirm an intent's slots before its action.
    ConfirmationRequested {
        /// The intent.
        intent: String,
    },
    /// A value for a slot failed its checks (`values`, `pattern`, the host's adapter).
    SlotRejected {
        /// Intent of the form.
        intent: String,
        /// The slot.
        slot: String,
    },
    /// The two best intents were too close to choose between: the bot asked which one the
    /// customer means. The host may show the choices as buttons and send a choice's title
    /// as the customer's next line (an ordinal such as "第二个" or "the first one" works too).
    ClarificationRequested {
        /// The intents offered, best guess first.
        choices: Vec<crate::Choice>,
    },
    /// The bot asked the satisfaction survey's question (after an intent of the bot file's
    /// `survey.after_intents`, or when the host called `ask_survey`).
    SurveyRequested,
    /// The customer answered the survey.
    SurveyAnswered {
        /// 1 (very dissatisfied) … 5 (very satisfied).
        score: u8,
        /// The customer's line, masked, when it says more than the score.
        comment: Option<String>,
    },
    /// The customer skipped the survey, or moved on to another question.
    SurveySkipped,
}
