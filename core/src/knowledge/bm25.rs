//! Okapi BM25 over kefu's own CJK-aware terms: Chinese as single characters and character
//! bigrams (no dictionary: a bigram is most often a word or crosses into the next one),
//! other scripts as lower-case words with a light English stemmer, numbers as their
//! digits. Stop characters and words count for nothing.

use std::collections::HashMap;

use crate::text::{is_cjk, normalize};

/// Term-frequency saturation and length normalisation, the usual values.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A single Chinese character says less than a bigram or a word.
const CJK_CHAR_WEIGHT: f32 = 0.5;

/// Function characters of Chinese questions and help texts: they match everywhere.
/// Question words (怎么, 多久, 哪里) too: documents state, customers ask.
pub(crate) const STOP_CHARS: &str =
    "的了吗呢吧啊呀么是我你您他她它们这那在有和与及或就都也还很请要想能会可以个些之其把被让给对为从到于而怎什如何哪几多少久";

/// English function words (and the politeness of questions).
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "from", "by", "with", "about",
    "as", "into", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had",
    "i", "me", "my", "we", "our", "you", "your", "it", "its", "they", "them", "their", "this", "that", "these",
    "those", "there", "here", "what", "which", "who", "whom", "how", "when", "where", "why", "can", "could", "will",
    "would", "should", "shall", "may", "might", "must", "please", "hi", "hello", "so", "than", "then", "just", "any",
    "some", "get", "got", "much", "many", "i'm", "it's", "i've", "don't", "doesn't", "there's", "what's", "let", "us",
];

/// A term and how much it counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub text: String,
    pub weight: f32,
    /// A character bigram: in a question, one no passage holds most often straddles two
    /// words ("款多" of "退款多久") and says nothing about whether the documents answer.
    pub bigram: bool,
}

