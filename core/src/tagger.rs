//! A sequence tagger for slots: an averaged structured perceptron over BIO tags with Viterbi
//! decoding, trained from tokenised, tagged sentences (benchmark data, or a bot file's
//! annotated examples). Pure Rust and deterministic like the intent model.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::intent::HashedMap;

/// Training passes over the sentences.
const EPOCHS: usize = 10;

/// A trained tagger.
#[derive(Debug, Clone)]
pub struct SequenceTagger {
    tags: Vec<String>,
    /// Feature hash → its row of `weights`.
    feature_rows: HashedMap<u32>,
    /// One row of weights per feature, one weight per tag (averaged after training), in one
    /// allocation: a token's features cost a lookup each, not a lookup and a pointer chase.
    weights: Vec<f32>,
    /// `transitions[prev * n + tag]`; row `n` is the start of the sentence. Once trained,
    /// the ones that break BIO are −∞, so tagging never starts a slot with `I-` (training
    /// decodes without that constraint).
    transitions: Vec<f32>,
    /// Once trained, the `I-` tags come last, one entry each here: the indices of `B-x` and
    /// `I-x`, the only tags `I-x` may follow (`I-x` twice where training had no `B-x`), so
    /// decoding scores those two instead of every previous tag (28 % fewer instructions
    /// tagging ATIS, whose 120 tags include 40 `I-` ones, by callgrind). Empty while
    /// training: every tag is scored after every other.
    continues: Vec<[usize; 2]>,
}

/// Whether tag `next` may follow tag `prev` (`tags.len()`: the start of the sentence) in
/// BIO: `I-x` only continues a `B-x` or an `I-x`. Tagging under this constraint, slot F1 on
/// the test splits: SNIPS 91.91 → 91.88, ATIS 93.13 → 93.18, CAIS 87.28 → 87.52, and 0–4
/// points more on SNIPS and ATIS with 50–100 training sentences (`kefu eval --limit`, hand
/// trials, as the next). Training under it too gained 0.8 points on SNIPS and CAIS but did
/// worse on small sets and mixed up the sample bot's two prices.
fn continues_a_slot(tags: &[String], prev: usize, next: usize) -> bool {
    match tags[next].strip_prefix("I-") {
        None => true,
        Some(slot) => {
            tags.get(prev).is_some_and(|p| p.strip_prefix("B-").or_else(|| p.strip_prefix("I-")) == Some(slot))
        }
    }
}

/// FNV-1a over the parts of a feature, each closed by its own mark, as the intent features:
/// stable across platforms.
struct PartHasher {
    hash: u64,
    parts: u8,
}

impl PartHasher {
    fn new() -> PartHasher {
        PartHasher { hash: 0xCBF2_9CE4_8422_2325, parts: 0 }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
        }
    }

    fn end_part(&mut self) {
        self.bytes(&[0xFF - self.parts]);
        self.parts += 1;
    }
}

fn hash(parts: &[&str]) -> u64 {
    let mut h = PartHasher::new();
    for p in parts {
        h.bytes(p.as_bytes());
        h.end_part();
    }
    h.hash
}

/// The hash of `["shape", shape of word]`, where the shape is `Xx`-style with runs
/// collapsed (`iPhone12` → `xXxd`), without building the shape.
fn shape_hash(word: &str) -> u64 {
    let mut h = PartHasher::new();
    h.bytes(b"shape");
    h.end_part();
    let mut last = None;
    for c in word.chars() {
        let s = if c.is_ascii_digit() {
            'd'
        } else if c.is_uppercase() {
            'X'
        } else if c.is_alphabetic() {
            if c.is_ascii() {
                'x'
            } else {
                'c'
            }
        } else {
            c
        };
        if last != Some(s) {
            h.bytes(s.encode_utf8(&mut [0; 4]).as_bytes());
            last = Some(s);
        }
    }
    h.end_part();
    h.hash
}

/// Features per token.
const FEATURES: usize = 13;

