//! Clarification: when the model's two best intents are too close to choose between, the
//! bot asks which one the customer means, offers them as choices the host can show as
//! buttons, and reads the answer — an ordinal ("第二个", "the first one"), a choice's
//! title, "neither", or a restatement the model understands.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bot::{render, FAQ_PREFIX};
use crate::botfile::parse_example;
use crate::text::{detect_language, normalize, occurrences, word_bounded, Language};
use crate::Bot;

/// One intent (or FAQ entry) the bot offers when it asks which one is meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Intent name (`faq/<id>` for an FAQ entry), as [`crate::IntentMatch::name`] gives it.
    pub intent: String,
    /// What the bot calls it in the reply's language: its `title`, else its first example.
    pub title: String,
}

/// The second guess must have at least this share of the first's confidence for a close
/// call; further behind, the first is simply unsure, and a question would mostly offer
/// an intent the customer never meant.
const CLOSE_RATIO: f32 = 0.5;

/// The best guess must have at least this share of the confidence threshold for a close
/// call: lower, two weak guesses are more often a line the bot does not handle at all.
const CLOSE_FLOOR: f32 = 0.75;

/// A question is asked only while the background class (the bot's and kefu's built-in
/// out-of-scope examples) has less than this many times the probability of the guesses
/// offered; past it, the line falls back. On the sample bot's development cases (embedded
/// tier) 2, 4, 8 and no limit scored 81.2, 82.8, 84.4 and 85.9 %, out of scope rejected at
/// once 100 % each (10 cases); without a limit, "量子力学是什么" is asked about a return
/// policy and a product, at 2 "能不能让真人来" is no longer asked about a person. 4 keeps both.
const BACKGROUND_RATIO: f32 = 4.0;

/// Are guesses of this total probability worth a question against `background`?
pub(crate) fn worth_asking(guesses: f32, background: f32) -> bool {
    background < BACKGROUND_RATIO * guesses
}

/// Is a guess near enough the confidence threshold (or over it) to be worth a question?
pub(crate) fn near_threshold(best: f32, threshold: f32) -> bool {
    best >= threshold * CLOSE_FLOOR
}

/// Are the two best guesses, which did not clear the thresholds alone, a close call?
/// Together they must clear the confidence threshold, the best come near it, and the
/// second be near the best.
pub(crate) fn is_close_call(best: f32, second: f32, threshold: f32) -> bool {
    best + second >= threshold && near_threshold(best, threshold) && second >= best * CLOSE_RATIO
}

/// The customer's answer to a clarification question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The choice at this index.
    Choice(usize),
    /// None of the choices.
    Neither,
    /// Not an answer to the question: read the line as a new one.
    Unclear,
}

/// Ordinals and the choice each points to, in normalised text; English ones as whole words.
const ORDINALS: &[(&str, usize)] = &[
    ("第一", 0),
    ("第1", 0),
    ("前者", 0),
    ("前一个", 0),
    ("前面那个", 0),
    ("上面那个", 0),
    ("first", 0),
    ("1st", 0),
    ("former", 0),
    ("第二", 1),
    ("第2", 1),
    ("后者", 1),
    ("后一个", 1),
    ("后面那个", 1),
    ("下面那个", 1),
    ("second", 1),
    ("2nd", 1),
    ("latter", 1),
    ("第三", 2),
    ("第3", 2),
    ("third", 2),
    ("3rd", 2),
];

/// Answers that decline every choice.
const NEITHER: &[&str] = &["都不是", "都不对", "都不", "哪个都不", "两个都不", "neither", "none", "not these", "nope"];

/// Words around a bare choice number ("选2", "option 2", "1吧") that say nothing more.
const NUMBER_WRAPPING: &[&str] = &["选项", "选", "要", "option", "number", "no.", "个", "吧", "啊", "呀", "the", "one"];

/// Reads the answer to a question that offered choices with these titles; `yes` is the
/// line read as a yes or no, which answers a question that offered one choice.
pub(crate) fn read_answer(text: &str, titles: &[String], yes: Option<bool>) -> Answer {
    if titles.len() == 1 {
        match yes {
            Some(true) => return Answer::Choice(0),
            Some(false) => return Answer::Neither,
            None => {}
        }
    }
    if let Some(i) = bare_number(text) {
        return if i < titles.len() { Answer::Choice(i) } else { Answer::Unclear };
    }
    // The last ordinal counts: "不是第一个，是第二个".
    let ordinal = ORDINALS
        .iter()
        .filter_map(|&(word, i)| {
            let at = occurrences(text, word)
                .filter(|&at| !word.is_ascii() || word_bounded(text, at, at + word.len()))
                .last()?;
            Some((at, i))
        })
        .max();
    if let Some((_, i)) = ordinal {
        return if i < titles.len() { Answer::Choice(i) } else { Answer::Unclear };
    }
    let named: Vec<usize> = (0..titles.len())
        .filter(|&i| {
            let title = normalize(&titles[i]).text;
            !title.is_empty() && text.contains(&title)
        })
        .collect();
    if let [i] = named[..] {
        return Answer::Choice(i);
    }
    if NEITHER.iter().any(|w| occurrences(text, w).any(|at| !w.is_ascii() || word_bounded(text, at, at + w.len()))) {
        return Answer::Neither;
    }
    Answer::Unclear
}

