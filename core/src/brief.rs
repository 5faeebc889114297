//! The handoff brief: what an agent taking over reads in five seconds — the customer's issue
//! in their own words, what they asked for by readable titles, what the bot already did,
//! the mood and its trend, the reason and priority — as data and as one rendered text in
//! the customer's language. Personal data is masked before anything reaches it.

use serde::{Deserialize, Serialize};

use crate::bot::{Bot, FAQ_PREFIX};
use crate::clarify::title;
use crate::handoff::{BotStep, Handoff, HandoffReason, Priority};
use crate::intent::IntentSource;
use crate::text::Language;
use crate::turn::Turn;

/// How many of the customer's lines are kept as candidates for the issue.
pub(crate) const ISSUE_CANDIDATES: usize = 10;
/// How many lines the brief quotes.
const ISSUE_LINES: usize = 2;
/// A line needs this many letters, digits or CJK characters to state an issue ("嗯", "ok"
/// do not).
const MIN_ISSUE_CHARS: usize = 4;

/// The agent's brief of a handoff.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    /// The customer's issue in their own words: the one or two lines that carry it (the
    /// lines the model read as a need with the most confidence, else the ones it could not
    /// place, the more upset first), masked, in the order said.
    pub issue: Vec<String>,
    /// What the customer asked for, by the intents' and FAQ entries' titles in their
    /// language, oldest first; greetings, thanks and requests for a person are not needs.
    pub needs: Vec<String>,
    /// What the bot already did: answers shown, requests completed or cancelled, lines not
    /// understood.
    pub bot_did: Vec<String>,
    /// The customer's mood in words, with its trend: `calm`, `calm → angry since turn 3`.
    pub mood: String,
}

/// A customer line kept as a candidate for the brief's issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct IssueLine {
    pub(crate) text: String,
    pub(crate) weight: f32,
}

/// How strongly a customer line states the issue, or `None` when it states none: a line the
/// model read as a need weighs 1 + its confidence; one it could not place 0.5, more when
/// the customer was at least dissatisfied (a shade below zero is no mood); greetings,
/// thanks, requests for a person, slot answers and bare values weigh nothing, unless such a
/// line is long enough to say more (0.5).
pub(crate) fn issue_weight(bot: &Bot, turn: &Turn, masked: &str, only_values: bool) -> Option<f32> {
    let substance = masked.chars().filter(|c| c.is_alphanumeric() && *c != '*').count();
    if only_values || substance < MIN_ISSUE_CHARS {
        return None;
    }
    match &turn.intent {
        Some(m) if m.source == IntentSource::Form => None,
        Some(m) if is_need(bot, &m.name) => Some(1.0 + m.confidence),
        // A long line read as a request for a person (or a greeting) carries the need as
        // well: "…the blender stopped working…, can I talk to a person about this".
        Some(_) => (weight_units(masked) >= LONG_LINE_UNITS).then_some(0.5),
        None => {
            let upset = mood_level(turn.sentiment, bot.spec.handoff.negative_sentiment) > 0;
            Some(0.5 + if upset { 0.5 * (-turn.sentiment).clamp(0.0, 1.0) } else { 0.0 })
        }
    }
}

/// A line this long (CJK characters, two per Latin word) says more than a request for a
/// person or a greeting does ("I don't want to talk to a bot, let me speak with a real
/// person" is 30).
const LONG_LINE_UNITS: usize = 32;

fn weight_units(text: &str) -> usize {
    let cjk = text.chars().filter(|&c| crate::text::is_cjk(c)).count();
    let latin_words = text
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .filter(|w| w.bytes().any(|b| b.is_ascii_alphabetic()))
        .count();
    cjk + 2 * latin_words
}

/// Whether intent or FAQ entry `name` is something a customer needs: not a greeting, thanks
/// or goodbye (`need: false`), nor a request for a person.
pub(crate) fn is_need(bot: &Bot, name: &str) -> bool {
    !bot.spec.intents.get(name).is_some_and(|s| !s.need || s.handoff)
}

/// The brief's issue: the heaviest lines, in the order said.
fn issue(lines: &[IssueLine]) -> Vec<String> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    // Heaviest first; of equal weight, the later line (the customer's latest word).
    order.sort_by(|&a, &b| lines[b].weight.total_cmp(&lines[a].weight).then(b.cmp(&a)));
    order.truncate(ISSUE_LINES);
    order.sort_unstable();
    order.into_iter().map(|i| lines[i].text.clone()).collect()
}

/// Above this score a line calms an upset customer's mood; a neutral line ("转人工" after
/// an angry one) leaves it as it was.
const CALMING: f32 = 0.2;

/// A sentiment score as a level: 0 calm, 1 dissatisfied, 2 angry (at the bot's threshold
/// for an upset customer).
fn mood_level(score: f32, upset: f32) -> usize {
    if score <= upset {
        2
    } else if score <= upset / 3.0 {
        1
    } else {
        0
    }
}

