//! Rule tier: keywords and regular expressions from the bot file, checked before the model.

use regex::Regex;

use crate::text::{normalize, word_bounded};

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
            .filter(|(k, _)| text.match_indices(k.as_str()).any(|(at, _)| word_bounded(text, at, at + k.len())))
            .max_by_key(|(k, _)| k.len())
            .map(|&(_, intent)| intent);
        best.or_else(|| self.patterns.iter().find(|(re, _)| re.is_match(text)).map(|&(_, i)| i))
    }
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
