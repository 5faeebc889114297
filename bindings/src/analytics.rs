//! [`Analytics`]: counts over many sessions for operators.

use std::sync::{Arc, Mutex};

use crate::kinds::HandoffReason;
use crate::lock;

/// Counts over many sessions for operators: containment, escalation reasons, top intents.
/// Only intent names, reason codes and counts are kept, never the customer's text.
#[derive(Debug, Default, uniffi::Object)]
pub struct Analytics {
    pub(crate) inner: Mutex<kefu_core::Analytics>,
}

#[uniffi::export]
impl Analytics {
    /// Empty counts.
    #[uniffi::constructor]
    pub fn new() -> Arc<Analytics> {
        Arc::new(Analytics::default())
    }

    /// The agent sent suggested reply `id` (a `Suggestion`'s id), as it was or edited.
    pub fn suggestion_used(&self, id: String) {
        lock(&self.inner).suggestion_used(&id);
    }

    /// Adds the counts of `other` (e.g. from another device).
    pub fn merge(&self, other: &Analytics) {
        let theirs = lock(&other.inner).clone();
        lock(&self.inner).merge(&theirs);
    }

    /// Counts one conversation when it ends (`Session.outcome()`), on the customer's local
    /// day of the time given (as in `Session.turnAt`). `customer` is the app's id of the
    /// customer (kept only as a hash), for first-contact resolution; `null` when unknown.
    pub fn record_conversation(
        &self,
        outcome: ConversationOutcome,
        unix_seconds: i64,
        utc_offset_minutes: i32,
        customer: Option<String>,
    ) {
        let ended = kefu_core::ReferenceTime { unix_seconds, utc_offset_minutes };
        lock(&self.inner).record_conversation(&outcome.into(), ended, customer.as_deref());
    }

    /// The report over everything counted so far (first-contact resolution within 7 days).
    pub fn report(&self) -> AnalyticsReport {
        self.report_with_window(kefu_core::DEFAULT_RETURN_WINDOW_DAYS)
    }

    /// The report, with a customer's return on the same need within `days` counting
    /// against first-contact resolution.
    pub fn report_with_window(&self, days: u32) -> AnalyticsReport {
        let r = lock(&self.inner).report_with_window(days);
        AnalyticsReport {
            turns: r.turns,
            containment_rate: r.containment_rate,
            fallback_rate: r.fallback_rate,
            faq_answered: r.faq_answered,
            knowledge_answered: r.knowledge_answered,
            forms_completed: r.forms_completed,
            forms_cancelled: r.forms_cancelled,
            escalation_reasons: pairs(r.escalation_reasons),
            top_intents: pairs(r.top_intents),
            top_complaint_topics: pairs(r.top_complaint_topics),
            suggestions: r
                .suggestions
                .into_iter()
                .map(|s| SuggestionUse { id: s.id, shown: s.shown, used: s.used })
                .collect(),
            agent_findings: pairs(r.agent_findings),
            conversations: r.conversations.into(),
            conversations_by_day: groups(r.conversations_by_day),
            conversations_by_segment: groups(r.conversations_by_segment),
        }
    }
}

fn pairs(v: Vec<(String, u64)>) -> Vec<NamedCount> {
    v.into_iter().map(|(name, count)| NamedCount { name, count }).collect()
}

fn groups(v: Vec<(String, kefu_core::ConversationMetrics)>) -> Vec<GroupMetrics> {
    v.into_iter().map(|(name, m)| GroupMetrics { name, metrics: m.into() }).collect()
}

/// What a conversation came to (`Session.outcome()`); names and codes only.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ConversationOutcome {
    /// Customer turns.
    pub turns: u64,
    /// The needs the bot recognised (intent names and `faq/<id>`), first seen first.
    pub needs: Vec<String>,
    /// Whether a human agent took over.
    pub handed_off: bool,
    /// The first handoff's reasons.
    pub handoff_reasons: Vec<HandoffReason>,
    /// The first handoff's route.
    pub route: Option<String>,
    /// Turns the bot did not understand.
    pub fallbacks: u32,
    /// Times the bot asked which intent was meant.
    pub clarifications: u32,
    /// The customer segment.
    pub segment: Option<String>,
    /// Whether the survey was asked.
    pub survey_asked: bool,
    /// The survey's score (1–5), if answered.
    pub survey_score: Option<u8>,
}

