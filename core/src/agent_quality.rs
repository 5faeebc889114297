//! Quality checks on what a human agent writes (`Session::agent_message`): abuse and
//! personal data by the same detectors as the customer's lines, the bot file's forbidden
//! phrases, a greeting in the agent's first line and a closing in the last, and replies
//! slower than the bot file allows when the host passes times. Findings are signals for a
//! supervisor; the line itself is always recorded (masked).

use serde::{Deserialize, Serialize};

use crate::botfile::schema::AgentQualitySpec;
use crate::text::{has_phrase, normalize, words};

/// Greetings an agent's first line holds one of (besides the bot file's own).
const GREETINGS: &[&str] = &[
    "您好",
    "你好",
    "欢迎",
    "很高兴为您服务",
    "有什么可以帮",
    "hello",
    "hi",
    "hey",
    "good morning",
    "good afternoon",
    "good evening",
    "welcome",
    "thanks for contacting",
    "thank you for contacting",
    "thanks for waiting",
    "thank you for waiting",
    "how can i help",
    "how may i help",
];

/// Closings an agent's last line holds one of (besides the bot file's own).
const CLOSINGS: &[&str] = &[
    "再见",
    "拜拜",
    "祝您",
    "还有什么",
    "还有其他",
    "还有别的",
    "感谢您的",
    "谢谢您的",
    "随时联系",
    "随时找我",
    "bye",
    "goodbye",
    "anything else",
    "have a nice day",
    "have a great day",
    "have a good day",
    "thanks for contacting",
    "thank you for contacting",
    "take care",
];

/// One thing a supervisor should see about an agent's line or session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgentFinding {
    /// Abusive language (masked in the transcript).
    Abuse,
    /// A phrase of the bot file's `agent_quality.forbidden`.
    ForbiddenPhrase {
        /// The phrase as the bot file writes it.
        phrase: String,
    },
    /// Personal data typed by the agent (masked in the transcript).
    PersonalData {
        /// The kinds found (`phone`, `id_card`, `bank_card`, `email`, …).
        kinds: Vec<String>,
    },
    /// The agent's first line holds no greeting.
    MissingGreeting,
    /// The agent finished without a closing in their last line.
    MissingClosing,
    /// The customer waited longer for this line than `agent_quality.reply_within_seconds`.
    SlowReply {
        /// How long the customer waited, in seconds.
        waited_seconds: u64,
    },
}

impl AgentFinding {
    /// Stable snake_case code: `abuse`, `forbidden_phrase`, `personal_data`,
    /// `missing_greeting`, `missing_closing` or `slow_reply`.
    pub fn code(&self) -> &'static str {
        match self {
            AgentFinding::Abuse => "abuse",
            AgentFinding::ForbiddenPhrase { .. } => "forbidden_phrase",
            AgentFinding::PersonalData { .. } => "personal_data",
            AgentFinding::MissingGreeting => "missing_greeting",
            AgentFinding::MissingClosing => "missing_closing",
            AgentFinding::SlowReply { .. } => "slow_reply",
        }
    }
}

/// What `agent_message` found in one agent line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgentReview {
    /// The line as the transcript keeps it: personal data and abuse masked.
    pub masked: String,
    /// What a supervisor should see, in the order checked; empty for a good line.
    pub findings: Vec<AgentFinding>,
}

/// What the checks remember over one agent session (saved with the session).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct AgentWatch {
    /// Lines the agent has written in this agent session.
    pub lines: u32,
    /// Whether the agent's latest line holds a closing.
    pub closed: bool,
    /// When the customer's oldest line the agent has not yet answered came (Unix seconds),
    /// if the host passed times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<i64>,
}

/// Whether normalised `text` (with its `words`) holds `phrase`: whole words for Latin
/// phrases, a substring for CJK ones.
fn holds(text: &str, text_words: &[&str], phrase: &str) -> bool {
    let phrase = normalize(phrase).text;
    if phrase.is_empty() {
        return false;
    }
    if phrase.is_ascii() {
        has_phrase(text_words, &words(&phrase).join(" "))
    } else {
        text.contains(phrase.as_str())
    }
}

