//! Suggested replies while an agent has the conversation: for each customer line, the
//! three answers most likely to fit — the bot's FAQ answers and intent responses (the
//! session's slots filled in) by the model's ranking of the line, and the bot file's canned
//! `agent_replies` by how much of one of their `when` lines the customer's line shares —
//! as data for the agent's console.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bot::{render, Bot, FAQ_PREFIX};
use crate::intent::{ngram_set, IntentCandidate};
use crate::text::Language;

/// How many suggestions a line gets at most.
const SUGGESTIONS: usize = 3;
/// A candidate below this score (model confidence, or n-gram overlap with a `when` line) is
/// not worth an agent's glance. Chosen on the development part of
/// `examples/bots/shop.agent-lines.yaml` (an acceptable reply in the top three at 0.05 / 0.1
/// / 0.15 / 0.2: 98 / 92 / 88 / 84 %): the model's confidences on the embedded tier are low.
const LEAST_SCORE: f32 = 0.05;

/// Where a suggestion comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionSource {
    /// A FAQ entry's answer.
    Faq,
    /// An intent's response, with the session's slots filled in.
    Intent,
    /// A canned reply from the bot file's `agent_replies`.
    AgentReply,
}

impl SuggestionSource {
    /// Stable snake_case name: `faq`, `intent` or `agent_reply`.
    pub fn code(self) -> &'static str {
        match self {
            SuggestionSource::Faq => "faq",
            SuggestionSource::Intent => "intent",
            SuggestionSource::AgentReply => "agent_reply",
        }
    }
}

/// A reply the agent may send as it is or edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The reply, in the customer's language.
    pub text: String,
    /// Where it comes from.
    pub source: SuggestionSource,
    /// The FAQ entry, intent or agent reply it is (`faq/returns`, `refund`, `apology`): what
    /// the host reports back when the agent uses it.
    pub id: String,
    /// How well it fits the line, 0 … 1 (model confidence or n-gram overlap).
    pub score: f32,
}

fn overlap(a: &[u64], b: &[u64]) -> f32 {
    let shared = a.iter().filter(|g| b.binary_search(g).is_ok()).count();
    shared as f32 / ((a.len() * b.len()) as f32).sqrt().max(1.0)
}

/// The suggestions for a customer line (`text` normalised, `ranked` the model's ranking).
pub(crate) fn suggest(
    bot: &Bot,
    ranked: &[IntentCandidate],
    text: &str,
    lang: Language,
    slots: &BTreeMap<String, String>,
) -> Vec<Suggestion> {
    let mut all: Vec<Suggestion> = Vec::new();
    for c in ranked.iter().filter(|c| c.confidence >= LEAST_SCORE) {
        let (answer, source) = match c.name.strip_prefix(FAQ_PREFIX) {
            Some(id) => (bot.spec.faq.get(id).map(|f| &f.answer), SuggestionSource::Faq),
            None => {
                let spec = bot.spec.intents.get(&c.name).filter(|i| !i.handoff);
                (spec.and_then(|i| i.response.as_ref()), SuggestionSource::Intent)
            }
        };
        if let Some(answer) = answer {
            all.push(Suggestion {
                text: render(answer, lang, 0, slots),
                source,
                id: c.name.clone(),
                score: c.confidence,
            });
        }
    }
    let line = ngram_set(text);
    for (id, whens) in &bot.agent_reply_ngrams {
        let score = whens.iter().map(|w| overlap(&line, w)).fold(0.0f32, f32::max);
        let Some(reply) = bot.spec.agent_replies.get(id) else { continue };
        if score >= LEAST_SCORE {
            all.push(Suggestion {
                text: render(&reply.text, lang, 0, slots),
                source: SuggestionSource::AgentReply,
                id: id.clone(),
                score,
            });
        }
    }
    all.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let mut out: Vec<Suggestion> = Vec::with_capacity(SUGGESTIONS);
    for s in all {
        if out.len() < SUGGESTIONS && !s.text.is_empty() && !out.iter().any(|o| o.text == s.text) {
            out.push(s);
        }
    }
    out
}
