//! Analytics over many turns and conversations: what operators look at. Only intent
//! names, reason codes, counts and hashes of customers' ids are kept, never the customer's
//! text. Turns are counted as they happen ([`Analytics::record`]); conversations when they
//! end ([`Analytics::record_conversation`]), per day and segment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agent_quality::AgentFinding;
use crate::entity::{format_day, ReferenceTime};
use crate::handoff::HandoffReason;
use crate::outcome::ConversationOutcome;
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
    /// Quality findings on agents' lines, by code.
    #[serde(default)]
    agent_findings: BTreeMap<String, u64>,
    /// Conversations by local day (`YYYY-MM-DD`) and segment (`""` when unknown).
    #[serde(default)]
    conversations: BTreeMap<String, BTreeMap<String, ConversationCounts>>,
    /// Each known customer's conversations (by a hash of the host's id), for first-contact
    /// resolution.
    #[serde(default)]
    contacts: BTreeMap<u64, Vec<Contact>>,
}

/// Counts over conversations of one day and segment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ConversationCounts {
    conversations: u64,
    handed_off: u64,
    with_fallback: u64,
    with_clarification: u64,
    handoff_reasons: BTreeMap<String, u64>,
    handoff_routes: BTreeMap<String, u64>,
    surveys_asked: u64,
    /// Survey answers per score, 1–5.
    scores: [u64; 5],
}

impl ConversationCounts {
    fn add(&mut self, other: &ConversationCounts) {
        self.conversations += other.conversations;
        self.handed_off += other.handed_off;
        self.with_fallback += other.with_fallback;
        self.with_clarification += other.with_clarification;
        self.surveys_asked += other.surveys_asked;
        for (mine, theirs) in self.scores.iter_mut().zip(other.scores) {
            *mine += theirs;
        }
        add_counts(&mut self.handoff_reasons, &other.handoff_reasons);
        add_counts(&mut self.handoff_routes, &other.handoff_routes);
    }
}

/// One conversation of a known customer: when, in which segment, about what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Contact {
    day: i64,
    segment: String,
    needs: Vec<String>,
}

/// Days within which a customer's return on the same need means the first contact did
/// not resolve it, unless the host says otherwise ([`Analytics::report_with_window`]).
pub const DEFAULT_RETURN_WINDOW_DAYS: u32 = 7;