/// The checks of one agent line that depend on its text alone and the session so far;
/// `personal` are the kinds of personal data found in it, `now` the host's time.
pub(crate) fn review_line(
    spec: &AgentQualitySpec,
    watch: &mut AgentWatch,
    raw: &str,
    personal: Vec<String>,
    now: Option<i64>,
) -> Vec<AgentFinding> {
    let normalized = normalize(raw);
    let text = normalized.text.as_str();
    let text_words = words(text);
    let mut findings = Vec::new();
    if crate::abuse::count(&normalized, raw) > 0 {
        findings.push(AgentFinding::Abuse);
    }
    for phrase in &spec.forbidden {
        if holds(text, &text_words, phrase) {
            findings.push(AgentFinding::ForbiddenPhrase { phrase: phrase.clone() });
        }
    }
    if !personal.is_empty() {
        findings.push(AgentFinding::PersonalData { kinds: personal });
    }
    let any = |builtin: &[&str], own: &[String]| {
        builtin.iter().any(|p| holds(text, &text_words, p)) || own.iter().any(|p| holds(text, &text_words, p))
    };
    if watch.lines == 0 && spec.check_greeting && !any(GREETINGS, &spec.greetings) {
        findings.push(AgentFinding::MissingGreeting);
    }
    if let (Some(now), Some(since)) = (now, watch.waiting_since) {
        let waited = now.saturating_sub(since).max(0) as u64;
        if spec.reply_within_seconds > 0 && waited > u64::from(spec.reply_within_seconds) {
            findings.push(AgentFinding::SlowReply { waited_seconds: waited });
        }
    }
    watch.lines = watch.lines.saturating_add(1);
    watch.closed = any(CLOSINGS, &spec.closings);
    watch.waiting_since = None;
    findings
}

/// The check when the agent finishes: a closing in their last line.
pub(crate) fn review_finish(spec: &AgentQualitySpec, watch: &AgentWatch) -> Vec<AgentFinding> {
    if spec.check_closing && watch.lines > 0 && !watch.closed {
        vec![AgentFinding::MissingClosing]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(spec: &AgentQualitySpec, watch: &mut AgentWatch, line: &str) -> Vec<&'static str> {
        review_line(spec, watch, line, Vec::new(), None).iter().map(AgentFinding::code).collect()
    }

    #[test]
    fn greeting_closing_and_forbidden_phrases() {
        let spec = AgentQualitySpec {
            forbidden: vec!["不归我们管".into(), "Not my problem".into()],
            ..AgentQualitySpec::default()
        };
        let mut watch = AgentWatch::default();
        assert_eq!(review(&spec, &mut watch, "这个不归我们管"), ["forbidden_phrase", "missing_greeting"]);
        assert_eq!(review(&spec, &mut watch, "that's NOT my problem!"), ["forbidden_phrase"]);
        assert!(review(&spec, &mut watch, "nothing problematic here").is_empty(), "whole words");
        assert_eq!(review_finish(&spec, &watch), [AgentFinding::MissingClosing]);
        assert!(review(&spec, &mut watch, "还有其他问题吗？").is_empty());
        assert!(review_finish(&spec, &watch).is_empty());

        let mut polite = AgentWatch::default();
        assert!(review(&spec, &mut polite, "Hi, I'm Li from support").is_empty());
        assert!(review(&spec, &mut AgentWatch::default(), "您好，我是客服小李").is_empty());
        assert_eq!(review(&spec, &mut AgentWatch::default(), "this is Li"), ["missing_greeting"]);
        assert!(review_finish(&spec, &AgentWatch::default()).is_empty(), "no line, nothing to close");

        let quiet = AgentQualitySpec { check_greeting: false, check_closing: false, ..spec };
        let mut watch = AgentWatch::default();
        assert!(review(&quiet, &mut watch, "this is Li").is_empty());
        assert!(review_finish(&quiet, &watch).is_empty());
    }

    #[test]
    fn slow_replies_need_the_hosts_times() {
        let spec = AgentQualitySpec::default();
        let mut watch = AgentWatch { lines: 1, closed: false, waiting_since: Some(1_000) };
        let late = review_line(&spec, &mut watch, "好的", Vec::new(), Some(1_090));
        assert_eq!(late, [AgentFinding::SlowReply { waited_seconds: 90 }]);
        assert_eq!(watch.waiting_since, None, "answered");
        let mut watch = AgentWatch { lines: 1, closed: false, waiting_since: Some(1_000) };
        assert!(review_line(&spec, &mut watch, "好的", Vec::new(), Some(1_060)).is_empty(), "within the limit");
        let mut watch = AgentWatch { lines: 1, closed: false, waiting_since: Some(1_000) };
        assert!(review_line(&spec, &mut watch, "好的", Vec::new(), None).is_empty(), "no time, no check");
    }

    #[test]
    fn abuse_is_found_as_for_customers() {
        let spec = AgentQualitySpec::default();
        let mut watch = AgentWatch { lines: 1, ..AgentWatch::default() };
        assert_eq!(review(&spec, &mut watch, "你是不是傻 逼"), ["abuse"]);
        assert!(review(&spec, &mut watch, "请您操作一下").is_empty());
    }
}
