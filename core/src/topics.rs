//! Complaint and hot-question TOP-N by cause: logged lines grouped by what they are about
//! ([`crate::group`]), each group with a readable label, its count and a few masked
//! examples — what contact centres read each week.

use serde::{Deserialize, Serialize};

use crate::grouping::group;
use crate::handoff::HandoffReason;
use crate::mining::{embed_for_grouping, TurnLog, TurnOutcome, MAX_MINED_LINES};
use crate::Bot;

/// Examples a topic shows.
const TOPIC_EXAMPLES: usize = 3;

/// Which lines to rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicKind {
    /// Complaints: lines that handed off as a sensitive matter, an upset or abusive
    /// customer or a legal threat.
    Complaints,
    /// Questions the bot answered (intents, FAQ entries, documents): what customers ask most.
    Questions,
}

/// One cause and how often it came up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Topic {
    /// Its most telling terms.
    pub label: String,
    /// Lines about it.
    pub count: usize,
    /// A few of them (masked, distinct), the most typical first.
    pub examples: Vec<String>,
}

/// The `n` most frequent causes among the logged lines of `kind`, most frequent first.
pub fn top_topics(bot: &Bot, logs: &[TurnLog], kind: TopicKind, n: usize) -> Vec<Topic> {
    let texts: Vec<&str> = logs
        .iter()
        .filter(|l| match kind {
            TopicKind::Complaints => l.handoff_reasons.iter().any(HandoffReason::is_complaint),
            TopicKind::Questions => {
                matches!(l.outcome, TurnOutcome::Answered | TurnOutcome::Faq | TurnOutcome::Knowledge)
            }
        })
        .map(|l| l.text.as_str())
        .collect();
    // The latest lines, at most as many as mining reads: grouping is quadratic.
    let texts = texts[texts.len().saturating_sub(MAX_MINED_LINES)..].to_vec();
    let (embeddings, threshold) = embed_for_grouping(bot, &texts);
    group(&texts, embeddings.as_deref(), threshold)
        .into_iter()
        .take(n)
        .map(|g| {
            let mut examples: Vec<String> = Vec::new();
            for &i in &g.members {
                if examples.len() < TOPIC_EXAMPLES && !examples.iter().any(|e| e == texts[i]) {
                    examples.push(texts[i].to_string());
                }
            }
            Topic { label: g.label, count: g.members.len(), examples }
        })
        .collect()
}
