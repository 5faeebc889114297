//! Knowledge-gap mining: the turns the bot could not answer (fallbacks, clarification
//! questions, handoffs after too many of them) grouped by what they ask, as candidate new
//! intents and FAQ entries an author edits — written as a bot file that `kefu validate`
//! accepts. A turn is logged as [`TurnLog`] (masked text, the model's ranking, what came
//! of it): nothing unmasked is ever logged, and nothing leaves the device unless the host
//! sends it.

use serde::{Deserialize, Serialize};

use crate::grouping::{group, Group};
use crate::handoff::HandoffReason;
use crate::intent::IntentCandidate;
use crate::session::Session;
use crate::turn::{Signal, Turn};
use crate::Bot;

/// Similarity to a group's centre that joins it, per kind of vectors (chosen on the
/// development part of the mining protocol, `kefu eval --mining`).
pub const MINING_THRESHOLD_LEXICAL: f32 = 0.2;
/// The same with the encoder's embeddings averaged in.
pub const MINING_THRESHOLD_ENCODER: f32 = 0.5;
/// A group needs this many lines to be a candidate.
pub const MIN_CANDIDATE_LINES: usize = 3;
/// The grouping threshold for lines with (encoder tiers) or without embeddings.
pub fn grouping_threshold(with_embeddings: bool) -> f32 {
    if with_embeddings {
        MINING_THRESHOLD_ENCODER
    } else {
        MINING_THRESHOLD_LEXICAL
    }
}

/// The bot's embeddings of `texts` (`None` on the embedded tier) and the threshold that
/// goes with them.
pub(crate) fn embed_for_grouping(bot: &Bot, texts: &[&str]) -> (Option<Vec<Vec<f32>>>, f32) {
    let embeddings: Option<Vec<Vec<f32>>> = texts.iter().map(|t| bot.embed(t)).collect();
    let threshold = grouping_threshold(embeddings.is_some());
    (embeddings, threshold)
}

/// Most unanswered lines one mining reads (the latest): grouping is quadratic in them.
pub const MAX_MINED_LINES: usize = 20_000;
/// Examples a candidate keeps (the closest to its centre).
const MAX_EXAMPLES: usize = 20;

/// What came of a turn, for mining and operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TurnOutcome {
    /// An intent answered or a form went on.
    Answered,
    /// An FAQ entry answered.
    Faq,
    /// The bot quoted its documents.
    Knowledge,
    /// The bot did not understand.
    Fallback,
    /// The bot asked which intent was meant.
    Clarified,
    /// The turn handed off.
    HandedOff,
    /// An agent had the conversation.
    WithAgent,
}

impl TurnOutcome {
    /// Stable snake_case code: `answered`, `faq`, `knowledge`, `fallback`, `clarified`,
    /// `handed_off` or `with_agent`.
    pub fn code(self) -> &'static str {
        match self {
            TurnOutcome::Answered => "answered",
            TurnOutcome::Faq => "faq",
            TurnOutcome::Knowledge => "knowledge",
            TurnOutcome::Fallback => "fallback",
            TurnOutcome::Clarified => "clarified",
            TurnOutcome::HandedOff => "handed_off",
            TurnOutcome::WithAgent => "with_agent",
        }
    }

    /// The outcome of a [`TurnOutcome::code`].
    pub fn from_code(code: &str) -> Option<TurnOutcome> {
        [
            TurnOutcome::Answered,
            TurnOutcome::Faq,
            TurnOutcome::Knowledge,
            TurnOutcome::Fallback,
            TurnOutcome::Clarified,
            TurnOutcome::HandedOff,
            TurnOutcome::WithAgent,
        ]
        .into_iter()
        .find(|o| o.code() == code)
    }
}