/// The hashed features of token `i` (tokens lower-case).
fn features(tokens: &[&str], i: usize) -> [u64; FEATURES] {
    let word = |j: isize| -> &str {
        usize::try_from(i as isize + j).ok().and_then(|k| tokens.get(k)).copied().unwrap_or(if j < 0 {
            "<s>"
        } else {
            "</s>"
        })
    };
    let w = word(0);
    // The first and the last three characters.
    let prefix = &w[..w.char_indices().nth(3).map_or(w.len(), |(at, _)| at)];
    let suffix = &w[w.char_indices().rev().nth(2).map_or(0, |(at, _)| at)..];
    [
        hash(&["bias"]),
        hash(&["w", w]),
        hash(&["p3", prefix]),
        hash(&["s3", suffix]),
        shape_hash(w),
        hash(&["w-1", word(-1)]),
        hash(&["w+1", word(1)]),
        hash(&["w-2", word(-2)]),
        hash(&["w+2", word(2)]),
        hash(&["w-1w", word(-1), w]),
        hash(&["ww+1", w, word(1)]),
        hash(&["w-2w-1", word(-2), word(-1)]),
        hash(&["w+1w+2", word(1), word(2)]),
    ]
}

/// The features of each token of a sentence; tokens are compared lower-cased.
fn sentence_features(tokens: &[String]) -> Vec<[u64; FEATURES]> {
    let lower: Vec<Cow<'_, str>> = tokens
        .iter()
        .map(|t| {
            // Most tokens come lower-cased already (normalised text): no copy for them.
            if t.chars().all(|c| c.to_lowercase().eq([c])) {
                Cow::Borrowed(t.as_str())
            } else {
                Cow::Owned(t.to_lowercase())
            }
        })
        .collect();
    let lower: Vec<&str> = lower.iter().map(|t| t.as_ref()).collect();
    (0..lower.len()).map(|i| features(&lower, i)).collect()
}

impl SequenceTagger {
    /// Trains on `(tokens, tags)` sentences (tags such as `B-city`, `I-city`, `O`).
    /// Tokens are compared lower-cased.
    pub fn train(sentences: &[(Vec<String>, Vec<String>)]) -> SequenceTagger {
        let mut m = SequenceTagger::fit(sentences);
        m.continuations_last();
        m
    }

    /// The averaged perceptron, tags in their order of first appearance, decoding every
    /// tag after every other (the BIO constraint already in its −∞ transitions).
    fn fit(sentences: &[(Vec<String>, Vec<String>)]) -> SequenceTagger {
        let mut tags: Vec<String> = Vec::new();
        let mut index = HashMap::new();
        let mut gold: Vec<Vec<usize>> = Vec::with_capacity(sentences.len());
        for (_, ts) in sentences {
            gold.push(
                ts.iter()
                    .map(|t| {
                        let next = tags.len();
                        let i = *index.entry(t.clone()).or_insert(next);
                        if i == next {
                            tags.push(t.clone());
                        }
                        i
                    })
                    .collect(),
            );
        }
        let n = tags.len();
        let feats: Vec<Vec<[u64; FEATURES]>> = sentences.iter().map(|(tokens, _)| sentence_features(tokens)).collect();
        let mut m = SequenceTagger {
            tags,
            feature_rows: HashedMap::default(),
            weights: Vec::new(),
            transitions: vec![0.0; (n + 1) * n],
            continues: Vec::new(),
        };
        // Averaging: `total` sums each weight over every step; `stamp` is when it last
        // changed, so sums catch up lazily.
        let (mut total, mut stamp): (Vec<f32>, Vec<usize>) = (Vec::new(), Vec::new());
        let mut trans_total = vec![0.0f32; (n + 1) * n];
        let mut trans_stamp = vec![0usize; (n + 1) * n];
        let mut step = 0usize;
        for _ in 0..EPOCHS {
            for (s, sentence) in feats.iter().enumerate() {
                step += 1;
                let predicted = m.viterbi(sentence);
                if predicted == gold[s] {
                    continue;
                }
                for (i, f) in sentence.iter().enumerate() {
                    let (g, p) = (gold[s][i], predicted[i]);
                    if g != p {
                        for &h in f {
                            let row = *m.feature_rows.entry(h).or_insert_with(|| {
                                let row = (m.weights.len() / n) as u32;
                                m.weights.resize(m.weights.len() + n, 0.0);
                                total.resize(m.weights.len(), 0.0);
                                stamp.resize(m.weights.len(), 0);
                                row
                            }) as usize;
                            for (tag, delta) in [(g, 1.0f32), (p, -1.0)] {
                                let k = row * n + tag;
                                total[k] += m.weights[k] * (step - stamp[k]) as f32;
                                stamp[k] = step;
                                m.weights[k] += delta;
                            }
                        }
                    }
                    let prev = |tags: &[usize]| if i == 0 { n } else { tags[i - 1] };
                    let (gi, pi) = (prev(&gold[s]) * n + g, prev(&predicted) * n + p);
                    if gi != pi {
                        for (k, delta) in [(gi, 1.0f32), (pi, -1.0)] {
                            trans_total[k] += m.transitions[k] * (step - trans_stamp[k]) as f32;
                            trans_stamp[k] = step;
                            m.transitions[k] += delta;
                        }
                    }
                }
            }
        }
        let steps = step.max(1) as f32;
        for (k, w) in m.weights.iter_mut().enumerate() {
            *w = (total[k] + *w * (step - stamp[k]) as f32) / steps;
        }
        for k in 0..m.transitions.len() {
            m.transitions[k] = (trans_total[k] + m.transitions[k] * (step - trans_stamp[k]) as f32) / steps;
        }
        for k in 0..m.transitions.len() {
            if !continues_a_slot(&m.tags, k / n, k % n) {
                m.transitions[k] = f32::NEG_INFINITY;
            }
        }
        m
    }

