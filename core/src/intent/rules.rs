//! Rule tier: keywords and regular expressions from the bot file, checked before the model.

use regex::Regex;

use crate::text::normalize;

/// Keyword and regex rules, each pointing at an intent index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    keywords: Vec<(String, usize)>,
    patterns: Vec<(Regex, usize)>,
}

impl Rules {
    /// Adds a keyword (matched on normalised text; whole words for Latin script).
    pub fn add_keyword(&mut self, keyword: &str, intent: usize) {
        let k = normalize(keyword).text;
        if !k.is_empty() {
            self.keywords.push((k, intent));
        }
    }

    /// Adds a compiled pattern (matched on normalised text).
    pub fn add_pattern(&mut self, pattern: Regex, intent: usize) {
        self.patterns.push((pattern, intent));
    }

    /// The intent whose rule matches normalised `text`; the longest keyword wins, then
    /// the first pattern.
    pub fn find(&self, text: &str) -> Option<usize> {
        let best = self
            .keywords
            .iter()
            .filter(|(k, _)| contains_word(text, k))
            .max_by_key(|(k, _)| k.len())
            .map(|&(_, intent)| intent);
        best.or_else(|| self.patterns.iter().find(|(re, _)| re.is_match(text)).map(|&(_, i)| i))
    }
}

/// Substring match that, for keywords starting or ending in a Latin letter or digit,
/// also requires a word boundary there ("human" must not match "inhuman").
fn contains_word(text: &str, keyword: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.match_indices(keyword).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + keyword.len()..].chars().next();
        let first = keyword.chars().next();
        let last = keyword.chars().next_back();
        !(alnum(first) && alnum(before)) && !(alnum(last) && alnum(after))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_respect_word_boundaries_and_length() {
        let mut r = Rules::default();
        r.add_keyword("human", 0);
        r.add_keyword("转人工", 1);
        r.add_keyword("人工", 2);
        assert_eq!(r.find("i want a human please"), Some(0));
        assert_eq!(r.find("that was inhuman"), None);
        assert_eq!(r.find("帮我转人工"), Some(1));
        assert_eq!(r.find("人工客服在吗"), Some(2));
    }
}
