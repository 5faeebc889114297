//! Lexicon-and-rule sentiment for Chinese and English.
//!
//! A score in −1…1 per utterance: lexicon hits, flipped by a negation just before them,
//! strengthened by intensifiers, repeated `!`/`！`, emoji and abusive words; and the cues
//! of anger and complaint a customer-service line carries without a lexicon word
//! (`sentiment_cues.txt`: accusing the shop, threatening it, asking a question that is an
//! attack), demands and shouting. This is the rules' part: the score a turn gets is the
//! emotion model's ([`crate::emotion`]), which reads these signals. The brief reads the score as calm, dissatisfied (≤ a third of
//! `handoff.negative_sentiment`) or angry (≤ it; −0.6 unless the bot sets another).

use std::sync::OnceLock;

use crate::literal_set::LiteralSet;
use crate::text::word_bounded;

/// English words of VADER's lexicon with their weights (tools/build-sentiment-lexicon.py).
const VADER: &str = include_str!("sentiment_en.txt");

/// The lexicons as one literal set with each word's weight: the project's negative words
/// (−1), its positive ones (+1), then VADER's words that neither list holds.
fn lexicon() -> &'static (LiteralSet, Vec<f32>) {
    static SET: OnceLock<(LiteralSet, Vec<f32>)> = OnceLock::new();
    SET.get_or_init(|| {
        let own = NEGATIVE.iter().map(|w| (*w, -1.0)).chain(POSITIVE.iter().map(|w| (*w, 1.0)));
        let vader = VADER.lines().filter(|l| !l.starts_with('#')).filter_map(|l| {
            let (word, weight) = l.split_once('\t')?;
            Some((word, weight.parse::<f32>().ok()?))
        });
        let mut words: Vec<(&str, f32)> = own.collect();
        for (word, weight) in vader {
            if !NEGATIVE.contains(&word) && !POSITIVE.contains(&word) {
                words.push((word, weight));
            }
        }
        (LiteralSet::new(words.iter().map(|w| w.0)), words.iter().map(|w| w.1).collect())
    })
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
const NEGATIONS: &[&str] = &["不", "没", "别", "无", "not", "no", "never", "without", "hardly"];
/// Words that make the next lexicon word count half again as much …
const INTENSIFIERS: &[&str] = &["非常", "太", "特别", "超", "极其", "最", "extremely", "totally", "absolutely"];
/// … a fifth more …
const MILD_INTENSIFIERS: &[&str] = &["很", "真", "very", "so", "really"];
/// … or less.
const DIMINISHERS: &[&str] = &["有点", "有些", "一点", "a bit", "a little", "kind of", "somewhat", "slightly"];
/// Words that may stand between a negation and the word it turns ("不太好", "没那么好",
/// "not very good", "isn't that great").
const BETWEEN: &[&str] =
    &["太", "很", "是很", "那么", "怎么", "算", "够", "very", "so", "that", "too", "quite", "really", "all", "be", "a"];

/// Whether the normalised text `before` a lexicon word ends in a negation of it.
fn negated(before: &str) -> bool {
    let mut rest = before.trim_end();
    // Chinese: 不 / 没 … right before the word, maybe with an intensifier between.
    for _ in 0..2 {
        if NEGATIONS.iter().any(|n| !n.is_ascii() && rest.ends_with(n)) {
            return true;
        }
        match BETWEEN.iter().find(|b| !b.is_ascii() && rest.ends_with(*b)) {
            Some(b) => rest = &rest[..rest.len() - b.len()],
            None => break,
        }
    }
    // English: the words before, skipping those that may stand between (only the last few
    // dozen bytes: a long line must not cost its length for every lexicon word).
    let mut from = before.len().saturating_sub(48);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let words = crate::text::words(&before[from..]);
    for w in words.iter().rev().take(3) {
        if NEGATIONS.contains(w) || w.ends_with("n't") {
            return true;
        }
        if !BETWEEN.contains(w) {
            return false;
        }
    }
    false
}
const NEGATIVE_EMOJI: &[char] = &['😡', '🤬', '😠', '👎', '😞', '😭', '😤', '💢', '😒'];
const POSITIVE_EMOJI: &[char] = &['😊', '👍', '🙏', '😀', '😄', '❤', '🥰', '👌'];