/// Conversation-level figures: what contact centres report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationMetrics {
    /// Conversations recorded.
    pub conversations: u64,
    /// Share resolved without an agent (0–1).
    pub containment_rate: f64,
    /// Share handed to an agent (0–1).
    pub handoff_rate: f64,
    /// Handoffs per reason code (a handoff may have several), most frequent first.
    pub handoffs_by_reason: Vec<(String, u64)>,
    /// Handoffs per route, most frequent first.
    pub handoffs_by_route: Vec<(String, u64)>,
    /// Share of conversations with at least one turn the bot did not understand (0–1).
    pub fallback_rate: f64,
    /// Share of conversations where the bot asked which intent was meant (0–1).
    pub clarification_rate: f64,
    /// Of the conversations of known customers with a need, the share with no return on
    /// the same need within the window; `None` without such conversations.
    pub first_contact_resolution: Option<f64>,
    /// Surveys asked.
    pub surveys_asked: u64,
    /// Surveys answered.
    pub surveys_answered: u64,
    /// Mean score (1–5) of the answered surveys.
    pub satisfaction: Option<f64>,
    /// Share of answers scoring 4 or 5 (CSAT, 0–1).
    pub csat: Option<f64>,
    /// Answers per score, 1–5.
    pub scores: [u64; 5],
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
    /// Quality findings on agents' lines per code (`missing_greeting`, `personal_data`, …),
    /// most frequent first.
    #[serde(default)]
    pub agent_findings: Vec<(String, u64)>,
    /// Conversation-level figures over every recorded conversation.
    #[serde(default)]
    pub conversations: ConversationMetrics,
    /// The same per local day (`YYYY-MM-DD`), oldest first.
    #[serde(default)]
    pub conversations_by_day: Vec<(String, ConversationMetrics)>,
    /// The same per customer segment (`""`: not known), by name.
    #[serde(default)]
    pub conversations_by_segment: Vec<(String, ConversationMetrics)>,
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
                    let complaint = h.reasons.iter().any(HandoffReason::is_complaint);
                    if complaint {
                        let topic = intent.clone().unwrap_or_else(|| "unknown".into());
                        *self.complaint_topics.entry(topic).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }

    /// Counts what `Session::agent_message` or `agent_finished` found.
    pub fn record_agent_findings(&mut self, findings: &[AgentFinding]) {
        for f in findings {
            *self.agent_findings.entry(f.code().to_string()).or_default() += 1;
        }
    }

    /// Counts one conversation when it ends ([`crate::Session::outcome`]), on the
    /// customer's local day of `ended`. `customer` is the host's id of the customer, for
    /// first-contact resolution (`None` when unknown): kept only as a hash, but pass an id
    /// that is no personal data itself (an account id, not a phone number).
    pub fn record_conversation(&mut self, outcome: &ConversationOutcome, ended: ReferenceTime, customer: Option<&str>) {
        let day = ended.local_day();
        let segment = outcome.segment.clone().unwrap_or_default();
        let counts = self.conversations.entry(format_day(day)).or_default().entry(segment.clone()).or_default();
        counts.conversations += 1;
        counts.handed_off += u64::from(outcome.handed_off);
        counts.with_fallback += u64::from(outcome.fallbacks > 0);
        counts.with_clarification += u64::from(outcome.clarifications > 0);
        for r in &outcome.handoff_reasons {
            *counts.handoff_reasons.entry(r.code().to_string()).or_default() += 1;
        }
        if let Some(route) = &outcome.route {
            *counts.handoff_routes.entry(route.clone()).or_default() += 1;
        }
        counts.surveys_asked += u64::from(outcome.survey_asked);
        if let Some(score) = outcome.survey_score.filter(|s| (1..=5).contains(s)) {
            counts.scores[usize::from(score) - 1] += 1;
        }
        if let Some(customer) = customer {
            let contact = Contact { day, segment, needs: outcome.needs.clone() };
            self.contacts.entry(fnv1a(customer.as_bytes())).or_default().push(contact);
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
            (&mut self.agent_findings, &other.agent_findings),
        ] {
            add_counts(mine, theirs);
        }
        for (day, segments) in &other.conversations {
            let mine = self.conversations.entry(day.clone()).or_default();
            for (segment, counts) in segments {
                mine.entry(segment.clone()).or_default().add(counts);
            }
        }
        for (customer, contacts) in &other.contacts {
            self.contacts.entry(*customer).or_default().extend(contacts.iter().cloned());
        }
    }

    /// The report over everything recorded so far, first-contact resolution with a return
    /// window of [`DEFAULT_RETURN_WINDOW_DAYS`].
    pub fn report(&self) -> AnalyticsReport {
        self.report_with_window(DEFAULT_RETURN_WINDOW_DAYS)
    }

    /// [`Analytics::report`] with a return window of `days` for first-contact resolution.
    pub fn report_with_window(&self, days: u32) -> AnalyticsReport {
        // (day, segment) → (known customers' conversations with a need, first-contact resolved)
        let mut fcr: BTreeMap<(String, &str), (u64, u64)> = BTreeMap::new();
        for (day, segment, resolved) in self.first_contacts(days) {
            let e = fcr.entry((format_day(day), segment)).or_default();
            e.0 += 1;
            e.1 += u64::from(resolved);
        }
        let metrics = |day: Option<&str>, segment: Option<&str>| {
            let mut counts = ConversationCounts::default();
            for (d, segments) in &self.conversations {
                for (s, c) in segments {
                    if day.map_or(true, |day| day == d) && segment.map_or(true, |seg| seg == s) {
                        counts.add(c);
                    }
                }
            }
            let (n, ok) = fcr
                .iter()
                .filter(|((d, s), _)| day.map_or(true, |day| day == d) && segment.map_or(true, |seg| seg == *s))
                .fold((0, 0), |(n, ok), (_, (m, r))| (n + m, ok + r));
            conversation_metrics(&counts, (n > 0).then(|| ok as f64 / n as f64))
        };
        let days: Vec<&String> = self.conversations.keys().collect();
        let mut segments: Vec<&String> = self.conversations.values().flat_map(|s| s.keys()).collect();
        segments.sort_unstable();
        segments.dedup();
        let mut report = self.turn_report();
        report.agent_findings = ranked(&self.agent_findings, usize::MAX);
        report.conversations = metrics(None, None);
        report.conversations_by_day = days.into_iter().map(|d| (d.clone(), metrics(Some(d), None))).collect();
        report.conversations_by_segment = segments.into_iter().map(|s| (s.clone(), metrics(None, Some(s)))).collect();
        report
    }

    /// Each known customer's conversation with a need: its day, its segment, and whether
    /// the customer did not come back on one of its needs within `window` days.
    fn first_contacts(&self, window: u32) -> Vec<(i64, &str, bool)> {
        let mut out = Vec::new();
        for contacts in self.contacts.values() {
            let mut sorted: Vec<&Contact> = contacts.iter().collect();
            sorted.sort_by_key(|c| c.day);
            for (i, c) in sorted.iter().enumerate().filter(|(_, c)| !c.needs.is_empty()) {
                let returned = sorted[i + 1..]
                    .iter()
                    .take_while(|later| later.day - c.day <= i64::from(window))
                    .any(|later| later.needs.iter().any(|n| c.needs.contains(n)));
                out.push((c.day, c.segment.as_str(), !returned));
            }
        }
        out
    }

    fn turn_report(&self) -> AnalyticsReport {
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
            agent_findings: Vec::new(),
            conversations: ConversationMetrics::default(),
            conversations_by_day: Vec::new(),
            conversations_by_segment: Vec::new(),
        }
    }
}

