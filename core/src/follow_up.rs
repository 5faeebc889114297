//! Follow-ups: "这款耳机防水吗" → "那手表呢", "where is order 12345678" → "what about
//! 87654321". A line is a follow-up when it carries a follow-up cue and a value for one of
//! the previous intent's slots; the policy then runs that intent again with the new value,
//! unless the model is sure the line is a new request. Without a value to swap in, a cue
//! alone ("那运费呢", "what about a refund") is a new question, never the old intent.

use crate::text::{occurrences, word_bounded};

/// Chinese cues, anywhere in the line: "也" (87654321也取消), "同样" / "一样" (同样的问题),
/// "换成".
const ZH_CUES: &[&str] = &["也", "同样", "一样", "换成"];
/// Chinese cues at the start of the line.
const ZH_OPENERS: &[&str] = &["那", "还有"];
/// English cues at the start of the line.
const EN_OPENERS: &[&str] =
    &["what about", "how about", "and", "same for", "same question", "same with", "also", "what of", "then"];
/// English cues at the end of the line.
const EN_CLOSERS: &[&str] = &["too", "as well", "also"];

/// Does normalised `text` carry a follow-up cue?
pub(crate) fn has_cue(text: &str) -> bool {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || "？！。，".contains(c));
    let word_at = |w: &str, at: usize| !w.is_ascii() || word_bounded(trimmed, at, at + w.len());
    trimmed.ends_with('呢')
        || ZH_CUES.iter().any(|w| occurrences(trimmed, w).next().is_some())
        || ZH_OPENERS.iter().any(|w| trimmed.starts_with(w))
        || EN_OPENERS.iter().any(|w| trimmed.starts_with(w) && word_at(w, 0))
        || EN_CLOSERS.iter().any(|w| trimmed.ends_with(w) && word_at(w, trimmed.len() - w.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    #[test]
    fn finds_cues_in_both_languages() {
        for text in [
            "那手表呢",
            "手表呢？",
            "87654321也取消",
            "同样的问题，耳机呢",
            "What about the watch?",
            "and 87654321?",
            "same for 87654321",
            "87654321 too",
        ] {
            assert!(has_cue(&normalize(text).text), "{text}");
        }
        for text in ["手表防水吗", "where is order 87654321", "android phones", "i want a refund", "thank you"] {
            assert!(!has_cue(&normalize(text).text), "{text}");
        }
    }
}
