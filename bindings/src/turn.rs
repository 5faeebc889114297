//! Mirror records of the core's `Turn`, `Signal` and `Handoff`, and their conversions.

use std::collections::HashMap;

use crate::kinds::{HandoffReason, IntentSource, Priority, Speaker};

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
    /// While an agent has the conversation: replies the agent may send, best first.
    pub suggestions: Vec<Suggestion>,
    /// When the reply quotes the bot's documents: where each quoted sentence is from.
    pub citations: Vec<Citation>,
}

/// Where a quoted text is in its document.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Citation {
    /// The document's name.
    pub document: String,
    /// Its title (its first `# ` heading, else its name).
    pub title: String,
    /// The headings above the text, outermost first.
    pub heading: Vec<String>,
    /// First character of the text in the document (Unicode scalar values).
    pub start: u32,
    /// One past its last character.
    pub end: u32,
    /// The text, the document's own characters.
    pub text: String,
}

impl From<kefu_core::Citation> for Citation {
    fn from(c: kefu_core::Citation) -> Citation {
        Citation {
            document: c.document,
            title: c.title,
            heading: c.heading,
            start: c.start as u32,
            end: c.end as u32,
            text: c.text,
        }
    }
}

/// The chosen intent.
#[derive(Debug, Clone, uniffi::Record)]
pub struct IntentMatch {
    /// Intent name (`faq/<id>` for an FAQ entry).
    pub name: String,
    /// 0–1.
    pub confidence: f32,
    /// Rule, model, form (the utterance answered an open form), clarified (the customer
    /// chose it when asked which intent they meant) or follow-up (the previous intent with
    /// a new value: "那手表呢").
    pub source: IntentSource,
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
    /// The reply quotes the bot's documents (every quoted sentence is in `citations`).
    KnowledgeAnswered {
        /// The first quoted sentence's document.
        document: String,
        /// Its headings, outermost first.
        heading: Vec<String>,
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
    /// While an agent has the conversation, a customer line added a reason (abuse, upset,
    /// a sensitive matter): the handoff again, with every reason, priority, route and brief.
    HandoffUpdated {
        /// Why, to whom, and what to tell the agent, as of now.
        handoff: HandoffDetails,
    },
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
    /// The bot asked which of these intents the customer means: show them as buttons and
    /// send the chosen title as the customer's next line.
    ClarificationRequested {
        /// Best guess first.
        choices: Vec<Choice>,
    },
    /// The bot asked the satisfaction survey's question.
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

/// An intent the bot offers when it asks which one is meant.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Choice {
    /// Intent name (`faq/<id>` for an FAQ entry).
    pub intent: String,
    /// Its title in the reply's language.
    pub title: String,
}

/// A request for a human agent.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HandoffDetails {
    /// The reasons, main first.
    pub reasons: Vec<HandoffReason>,
    /// How urgently an agent should pick it up.
    pub priority: Priority,
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
    /// What the agent reads first; `summary` is it rendered as text.
    pub brief: Brief,
}

/// The agent's brief of a handoff.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Brief {
    /// The customer's issue in their own words (one or two lines, masked).
    pub issue: Vec<String>,
    /// What the customer asked for, by readable titles.
    pub needs: Vec<String>,
    /// What the bot already did.
    pub bot_did: Vec<String>,
    /// The mood in words, with its trend (`calm → angry since turn 3`).
    pub mood: String,
}

/// A reply an agent may send as it is or edit.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Suggestion {
    /// The reply, in the customer's language.
    pub text: String,
    /// `faq`, `intent` or `agent_reply`.
    pub source: String,
    /// The FAQ entry, intent or agent reply it is: what to report when the agent uses it.
    pub id: String,
    /// How well it fits the line, 0 … 1.
    pub score: f32,
}

/// One transcript line.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TranscriptLine {
    /// Who said it.
    pub speaker: Speaker,
    /// Text, personal data masked.
    pub text: String,
}

impl From<kefu_core::Turn> for Turn {
    fn from(t: kefu_core::Turn) -> Self {
        Turn {
            language: t.language.code().to_string(),
            replies: t.replies,
            intent: t.intent.map(|i| IntentMatch { name: i.name, confidence: i.confidence, source: i.source.into() }),
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
            suggestions: t
                .suggestions
                .into_iter()
                .map(|s| Suggestion { text: s.text, source: s.source.code().to_string(), id: s.id, score: s.score })
                .collect(),
            citations: t.citations.into_iter().map(Citation::from).collect(),
        }
    }
}

impl Signal {
    fn from_core(s: kefu_core::Signal) -> Option<Signal> {
        use kefu_core::Signal as S;
        Some(match s {
            S::Handoff(h) => Signal::Handoff { handoff: (*h).into() },
            S::AgentUnavailable(h) => Signal::AgentUnavailable { handoff: (*h).into() },
            S::HandoffUpdated(h) => Signal::HandoffUpdated { handoff: (*h).into() },
            S::ConfirmationRequested { intent } => Signal::ConfirmationRequested { intent },
            S::SlotRejected { intent, slot } => Signal::SlotRejected { intent, slot },
            S::ClarificationRequested { choices } => Signal::ClarificationRequested {
                choices: choices.into_iter().map(|c| Choice { intent: c.intent, title: c.title }).collect(),
            },
            S::SurveyRequested => Signal::SurveyRequested,
            S::SurveyAnswered { score, comment } => Signal::SurveyAnswered { score, comment },
            S::SurveySkipped => Signal::SurveySkipped,
            S::Fallback { streak } => Signal::Fallback { streak },
            S::FaqAnswered { id } => Signal::FaqAnswered { id },
            S::KnowledgeAnswered { document, heading } => Signal::KnowledgeAnswered { document, heading },
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
            reasons: h.reasons.iter().map(HandoffReason::from).collect(),
            priority: h.priority.into(),
            route: h.route,
            summary: h.summary,
            transcript: h
                .transcript
                .into_iter()
                .map(|l| TranscriptLine { speaker: l.speaker.into(), text: l.text })
                .collect(),
            slots: h.slots.into_iter().collect(),
            sentiment: h.sentiment,
            segment: h.segment,
            rule: h.rule,
            brief: Brief { issue: h.brief.issue, needs: h.brief.needs, bot_did: h.brief.bot_did, mood: h.brief.mood },
        }
    }
}
