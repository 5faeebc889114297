//! Suggested replies while an agent has the conversation: for each customer line, the
//! three answers most likely to fit — the bot's FAQ answers and intent responses (the
//! session's slots filled in) by the model's ranking of the line, and the bot file's canned
//! `agent_replies` by how much of one of their `when` lines the customer's line shares —
//! as data for the agent's console.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::bot::{render, Bot, FAQ_PREFIX};
use crate::botfile::schema::{BotFile, Localized};
use crate::intent::{ngram_set, IntentCandidate};
use crate::knowledge::bm25::Bm25;
use crate::text::Language;

/// How many suggestions a line gets at most.
const SUGGESTIONS: usize = 3;
/// A candidate below this score (model confidence, or n-gram overlap with a `when` line) is
/// not worth an agent's glance. Chosen on the development part of
/// `examples/bots/shop.agent-lines.yaml` (an acceptable reply in the top three at 0.05 / 0.1
/// / 0.15 / 0.2: 98 / 92 / 88 / 84 %): the model's confidences on the embedded tier are low.
const LEAST_SCORE: f32 = 0.05;
/// How much a reply's share of the line's terms adds to the model's confidence in it, on
/// the embedded tier. Chosen on the development parts (`dev`, `dev2`) of the agent-lines
/// set, an acceptable reply in the top three: without the search 98 / 65 %; at 0.25, 0.5,
/// 1 and 2: 100 / 81, 96 / 81, 96 / 80, 96 / 79 %.
const TERM_WEIGHT: f32 = 0.25;

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
    /// How well it fits the line (model confidence, with the line's share of the reply's
    /// terms on the embedded tier, or n-gram overlap with an agent reply's `when` lines).
    pub score: f32,
}

/// The FAQ answers and intent responses an agent can be offered; on the embedded tier
/// also each as one document of the ways customers ask for it and the reply itself, for a
/// term search of the customer's line beside the model's ranking, whose n-grams know
/// nothing of a paraphrase's words (the encoder tiers' models do, and need no search).
#[derive(Debug, Default)]
pub(crate) struct SuggestionIndex {
    /// The documents, on the embedded tier.
    docs: Option<Bm25>,
    /// Per reply: where it comes from and its id.
    replies: Vec<(SuggestionSource, String)>,
    /// Each reply's place in `replies` by id, for the model's ranked candidates.
    by_id: HashMap<String, usize>,
}

impl SuggestionIndex {
    /// `examples`: the model's training texts with their labels (intents, `faq/<id>`);
    /// `searched`: whether to index them (the embedded tier).
    pub(crate) fn build(spec: &BotFile, examples: &[(String, String)], searched: bool) -> SuggestionIndex {
        let mut asked: HashMap<&str, Vec<&str>> = HashMap::new();
        for (text, label) in examples.iter().filter(|_| searched) {
            asked.entry(label.as_str()).or_default().push(text.as_str());
        }
        let (mut docs, mut replies) = (Vec::new(), Vec::new());
        let mut add = |source, id: String, reply: &Localized| {
            if searched {
                let texts = asked.get(id.as_str()).into_iter().flatten().copied();
                docs.push(texts.chain(reply.texts().into_iter().map(|(_, text)| text)).collect::<Vec<_>>().join("\n"));
            }
            replies.push((source, id));
        };
        for (id, faq) in &spec.faq {
            add(SuggestionSource::Faq, format!("{FAQ_PREFIX}{id}"), &faq.answer);
        }
        for (name, intent) in spec.intents.iter().filter(|(_, i)| !i.handoff) {
            if let Some(response) = &intent.response {
                add(SuggestionSource::Intent, name.clone(), response);
            }
        }
        let docs = searched.then(|| Bm25::build(docs.iter().map(String::as_str)));
        let by_id = replies.iter().enumerate().map(|(i, (_, id))| (id.clone(), i)).collect();
        SuggestionIndex { docs, replies, by_id }
    }

    /// Each reply that holds some of the line's terms, with the share (weighted by idf) of
    /// them it holds, 0 … 1; none without documents.
    fn term_shares(&self, text: &str) -> Vec<(usize, f32)> {
        let Some(docs) = &self.docs else { return Vec::new() };
        let query = docs.query(text);
        let mass = query.mass().max(f32::EPSILON);
        let matched = docs.score(&query).1.into_iter().enumerate().filter(|&(_, m)| m > 0.0);
        matched.map(|(i, m)| (i, m / mass)).collect()
    }
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
    // The replies the model ranks or the line's terms reach, by their place in the index
    // (an agent's line never walks every reply of a big bot).
    let index = &bot.suggestion_index;
    let mut scores: BTreeMap<usize, f32> = BTreeMap::new();
    for c in ranked {
        if let Some(&i) = index.by_id.get(&c.name) {
            *scores.entry(i).or_default() += c.confidence;
        }
    }
    for (i, share) in index.term_shares(text) {
        *scores.entry(i).or_default() += TERM_WEIGHT * share;
    }
    let mut all: Vec<Suggestion> = Vec::new();
    for (i, score) in scores.into_iter().filter(|&(_, score)| score >= LEAST_SCORE) {
        let (source, id) = &index.replies[i];
        let reply = match source {
            SuggestionSource::Faq => id.strip_prefix(FAQ_PREFIX).and_then(|f| bot.spec.faq.get(f)).map(|f| &f.answer),
            _ => bot.spec.intents.get(id).and_then(|i| i.response.as_ref()),
        };
        if let Some(reply) = reply {
            all.push(Suggestion { text: render(reply, lang, 0, slots), source: *source, id: id.clone(), score });
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

#[cfg(test)]
mod tests {
    use crate::{Bot, DialogueState, Session};

    const BOT: &str = r#"
version: 1
name: t
languages: [zh, en]
intents:
  human_agent: { examples: [转人工, 找客服, talk to a person, human please], handoff: true }
  order_status:
    examples: [我的订单到哪了, 查物流, 快递怎么还没到, where is my order, track my parcel]
    response: { zh: 正在为您查询物流。, en: Looking up your delivery. }
faq:
  restock:
    questions: [什么时候补货, 缺货了还会有吗, when will it be back in stock]
    answer: { zh: 缺货商品可点击“到货通知”，补货后短信提醒您。, en: Tap "Notify me" and we will text you when it is back. }
  hotline:
    questions: [客服电话多少, what is your phone number]
    answer: { zh: 客服热线 400-800-1234。, en: Call our hotline at 400-800-1234. }
"#;

    /// On the embedded tier the model's n-grams know only the questions; a line in the
    /// words of the answer ("提醒", "notify") still finds it through the term search.
    #[test]
    fn a_line_in_the_answers_words_finds_the_answer() {
        let bot = Bot::from_yaml("t.yaml", BOT).unwrap();
        for (line, want) in [("有货了能提醒我一下吗", "faq/restock"), ("can you notify me", "faq/restock")] {
            let mut session = Session::new(&bot);
            session.turn(&bot, "转人工").unwrap();
            assert_eq!(session.state(), &DialogueState::WithAgent);
            let turn = session.turn(&bot, line).unwrap();
            let ids: Vec<&str> = turn.suggestions.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids.first(), Some(&want), "{line}: {:?}", turn.suggestions);
        }
    }
}
