//! The satisfaction survey's answer: a score of 1–5 as customers write it (`4`, `5分`,
//! `五星`, `★★★★`, `3/5`, `非常满意`, `very satisfied`), a skip (`跳过`, `skip`), or no
//! answer at all — a new question, which the bot then handles as any other line.
//! Works on normalised (lower-case, half-width) text.

use crate::text::{has_phrase, words};

/// What a line said to the survey's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SurveyAnswer {
    /// A score of 1–5; `comment` when the line says more than the score.
    Rated { score: u8, comment: bool },
    /// The customer declined.
    Skipped,
    /// Not an answer: the customer moved on.
    NotAnAnswer,
}

const ZH_SKIP: &[&str] = &["跳过", "不评", "不想评", "不用评", "不打分", "不参与", "下次再说"];
const EN_SKIP: &[&str] = &["skip", "no thanks", "not now", "no rating", "pass"];

/// Chinese words with their score, longest first where one holds another (不满意 ⊃ 满意).
const ZH_WORDS: &[(&str, u8)] = &[
    ("非常不满意", 1),
    ("很不满意", 1),
    ("特别不满意", 1),
    ("极不满意", 1),
    ("不太满意", 2),
    ("不怎么满意", 2),
    ("不满意", 2),
    ("非常满意", 5),
    ("很满意", 5),
    ("特别满意", 5),
    ("超级满意", 5),
    ("满意", 4),
    ("一般般", 3),
    ("一般", 3),
    ("还行", 3),
    ("还可以", 3),
    ("凑合", 3),
    ("好评", 5),
    ("差评", 1),
    ("很差", 1),
    ("太差", 1),
];
/// English phrases with their score, longest first where one holds another.
const EN_WORDS: &[(&str, u8)] = &[
    ("very dissatisfied", 1),
    ("very unsatisfied", 1),
    ("not satisfied", 2),
    ("dissatisfied", 2),
    ("unsatisfied", 2),
    ("very satisfied", 5),
    ("extremely satisfied", 5),
    ("satisfied", 4),
    ("excellent", 5),
    ("perfect", 5),
    ("great", 5),
    ("good", 4),
    ("neutral", 3),
    ("average", 3),
    ("so so", 3),
    ("poor", 2),
    ("bad", 2),
    ("terrible", 1),
    ("awful", 1),
    ("horrible", 1),
];
const ZH_NUMERALS: &[char] = &['一', '二', '三', '四', '五'];

/// Reads normalised `text` as an answer to the survey's question.
pub(crate) fn read(text: &str) -> SurveyAnswer {
    let text_words = words(text);
    if ZH_SKIP.iter().any(|p| text.contains(p)) || EN_SKIP.iter().any(|p| has_phrase(&text_words, p)) {
        return SurveyAnswer::Skipped;
    }
    let Some((score, token)) = score_of(text, &text_words) else { return SurveyAnswer::NotAnAnswer };
    // A comment is what the line says besides its score.
    let rest: String = text.replacen(&token, "", 1).chars().filter(|c| c.is_alphanumeric()).collect();
    let noise = ["分", "星", "颗", "给", "打", "stars", "star", "out of", "5", "points"];
    let comment = noise.iter().fold(rest, |r, n| r.replace(&n.replace(' ', ""), "")).chars().count() >= 2;
    SurveyAnswer::Rated { score, comment }
}

/// The score a line gives and the text that gave it.
fn score_of(text: &str, text_words: &[&str]) -> Option<(u8, String)> {
    let stars = text.chars().filter(|&c| c == '★' || c == '⭐').count();
    if (1..=5).contains(&stars) {
        return Some((stars as u8, text.chars().filter(|&c| c == '★' || c == '⭐').collect()));
    }
    // A lone digit 1–5 (not part of a longer number, an order number's digit).
    let chars: Vec<char> = text.chars().collect();
    let digit_at = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_digit());
    for (i, &c) in chars.iter().enumerate() {
        let lone = c.is_ascii_digit() && !(i > 0 && digit_at(i - 1)) && !digit_at(i + 1);
        // "3/5", "4 out of 5": the score is the first number.
        if lone && ('1'..='5').contains(&c) {
            return Some((c as u8 - b'0', c.to_string()));
        }
        if let Some(n) = ZH_NUMERALS.iter().position(|&z| z == c) {
            let rated = matches!(chars.get(i + 1), Some('分' | '星' | '颗')) || chars.len() == 1;
            if rated {
                return Some((n as u8 + 1, c.to_string()));
            }
        }
    }
    if let Some(&(w, score)) = ZH_WORDS.iter().find(|(w, _)| text.contains(w)) {
        return Some((score, w.to_string()));
    }
    EN_WORDS.iter().find(|(w, _)| has_phrase(text_words, w)).map(|&(w, score)| (score, w.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use SurveyAnswer::*;

    fn rated(score: u8, comment: bool) -> SurveyAnswer {
        Rated { score, comment }
    }

    #[test]
    fn scores_as_customers_write_them() {
        for (line, answer) in [
            ("5", rated(5, false)),
            ("4分", rated(4, false)),
            ("给5星", rated(5, false)),
            ("五星", rated(5, false)),
            ("三", rated(3, false)),
            ("★★★★", rated(4, false)),
            ("3/5", rated(3, false)),
            ("4 out of 5", rated(4, false)),
            ("非常满意", rated(5, false)),
            ("不满意", rated(2, false)),
            ("不太满意，发货太慢了", rated(2, true)),
            ("2分，客服回复太慢", rated(2, true)),
            ("very satisfied", rated(5, false)),
            ("not satisfied at all, the refund took weeks", rated(2, true)),
            ("5 stars", rated(5, false)),
            ("great, thanks!", rated(5, true)),
        ] {
            assert_eq!(read(line), answer, "{line}");
        }
    }

    #[test]
    fn skips_and_new_questions() {
        for line in ["跳过", "不想评价", "skip", "no thanks"] {
            assert_eq!(read(line), Skipped, "{line}");
        }
        for line in ["我还想问一下退款", "订单12345678到哪了", "where is order 9", "0", "what about 6 items"]
        {
            assert_eq!(read(line), NotAnAnswer, "{line}");
        }
    }
}
