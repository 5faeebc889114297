//! Text normalisation, language detection and tokenisation shared by every stage.
//!
//! Normalisation folds what customers type interchangeably: full-width ASCII (`ＡＢＣ１２３`)
//! to half-width, upper to lower case, runs of whitespace/control characters to one space,
//! and drops zero-width characters. It keeps a map from each normalised character back to
//! the original one, so entity spans found on normalised text point into the raw utterance.

use serde::{Deserialize, Serialize};

/// A language kefu understands and answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Chinese (Simplified or Traditional).
    Zh,
    /// English.
    En,
}

impl Language {
    /// The language's code as used in bot files: `"zh"` or `"en"`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// Parses `"zh"` or `"en"` (case-insensitive).
    pub fn from_code(code: &str) -> Option<Language> {
        match code.to_ascii_lowercase().as_str() {
            "zh" => Some(Language::Zh),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// An utterance after normalisation, with the way back to the original characters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Normalized {
    /// The normalised text.
    pub text: String,
    /// For each char of `text`, the index of the original char it came from.
    pub origin: Vec<usize>,
}

impl Normalized {
    /// Maps a byte range of `text` to a char range of the original utterance.
    pub fn original_char_span(&self, start: usize, end: usize) -> (usize, usize) {
        let start_char = self.text[..start].chars().count();
        let end_char = start_char + self.text[start..end].chars().count();
        let first = self.origin.get(start_char).copied().unwrap_or(0);
        let last = end_char.checked_sub(1).and_then(|i| self.origin.get(i)).map_or(first, |&i| i + 1);
        (first, last.max(first))
    }
}

/// True for the zero-width characters that customers paste in without seeing them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Folds one character: full-width ASCII to half-width, ideographic space to space, lower case.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c, // multi-char lowercase (rare): keep the char so the mapping stays 1:1
    }
}

/// Normalises an utterance; see the module docs for what is folded.
pub(crate) fn normalize(raw: &str) -> Normalized {
    let mut out = Normalized { text: String::with_capacity(raw.len()), origin: Vec::with_capacity(raw.len()) };
    let mut pending_space = false;
    for (i, c) in raw.chars().enumerate() {
        if is_invisible(c) {
            continue;
        }
        let c = fold(c);
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.text.is_empty();
            continue;
        }
        if pending_space {
            out.text.push(' ');
            out.origin.push(i.saturating_sub(1));
            pending_space = false;
        }
        out.text.push(c);
        out.origin.push(i);
    }
    out
}

/// True for CJK ideographs (the scripts customers write Chinese in).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}' | '\u{2A700}'..='\u{2EBEF}' | '\u{3040}'..='\u{30FF}')
}

/// Detects the language of an utterance; `None` when it has no letters to tell by
/// (digits, emoji, punctuation only). The letters of a word that also has digits spell a
/// code ("A12345678", "SF1234567890"), not a language: a customer typing an order number
/// in a Chinese conversation keeps getting Chinese replies.
pub fn detect_language(text: &str) -> Option<Language> {
    let is_latin = |c: char| c.is_ascii_alphabetic() || (c.is_alphabetic() && (c as u32) < 0x0250);
    let (mut cjk, mut latin) = (0usize, 0usize);
    let (mut letters, mut digits) = (0usize, false);
    for c in text.chars().chain([' ']) {
        if is_latin(c) {
            letters += 1;
        } else if c.is_ascii_digit() {
            digits = true;
        } else {
            if !digits {
                latin += letters;
            }
            (letters, digits) = (0, false);
            cjk += usize::from(is_cjk(c));
        }
    }
    match (cjk, latin) {
        (0, 0) => None,
        // One Chinese character carries about as much as a short English word (~4 letters).
        (c, l) if c * 4 >= l => Some(Language::Zh),
        _ => Some(Language::En),
    }
}

/// Byte offsets where `pattern` occurs in `text` (overlaps included). A plain scan: for
/// utterance-sized texts it beats building a substring searcher per word of a lexicon per
/// turn, which is what `str::match_indices` does.
pub(crate) fn occurrences<'a>(text: &'a str, pattern: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (hay, pat) = (text.as_bytes(), pattern.as_bytes());
    let first = pat.first().copied();
    // A UTF-8 pattern starts with a lead byte, so every match starts at a char boundary.
    (0..hay.len().saturating_sub(pat.len().saturating_sub(1)))
        .filter(move |&i| Some(hay[i]) == first && hay[i..].starts_with(pat))
}

