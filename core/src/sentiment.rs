//! Lexicon-and-rule sentiment for Chinese and English, and abusive-word detection.
//!
//! A score in −1…1 per utterance: lexicon hits, flipped by a negation just before them,
//! strengthened by intensifiers, repeated `!`/`！` and emoji.

use std::sync::OnceLock;

use crate::text::{normalize, word_bounded, LiteralSet};

/// The lexicons as one literal set: negative words, then positive ones.
fn lexicon() -> &'static LiteralSet {
    static SET: OnceLock<LiteralSet> = OnceLock::new();
    SET.get_or_init(|| LiteralSet::new(NEGATIVE.iter().chain(POSITIVE).copied()))
}

fn abusive() -> &'static LiteralSet {
    static SET: OnceLock<LiteralSet> = OnceLock::new();
    SET.get_or_init(|| LiteralSet::new(ABUSIVE.iter().copied()))
}

const NEGATIVE: &[&str] = &[
    "差",
    "烂",
    "坑",
    "失望",
    "生气",
    "愤怒",
    "气死",
    "投诉",
    "骗",
    "退钱",
    "垃圾",
    "恶心",
    "太慢",
    "没用",
    "不满",
    "糟糕",
    "无语",
    "崩溃",
    "着急",
    "急死",
    "bad",
    "terrible",
    "awful",
    "horrible",
    "angry",
    "annoyed",
    "upset",
    "disappointed",
    "worst",
    "useless",
    "ridiculous",
    "unacceptable",
    "scam",
    "furious",
    "hate",
    "slow",
    "broken",
    "frustrated",
    "waste",
];
const POSITIVE: &[&str] = &[
    "好",
    "谢谢",
    "感谢",
    "满意",
    "不错",
    "棒",
    "赞",
    "喜欢",
    "开心",
    "方便",
    "great",
    "good",
    "thanks",
    "thank",
    "love",
    "happy",
    "excellent",
    "perfect",
    "awesome",
    "helpful",
    "nice",
    "satisfied",
    "appreciate",
];
const NEGATIONS: &[&str] = &["不", "没", "别", "not", "no", "never", "don't", "isn't", "wasn't", "didn't"];
const INTENSIFIERS: &[&str] =
    &["很", "非常", "太", "特别", "超", "真", "极其", "very", "so", "really", "extremely", "totally"];
const NEGATIVE_EMOJI: &[char] = &['😡', '🤬', '😠', '👎', '😞', '😭', '😤', '💢', '😒'];
const POSITIVE_EMOJI: &[char] = &['😊', '👍', '🙏', '😀', '😄', '❤', '🥰', '👌'];

/// Abusive words masked before an agent or a log sees them.
const ABUSIVE: &[&str] = &[
    "傻逼",
    "傻b",
    "sb",
    "煞笔",
    "妈的",
    "他妈",
    "操你",
    "去死",
    "滚蛋",
    "混蛋",
    "白痴",
    "脑残",
    "贱人",
    "狗东西",
    "fuck",
    "fucking",
    "shit",
    "idiot",
    "moron",
    "asshole",
    "bastard",
    "bitch",
    "stupid bot",
    "dumbass",
    "草泥马",
    "cnm",
    "tmd",
    "f*ck",
    "sh1t",
    "fucker",
    "bullshit",
    "🖕",
];

/// Innocent words that hold an abusive one: 我妈妈的手机 holds 妈的, 其他妈妈 他妈,
/// 打电话过去死活没人接 and 手机过去死机了 去死; "tell sb" is somebody.
const INNOCENT: &[&str] = &[
    "妈妈的",
    "他妈妈",
    "过去死",
    "去死机",
    "去死活",
    "tell sb",
    "ask sb",
    "let sb",
    "give sb",
    "idiot-proof",
    "idiot proof",
];

fn innocent() -> &'static LiteralSet {
    static SET: std::sync::OnceLock<LiteralSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| LiteralSet::new(INNOCENT.iter().copied()))
}