    /// Reorders the tags so that the `I-` ones come last (the others keep their order) and
    /// notes which two tags each may follow. Plain loops: iterator adapters here cost the
    /// `.wasm` 1.5 KB gzipped.
    fn continuations_last(&mut self) {
        let n = self.tags.len();
        // `order[new] = old`.
        let (mut order, mut open) = (Vec::with_capacity(n), 0);
        for inside in [false, true] {
            for t in 0..n {
                if self.tags[t].starts_with("I-") == inside {
                    order.push(t);
                }
            }
            if !inside {
                open = order.len();
            }
        }
        let permute = |v: &[f32], row: usize| {
            let mut out = Vec::with_capacity(n);
            for &t in &order {
                out.push(v[row * n + t]);
            }
            out
        };
        for w in self.weights.chunks_exact_mut(n.max(1)) {
            w.copy_from_slice(&permute(w, 0));
        }
        let mut transitions = Vec::with_capacity(self.transitions.len());
        for &prev in order.iter().chain(&[n]) {
            transitions.extend(permute(&self.transitions, prev));
        }
        self.transitions = transitions;
        let mut tags = Vec::with_capacity(n);
        for &t in &order {
            tags.push(std::mem::take(&mut self.tags[t]));
        }
        self.tags = tags;
        for inside in open..n {
            let slot = &self.tags[inside][2..];
            // `B-x` is an open tag, so it comes first, as in a scan of every tag.
            let begin = self.tags.iter().position(|t| t.strip_prefix("B-") == Some(slot));
            self.continues.push([begin.unwrap_or(inside), inside]);
        }
    }

    /// Tags from this index on are the `I-` ones of `continues` (the tag count while training).
    fn first_continuation(&self) -> usize {
        self.tags.len() - self.continues.len()
    }