/// The terms of a text, in order, repeats kept.
pub(crate) fn terms(text: &str) -> Vec<Term> {
    let normalized = normalize(text).text;
    let mut out = Vec::new();
    let chars = normalized.chars();
    let mut previous_cjk: Option<char> = None;
    let mut word = String::new();
    let flush_word = |word: &mut String, out: &mut Vec<Term>| {
        if !word.is_empty() {
            let w = std::mem::take(word);
            if w.chars().all(|c| c.is_ascii_digit()) {
                out.push(Term { text: w, weight: 1.0, bigram: false });
            } else if !STOP_WORDS.contains(&w.as_str()) {
                out.push(Term { text: stem(&w), weight: 1.0, bigram: false });
            }
        }
    };
    for c in chars {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            // A bigram of two function characters ("可以") is one too.
            if let Some(p) = previous_cjk.filter(|&p| !(STOP_CHARS.contains(p) && STOP_CHARS.contains(c))) {
                out.push(Term { text: [p, c].iter().collect(), weight: 1.0, bigram: true });
            }
            if !STOP_CHARS.contains(c) {
                out.push(Term { text: c.to_string(), weight: CJK_CHAR_WEIGHT, bigram: false });
            }
            previous_cjk = Some(c);
            continue;
        }
        previous_cjk = None;
        let same_kind = |a: char, b: char| a.is_ascii_digit() == b.is_ascii_digit();
        if c.is_alphanumeric() || (c == '\'' && !word.is_empty()) {
            if word.chars().last().is_some_and(|last| !same_kind(last, c) && c != '\'' && last != '\'') {
                flush_word(&mut word, &mut out);
            }
            word.push(c);
        } else {
            flush_word(&mut word, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    out
}

/// A light English stemmer: plurals, possessives, -ing and -ed, so that "refunds",
/// "refunded" and "refunding" meet "refund". Other scripts pass unchanged.
pub(crate) fn stem(word: &str) -> String {
    let w = word.trim_end_matches("'s").trim_end_matches('\'');
    if !w.is_ascii() || w.len() <= 3 {
        return w.to_string();
    }
    let cut = |suffix: &str, keep: usize| w.len() >= suffix.len() + keep && w.ends_with(suffix);
    let base = if cut("ies", 2) {
        format!("{}y", &w[..w.len() - 3])
    } else if cut("sses", 1) || cut("ches", 2) || cut("shes", 2) || cut("xes", 2) {
        w[..w.len() - 2].to_string()
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w[..w.len() - 1].to_string()
    } else if cut("ing", 3) {
        undouble(&w[..w.len() - 3])
    } else if cut("ed", 3) {
        undouble(&w[..w.len() - 2])
    } else {
        w.to_string()
    };
    base.trim_end_matches('e').to_string()
}

/// "shipp" → "ship": the doubled consonant of "shipped", "shipping".
fn undouble(stem: &str) -> String {
    let b = stem.as_bytes();
    match b {
        [.., x, y] if x == y && !matches!(x, b'l' | b's' | b'z' | b'e' | b'o') => stem[..stem.len() - 1].to_string(),
        _ => stem.to_string(),
    }
}

/// An inverted index of passages.
#[derive(Debug, Default)]
pub(crate) struct Bm25 {
    ids: HashMap<String, u32>,
    /// Per term: (passage, weighted term frequency).
    postings: Vec<Vec<(u32, f32)>>,
    /// Weighted length of each passage.
    lengths: Vec<f32>,
    average_length: f32,
}

/// A query's distinct terms: id in the index (if known), weight, idf.
#[derive(Debug)]
pub(crate) struct Query {
    terms: Vec<(Option<u32>, f32, f32)>,
}

impl Query {
    /// Total weighted idf of the query: what a passage holding every term would match.
    pub fn mass(&self) -> f32 {
        self.terms.iter().map(|&(_, w, idf)| w * idf).sum()
    }

    /// The weighted idf of the query's terms that `terms` holds.
    pub fn matched_mass(&self, index: &Bm25, terms: &[Term]) -> f32 {
        self.terms
            .iter()
            .filter(|(id, _, _)| id.is_some_and(|id| terms.iter().any(|t| index.ids.get(&t.text) == Some(&id))))
            .map(|&(_, w, idf)| w * idf)
            .sum()
    }
}

impl Bm25 {
    /// Indexes each text as one passage, in order.
    pub fn build<'a>(texts: impl IntoIterator<Item = &'a str>) -> Bm25 {
        let mut index = Bm25::default();
        for (p, text) in texts.into_iter().enumerate() {
            let mut counts: HashMap<u32, f32> = HashMap::new();
            let mut length = 0.0;
            for term in terms(text) {
                let next = index.ids.len() as u32;
                let id = *index.ids.entry(term.text).or_insert(next);
                if id == next {
                    index.postings.push(Vec::new());
                }
                *counts.entry(id).or_default() += term.weight;
                length += term.weight;
            }
            let mut counts: Vec<(u32, f32)> = counts.into_iter().collect();
            counts.sort_unstable_by_key(|&(id, _)| id);
            for (id, tf) in counts {
                index.postings[id as usize].push((p as u32, tf));
            }
            index.lengths.push(length);
        }
        let n = index.lengths.len().max(1) as f32;
        index.average_length = (index.lengths.iter().sum::<f32>() / n).max(1.0);
        index
    }

    /// How many passages are indexed.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// Inverse document frequency of a term found in `df` passages. A term no passage
    /// holds weighs as much as the rarest one: more would make a handful of documents
    /// decline every question with one word of its own.
    fn idf(&self, df: usize) -> f32 {
        let (n, df) = (self.len() as f32, df.max(1) as f32);
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The query's distinct terms with their weight and idf.
    pub fn query(&self, text: &str) -> Query {
        let mut seen: Vec<(Option<u32>, f32, f32)> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        for term in terms(text) {
            if texts.contains(&term.text) {
                continue;
            }
            let id = self.ids.get(&term.text).copied();
            if id.is_none() && term.bigram {
                continue;
            }
            let df = id.map_or(0, |id| self.postings[id as usize].len());
            seen.push((id, term.weight, self.idf(df)));
            texts.push(term.text);
        }
        Query { terms: seen }
    }

    /// For every passage: its BM25 score and the weighted idf of the query terms it holds.
    pub fn score(&self, query: &Query) -> (Vec<f32>, Vec<f32>) {
        let mut scores = vec![0.0; self.len()];
        let mut matched = vec![0.0; self.len()];
        for &(id, weight, idf) in &query.terms {
            let Some(id) = id else { continue };
            for &(p, tf) in &self.postings[id as usize] {
                let p = p as usize;
                let norm = K1 * (1.0 - B + B * self.lengths[p] / self.average_length);
                scores[p] += weight * idf * tf * (K1 + 1.0) / (tf + norm);
                matched[p] += weight * idf;
            }
        }
        (scores, matched)
    }

    /// Bytes the index holds (terms, postings, lengths), for the size report.
    pub fn heap_bytes(&self) -> usize {
        let terms: usize = self.ids.keys().map(|k| k.len() + 24 + 4).sum();
        let postings: usize = self.postings.iter().map(|p| p.len() * 8 + 24).sum();
        terms + postings + self.lengths.len() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        terms(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn chinese_as_characters_and_bigrams_english_as_stems() {
        assert_eq!(texts("退货的运费"), ["退", "退货", "货", "货的", "的运", "运", "运费", "费"]);
        assert_eq!(texts("How do refunds work? Shipped 30 days"), ["refund", "work", "ship", "30", "day"]);
        assert_eq!(texts("ＶＩＰ会员"), ["vip", "会员", "员"]);
        assert_eq!(texts("iPhone15的"), ["iphon", "15"]);
        assert!(texts("").is_empty());
    }

    #[test]
    fn stems_meet() {
        for (a, b) in
            [("refunds", "refund"), ("refunded", "refunding"), ("shipping", "ship"), ("deliveries", "delivery")]
        {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("address"), stem("addresses"));
        assert_eq!(stem("status"), "status");
    }

    #[test]
    fn ranks_the_passage_that_holds_the_rare_terms() {
        let index = Bm25::build(["退货需要在七天内申请", "运费由卖家承担", "发票可以在订单页申请"]);
        let query = index.query("怎么申请退货");
        let (scores, matched) = index.score(&query);
        let best = (0..3).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
        assert_eq!(best, 0);
        assert!(matched[0] > matched[2] && matched[2] > 0.0 && matched[1] == 0.0);
        assert!(matched[0] <= query.mass());
    }
}