/// Cues of anger and of plain complaint: `KIND<TAB>WEIGHT<TAB>PHRASE` lines, see the file.
const CUES: &str = include_str!("sentiment_cues.txt");

/// The cues as one literal set, each with its weight and whether it is one of anger.
fn cues() -> &'static (LiteralSet, Vec<(f32, bool)>) {
    static SET: OnceLock<(LiteralSet, Vec<(f32, bool)>)> = OnceLock::new();
    SET.get_or_init(|| {
        let cues: Vec<(&str, f32, bool)> = CUES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut fields = l.split('\t');
                let (kind, weight, phrase) = (fields.next()?, fields.next()?, fields.next()?);
                Some((phrase, weight.parse().ok()?, kind == "anger"))
            })
            .collect();
        (LiteralSet::new(cues.iter().map(|c| c.0)), cues.iter().map(|c| (c.1, c.2)).collect())
    })
}

/// What the anger cues and the complaint cues of normalised `text` add, each cue once.
fn cue_sums(text: &str) -> (f32, f32) {
    let (set, weights) = cues();
    let mut seen = vec![false; weights.len()];
    let (mut anger, mut complaint) = (0.0, 0.0);
    for (i, at) in set.find_all(text) {
        if !seen[i] && word_bounded(text, at, at + set.pattern(i).len()) {
            seen[i] = true;
            match weights[i] {
                (w, true) => anger += w,
                (w, false) => complaint += w,
            }
        }
    }
    (anger, complaint)
}

/// Whether normalised `text` demands something at once.
fn demands(text: &str) -> bool {
    ["马上", "立刻", "立即", "给我", "right now", "immediately", "i want", "i demand"].iter().any(|d| text.contains(d))
}

/// Words of three letters or more written in capitals in the raw line: shouting.
fn shouted_words(raw: &str) -> usize {
    raw.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()))
        .count()
}

/// What the lexicons and cues read in a line: the rule score's parts, and the emotion
/// model's dense features ([`crate::emotion`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Signals {
    /// Lexicon words and emoji, negative ones (≤ 0) and positive ones (≥ 0).
    pub negative: f32,
    pub positive: f32,
    /// The anger and complaint cues of `sentiment_cues.txt` (≤ 0).
    pub anger: f32,
    pub complaint: f32,
    /// Abusive words ([`crate::abuse::count`]).
    pub abusive: usize,
    /// `!` and `?` marks, words shouted in capitals, a demand for something at once.
    pub bangs: usize,
    pub questions: usize,
    pub shouted: usize,
    pub demands: bool,
}

/// The [`Signals`] of normalised `text`; `raw` is the line as typed (for shouting),
/// `abusive` how many abusive words it holds.
pub(crate) fn signals(text: &str, raw: &str, abusive: usize) -> Signals {
    let (mut negative, mut positive) = (0.0f32, 0.0f32);
    let (set, weights) = lexicon();
    for (i, at) in set.find_all(text) {
        let word = set.pattern(i);
        if !word_bounded(text, at, at + word.len()) {
            continue;
        }
        let sign = weights[i];
        let before = &text[..at];
        let tail: String = before.chars().rev().take(10).collect::<Vec<_>>().into_iter().rev().collect();
        let near = |words: &[&str]| words.iter().any(|w| tail.contains(w));
        let s = match negated(before) {
            true => -sign * 0.5,
            false if near(DIMINISHERS) => sign * 0.7,
            false if near(INTENSIFIERS) => sign * 1.5,
            false if near(MILD_INTENSIFIERS) => sign * 1.2,
            false => sign,
        };
        if s < 0.0 {
            negative += s;
        } else {
            positive += s;
        }
    }
    negative -= text.chars().filter(|c| NEGATIVE_EMOJI.contains(c)).count() as f32;
    positive += text.chars().filter(|c| POSITIVE_EMOJI.contains(c)).count() as f32;
    let (anger, complaint) = cue_sums(text);
    Signals {
        negative,
        positive,
        anger,
        complaint,
        abusive,
        bangs: text.chars().filter(|&c| c == '!').count(),
        questions: text.chars().filter(|&c| c == '?').count(),
        shouted: shouted_words(raw),
        demands: demands(text),
    }
}

