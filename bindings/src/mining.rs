//! Knowledge-gap mining and TOP-N for hosts that keep their turn logs: mirror types of the
//! core's `TurnLog`, `Mining` and `Topic`, and the `Bot` methods that read logs.

use crate::kinds::HandoffReason;
use crate::turn::IntentCandidate;
use crate::{Bot, KefuError};

/// One turn as logged for mining (`Session.lastTurnLog()`): the customer's line masked.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TurnLog {
    /// The customer's line, personal data and abuse masked.
    pub text: String,
    /// `zh` or `en`.
    pub language: String,
    /// The intent taken, if any.
    pub intent: Option<String>,
    /// The model's best guesses, best first.
    pub ranking: Vec<IntentCandidate>,
    /// `answered`, `faq`, `knowledge`, `fallback`, `clarified`, `handed_off` or `with_agent`.
    pub outcome: String,
    /// The handoff's reasons, when it handed off.
    pub handoff_reasons: Vec<HandoffReason>,
}

impl From<kefu_core::TurnLog> for TurnLog {
    fn from(l: kefu_core::TurnLog) -> TurnLog {
        TurnLog {
            text: l.text,
            language: l.language,
            intent: l.intent,
            ranking: l
                .ranking
                .into_iter()
                .map(|c| IntentCandidate { name: c.name, confidence: c.confidence })
                .collect(),
            outcome: l.outcome.code().to_string(),
            handoff_reasons: l.handoff_reasons.iter().map(HandoffReason::from).collect(),
        }
    }
}

impl TryFrom<TurnLog> for kefu_core::TurnLog {
    type Error = KefuError;

    fn try_from(l: TurnLog) -> Result<kefu_core::TurnLog, KefuError> {
        let outcome = kefu_core::TurnOutcome::from_code(&l.outcome).ok_or_else(|| KefuError::InvalidInput {
            reason: format!(
                "a TurnLog's outcome {:?} is none of answered, faq, knowledge, fallback, clarified, handed_off, with_agent",
                l.outcome
            ),
        })?;
        let ranking = l
            .ranking
            .into_iter()
            .map(|c| kefu_core::IntentCandidate { name: c.name, confidence: c.confidence })
            .collect();
        let reasons = l.handoff_reasons.into_iter().map(Into::into).collect();
        Ok(kefu_core::TurnLog::new(l.text, l.language, l.intent, ranking, outcome, reasons))
    }
}

/// A candidate new intent or FAQ entry.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Candidate {
    /// A name for the bot file.
    pub name: String,
    /// What its lines are about.
    pub label: String,
    /// `faq` or `intent`.
    pub kind: String,
    /// Logged lines it covers.
    pub lines: u64,
    /// The lines (masked, distinct), most typical first.
    pub examples: Vec<String>,
}

/// What mining found.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Mining {
    /// Unanswered lines read.
    pub unanswered: u64,
    /// Older unanswered lines left out (one mining reads at most the latest 20,000).
    pub skipped: u64,
    /// Candidates, largest first.
    pub candidates: Vec<Candidate>,
    /// The candidates as a bot file to edit (YAML).
    pub bot_file: String,
}

/// One cause of the TOP-N and how often it came up.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Topic {
    /// Its most telling terms.
    pub label: String,
    /// Lines about it.
    pub count: u64,
    /// A few of them (masked).
    pub examples: Vec<String>,
}

/// Which lines a TOP-N ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TopicKind {
    /// Lines that handed off as complaints.
    Complaints,
    /// Questions the bot answered.
    Questions,
}

fn core_logs(logs: Vec<TurnLog>) -> Result<Vec<kefu_core::TurnLog>, KefuError> {
    logs.into_iter().map(TryInto::try_into).collect()
}

#[uniffi::export]
impl Bot {
    /// Groups the logged lines this bot failed on into candidate intents and FAQ entries.
    pub fn mine(&self, logs: Vec<TurnLog>) -> Result<Mining, KefuError> {
        let mining = kefu_core::mine(&self.inner, &core_logs(logs)?);
        Ok(Mining {
            unanswered: mining.unanswered as u64,
            skipped: mining.skipped as u64,
            bot_file: mining.to_bot_file(),
            candidates: mining
                .candidates
                .into_iter()
                .map(|c| Candidate {
                    name: c.name,
                    label: c.label,
                    kind: if c.kind == kefu_core::CandidateKind::Faq { "faq" } else { "intent" }.into(),
                    lines: c.lines as u64,
                    examples: c.examples,
                })
                .collect(),
        })
    }

    /// The `n` most frequent complaint causes or questions among the logged lines.
    pub fn top_topics(&self, logs: Vec<TurnLog>, kind: TopicKind, n: u32) -> Result<Vec<Topic>, KefuError> {
        let kind = match kind {
            TopicKind::Complaints => kefu_core::TopicKind::Complaints,
            TopicKind::Questions => kefu_core::TopicKind::Questions,
        };
        Ok(kefu_core::top_topics(&self.inner, &core_logs(logs)?, kind, n as usize)
            .into_iter()
            .map(|t| Topic { label: t.label, count: t.count as u64, examples: t.examples })
            .collect())
    }
}