    /// The best tag sequence of a sentence's features.
    fn viterbi(&self, sentence: &[[u64; FEATURES]]) -> Vec<usize> {
        let n = self.tags.len();
        if sentence.is_empty() || n == 0 {
            return Vec::new();
        }
        // Emission scores of the current token, into `e`.
        let emission = |f: &[u64], e: &mut [f32]| {
            e.fill(0.0);
            for h in f {
                if let Some(&row) = self.feature_rows.get(h) {
                    e.iter_mut().zip(&self.weights[row as usize * n..][..n]).for_each(|(a, b)| *a += b);
                }
            }
        };
        let mut e = vec![0.0f32; n];
        emission(&sentence[0], &mut e);
        let mut score: Vec<f32> = e.iter().enumerate().map(|(t, e)| e + self.transitions[n * n + t]).collect();
        let mut next = vec![0.0f32; n];
        // `back[(i - 1) * n + tag]`: the best previous tag of `tag` at token `i`.
        let mut back: Vec<u32> = vec![0; (sentence.len() - 1) * n];
        for (f, from) in sentence[1..].iter().zip(back.chunks_exact_mut(n)) {
            emission(f, &mut e);
            next.fill(f32::NEG_INFINITY);
            // Open tags: previous tag outside, next tag inside: the inner loop runs along a
            // row of `transitions` and each lane keeps its own best, so it vectorises (this
            // loop was 80 % of slot training). Strictly greater, in order of `p`: the first
            // best previous tag wins.
            let open = self.first_continuation();
            for (p, &s) in score.iter().enumerate() {
                let row = &self.transitions[p * n..][..open];
                for ((nt, fr), &w) in next[..open].iter_mut().zip(from[..open].iter_mut()).zip(row) {
                    let v = s + w;
                    let better = v > *nt;
                    *nt = if better { v } else { *nt };
                    *fr = if better { p as u32 } else { *fr };
                }
            }
            // `I-` tags: only their two possible previous tags, in the same order.
            for (t, prevs) in (open..n).zip(&self.continues) {
                for &p in prevs {
                    let v = score[p] + self.transitions[p * n + t];
                    if v > next[t] {
                        next[t] = v;
                        from[t] = p as u32;
                    }
                }
            }
            next.iter_mut().zip(&e).for_each(|(nt, e)| *nt += e);
            std::mem::swap(&mut score, &mut next);
        }
        let mut best = (0..n).max_by(|&a, &b| score[a].total_cmp(&score[b]).then(b.cmp(&a))).unwrap_or(0);
        let mut path = vec![best];
        for from in back.chunks_exact(n).rev() {
            best = from[best] as usize;
            path.push(best);
        }
        path.reverse();
        path
    }

    /// Tags of a tokenised sentence.
    pub fn tag(&self, tokens: &[String]) -> Vec<String> {
        self.viterbi(&sentence_features(tokens)).into_iter().map(|t| self.tags[t].clone()).collect()
    }
}

/// Tokens of a text for slot tagging, with their byte spans: runs of ASCII letters and
/// digits, and every other non-space character on its own (so Chinese is tagged per
/// character, as CAIS is).
pub(crate) fn tokens_with_spans(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        if c.is_ascii_alphanumeric() {
            run.get_or_insert(i);
            continue;
        }
        if let Some(start) = run.take() {
            out.push((text[start..i].to_string(), start, i));
        }
        if !c.is_whitespace() && i < text.len() {
            out.push((c.to_string(), i, i + c.len_utf8()));
        }
    }
    out
}

/// BIO tags of `tokens` for slot spans given as byte ranges of the same text.
pub(crate) fn bio_tags(tokens: &[(String, usize, usize)], spans: &[(usize, usize, String)]) -> Vec<String> {
    let mut tags = vec!["O".to_string(); tokens.len()];
    for (start, end, slot) in spans {
        let mut first = true;
        for (i, (_, a, b)) in tokens.iter().enumerate() {
            if *a >= *start && *b <= *end {
                tags[i] = format!("{}-{slot}", if first { "B" } else { "I" });
                first = false;
            }
        }
    }
    tags
}

