//! A SentencePiece Unigram tokenizer over a static table's vocabulary, compatible with the
//! Hugging Face `tokenizer.json` of kefu's encoder (tools/build-encoder): the same pieces
//! for the same text, so the static tier needs neither `tokenizers` nor ONNX Runtime.
//!
//! Steps, as that tokenizer does them: each character through the encoder's normalisation
//! map (compiled per code point, so a lookup per character reproduces it), runs of spaces
//! to one; spaces become `▁`, one `▁` is put in front, and the text is split before each
//! `▁`; each word is cut into the pieces whose log-probabilities sum highest (Viterbi),
//! a character no piece covers becoming the unknown piece, consecutive unknowns fused.
//! (The one known difference: Hugging Face maps a whole grapheme by its first character
//! when that character has a rule, dropping combining marks after it; kefu maps each
//! character.)

use std::collections::HashMap;

/// The Unigram model's penalty under the lowest piece score for an unknown character
/// (Hugging Face's `K_UNK_PENALTY`).
const UNKNOWN_PENALTY: f64 = 10.0;
const METASPACE: char = '\u{2581}';

/// Pieces with their scores, the unknown piece and the normalisation map.
#[derive(Debug, Clone)]
pub(crate) struct Unigram {
    ids: HashMap<Box<str>, u32>,
    scores: Vec<f32>,
    unknown: u32,
    unknown_score: f64,
    longest_piece: usize,
    normalisation: HashMap<char, Box<str>>,
}

impl Unigram {
    /// `pieces` in id order with their scores; `unknown` must be one of their ids.
    pub(crate) fn new(pieces: Vec<(String, f32)>, unknown: u32, normalisation: HashMap<char, Box<str>>) -> Unigram {
        let lowest = pieces.iter().map(|(_, s)| f64::from(*s)).fold(f64::INFINITY, f64::min);
        let longest_piece = pieces.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
        let scores = pieces.iter().map(|(_, s)| *s).collect();
        let mut ids = HashMap::with_capacity(pieces.len());
        for (id, (piece, _)) in pieces.into_iter().enumerate() {
            // The first of two equal pieces keeps the id, as a JSON vocabulary would.
            ids.entry(piece.into_boxed_str()).or_insert(id as u32);
        }
        Unigram { ids, scores, unknown, unknown_score: lowest - UNKNOWN_PENALTY, longest_piece, normalisation }
    }

    pub(crate) fn len(&self) -> usize {
        self.scores.len()
    }

    /// The text as the tokenizer's normaliser leaves it.
    fn normalise(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match self.normalisation.get(&c) {
                Some(s) => out.push_str(s),
                None => out.push(c),
            }
        }
        // Runs of two or more spaces become one (the tokenizer's `Replace(" {2,}", " ")`).
        let mut collapsed = String::with_capacity(out.len());
        for c in out.chars() {
            if !(c == ' ' && collapsed.ends_with(' ')) {
                collapsed.push(c);
            }
        }
        collapsed
    }

    /// The ids of `text`'s pieces (no special tokens).
    pub(crate) fn tokenize(&self, text: &str) -> Vec<u32> {
        let normalised = self.normalise(text);
        if normalised.is_empty() {
            return Vec::new();
        }
        let mut spaced: String = normalised.chars().map(|c| if c == ' ' { METASPACE } else { c }).collect();
        if !spaced.starts_with(METASPACE) {
            spaced.insert(0, METASPACE);
        }
        let mut ids = Vec::new();
        let mut start = 0;
        for (i, _) in spaced.match_indices(METASPACE).skip(1) {
            self.cut(&spaced[start..i], &mut ids);
            start = i;
        }
        self.cut(&spaced[start..], &mut ids);
        ids
    }

    /// Appends the best-scoring pieces of one word.
    fn cut(&self, word: &str, ids: &mut Vec<u32>) {
        // best[end] = (score, start, id) of the best path over word[..end], at char boundaries.
        let mut best: Vec<Option<(f64, usize, u32)>> = vec![None; word.len() + 1];
        best[0] = Some((0.0, 0, self.unknown));
        for (start, c) in word.char_indices() {
            let Some((so_far, _, _)) = best[start] else { continue };
            let char_end = start + c.len_utf8();
            let mut covered = false;
            let limit = (start + self.longest_piece).min(word.len());
            for end in (char_end..=limit).filter(|&e| word.is_char_boundary(e)) {
                if let Some(&id) = self.ids.get(&word[start..end]) {
                    let candidate = so_far + f64::from(self.scores[id as usize]);
                    if best[end].map_or(true, |(score, _, _)| candidate > score) {
                        best[end] = Some((candidate, start, id));
                    }
                    covered |= end == char_end;
                }
            }
            if !covered {
                let candidate = so_far + self.unknown_score;
                if best[char_end].map_or(true, |(score, _, _)| candidate > score) {
                    best[char_end] = Some((candidate, start, self.unknown));
                }
            }
        }
        let mut path = Vec::new();
        let mut end = word.len();
        while end > 0 {
            // Every char boundary is reachable (at worst through unknowns), so `best[end]` is set.
            let Some((_, start, id)) = best[end] else { break };
            path.push(id);
            end = start;
        }
        for id in path.into_iter().rev() {
            if !(id == self.unknown && ids.last() == Some(&self.unknown)) {
                ids.push(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Unigram {
        let pieces =
            [("<unk>", 0.0), ("▁", -2.0), ("▁ab", -3.0), ("a", -2.0), ("b", -2.0), ("▁a", -2.5), ("我要", -4.0)];
        let normalisation = HashMap::from([('Ａ', "a".into()), ('\t', " ".into()), ('\u{200b}', "".into())]);
        Unigram::new(pieces.iter().map(|(p, s)| (p.to_string(), *s)).collect(), 0, normalisation)
    }

    #[test]
    fn picks_the_highest_scoring_cut_and_fuses_unknowns() {
        let t = toy();
        // "▁ab" (−3) beats "▁a" + "b" (−4.5).
        assert_eq!(t.tokenize("ab"), vec![2]);
        // Normalised (Ａ → a, tab → space, zero-width space dropped), spaces collapsed.
        assert_eq!(t.tokenize("Ａ\t \u{200b}b"), vec![5, 1, 4]);
        // 你 and 好 have no piece: one fused unknown between the pieces around them.
        assert_eq!(t.tokenize("你好我要"), vec![1, 0, 6]);
        assert_eq!(t.tokenize(""), Vec::<u32>::new());
        assert_eq!(t.tokenize(" "), vec![1]);
    }
}
