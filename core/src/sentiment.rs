//! Lexicon-and-rule sentiment for Chinese and English.
//!
//! A score in −1…1 per utterance: lexicon hits, flipped by a negation just before them,
//! strengthened by intensifiers, repeated `!`/`！`, emoji and abusive words.

use std::sync::OnceLock;

use crate::text::{word_bounded, LiteralSet};

/// The lexicons as one literal set: negative words, then positive ones.
fn lexicon() -> &'static LiteralSet {
    static SET: OnceLock<LiteralSet> = OnceLock::new();
    SET.get_or_init(|| LiteralSet::new(NEGATIVE.iter().chain(POSITIVE).copied()))
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

/// Sentiment of normalised text in −1 (angry) … 1 (happy); `abusive` is how many abusive
/// words it holds ([`crate::abuse::count`]).
pub(crate) fn score(text: &str, abusive: usize) -> f32 {
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
    total -= 0.5 * abusive as f32;
    let bangs = text.chars().filter(|&c| c == '!' || c == '！').count();
    if bangs >= 2 && total != 0.0 {
        total *= 1.0 + 0.25 * (bangs.min(6) as f32);
    }
    (total / 2.0).tanh()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_both_languages_with_negation_and_intensifiers() {
        assert!(score("你们的服务太差了！！！", 0) < -0.6);
        assert!(score("非常满意，谢谢", 0) > 0.5);
        assert!(score("this is terrible, i'm so angry 😡", 0) < -0.7);
        assert!(score("great, thanks a lot", 0) > 0.5);
        assert!(score("not bad", 0) > 0.0, "negation flips");
        assert!(score("我不满意", 0) < 0.0);
        assert_eq!(score("where is my order", 0), 0.0);
    }
}