fn mood_word(level: usize, lang: Language) -> &'static str {
    let words = if lang == Language::Zh { ["平静", "不满", "愤怒"] } else { ["calm", "dissatisfied", "angry"] };
    words[level.min(2)]
}

/// "calm", or "calm → angry since turn 3", over the last turns' scores (`turns` is the
/// number of the last one).
fn mood(sentiments: &[f32], turns: u64, upset: f32, lang: Language) -> String {
    let mut levels: Vec<usize> = Vec::with_capacity(sentiments.len());
    for &s in sentiments {
        let level = mood_level(s, upset);
        let before = levels.last().copied().unwrap_or(0);
        levels.push(if level < before && s <= CALMING { before } else { level });
    }
    let words: Vec<&str> = levels.iter().map(|&l| mood_word(l, lang)).collect();
    let Some(&last) = words.last() else { return mood_word(0, lang).to_string() };
    let since = words.iter().rposition(|&w| w != last).map(|i| i + 1);
    match since {
        None => last.to_string(),
        Some(i) => {
            let turn = turns.saturating_sub((words.len() - 1 - i) as u64);
            match lang {
                Language::Zh => format!("{} → {last}（第 {turn} 句起）", words[i - 1]),
                Language::En => format!("{} → {last} since turn {turn}", words[i - 1]),
            }
        }
    }
}

fn bot_did(bot: &Bot, steps: &[BotStep], lang: Language) -> Vec<String> {
    let zh = lang == Language::Zh;
    let mut out: Vec<String> = Vec::new();
    let mut missed = 0;
    for step in steps {
        let line = match step {
            BotStep::AnsweredFaq(id) => {
                let t = title(bot, &format!("{FAQ_PREFIX}{id}"), lang);
                if zh {
                    format!("已回答「{t}」")
                } else {
                    format!("answered \"{t}\"")
                }
            }
            BotStep::Quoted(path) => {
                let t = path.join(" › ");
                if zh {
                    format!("已引用文档「{t}」")
                } else {
                    format!("quoted \"{t}\"")
                }
            }
            BotStep::Completed(name) | BotStep::Cancelled(name) if !is_need(bot, name) => continue,
            BotStep::Completed(name) => {
                let t = title(bot, name, lang);
                if zh {
                    format!("已办理「{t}」")
                } else {
                    format!("completed \"{t}\"")
                }
            }
            BotStep::Cancelled(name) => {
                let t = title(bot, name, lang);
                if zh {
                    format!("已取消「{t}」")
                } else {
                    format!("cancelled \"{t}\"")
                }
            }
            BotStep::NotUnderstood => {
                missed += 1;
                continue;
            }
        };
        if !out.contains(&line) {
            out.push(line);
        }
    }
    if missed > 0 {
        out.push(if zh { format!("{missed} 句未能理解") } else { format!("did not understand {missed} line(s)") });
    }
    out
}

/// What the session knows, for [`brief`].
pub(crate) struct Known<'a> {
    pub(crate) issue_lines: &'a [IssueLine],
    pub(crate) intents_seen: &'a [String],
    pub(crate) steps: &'a [BotStep],
    pub(crate) sentiments: &'a [f32],
    pub(crate) turns: u64,
}

/// The brief of a handoff in `lang`.
pub(crate) fn brief(bot: &Bot, known: &Known<'_>, lang: Language) -> Brief {
    let mut needs: Vec<String> = Vec::new();
    for name in known.intents_seen.iter().filter(|n| is_need(bot, n)) {
        let t = title(bot, name, lang);
        if !needs.contains(&t) {
            needs.push(t);
        }
    }
    Brief {
        issue: issue(known.issue_lines),
        needs,
        bot_did: bot_did(bot, known.steps, lang),
        mood: mood(known.sentiments, known.turns, bot.spec.handoff.negative_sentiment, lang),
    }
}

fn reason_words(reason: &HandoffReason, rule: Option<&str>, zh: bool) -> String {
    let words = match (reason, zh) {
        (HandoffReason::ExplicitRequest, true) => "客户要求人工",
        (HandoffReason::ExplicitRequest, false) => "the customer asked for a person",
        (HandoffReason::FallbackStreak, true) => "机器人多次未能理解",
        (HandoffReason::FallbackStreak, false) => "the bot did not understand several times",
        (HandoffReason::SensitiveIntent, true) => "敏感事项",
        (HandoffReason::SensitiveIntent, false) => "a sensitive matter",
        (HandoffReason::RepromptLimit, true) => "多次追问未果",
        (HandoffReason::RepromptLimit, false) => "a detail was asked for too often",
        (HandoffReason::NegativeSentiment, true) => "客户情绪负面",
        (HandoffReason::NegativeSentiment, false) => "the customer is upset",
        (HandoffReason::Abuse, true) => "辱骂",
        (HandoffReason::Abuse, false) => "abusive language",
        (HandoffReason::Loop, true) => "反复询问同一问题",
        (HandoffReason::Loop, false) => "the same request repeated",
        (HandoffReason::AdapterFailure, true) => "系统查询失败",
        (HandoffReason::AdapterFailure, false) => "a system lookup failed",
        (HandoffReason::BusinessRule, true) => "业务规则",
        (HandoffReason::BusinessRule, false) => "business rule",
        (HandoffReason::LegalThreat, true) => "客户提出法律或监管投诉",
        (HandoffReason::LegalThreat, false) => "the customer threatens legal or regulatory action",
    };
    match (reason, rule) {
        (HandoffReason::BusinessRule, Some(rule)) => format!("{words} {rule}"),
        _ => words.to_string(),
    }
}