/// One turn as a host logs it for mining (a JSON line): the customer's line masked as the
/// transcript has it, its language, the model's ranking and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TurnLog {
    /// The customer's line, personal data and abuse masked.
    pub text: String,
    /// `zh` or `en`.
    pub language: String,
    /// The intent taken, if any.
    #[serde(default)]
    pub intent: Option<String>,
    /// The model's best guesses, best first.
    #[serde(default)]
    pub ranking: Vec<IntentCandidate>,
    /// What came of the turn.
    pub outcome: TurnOutcome,
    /// The handoff's reasons, when it handed off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handoff_reasons: Vec<HandoffReason>,
}

impl Session {
    /// The log line of `turn`, the turn this session just took: the customer's line as the
    /// transcript keeps it (masked), never as typed.
    pub fn log_turn(&self, turn: &Turn) -> TurnLog {
        let text = self
            .transcript
            .iter()
            .rev()
            .find(|l| l.speaker == crate::Speaker::Customer)
            .map(|l| l.text.clone())
            .unwrap_or_default();
        let mut outcome = if turn.intent.is_some() { TurnOutcome::Answered } else { TurnOutcome::Fallback };
        let mut handoff_reasons = Vec::new();
        for signal in &turn.signals {
            match signal {
                Signal::Handoff(h) => {
                    outcome = TurnOutcome::HandedOff;
                    handoff_reasons = h.reasons.clone();
                    break;
                }
                Signal::WithAgent => outcome = TurnOutcome::WithAgent,
                Signal::ClarificationRequested { .. } => outcome = TurnOutcome::Clarified,
                Signal::FaqAnswered { .. } => outcome = TurnOutcome::Faq,
                Signal::KnowledgeAnswered { .. } => outcome = TurnOutcome::Knowledge,
                _ => {}
            }
        }
        TurnLog {
            text,
            language: turn.language.code().to_string(),
            intent: turn.intent.as_ref().map(|i| i.name.clone()),
            ranking: turn.alternatives.clone(),
            outcome,
            handoff_reasons,
        }
    }
}

impl TurnLog {
    /// A log line as a host kept it (e.g. read back from its own store).
    pub fn new(
        text: String,
        language: String,
        intent: Option<String>,
        ranking: Vec<IntentCandidate>,
        outcome: TurnOutcome,
        handoff_reasons: Vec<HandoffReason>,
    ) -> TurnLog {
        TurnLog { text, language, intent, ranking, outcome, handoff_reasons }
    }

    /// Whether the bot failed this line: it did not understand it, had to ask, or handed
    /// off because it did not understand (not because the customer asked for a person).
    pub fn unanswered(&self) -> bool {
        match self.outcome {
            TurnOutcome::Fallback | TurnOutcome::Clarified => true,
            TurnOutcome::HandedOff => {
                self.intent.is_none() && self.handoff_reasons.contains(&HandoffReason::FallbackStreak)
            }
            _ => false,
        }
    }
}

/// Whether a candidate reads as questions (an FAQ entry) or requests (an intent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    /// Most lines ask something: an FAQ entry with an answer to write.
    Faq,
    /// Most lines ask the bot to do something: an intent.
    Intent,
}

/// A candidate new intent or FAQ entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Candidate {
    /// A name for the bot file (`mined_发票_开`).
    pub name: String,
    /// What its lines are about: their most telling terms.
    pub label: String,
    /// FAQ entry or intent.
    pub kind: CandidateKind,
    /// How many logged lines it covers.
    pub lines: usize,
    /// The lines themselves (masked, distinct), closest to the group's centre first.
    pub examples: Vec<String>,
    /// Indices of its lines in the mined log.
    pub members: Vec<usize>,
}

/// What mining found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Mining {
    /// Unanswered lines read.
    pub unanswered: usize,
    /// Older unanswered lines left out beyond [`MAX_MINED_LINES`].
    #[serde(default)]
    pub skipped: usize,
    /// Candidates, largest first.
    pub candidates: Vec<Candidate>,
}