fn conversation_metrics(c: &ConversationCounts, first_contact_resolution: Option<f64>) -> ConversationMetrics {
    let share = |n: u64| if c.conversations == 0 { 0.0 } else { n as f64 / c.conversations as f64 };
    let answered: u64 = c.scores.iter().sum();
    let total: u64 = c.scores.iter().enumerate().map(|(i, n)| (i as u64 + 1) * n).sum();
    ConversationMetrics {
        conversations: c.conversations,
        containment_rate: if c.conversations == 0 { 0.0 } else { 1.0 - share(c.handed_off) },
        handoff_rate: share(c.handed_off),
        handoffs_by_reason: ranked(&c.handoff_reasons, usize::MAX),
        handoffs_by_route: ranked(&c.handoff_routes, usize::MAX),
        fallback_rate: share(c.with_fallback),
        clarification_rate: share(c.with_clarification),
        first_contact_resolution,
        surveys_asked: c.surveys_asked,
        surveys_answered: answered,
        satisfaction: (answered > 0).then(|| total as f64 / answered as f64),
        csat: (answered > 0).then(|| (c.scores[3] + c.scores[4]) as f64 / answered as f64),
        scores: c.scores,
    }
}

fn add_counts(mine: &mut BTreeMap<String, u64>, theirs: &BTreeMap<String, u64>) {
    for (k, v) in theirs {
        *mine.entry(k.clone()).or_default() += v;
    }
}

/// FNV-1a, 64 bits: customers' ids are kept only as this hash.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Most frequent first; ties by name, so reports are stable.
fn ranked(counts: &BTreeMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
    v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}