/// The rule score of a line's [`Signals`] in −1 (angry) … 1 (happy).
pub(crate) fn rule_score(s: &Signals) -> f32 {
    let mut total = s.negative + s.positive - 0.5 * s.abusive as f32 + s.anger + s.complaint;
    if s.bangs >= 2 && total < 0.0 {
        // A complaint shouted twice is anger.
        total = total * (1.0 + 0.25 * (s.bangs.min(6) as f32)) - 0.7;
    } else if s.bangs >= 2 && total > 0.0 {
        total *= 1.0 + 0.25 * (s.bangs.min(6) as f32);
    } else if s.bangs == 1 && total < 0.0 {
        // A demand with an exclamation mark.
        total = total * 1.25 - if s.demands { 0.7 } else { 0.0 };
    }
    if s.shouted >= 2 {
        total -= 1.0;
    }
    (total / 2.0).tanh()
}

/// The rule score of normalised text ([`signals`], [`rule_score`]).
#[cfg(test)]
fn score(text: &str, raw: &str, abusive: usize) -> f32 {
    rule_score(&signals(text, raw, abusive))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_both_languages_with_negation_and_intensifiers() {
        assert!(score("你们的服务太差了!!!", "", 0) < -0.6);
        assert!(score("非常满意，谢谢", "", 0) > 0.5);
        assert!(score("this is terrible, i'm so angry 😡", "", 0) < -0.7);
        assert!(score("great, thanks a lot", "", 0) > 0.5);
        assert!(score("not bad", "", 0) > 0.0, "negation flips");
        assert!(score("我不满意", "", 0) < 0.0);
        assert_eq!(score("where is my order", "", 0), 0.0);
    }

    #[test]
    fn negation_reaches_across_intensifiers_and_diminishers_soften() {
        assert!(score("不太好", "", 0) < 0.0, "不 … 太 … 好");
        assert!(score("not very good", "", 0) < 0.0);
        assert!(score("isn't that great", "", 0) < 0.0);
        assert!(score("有点失望", "", 0) > score("失望", "", 0), "a diminisher softens");
        assert!(score("非常失望", "", 0) < score("失望", "", 0), "an intensifier strengthens");
    }

    #[test]
    fn cues_of_anger_and_complaint_without_a_lexicon_word() {
        let anger = signals("收了钱就不管了", "", 0);
        assert!(anger.anger < 0.0 && anger.negative == 0.0, "{anger:?}");
        assert!(score("you people have no shame", "", 0) <= -0.6);
        let complaint = signals("物流一直没更新", "", 0);
        assert!(complaint.complaint < 0.0 && complaint.anger == 0.0, "{complaint:?}");
        let s = score("物流一直没更新", "", 0);
        assert!((-0.6..=-0.2).contains(&s), "dissatisfied, not angry: {s}");
    }

    #[test]
    fn shouting_counts_only_words_in_capitals() {
        assert_eq!(signals("", "WRONG ITEM AGAIN, VAT", 0).shouted, 4);
        assert_eq!(signals("", "I need a VAT invoice", 0).shouted, 1);
        assert_eq!(signals("", "你好 OK", 0).shouted, 0);
    }

    #[test]
    fn a_long_line_of_lexicon_words_stays_cheap_and_bounded() {
        let line = "not bad, terrible awful ".repeat(2_000);
        let s = score(&line, &line, 0);
        assert!((-1.0..=1.0).contains(&s), "{s}");
    }
}
