//! Answers from the host's own documents (a help centre), quoted with their source.
//!
//! Documents are cut into passages at load ([`passages`]); a line no intent or FAQ entry
//! claims is looked up: lexical BM25 over kefu's CJK-aware terms on every tier, fused
//! with the passages' sentence embeddings where the bot has an encoder. The best passage
//! answers only when its answerability score — how much of the question's rare terms it
//! holds, and on an encoder tier how close its meaning is — clears the bot's threshold;
//! then its best one to three sentences are the reply, verbatim, each with a [`Citation`].
//! Nothing is generated.

pub(crate) mod bm25;
mod passages;

use serde::{Deserialize, Serialize};

use bm25::{terms, Bm25, Query};

/// Least answerability for a quoted answer, per tier: on the development part of
/// `tests/fixtures/knowledge`, the lowest threshold that declines at least 85 % of the
/// unanswerable questions (docs/knowledge.md). A wrong answer costs more than "I don't
/// know", which the fallback policy follows with a question or a person.
const LEXICAL_THRESHOLD: f32 = 0.625;
const ONNX_THRESHOLD: f32 = 0.575;
const STATIC_THRESHOLD: f32 = 0.475;
/// Weight of BM25 in the hybrid ranking, the rest going to the embeddings: the ONNX
/// tier's encoder finds the right passage more often than BM25, the static tier's less.
const LEXICAL_WEIGHT_ONNX: f32 = 0.1;
const LEXICAL_WEIGHT_STATIC: f32 = 0.5;
/// Weight of the lexical coverage in the hybrid's answerability (the rest: meaning).
const COVERAGE_WEIGHT: f32 = 0.5;
/// A passage's closeness in meaning is its cosine's z-score among all passages for the
/// question, divided by this and capped at 1: encoders differ in where their cosines
/// lie, not in how far a passage that answers stands out from the rest.
const Z_SCALE: f32 = 4.0;
/// Sentences quoted at most.
const MAX_QUOTED: usize = 3;

/// A document the bot answers from: Markdown (headings give each passage its place) or
/// plain text, Chinese or English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// How citations name it: a file name or a link (`help/returns.md`).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Where a quoted text comes from: enough for the host to link to it and highlight it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    /// The document's name.
    pub document: String,
    /// The document's title: its first `# ` heading, else its name.
    pub title: String,
    /// The headings above the text, outermost first (the title not included).
    pub heading: Vec<String>,
    /// First character of the text in the document (Unicode scalar values, from 0).
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The text itself: the document's characters `start..end`.
    pub text: String,
}

/// A passage found for a question, with its answerability score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageHit {
    /// The whole passage and where it is.
    pub passage: Citation,
    /// How well it answers, 0–1: what the bot compares with its threshold.
    pub score: f32,
}

/// An answer from the documents: the sentences quoted and where each is from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeAnswer {
    /// The reply: the quoted sentences, joined as the document joins them (its own spaces,
    /// or a line break where they were not side by side).
    pub text: String,
    /// One citation per quoted sentence, in document order.
    pub citations: Vec<Citation>,
    /// The passage's answerability score.
    pub score: f32,
}

/// A passage as indexed.
#[derive(Debug)]
struct Passage {
    document: usize,
    heading: Vec<String>,
    start: usize,
    end: usize,
    text: String,
    /// Sentences, in characters of the document.
    sentences: Vec<(usize, usize)>,
}

/// A loaded document.
#[derive(Debug)]
struct Loaded {
    name: String,
    title: String,
    chars: Vec<char>,
}

/// The bot's documents, cut into passages and indexed.
#[derive(Debug)]
pub(crate) struct Knowledge {
    documents: Vec<Loaded>,
    passages: Vec<Passage>,
    index: Bm25,
    /// Each passage's unit-length sentence embedding; empty without an encoder.
    embeddings: Vec<Vec<f32>>,
    /// BM25's weight in the hybrid ranking.
    lexical_weight: f32,
    /// The tier's default threshold.
    default_threshold: f32,
    threshold: f32,
}

