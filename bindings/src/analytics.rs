//! [`Analytics`]: counts over many sessions for operators.

use std::sync::{Arc, Mutex};

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

    /// The report over everything counted so far.
    pub fn report(&self) -> AnalyticsReport {
        let r = lock(&self.inner).report();
        let pairs = |v: Vec<(String, u64)>| v.into_iter().map(|(name, count)| NamedCount { name, count }).collect();
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