/// Question cues: a group whose lines mostly hold one is an FAQ entry.
const QUESTION_CUES: &[&str] = &[
    "?",
    "？",
    "吗",
    "么",
    "呢",
    "怎",
    "如何",
    "多少",
    "多久",
    "几",
    "哪",
    "what",
    "how",
    "when",
    "where",
    "why",
    "which",
    "do you",
    "is there",
    "are there",
    "can i",
    "does",
];

fn is_question(text: &str) -> bool {
    let lower = text.to_lowercase();
    QUESTION_CUES.iter().any(|c| lower.contains(c))
}

/// Groups the unanswered lines of `logs` (the bot's encoder, if it has one, embeds them)
/// into candidates of at least [`MIN_CANDIDATE_LINES`] lines; of more than
/// [`MAX_MINED_LINES`] unanswered lines, the latest.
pub fn mine(bot: &Bot, logs: &[TurnLog]) -> Mining {
    let mut picked: Vec<usize> = (0..logs.len()).filter(|&i| logs[i].unanswered()).collect();
    let skipped = picked.len().saturating_sub(MAX_MINED_LINES);
    picked.drain(..skipped);
    let texts: Vec<&str> = picked.iter().map(|&i| logs[i].text.as_str()).collect();
    let (embeddings, threshold) = embed_for_grouping(bot, &texts);
    let mut mining = mine_with(&texts, embeddings.as_deref(), threshold, &picked);
    mining.skipped = skipped;
    mining
}

/// [`mine`] on lines already picked (`origin`: each line's index in the log), with their
/// embeddings, at `threshold`.
pub fn mine_with(texts: &[&str], embeddings: Option<&[Vec<f32>]>, threshold: f32, origin: &[usize]) -> Mining {
    let groups = group(texts, embeddings, threshold);
    let mut used_names: Vec<String> = Vec::new();
    let candidates = groups
        .into_iter()
        .filter(|g| g.members.len() >= MIN_CANDIDATE_LINES)
        .filter_map(|Group { label, members }| {
            let mut examples: Vec<String> = Vec::new();
            for &i in &members {
                let t = texts[i].trim();
                if !t.is_empty() && !examples.iter().any(|e| e == t) && examples.len() < MAX_EXAMPLES {
                    examples.push(t.to_string());
                }
            }
            let questions = members.iter().filter(|&&i| is_question(texts[i])).count();
            let kind = if questions * 2 >= members.len() { CandidateKind::Faq } else { CandidateKind::Intent };
            // A bot file's intent needs two different examples: the same line logged again
            // and again is one example.
            if examples.len() < 2 {
                return None;
            }
            let name = unique_name(&label, &mut used_names);
            Some(Candidate {
                name,
                label,
                kind,
                lines: members.len(),
                examples,
                members: members.iter().map(|&i| origin.get(i).copied().unwrap_or(i)).collect(),
            })
        })
        .collect();
    Mining { unanswered: texts.len(), skipped: 0, candidates }
}

/// `mined_` and the label's terms as a bot-file name (letters, digits, `_`).
fn unique_name(label: &str, used: &mut Vec<String>) -> String {
    let words: Vec<String> = label
        .split(" / ")
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    let base = format!("mined_{}", if words.is_empty() { "lines".into() } else { words.join("_") });
    let mut name = base.clone();
    let mut k = 2;
    while used.contains(&name) {
        name = format!("{base}_{k}");
        k += 1;
    }
    used.push(name.clone());
    name
}