/// A line that is only a choice's number ("2", "二", "选2", "option 1", "the first one"
/// goes to the ordinals): its index.
fn bare_number(text: &str) -> Option<usize> {
    let mut rest: String = text.chars().filter(|c| c.is_alphanumeric() || *c == '.').collect();
    for wrap in NUMBER_WRAPPING {
        rest = rest.replace(&wrap.replace(' ', ""), "");
    }
    let index = match rest.as_str() {
        "1" | "一" => 0,
        "2" | "二" | "two" => 1,
        "3" | "三" | "three" => 2,
        _ => return None,
    };
    Some(index)
}

/// The question offering `choices`: the bot file's `clarify` response, else the built-in
/// one, with `{choices}` the titles joined.
pub(crate) fn question(bot: &Bot, choices: &[Choice], lang: Language, pick: usize) -> String {
    let titles: Vec<&str> = choices.iter().map(|c| c.title.as_str()).collect();
    let joined = match lang {
        Language::Zh => titles.join("，还是"),
        Language::En => titles.join(", or "),
    };
    let fills = BTreeMap::from([("choices".to_string(), joined)]);
    match bot.spec.responses.get("clarify") {
        Some(text) => render(text, lang, pick, &fills),
        None => {
            let template = match lang {
                Language::Zh => "您是想：{choices}？",
                Language::En => "Did you mean: {choices}?",
            };
            render(&crate::botfile::schema::Localized::One(template.to_string()), lang, 0, &fills)
        }
    }
}

/// What the bot calls intent or FAQ entry `name` in `lang`: its `title`, else its first
/// example (FAQ: question) in that language, else its first one, else its name.
pub(crate) fn title(bot: &Bot, name: &str, lang: Language) -> String {
    let found = match name.strip_prefix(FAQ_PREFIX) {
        Some(id) => bot.spec.faq.get(id).map(|faq| match &faq.title {
            Some(title) => render(title, lang, 0, &BTreeMap::new()),
            None => first_in(lang, faq.questions.iter().cloned()).unwrap_or_else(|| name.to_string()),
        }),
        None => bot.spec.intents.get(name).map(|intent| match &intent.title {
            Some(title) => render(title, lang, 0, &BTreeMap::new()),
            None => {
                let examples = intent.examples.iter().filter_map(|e| parse_example(e).ok()).map(|e| e.text);
                first_in(lang, examples).unwrap_or_else(|| name.to_string())
            }
        }),
    };
    found.unwrap_or_else(|| name.to_string())
}

/// The first of `texts` in `lang`, else the first of them. Reads no further than it must:
/// a brief asks for the titles of every intent a conversation met.
fn first_in(lang: Language, texts: impl Iterator<Item = String>) -> Option<String> {
    let mut first = None;
    for text in texts {
        if detect_language(&normalize(&text).text) == Some(lang) {
            return Some(text);
        }
        first.get_or_insert(text);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Answer {
        let titles = ["查询物流".to_string(), "申请退货".to_string()];
        read_answer(&normalize(text).text, &titles, None)
    }

    #[test]
    fn reads_ordinals_numbers_titles_and_refusals() {
        for (text, expected) in [
            ("第二个", Answer::Choice(1)),
            ("第一个吧", Answer::Choice(0)),
            ("后者", Answer::Choice(1)),
            ("不是第一个，是第二个", Answer::Choice(1)),
            ("The first one", Answer::Choice(0)),
            ("the latter please", Answer::Choice(1)),
            ("2", Answer::Choice(1)),
            ("选1", Answer::Choice(0)),
            ("option 2", Answer::Choice(1)),
            ("二", Answer::Choice(1)),
            ("我要申请退货", Answer::Choice(1)),
            ("都不是", Answer::Neither),
            ("neither", Answer::Neither),
            ("第三个", Answer::Unclear),
            ("3", Answer::Unclear),
            ("firstly I bought it in May", Answer::Unclear),
            ("我的订单号是 12", Answer::Unclear),
            ("怎么开发票", Answer::Unclear),
        ] {
            assert_eq!(answer(text), expected, "{text}");
        }
    }

    #[test]
    fn one_choice_is_answered_yes_or_no() {
        let titles = ["转人工客服".to_string()];
        assert_eq!(read_answer("是的", &titles, Some(true)), Answer::Choice(0));
        assert_eq!(read_answer("不用", &titles, Some(false)), Answer::Neither);
        assert_eq!(read_answer("转人工客服", &titles, None), Answer::Choice(0));
        assert_eq!(read_answer("是的", &[titles[0].clone(), "退货".into()], Some(true)), Answer::Unclear);
    }

    #[test]
    fn a_close_call_needs_both_guesses_near_each_other_and_together_confident() {
        assert!(is_close_call(0.2, 0.16, 0.25));
        assert!(!is_close_call(0.16, 0.05, 0.2), "the second is far behind");
        assert!(!is_close_call(0.06, 0.05, 0.2), "together still unsure");
        assert!(!is_close_call(0.09, 0.05, 0.13), "the best is far below the threshold");
    }
}
