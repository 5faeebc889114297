//! Grouping utterances by what they are about, for operators: tf-idf over kefu's CJK-aware
//! terms (the knowledge search's), joined on the encoder tiers by the sentences'
//! embeddings; groups grow around the densest utterances (each joins the most similar
//! group when close enough, else starts one), then every utterance moves to its closest
//! group twice (k-means-like passes). A group's label is its most telling terms: frequent
//! in it, rare elsewhere. Deterministic; memory linear in the utterances.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::knowledge::bm25::{stem, terms, STOP_CHARS};

/// Refinement passes after the first assignment.
const PASSES: usize = 2;
/// Terms in a group's label.
const LABEL_TERMS: usize = 3;

/// A group of utterances about one thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// Its most telling terms, joined by ` / `.
    pub label: String,
    /// Indices of its utterances in the input, closest to the group's centre first.
    pub members: Vec<usize>,
}

impl Group {
    /// A group of `members` (indices of texts) called `label`.
    pub fn new(label: String, members: Vec<usize>) -> Group {
        Group { label, members }
    }
}

/// A sparse unit vector: (term id, weight), sorted by term id.
type Sparse = Vec<(u32, f32)>;

fn sparse_dot(a: &Sparse, b: &Sparse) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

fn dense_dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = dense_dot(&v, &v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// The utterances as vectors, and similarity between them and group centres.
struct Space {
    tfidf: Vec<Sparse>,
    /// Unit embeddings, when every utterance has one.
    embeddings: Option<Vec<Vec<f32>>>,
    /// Terms by id, and in how many utterances each occurs.
    vocabulary: Vec<String>,
    document_frequency: Vec<u32>,
    /// For English stems, the word written most often.
    surface: HashMap<String, String>,
}

/// A group's centre: the mean of its members' vectors (not renormalised: a loose group's
/// centre is shorter, so joining it asks for more).
#[derive(Clone, Default)]
struct Centre {
    tfidf: HashMap<u32, f32>,
    embedding: Vec<f32>,
    size: usize,
}

impl Space {
    fn new(texts: &[&str], embeddings: Option<&[Vec<f32>]>) -> Space {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut vocabulary = Vec::new();
        let mut document_frequency: Vec<u32> = Vec::new();
        let counts: Vec<HashMap<u32, f32>> = texts
            .iter()
            .map(|text| {
                let mut tf: HashMap<u32, f32> = HashMap::new();
                for term in terms(text) {
                    let id = *ids.entry(term.text.clone()).or_insert_with(|| {
                        vocabulary.push(term.text.clone());
                        document_frequency.push(0);
                        (vocabulary.len() - 1) as u32
                    });
                    *tf.entry(id).or_default() += term.weight;
                }
                for id in tf.keys() {
                    document_frequency[*id as usize] += 1;
                }
                tf
            })
            .collect();
        let n = texts.len().max(1) as f32;
        let tfidf = counts
            .into_iter()
            .map(|tf| {
                let mut v: Sparse = tf
                    .into_iter()
                    .map(|(id, f)| (id, (1.0 + f.ln()) * (1.0 + (n / document_frequency[id as usize] as f32).ln())))
                    .collect();
                v.sort_unstable_by_key(|e| e.0);
                let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
                if norm > 0.0 {
                    v.iter_mut().for_each(|e| e.1 /= norm);
                }
                v
            })
            .collect();
        let mut written: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for text in texts {
            for word in crate::text::words(&text.to_lowercase()).into_iter().filter(|w| w.is_ascii()) {
                *written.entry(stem(word)).or_default().entry(word.to_string()).or_default() += 1;
            }
        }
        let surface = written
            .into_iter()
            .filter_map(|(stem, words)| {
                let best = words.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?.0;
                (best != stem).then_some((stem, best))
            })
            .collect();
        let embeddings = embeddings
            .filter(|e| e.len() == texts.len() && e.iter().all(|v| !v.is_empty() && v.len() == e[0].len()))
            .map(|e| e.iter().map(|v| unit(v.clone())).collect());
        Space { tfidf, embeddings, vocabulary, document_frequency, surface }
    }

    /// Similarity of two utterances: the tf-idf cosine, averaged with the embeddings'.
    fn similarity(&self, a: usize, b: usize) -> f32 {
        let lexical = sparse_dot(&self.tfidf[a], &self.tfidf[b]);
        match &self.embeddings {
            Some(e) => (lexical + dense_dot(&e[a], &e[b])) / 2.0,
            None => lexical,
        }
    }

    fn to_centre(&self, centre: &Centre, i: usize) -> f32 {
        let inv = 1.0 / centre.size.max(1) as f32;
        let lexical: f32 =
            self.tfidf[i].iter().map(|(id, w)| w * centre.tfidf.get(id).copied().unwrap_or(0.0)).sum::<f32>() * inv;
        match &self.embeddings {
            Some(e) => (lexical + dense_dot(&e[i], &centre.embedding) * inv) / 2.0,
            None => lexical,
        }
    }

    fn add(&self, centre: &mut Centre, i: usize) {
        for (id, w) in &self.tfidf[i] {
            *centre.tfidf.entry(*id).or_default() += w;
        }
        if let Some(e) = &self.embeddings {
            if centre.embedding.is_empty() {
                centre.embedding = vec![0.0; e[i].len()];
            }
            centre.embedding.iter_mut().zip(&e[i]).for_each(|(c, x)| *c += x);
        }
        centre.size += 1;
    }
}

/// Groups `texts` (with their embeddings on encoder tiers: one per text, all of one length,
/// else they are ignored) so that an utterance joins a group when its similarity to the
/// group's centre is at least `threshold`. Groups come largest first; ties by first member.
pub fn group(texts: &[&str], embeddings: Option<&[Vec<f32>]>, threshold: f32) -> Vec<Group> {
    let n = texts.len();
    if n == 0 {
        return Vec::new();
    }
    let space = Space::new(texts, embeddings);
    // Densest first: an utterance with many close neighbours seeds a group well.
    let mut density = vec![0u32; n];
    for a in 0..n {
        for b in a + 1..n {
            if space.similarity(a, b) >= threshold {
                density[a] += 1;
                density[b] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(density[i]), i));
    let mut centres: Vec<Centre> = Vec::new();
    let mut assigned = vec![usize::MAX; n];
    for &i in &order {
        let best = best_centre(&space, &centres, i).filter(|&(_, s)| s >= threshold);
        let c = best.map_or_else(
            || {
                centres.push(Centre::default());
                centres.len() - 1
            },
            |(c, _)| c,
        );
        space.add(&mut centres[c], i);
        assigned[i] = c;
    }
    for _ in 0..PASSES {
        let previous = centres.clone();
        let mut next: Vec<Centre> = vec![Centre::default(); previous.len()];
        for &i in &order {
            // A singleton's own centre is itself: it moves only to a group close enough.
            let own = assigned[i];
            let best =
                best_centre(&space, &previous, i).filter(|&(c, s)| c == own || s >= threshold).map_or(own, |(c, _)| c);
            assigned[i] = best;
            space.add(&mut next[best], i);
        }
        centres = next;
    }
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); centres.len()];
    for (i, &c) in assigned.iter().enumerate() {
        groups[c].push(i);
    }
    let mut out: Vec<Group> = groups
        .into_iter()
        .zip(&centres)
        .filter(|(members, _)| !members.is_empty())
        .map(|(mut members, centre)| {
            let closeness: HashMap<usize, f32> = members.iter().map(|&i| (i, space.to_centre(centre, i))).collect();
            members.sort_by(|a, b| closeness[b].total_cmp(&closeness[a]).then(a.cmp(b)));
            Group { label: label(&space, &members), members }
        })
        .collect();
    out.sort_by_key(|g| (std::cmp::Reverse(g.members.len()), g.members.iter().min().copied()));
    out
}