fn priority_word(p: Priority, zh: bool) -> &'static str {
    match (p, zh) {
        (Priority::Low, true) => "低",
        (Priority::Normal, true) => "普通",
        (Priority::High, true) => "高",
        (Priority::Urgent, true) => "紧急",
        (p, false) => p.code(),
    }
}

/// The brief as one text for a person, a line per item, in `lang`.
pub(crate) fn render(h: &Handoff, lang: Language) -> String {
    let zh = lang == Language::Zh;
    let b = &h.brief;
    let none = if zh { "无" } else { "none" };
    let list = |items: &[String], sep: &str| if items.is_empty() { none.to_string() } else { items.join(sep) };
    let issue = if b.issue.is_empty() {
        none.to_string()
    } else if zh {
        b.issue.iter().map(|l| format!("“{l}”")).collect::<Vec<_>>().join(" ")
    } else {
        b.issue.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(" ")
    };
    let slots: Vec<String> = h.slots.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let why: Vec<String> = h.reasons.iter().map(|r| reason_words(r, h.rule.as_deref(), zh)).collect();
    let segment = h.segment.as_deref().unwrap_or(none);
    let priority = priority_word(h.priority, zh);
    if zh {
        format!(
            "客户问题：{issue}\n诉求：{}\n机器人已处理：{}\n已收集信息：{}\n客户类型：{segment}\n情绪：{}\n转人工原因：{}（优先级：{priority}）",
            list(&b.needs, "、"),
            list(&b.bot_did, "；"),
            list(&slots, "，"),
            b.mood,
            why.join("、"),
        )
    } else {
        format!(
            "Issue: {issue}\nWants: {}\nBot already: {}\nDetails: {}\nSegment: {segment}\nMood: {}\nHandoff because: {} (priority {priority})",
            list(&b.needs, "; "),
            list(&b.bot_did, "; "),
            list(&slots, ", "),
            b.mood,
            why.join("; "),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heaviest_lines_are_quoted_in_the_order_said() {
        let line = |text: &str, weight| IssueLine { text: text.into(), weight };
        let lines = [line("你好", 0.6), line("耳机用了三天就坏了", 0.9), line("转人工吧", 0.5), line("退款", 1.8)];
        assert_eq!(issue(&lines), vec!["耳机用了三天就坏了", "退款"]);
        assert!(issue(&[]).is_empty());
    }

    /// A request for a person weighs nothing; a long line that also asks for one states the
    /// issue (before, the brief of "…空气炸锅…不加热了…麻烦给我转个人工客服" quoted nothing).
    #[test]
    fn long_lines_say_more_than_a_request_for_a_person() {
        for short in [
            "转人工",
            "我不想跟机器人说话，给我转人工客服",
            "I don't want to talk to a bot, let me speak with a real person",
        ] {
            assert!(weight_units(short) < LONG_LINE_UNITS, "{short}");
        }
        for long in [
            "你好，我上个月买了一台空气炸锅，用了不到十天就不加热了，按键都没反应，麻烦给我转个人工客服",
            "hi, the blender I bought two weeks ago stopped working, I tried resetting it, can I please talk to an actual person",
        ] {
            assert!(weight_units(long) >= LONG_LINE_UNITS, "{long}");
        }
    }

    #[test]
    fn the_mood_says_when_it_changed() {
        assert_eq!(mood(&[0.0, 0.1], 2, -0.6, Language::En), "calm");
        assert_eq!(mood(&[0.0, -0.3, -0.8, -0.9], 7, -0.6, Language::En), "dissatisfied → angry since turn 6");
        // A neutral line after an angry one leaves the customer angry; a friendly one calms.
        assert_eq!(mood(&[-0.3, 0.0], 2, -0.6, Language::En), "dissatisfied");
        assert_eq!(mood(&[-0.8, 0.5], 2, -0.6, Language::En), "angry → calm since turn 2");
        assert_eq!(mood(&[0.2, -0.7], 2, -0.6, Language::Zh), "平静 → 愤怒（第 2 句起）");
        assert_eq!(mood(&[], 0, -0.6, Language::Zh), "平静");
    }
}