impl Knowledge {
    /// Cuts and indexes `documents`; `threshold` overrides the tier's default.
    pub(crate) fn build(documents: &[Document], threshold: Option<f32>) -> Knowledge {
        let mut loaded = Vec::with_capacity(documents.len());
        let mut passages = Vec::new();
        for (d, doc) in documents.iter().enumerate() {
            let chars: Vec<char> = doc.text.chars().collect();
            let (title, pieces) = passages::split(&chars);
            for piece in pieces {
                passages.push(Passage {
                    document: d,
                    text: chars[piece.start..piece.end].iter().collect(),
                    sentences: passages::sentences(&chars, piece.start, piece.end),
                    heading: piece.heading,
                    start: piece.start,
                    end: piece.end,
                });
            }
            let title = title.unwrap_or_else(|| doc.name.clone());
            loaded.push(Loaded { name: doc.name.clone(), title, chars });
        }
        // The title and headings are indexed with the passage: questions often name them.
        let indexed: Vec<String> = passages
            .iter()
            .map(|p| format!("{} {} {}", loaded[p.document].title, p.heading.join(" "), p.text))
            .collect();
        let index = Bm25::build(indexed.iter().map(String::as_str));
        Knowledge {
            documents: loaded,
            passages,
            index,
            embeddings: Vec::new(),
            lexical_weight: 1.0,
            default_threshold: LEXICAL_THRESHOLD,
            threshold: threshold.unwrap_or(-1.0),
        }
    }

    /// The texts to embed for the hybrid ranking, one per passage.
    pub(crate) fn passage_texts(&self) -> Vec<String> {
        self.passages.iter().map(|p| format!("{} {}", p.heading.join(" "), p.text).trim().to_string()).collect()
    }

    /// Takes the passages' embeddings (one per [`Knowledge::passage_texts`]) from the
    /// encoder of `tier`, whose weights and threshold then apply.
    pub(crate) fn with_embeddings(mut self, embeddings: Vec<Vec<f32>>, tier: crate::Tier) -> Knowledge {
        if embeddings.len() == self.passages.len() {
            self.embeddings = embeddings.into_iter().map(unit).collect();
            (self.lexical_weight, self.default_threshold) = match tier {
                crate::Tier::Static => (LEXICAL_WEIGHT_STATIC, STATIC_THRESHOLD),
                _ => (LEXICAL_WEIGHT_ONNX, ONNX_THRESHOLD),
            };
        }
        self
    }

    /// The threshold in force.
    pub fn threshold(&self) -> f32 {
        if self.threshold >= 0.0 {
            self.threshold
        } else {
            self.default_threshold
        }
    }

    /// How many passages the documents gave.
    pub fn passage_count(&self) -> usize {
        self.passages.len()
    }