/// True when `text[start..end]` does not start or end inside a Latin word or number:
/// a keyword "human" must not match "inhuman", a synonym "sf" not "sfx". CJK has no word
/// boundaries, so CJK edges always pass.
pub(crate) fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let inner = &text[start..end];
    let starts_inside = alnum(inner.chars().next()) && alnum(text[..start].chars().next_back());
    let ends_inside = alnum(inner.chars().next_back()) && alnum(text[end..].chars().next());
    !(starts_inside || ends_inside)
}

/// The words of normalised text: runs of letters and digits (apostrophes kept), for
/// matching phrases of whole words with [`has_phrase`].
pub(crate) fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect()
}

/// Whether `words` hold `phrase` (words separated by single spaces) as consecutive words.
pub(crate) fn has_phrase(words: &[&str], phrase: &str) -> bool {
    let n = phrase.split(' ').count();
    let first = phrase.split(' ').next().unwrap_or_default();
    // The first word alone rules out most places cheaply.
    words.windows(n).any(|w| w[0] == first && w.iter().copied().eq(phrase.split(' ')))
}

/// A token of normalised text, for the intent features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A run of Latin letters (and letters of other alphabetic scripts).
    Word(&'a str),
    /// A run of digits: kept as its length only, so order numbers do not become vocabulary.
    Number(usize),
    /// One CJK character.
    Cjk(&'a str),
}

/// Splits normalised text into words, numbers and single CJK characters; punctuation and
/// spaces separate tokens and are dropped.
pub(crate) fn tokenize(text: &str) -> Vec<Token<'_>> {
    // 0: separator, 1: digit, 2: letter (CJK characters are handled before classing).
    let class = |c: char| match c {
        _ if is_cjk(c) => 0,
        _ if c.is_ascii_digit() => 1,
        _ if c.is_alphanumeric() || c == '\'' => 2,
        _ => 0,
    };
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if is_cjk(c) {
            tokens.push(Token::Cjk(&text[start..start + c.len_utf8()]));
            continue;
        }
        let kind = class(c);
        if kind == 0 {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            if class(d) != kind {
                break;
            }
            end = i + d.len_utf8();
            chars.next();
        }
        tokens.push(if kind == 1 { Token::Number(end - start) } else { Token::Word(&text[start..end]) });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_spaces() {
        let n = normalize("  ＡＢＣ\u{3000}１２３\t\tHello\u{200B}World  ");
        assert_eq!(n.text, "abc 123 helloworld");
        assert_eq!(n.text.chars().count(), n.origin.len());
    }

    #[test]
    fn maps_spans_back_to_the_original() {
        let raw = "订单 ＮＯ１２３";
        let n = normalize(raw);
        let start = n.text.find("123").unwrap();
        let (s, e) = n.original_char_span(start, start + 3);
        let original: String = raw.chars().skip(s).take(e - s).collect();
        assert_eq!(original, "１２３");
    }

    #[test]
    fn detects_language() {
        assert_eq!(detect_language("我的订单到哪了"), Some(Language::Zh));
        assert_eq!(detect_language("where is my order"), Some(Language::En));
        assert_eq!(detect_language("iPhone 15 什么时候发货"), Some(Language::Zh));
        assert_eq!(detect_language("12345 !!"), None);
        // Codes are not words: an order number alone tells nothing, beside words it is ignored.
        assert_eq!(detect_language("A12345678"), None);
        assert_eq!(detect_language("SF1234567890 5G"), None);
        assert_eq!(detect_language("订单A12345678"), Some(Language::Zh));
        assert_eq!(detect_language("my order is A12345678"), Some(Language::En));
    }

    #[test]
    fn tokenizes_mixed_scripts() {
        let toks = tokenize("查订单12345 where's it");
        assert_eq!(
            toks,
            vec![
                Token::Cjk("查"),
                Token::Cjk("订"),
                Token::Cjk("单"),
                Token::Number(5),
                Token::Word("where's"),
                Token::Word("it")
            ]
        );
    }
}