/// Sentiment of normalised text in −1 (angry) … 1 (happy).
pub(crate) fn score(text: &str) -> f32 {
    let mut total = 0.0f32;
    let set = lexicon();
    for (i, at) in set.find_all(text) {
        let word = set.pattern(i);
        if !word_bounded(text, at, at + word.len()) {
            continue;
        }
        let sign = if i < NEGATIVE.len() { -1.0f32 } else { 1.0 };
        let before = &text[..at];
        let tail: String = before.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        let negated = NEGATIONS.iter().any(|n| tail.trim_end().ends_with(n));
        let intensified = INTENSIFIERS.iter().any(|i| tail.contains(i));
        let mut s = if negated { -sign * 0.5 } else { sign };
        if intensified {
            s *= 1.5;
        }
        total += s;
    }
    total -= text.chars().filter(|c| NEGATIVE_EMOJI.contains(c)).count() as f32;
    total += text.chars().filter(|c| POSITIVE_EMOJI.contains(c)).count() as f32;
    total -= 0.5 * count_abusive(text) as f32;
    let bangs = text.chars().filter(|&c| c == '!' || c == '！').count();
    if bangs >= 2 && total != 0.0 {
        total *= 1.0 + 0.25 * (bangs.min(6) as f32);
    }
    (total / 2.0).tanh()
}

/// Byte spans of the abusive words in normalised `text`, except inside innocent words.
fn abusive_spans(text: &str) -> Vec<(usize, usize)> {
    let set = abusive();
    let mut spans: Vec<(usize, usize)> = set
        .find_all(text)
        .map(|(i, at)| (at, at + set.pattern(i).len()))
        .filter(|&(s, e)| word_bounded(text, s, e))
        .collect();
    if !spans.is_empty() {
        // Innocent words are looked for only where an abusive one was found.
        let innocent = innocent();
        let harmless: Vec<(usize, usize)> =
            innocent.find_all(text).map(|(i, at)| (at, at + innocent.pattern(i).len())).collect();
        spans.retain(|&(s, e)| !harmless.iter().any(|&(hs, he)| hs <= s && e <= he));
    }
    spans.sort_unstable();
    spans
}

pub(crate) fn count_abusive(text: &str) -> usize {
    abusive_spans(text).len()
}

/// `text` with abusive words replaced by `***`. They are found in the normalised text —
/// as detection finds them, so `ｆｕｃｋ` and `fu\u{200b}ck` are masked too — and masked in
/// the characters of `text` they came from.
pub(crate) fn mask_abuse(text: &str) -> String {
    let normalized = normalize(text);
    let spans = abusive_spans(&normalized.text);
    if spans.is_empty() {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        let (start, end) = normalized.original_char_span(s, e);
        if start < at {
            continue;
        }
        out.extend(&chars[at..start]);
        out.push_str("***");
        at = end;
    }
    out.extend(&chars[at.min(chars.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_both_languages_with_negation_and_intensifiers() {
        assert!(score("你们的服务太差了！！！") < -0.6);
        assert!(score("非常满意，谢谢") > 0.5);
        assert!(score("this is terrible, i'm so angry 😡") < -0.7);
        assert!(score("great, thanks a lot") > 0.5);
        assert!(score("not bad") > 0.0, "negation flips");
        assert!(score("我不满意") < 0.0);
        assert_eq!(score("where is my order"), 0.0);
    }

    #[test]
    fn masks_abusive_words_only() {
        assert_eq!(mask_abuse("你们这群傻逼，快点发货"), "你们这群***，快点发货");
        assert_eq!(mask_abuse("What the FUCK is this"), "What the *** is this");
        assert_eq!(mask_abuse("scunthorpe shitake"), "scunthorpe shitake");
        assert_eq!(count_abusive("白痴客服"), 1);
    }

    /// Each of these was flagged as abuse (an agent saw 我妈***手机坏了) before.
    #[test]
    fn innocent_words_that_hold_an_abusive_one_are_not_abuse() {
        for text in [
            "我妈妈的手机坏了",
            "其他妈妈也这么说",
            "打电话过去死活没人接",
            "手机过去死机了",
            "please tell sb to call me",
            "is it idiot-proof",
        ] {
            assert_eq!(count_abusive(&normalize(text).text), 0, "{text}");
            assert_eq!(mask_abuse(text), text);
        }
        assert!(count_abusive("他妈的什么破服务") > 0);
    }

    /// Detected but not masked (detection read the normalised text, masking the raw one), or
    /// missed, before.
    #[test]
    fn evasions_are_masked_where_they_are_detected() {
        assert_eq!(mask_abuse("ｆｕｃｋ you"), "*** you");
        assert_eq!(mask_abuse("fu\u{200b}ck you"), "*** you");
        assert_eq!(mask_abuse("你个ｓｂ"), "你个***");
        assert_eq!(mask_abuse("傻\u{200b}逼客服"), "***客服");
        for text in ["草泥马", "cnm", "tmd", "f*ck this", "sh1t service", "you fucker", "bullshit", "🖕"] {
            assert_eq!(count_abusive(&normalize(text).text), 1, "{text}");
            assert!(mask_abuse(text).contains("***"), "{text}");
        }
    }
}