    /// Bytes of the index and the passages' text and embeddings, roughly.
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self.passages.iter().map(|p| p.text.len() + p.sentences.len() * 16 + 96).sum();
        let docs: usize = self.documents.iter().map(|d| d.chars.len() * 4 + d.title.len() + d.name.len()).sum();
        let vectors: usize = self.embeddings.iter().map(|e| e.len() * 4 + 24).sum();
        self.index.heap_bytes() + text + docs + vectors
    }

    /// The `limit` passages that best answer `question`, best first. `embedding` is the
    /// question's, on an encoder tier.
    pub(crate) fn search(&self, question: &str, embedding: Option<&[f32]>, limit: usize) -> Vec<(usize, f32)> {
        self.rank(&self.index.query(question), embedding, limit)
    }

    /// [`Knowledge::search`] for a question already cut into its query terms.
    fn rank(&self, query: &Query, embedding: Option<&[f32]>, limit: usize) -> Vec<(usize, f32)> {
        let mass = query.mass();
        if mass <= 0.0 || self.passages.is_empty() {
            return Vec::new();
        }
        let (scores, matched) = self.index.score(query);
        let best_bm25 = scores.iter().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
        let meanings = embedding.and_then(|e| self.meanings(e));
        let w = self.lexical_weight;
        let mut ranked: Vec<(usize, f32, f32)> = (0..self.passages.len())
            .map(|p| {
                let coverage = matched[p] / mass;
                let lexical = scores[p] / best_bm25;
                match &meanings {
                    None => (p, lexical, coverage),
                    Some(m) => {
                        (p, w * lexical + (1.0 - w) * m[p], COVERAGE_WEIGHT * coverage + (1.0 - COVERAGE_WEIGHT) * m[p])
                    }
                }
            })
            .filter(|&(_, rank, _)| rank > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked.into_iter().map(|(p, _, answerable)| (p, answerable)).collect()
    }

    /// How close in meaning each passage is to the question, 0–1 (see [`Z_SCALE`]); `None`
    /// without passage embeddings of the question's length.
    fn meanings(&self, question: &[f32]) -> Option<Vec<f32>> {
        if self.embeddings.first().map(Vec::len) != Some(question.len()) {
            return None;
        }
        let q = unit(question.to_vec());
        let cosines: Vec<f32> = self.embeddings.iter().map(|p| dot(p, &q)).collect();
        let n = cosines.len() as f32;
        let mean = cosines.iter().sum::<f32>() / n;
        let sd = (cosines.iter().map(|c| (c - mean) * (c - mean)).sum::<f32>() / n).sqrt();
        if sd.is_nan() || sd <= 1e-6 {
            return Some(vec![0.0; cosines.len()]);
        }
        Some(cosines.into_iter().map(|c| ((c - mean) / sd / Z_SCALE).clamp(0.0, 1.0)).collect())
    }

    /// The passage `p` as a citation.
    pub(crate) fn passage(&self, p: usize) -> Citation {
        let passage = &self.passages[p];
        self.cite(passage, passage.start, passage.end)
    }

    /// The answer to `question`, if the best passage clears the threshold.
    pub(crate) fn answer(&self, question: &str, embedding: Option<&[f32]>) -> Option<KnowledgeAnswer> {
        let query = self.index.query(question);
        let (p, score) = self.rank(&query, embedding, 1).into_iter().next()?;
        if score < self.threshold() {
            return None;
        }
        let passage = &self.passages[p];
        let doc = &self.documents[passage.document];
        let mut chosen: Vec<(usize, usize)> = if passage.sentences.len() <= MAX_QUOTED {
            passage.sentences.clone()
        } else {
            // The sentences that hold most of the question's terms; the best always.
            let mut scored: Vec<(f32, (usize, usize))> = passage
                .sentences
                .iter()
                .map(|&(s, e)| {
                    let text: String = doc.chars[s..e].iter().collect();
                    (query.matched_mass(&self.index, &terms(&text)), (s, e))
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let best = scored[0].0;
            scored.into_iter().take(MAX_QUOTED).filter(|(m, _)| *m >= best * 0.5).map(|(_, span)| span).collect()
        };
        chosen.sort_unstable();
        let mut text = String::new();
        for (i, &(s, e)) in chosen.iter().enumerate() {
            if i > 0 {
                let between: String = doc.chars[chosen[i - 1].1..s].iter().collect();
                text.push_str(if between.chars().all(|c| c == ' ') { &between } else { "\n" });
            }
            text.extend(&doc.chars[s..e]);
        }
        let citations = chosen.into_iter().map(|(s, e)| self.cite(passage, s, e)).collect();
        Some(KnowledgeAnswer { text, citations, score })
    }

    fn cite(&self, passage: &Passage, start: usize, end: usize) -> Citation {
        let doc = &self.documents[passage.document];
        Citation {
            document: doc.name.clone(),
            title: doc.title.clone(),
            heading: passage.heading.clone(),
            start,
            end,
            text: doc.chars[start..end].iter().collect(),
        }
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = dot(&v, &v).sqrt();
    if norm > 0.0 && norm.is_finite() {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Knowledge {
        let docs = [
            Document {
                name: "returns.md".into(),
                text: "# 退货政策\n\n## 退货期限\n签收后 7 天内可申请无理由退货。商品需保持完好。\n\n## 退款到账\n退款在仓库收货后 3 个工作日内原路退回。\n".into(),
            },
            Document {
                name: "shipping.md".into(),
                text: "# Shipping\n\n## Delivery times\nOrders ship within 48 hours. Remote areas take two more days.\n\n## Shipping fees\nShipping is free on orders over $50. Below that it costs $5.\n".into(),
            },
        ];
        Knowledge::build(&docs, None)
    }

    #[test]
    fn answers_with_the_documents_own_sentences() {
        let k = shop();
        let answer = k.answer("退款多久能到账", None).expect("answered");
        assert_eq!(answer.citations.len(), 1);
        let c = &answer.citations[0];
        assert_eq!((c.document.as_str(), c.title.as_str()), ("returns.md", "退货政策"));
        assert_eq!(c.heading, ["退款到账"]);
        let doc: Vec<char> = k.documents[0].chars.clone();
        assert_eq!(doc[c.start..c.end].iter().collect::<String>(), c.text);
        assert_eq!(answer.text, "退款在仓库收货后 3 个工作日内原路退回。");

        let answer = k.answer("how much are the shipping fees on my order", None).expect("answered");
        assert_eq!(answer.citations[0].heading, ["Shipping fees"]);
        assert_eq!(answer.text, "Shipping is free on orders over $50. Below that it costs $5.");
    }

    #[test]
    fn declines_what_the_documents_do_not_say() {
        let k = shop();
        for question in ["你们卖不卖手机壳", "can I pay with bitcoin", "?", ""] {
            assert_eq!(k.answer(question, None), None, "{question}");
        }
    }

    #[test]
    fn search_ranks_passages() {
        let k = shop();
        let hits = k.search("delivery times remote areas", None, 3);
        assert_eq!(k.passage(hits[0].0).heading, ["Delivery times"]);
        assert!(hits.windows(2).all(|w| w[0].0 != w[1].0));
        assert!(Knowledge::build(&[], None).search("退货", None, 3).is_empty());
    }
}