/// Slot spans of a BIO tag sequence: `(slot, start, end)` over token indices (an `I-` after
/// another slot starts a new span, as conlleval counts).
pub fn bio_spans(tags: &[String]) -> Vec<(String, usize, usize)> {
    let mut spans: Vec<(String, usize, usize)> = Vec::new();
    let mut open: Option<(String, usize)> = None;
    for (i, t) in tags.iter().map(String::as_str).chain(std::iter::once("O")).enumerate() {
        let (kind, slot) = t.split_once('-').unwrap_or((t, ""));
        let continues = kind == "I" && open.as_ref().is_some_and(|(s, _)| s == slot);
        if !continues {
            if let Some((s, start)) = open.take() {
                spans.push((s, start, i));
            }
            if kind == "B" || kind == "I" {
                open = Some((slot.to_string(), i));
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str, tags: &str) -> (Vec<String>, Vec<String>) {
        (text.split(' ').map(String::from).collect(), tags.split(' ').map(String::from).collect())
    }

    /// Every run of consecutive words, as tokens.
    fn runs(words: &[&str]) -> Vec<Vec<String>> {
        (0..words.len())
            .flat_map(|start| {
                (start + 1..=words.len()).map(move |end| words[start..end].iter().map(|w| w.to_string()).collect())
            })
            .collect()
    }

    #[test]
    fn learns_slots_from_context() {
        let data = vec![
            sentence("fly to boston tomorrow", "O O B-city B-date"),
            sentence("fly to denver today", "O O B-city B-date"),
            sentence("book a flight to new york", "O O O O B-city I-city"),
            sentence("weather in paris today", "O O B-city B-date"),
            sentence("flights from dallas to boston", "O O B-from O B-city"),
            sentence("from denver to paris tomorrow", "O B-from O B-city B-date"),
        ];
        let t = SequenceTagger::train(&data);
        let tags = t.tag(&"fly to paris tomorrow".split(' ').map(String::from).collect::<Vec<_>>());
        assert_eq!(tags, ["O", "O", "B-city", "B-date"]);
        let from = t.tag(&"flights from boston to denver".split(' ').map(String::from).collect::<Vec<_>>());
        assert_eq!(bio_spans(&from), vec![("from".to_string(), 2, 3), ("city".to_string(), 4, 5)]);
    }

    #[test]
    fn tags_never_start_a_slot_inside() {
        // `I-city` is learned mostly from "york": alone, unconstrained decoding would tag
        // such a word `I-city` after `O`.
        let data = vec![
            sentence("to new york", "O B-city I-city"),
            sentence("in new york today", "O B-city I-city B-date"),
            sentence("new york please", "B-city I-city O"),
            sentence("fly to boston", "O O B-city"),
        ];
        let t = SequenceTagger::train(&data);
        for tokens in runs(&["york", "to", "york", "fly", "new", "york", "today", "please", "boston", "york"]) {
            let tags = t.tag(&tokens);
            for (i, tag) in tags.iter().enumerate() {
                if let Some(slot) = tag.strip_prefix("I-") {
                    let prev = i.checked_sub(1).map(|p| tags[p].as_str());
                    assert!(prev == Some(&format!("B-{slot}")) || prev == Some(tag.as_str()), "{tokens:?} → {tags:?}");
                }
            }
        }
    }

    #[test]
    fn decoding_only_the_possible_predecessors_of_inside_tags_finds_the_best_path() {
        let data = vec![
            sentence("to new york from los angeles", "O B-city I-city O B-from I-from"),
            sentence("from san jose to new york city", "O B-from I-from O B-city I-city I-city"),
            sentence("a table for two in new york", "O O O B-size O B-city I-city"),
            sentence("york street", "I-street I-street"),
        ];
        let pruned = SequenceTagger::train(&data);
        assert!(pruned.first_continuation() < pruned.tags.len());
        // The same model before its tags were reordered, scoring every previous tag of
        // every tag (the −∞ transitions still forbid what BIO forbids).
        let full = SequenceTagger::fit(&data);
        for tokens in runs(&["new", "york", "from", "los", "angeles", "to", "city", "street", "two", "jose"]) {
            assert_eq!(pruned.tag(&tokens), full.tag(&tokens), "{tokens:?}");
        }
    }

    #[test]
    fn a_tagger_trained_without_slots_or_without_tags_still_tags() {
        let t = SequenceTagger::train(&[sentence("hello there", "O O")]);
        assert_eq!(t.tag(&["hi".to_string()]), ["O"]);
        let untagged = SequenceTagger::train(&[(vec!["hello".to_string()], Vec::new())]);
        assert!(untagged.tag(&["hi".to_string()]).is_empty());
        assert!(SequenceTagger::train(&[]).tag(&[]).is_empty());
    }

    #[test]
    fn tokens_and_tags_of_mixed_text() {
        let tokens = tokens_with_spans("买时199元 now $159");
        let words: Vec<&str> = tokens.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(words, ["买", "时", "199", "元", "now", "$", "159"]);
        let tags = bio_tags(&tokens, &[(6, 12, "paid".into())]);
        assert_eq!(tags, ["O", "O", "B-paid", "I-paid", "O", "O", "O"]);
    }

    #[test]
    fn spans_follow_conlleval() {
        let tags: Vec<String> = ["B-a", "I-a", "O", "I-b", "B-a", "B-a"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            bio_spans(&tags),
            vec![("a".into(), 0, 2), ("b".into(), 3, 4), ("a".into(), 4, 5), ("a".into(), 5, 6)]
        );
    }
}