fn best_centre(space: &Space, centres: &[Centre], i: usize) -> Option<(usize, f32)> {
    centres
        .iter()
        .enumerate()
        .filter(|(_, c)| c.size > 0)
        .map(|(c, centre)| (c, space.to_centre(centre, i)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// The group's most telling terms: those most of its members use (squared, so a term of
/// every member beats a rare one of a few), more so the rarer the term is overall. A character
/// inside a chosen bigram or word is left out.
fn label(space: &Space, members: &[usize]) -> String {
    let n = space.tfidf.len() as f32;
    let mut coverage: HashMap<u32, f32> = HashMap::new();
    for &i in members {
        for (id, _) in &space.tfidf[i] {
            *coverage.entry(*id).or_default() += 1.0;
        }
    }
    let size = members.len().max(1) as f32;
    let mut scored: Vec<(u32, f32)> = coverage
        .into_iter()
        .map(|(id, c)| {
            let rarity = (n / space.document_frequency[id as usize] as f32).ln();
            let term = &space.vocabulary[id as usize];
            // A bigram with a function character at an edge most often straddles two words
            // ("要投" of "我要投诉").
            let straddles = term.chars().count() == 2 && term.chars().any(|c| STOP_CHARS.contains(c));
            let length = term.chars().count().min(2) as f32 * if straddles { 0.4 } else { 1.0 };
            (id, (c / size).powi(2) * (1.0 + rarity) * length)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<&str> = Vec::new();
    for (id, _) in scored {
        let term = space.vocabulary[id as usize].as_str();
        // A stem reads as the word most members wrote ("rout" → "routing").
        let term = space.surface.get(term).map_or(term, String::as_str);
        if chosen.iter().any(|c| c.contains(term) || term.contains(c)) {
            continue;
        }
        chosen.push(term);
        if chosen.len() == LABEL_TERMS {
            break;
        }
    }
    chosen.join(" / ")
}

/// Purity of `groups` against gold labels (one per text): the share of texts whose group's
/// most frequent gold label is their own.
pub fn purity(groups: &[Group], gold: &[&str]) -> f64 {
    let mut right = 0usize;
    for g in groups {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for &i in &g.members {
            *counts.entry(gold[i]).or_default() += 1;
        }
        right += counts.values().max().copied().unwrap_or(0);
    }
    right as f64 / gold.len().max(1) as f64
}

/// Adjusted Rand index of `groups` against gold labels (one per text; texts in no group
/// count as groups of their own).
pub fn adjusted_rand_index(groups: &[Group], gold: &[&str]) -> f64 {
    let n = gold.len();
    let mut predicted: Vec<usize> = (0..n).map(|i| groups.len() + i).collect();
    for (g, group) in groups.iter().enumerate() {
        for &i in &group.members {
            predicted[i] = g;
        }
    }
    let pairs = |x: usize| (x * x.saturating_sub(1) / 2) as f64;
    let mut table: HashMap<(usize, &str), usize> = HashMap::new();
    let mut rows: HashMap<usize, usize> = HashMap::new();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for i in 0..n {
        *table.entry((predicted[i], gold[i])).or_default() += 1;
        *rows.entry(predicted[i]).or_default() += 1;
        *columns.entry(gold[i]).or_default() += 1;
    }
    let index: f64 = table.values().map(|&c| pairs(c)).sum();
    let a: f64 = rows.values().map(|&c| pairs(c)).sum();
    let b: f64 = columns.values().map(|&c| pairs(c)).sum();
    let expected = a * b / pairs(n).max(1.0);
    let max = (a + b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_topic_with_telling_labels() {
        let texts = [
            "发票怎么开",
            "能开发票吗",
            "我要开增值税发票",
            "how do i get an invoice",
            "can you send me an invoice",
            "会员积分怎么用",
            "积分可以抵现吗",
            "积分什么时候过期",
        ];
        let groups = group(&texts, None, 0.08);
        let find = |i: usize| groups.iter().position(|g| g.members.contains(&i)).unwrap();
        assert_eq!(find(0), find(1));
        assert_eq!(find(0), find(2));
        assert_eq!(find(5), find(6));
        assert_eq!(find(5), find(7));
        assert_ne!(find(0), find(5));
        assert_eq!(find(3), find(4));
        assert!(groups[find(5)].label.contains("积分"), "{:?}", groups[find(5)]);
        let gold = ["invoice", "invoice", "invoice", "invoice_en", "invoice_en", "points", "points", "points"];
        assert_eq!(purity(&groups, &gold), 1.0);
        assert!((adjusted_rand_index(&groups, &gold) - 1.0).abs() < 1e-9, "{groups:?}");
    }

    #[test]
    fn rand_index_is_zero_for_chance_and_handles_the_empty() {
        assert!(group(&[], None, 0.3).is_empty());
        let all_one = [Group { label: String::new(), members: vec![0, 1, 2, 3] }];
        assert!(adjusted_rand_index(&all_one, &["a", "b", "a", "b"]).abs() < 1e-9);
    }
}
