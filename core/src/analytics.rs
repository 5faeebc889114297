//! Analytics over many turns and sessions: what operators look at. Only intent names,
//! reason codes and counts are kept, never the customer's text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::handoff::HandoffReason;
use crate::turn::{Signal, Turn};

/// Running counts; `record` each turn, `merge` counts from other threads or devices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analytics {
    turns: u64,
    fallbacks: u64,
    handoffs: u64,
    faq_answered: u64,
    #[serde(default)]
    knowledge_answered: u64,
    forms_completed: u64,
    forms_cancelled: u64,
    intents: BTreeMap<String, u64>,
    escalation_reasons: BTreeMap<String, u64>,
    complaint_topics: BTreeMap<String, u64>,
    /// Suggested replies shown to agents, and used by them, by suggestion id.
    #[serde(default)]
    suggestions_shown: BTreeMap<String, u64>,
    #[serde(default)]
    suggestions_used: BTreeMap<String, u64>,
}

/// The numbers operators read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsReport {
    /// Customer turns recorded.
    pub turns: u64,
    /// Share of turns the bot handled without handing off (0–1).
    pub containment_rate: f64,
    /// Share of turns that were out of scope (0–1).
    pub fallback_rate: f64,
    /// FAQ answers given.
    pub faq_answered: u64,
    /// Answers quoted from the bot's documents.
    #[serde(default)]
    pub knowledge_answered: u64,
    /// Forms completed and cancelled.
    pub forms_completed: u64,
    /// Forms cancelled or abandoned.
    pub forms_cancelled: u64,
    /// Handoffs per reason code, most frequent first.
    pub escalation_reasons: Vec<(String, u64)>,
    /// The ten most frequent intents.
    pub top_intents: Vec<(String, u64)>,
    /// Intents of turns that handed off as complaints (sensitive, negative, abusive), most
    /// frequent first.
    pub top_complaint_topics: Vec<(String, u64)>,
    /// Suggested replies agents used, most used first, with how often each was shown: which
    /// FAQ answers, responses and canned replies help agents.
    #[serde(default)]
    pub suggestions: Vec<SuggestionUse>,
}

/// How often agents were shown a suggested reply and used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionUse {
    /// The suggestion's id (`faq/refund_time`, `apology`, …).
    pub id: String,
    /// Times shown.
    pub shown: u64,
    /// Times the agent used it.
    pub used: u64,
}

impl Analytics {
    /// Counts one turn.
    pub fn record(&mut self, turn: &Turn) {
        self.turns += 1;
        for s in &turn.suggestions {
            *self.suggestions_shown.entry(s.id.clone()).or_default() += 1;
        }
        let intent = turn.intent.as_ref().map(|i| i.name.clone());
        if let Some(name) = &intent {
            *self.intents.entry(name.clone()).or_default() += 1;
        }
        for signal in &turn.signals {
            match signal {
                Signal::Fallback { .. } => self.fallbacks += 1,
                Signal::FaqAnswered { .. } => self.faq_answered += 1,
                Signal::KnowledgeAnswered { .. } => self.knowledge_answered += 1,
                Signal::FormCompleted { .. } => self.forms_completed += 1,
                Signal::FormCancelled { .. } => self.forms_cancelled += 1,
                Signal::Handoff(h) => {
                    self.handoffs += 1;
                    for r in &h.reasons {
                        *self.escalation_reasons.entry(r.code().to_string()).or_default() += 1;
                    }
                    let complaint = h.reasons.iter().any(|r| {
                        matches!(
                            r,
                            HandoffReason::SensitiveIntent
                                | HandoffReason::NegativeSentiment
                                | HandoffReason::Abuse
                                | HandoffReason::LegalThreat
                        )
                    });
                    if complaint {
                        let topic = intent.clone().unwrap_or_else(|| "unknown".into());
                        *self.complaint_topics.entry(topic).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }

    /// The host reports that its agent sent suggestion `id` (as it was or edited).
    pub fn suggestion_used(&mut self, id: &str) {
        *self.suggestions_used.entry(id.to_string()).or_default() += 1;
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &Analytics) {
        self.turns += other.turns;
        self.fallbacks += other.fallbacks;
        self.handoffs += other.handoffs;
        self.faq_answered += other.faq_answered;
        self.knowledge_answered += other.knowledge_answered;
        self.forms_completed += other.forms_completed;
        self.forms_cancelled += other.forms_cancelled;
        for (mine, theirs) in [
            (&mut self.intents, &other.intents),
            (&mut self.escalation_reasons, &other.escalation_reasons),
            (&mut self.complaint_topics, &other.complaint_topics),
            (&mut self.suggestions_shown, &other.suggestions_shown),
            (&mut self.suggestions_used, &other.suggestions_used),
        ] {
            for (k, v) in theirs {
                *mine.entry(k.clone()).or_default() += v;
            }
        }
    }

    /// The report over everything recorded so far.
    pub fn report(&self) -> AnalyticsReport {
        let share = |n: u64| if self.turns == 0 { 0.0 } else { n as f64 / self.turns as f64 };
        AnalyticsReport {
            turns: self.turns,
            containment_rate: if self.turns == 0 { 0.0 } else { 1.0 - share(self.handoffs) },
            fallback_rate: share(self.fallbacks),
            faq_answered: self.faq_answered,
            knowledge_answered: self.knowledge_answered,
            forms_completed: self.forms_completed,
            forms_cancelled: self.forms_cancelled,
            escalation_reasons: ranked(&self.escalation_reasons, usize::MAX),
            top_intents: ranked(&self.intents, 10),
            top_complaint_topics: ranked(&self.complaint_topics, 10),
            suggestions: ranked(&self.suggestions_used, usize::MAX)
                .into_iter()
                .map(|(id, used)| SuggestionUse {
                    shown: self.suggestions_shown.get(&id).copied().unwrap_or(0),
                    id,
                    used,
                })
                .collect(),
        }
    }
}

/// Most frequent first; ties by name, so reports are stable.
fn ranked(counts: &BTreeMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
    v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}