impl Mining {
    /// The candidates as a bot file (YAML) an author edits and merges: FAQ entries with an
    /// answer to write, intents with a response to write; `kefu validate` accepts it as it
    /// is.
    pub fn to_bot_file(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        let mut out =
            String::from("# Candidates mined from lines the bot could not answer (`kefu mine`): rename them,\n");
        out.push_str("# write the answers, drop what is not worth it, and move them into the bot file.\n");
        out.push_str("version: 1\n");
        for (section, kind) in [("faq", CandidateKind::Faq), ("intents", CandidateKind::Intent)] {
            let mine: Vec<&Candidate> = self.candidates.iter().filter(|c| c.kind == kind).collect();
            if mine.is_empty() {
                continue;
            }
            out.push_str(&format!("{section}:\n"));
            for c in mine {
                out.push_str(&format!("  # {} lines about: {}\n", c.lines, c.label));
                out.push_str(&format!("  {}:\n", c.name));
                let list = if kind == CandidateKind::Faq { "questions" } else { "examples" };
                out.push_str(&format!("    {list}:\n"));
                for e in &c.examples {
                    // Square brackets in an intent's example mark slots (`[value](slot)`): a
                    // customer's own read as round ones.
                    // Control characters, which a bot file may not hold, read as spaces.
                    let e: String = e.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                    let e = if kind == CandidateKind::Intent { e.replace('[', "(").replace(']', ")") } else { e };
                    out.push_str(&format!("      - {}\n", quote(&e)));
                }
                let field = if kind == CandidateKind::Faq { "answer" } else { "response" };
                out.push_str(&format!("    {field}: \"TODO: write the answer\"\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str, outcome: TurnOutcome) -> TurnLog {
        TurnLog {
            text: text.into(),
            language: "zh".into(),
            intent: None,
            ranking: Vec::new(),
            outcome,
            handoff_reasons: Vec::new(),
        }
    }

    #[test]
    fn unanswered_lines_become_candidates_in_a_valid_bot_file() {
        let bot = Bot::from_yaml("t.yaml", "version: 1\nintents:\n  hi:\n    examples: [你好, hello]\n").unwrap();
        let mut logs = vec![
            log("发票怎么开", TurnOutcome::Fallback),
            log("能开发票吗", TurnOutcome::Fallback),
            log("开发票要多久", TurnOutcome::Clarified),
            log("发票怎么开", TurnOutcome::Answered),
            log("帮我预约安装", TurnOutcome::Fallback),
            log("预约上门安装", TurnOutcome::Fallback),
            log("我要预约安装", TurnOutcome::Fallback),
            log("转人工", TurnOutcome::HandedOff),
        ];
        logs[7].handoff_reasons = vec![HandoffReason::ExplicitRequest];
        let mining = mine(&bot, &logs);
        assert_eq!(mining.unanswered, 6, "answered lines and requests for a person are no gaps");
        assert_eq!(mining.candidates.len(), 2, "{mining:#?}");
        let invoice = mining.candidates.iter().find(|c| c.label.contains("发票")).expect("invoice");
        assert_eq!((invoice.kind, invoice.lines), (CandidateKind::Faq, 3));
        let install = mining.candidates.iter().find(|c| c.label.contains("安装")).expect("installation");
        assert_eq!(install.kind, CandidateKind::Intent);
        let yaml = mining.to_bot_file();
        let patch = Bot::from_yaml("mined.yaml", &yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert!(patch.intent_names().any(|n| n.starts_with("mined_")), "{yaml}");
    }

    /// Found by the `mining` fuzz target: what customers type may be no valid example.
    #[test]
    fn brackets_control_characters_and_repeats_still_make_a_valid_bot_file() {
        let bot = Bot::from_yaml("t.yaml", "version: 1\nintents:\n  hi:\n    examples: [你好, hello]\n").unwrap();
        let logs: Vec<TurnLog> = ["预约[安装", "预约安装]\u{0}", "我要预约安装(空调", "同一句", "同一句", "同一句"]
            .iter()
            .map(|t| log(t, TurnOutcome::Fallback))
            .collect();
        let mining = mine(&bot, &logs);
        assert_eq!(mining.candidates.len(), 1, "three identical lines are one example, no candidate: {mining:#?}");
        let yaml = mining.to_bot_file();
        Bot::from_yaml("mined.yaml", &yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    }
}