impl From<kefu_core::ConversationOutcome> for ConversationOutcome {
    fn from(o: kefu_core::ConversationOutcome) -> Self {
        ConversationOutcome {
            turns: o.turns,
            needs: o.needs,
            handed_off: o.handed_off,
            handoff_reasons: o.handoff_reasons.iter().map(HandoffReason::from).collect(),
            route: o.route,
            fallbacks: o.fallbacks,
            clarifications: o.clarifications,
            segment: o.segment,
            survey_asked: o.survey_asked,
            survey_score: o.survey_score,
        }
    }
}

impl From<ConversationOutcome> for kefu_core::ConversationOutcome {
    fn from(o: ConversationOutcome) -> Self {
        let mut out = kefu_core::ConversationOutcome::default();
        out.turns = o.turns;
        out.needs = o.needs;
        out.handed_off = o.handed_off;
        out.handoff_reasons = o.handoff_reasons.into_iter().map(Into::into).collect();
        out.route = o.route;
        out.fallbacks = o.fallbacks;
        out.clarifications = o.clarifications;
        out.segment = o.segment;
        out.survey_asked = o.survey_asked;
        out.survey_score = o.survey_score;
        out
    }
}

/// Conversation-level figures.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ConversationMetrics {
    /// Conversations counted.
    pub conversations: u64,
    /// Share resolved without an agent (0–1).
    pub containment_rate: f64,
    /// Share handed to an agent (0–1).
    pub handoff_rate: f64,
    /// Handoffs per reason code, most frequent first.
    pub handoffs_by_reason: Vec<NamedCount>,
    /// Handoffs per route, most frequent first.
    pub handoffs_by_route: Vec<NamedCount>,
    /// Share of conversations with a turn the bot did not understand (0–1).
    pub fallback_rate: f64,
    /// Share of conversations where the bot asked which intent was meant (0–1).
    pub clarification_rate: f64,
    /// Share of known customers' conversations with no return on the same need within the
    /// window; `null` without such conversations.
    pub first_contact_resolution: Option<f64>,
    /// Surveys asked.
    pub surveys_asked: u64,
    /// Surveys answered.
    pub surveys_answered: u64,
    /// Mean score (1–5).
    pub satisfaction: Option<f64>,
    /// Share of answers scoring 4 or 5 (0–1).
    pub csat: Option<f64>,
    /// Answers per score, 1–5.
    pub scores: Vec<u64>,
}

impl From<kefu_core::ConversationMetrics> for ConversationMetrics {
    fn from(m: kefu_core::ConversationMetrics) -> Self {
        ConversationMetrics {
            conversations: m.conversations,
            containment_rate: m.containment_rate,
            handoff_rate: m.handoff_rate,
            handoffs_by_reason: pairs(m.handoffs_by_reason),
            handoffs_by_route: pairs(m.handoffs_by_route),
            fallback_rate: m.fallback_rate,
            clarification_rate: m.clarification_rate,
            first_contact_resolution: m.first_contact_resolution,
            surveys_asked: m.surveys_asked,
            surveys_answered: m.surveys_answered,
            satisfaction: m.satisfaction,
            csat: m.csat,
            scores: m.scores.to_vec(),
        }
    }
}

/// Conversation-level figures of one day or segment.
#[derive(Debug, Clone, uniffi::Record)]
pub struct GroupMetrics {
    /// The day (`YYYY-MM-DD`) or segment (`""`: not known).
    pub name: String,
    /// Its figures.
    pub metrics: ConversationMetrics,
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
    /// Answers quoted from the bot's documents.
    pub knowledge_answered: u64,
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
    /// Suggested replies agents used, most used first.
    pub suggestions: Vec<SuggestionUse>,
    /// Quality findings on agents' lines per code, most frequent first.
    pub agent_findings: Vec<NamedCount>,
    /// Conversation-level figures over every recorded conversation.
    pub conversations: ConversationMetrics,
    /// The same per local day, oldest first.
    pub conversations_by_day: Vec<GroupMetrics>,
    /// The same per customer segment.
    pub conversations_by_segment: Vec<GroupMetrics>,
}

/// How often agents were shown a suggested reply and used it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SuggestionUse {
    /// The suggestion's id.
    pub id: String,
    /// Times shown.
    pub shown: u64,
    /// Times used.
    pub used: u64,
}

/// A name with its count.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NamedCount {
    /// Intent name or reason code.
    pub name: String,
    /// How often.
    pub count: u64,
}
