//! Understanding as a value: [`Bot::analyze`] reads one utterance and returns an
//! [`Analysis`] — what was said, in which language, which entities, slots, intents and FAQ
//! entries it may mean, its sentiment, abuse and personal data — and knows nothing of the
//! conversation. The dialogue policy (`dialogue.rs`) acts on it; `kefu eval`, tests and
//! bindings can call it alone.

use crate::adapter::TurnContext;
use crate::bot::{Target, DEFAULT_CONFIDENCE_THRESHOLD};
use crate::clarify::{is_close_call, near_threshold, worth_asking};
use crate::entity::{Entity, HostValues};
use crate::error::{Error, Result};
use crate::intent::{HashedText, IntentCandidate, IntentSource, SlotTags};
use crate::knowledge::{Citation, KnowledgeAnswer, PassageHit};
use crate::tagger::{bio_spans, tokens_with_spans};
use crate::text::{detect_language, normalize, Language, Normalized};
use crate::turn::IntentMatch;
use crate::{sentiment, Bot};

/// Longest utterance accepted, in characters. Longer ones are rejected with
/// [`Error::UtteranceTooLong`] (and a session is left unchanged).
pub const MAX_UTTERANCE_CHARS: usize = 4096;
/// Ranked alternatives reported per utterance.
const ALTERNATIVES: usize = 3;

/// What one utterance means to a bot, before any dialogue.
#[derive(Clone, PartialEq)]
pub struct Analysis {
    /// The normalised text (full/half width, case, spaces, zero-width characters).
    pub text: String,
    /// The language of the text; `None` for text without letters.
    pub language: Option<Language>,
    /// Entities found; spans in characters of the original utterance.
    pub entities: Vec<Entity>,
    /// Where the bot's slot tagger places each slot (characters of the original
    /// utterance); empty without annotated examples.
    pub slot_spans: Vec<SlotSpan>,
    /// The model's ranked guesses, intents and FAQ entries (`faq/<id>`), best first.
    pub ranked: Vec<IntentCandidate>,
    /// The meaning chosen: a rule's intent, else the model's best guess when it clears the
    /// bot's confidence and margin thresholds; `None` when out of scope.
    pub intent: Option<IntentMatch>,
    /// Intents (or `faq/<id>` entries) too close to choose between, best first: neither
    /// clears the thresholds alone but together they do (see `settings.clarify`), so the
    /// bot asks which one is meant. One intent that would hand off, guessed by the model
    /// with less confidence than a handoff wants, so the bot asks whether it is meant.
    /// Empty otherwise, and when `intent` is set.
    pub close_call: Vec<String>,
    /// Sentiment, −1 (angry) … 1 (happy).
    pub sentiment: f32,
    /// Whether the text holds abusive words.
    pub abusive: bool,
    /// The customer segment the utterance suggests, if any.
    pub segment: Option<String>,
    /// Personal data (phones, ID and bank cards, e-mail) in the utterance.
    pub personal_data: Vec<Entity>,
    /// The answer the bot's documents give, when no intent or FAQ entry claims the
    /// utterance and the best passage clears the knowledge threshold.
    pub knowledge: Option<KnowledgeAnswer>,
    /// What `intent` is in the bot: an intent, an FAQ entry, or nothing.
    pub(crate) meaning: Meaning,
}

impl std::fmt::Debug for Analysis {
    // The text may hold personal data: show everything but the text itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysis")
            .field("language", &self.language)
            .field("entities", &self.entities)
            .field("slot_spans", &self.slot_spans)
            .field("ranked", &self.ranked)
            .field("intent", &self.intent)
            .field("close_call", &self.close_call)
            .field("sentiment", &self.sentiment)
            .field("abusive", &self.abusive)
            .field("segment", &self.segment)
            .field("personal_data", &self.personal_data.len())
            .field("knowledge", &self.knowledge.as_ref().map(|k| &k.citations))
            .finish_non_exhaustive()
    }
}

/// A span of the utterance the slot tagger assigns to `slot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotSpan {
    /// The slot's name.
    pub slot: String,
    /// First character (of the original utterance).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// What a caller needs of an analysis beyond the text, language, entities and personal
/// data: a session skips what it already knows or will not use, so a turn does no more
/// work than before understanding became a value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Needs {
    /// The customer segment (not once the session knows it).
    pub segment: bool,
    /// The documents' answer (only a session that is not in a form, a question or an
    /// agent's hands quotes them).
    pub knowledge: bool,
}

/// What the chosen meaning is in the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// Index into the bot's intents.
    Intent(usize),
    /// Index into the bot's FAQ entries.
    Faq(usize),
    OutOfScope,
}

impl Bot {
    /// Understands one utterance: a pure function of the bot, the utterance and the
    /// host's time and embedding in `ctx` (its adapter is not asked). Fails only when the
    /// utterance is over [`MAX_UTTERANCE_CHARS`].
    pub fn analyze(&self, utterance: &str, ctx: &TurnContext<'_>) -> Result<Analysis> {
        self.analyze_with(utterance, ctx, &HostValues::new(), Needs { segment: true, knowledge: true })
    }

    /// [`Bot::analyze`] with a session's own values of `host_values` entities, computing
    /// only what `needs` asks for.
    pub(crate) fn analyze_with(
        &self,
        utterance: &str,
        ctx: &TurnContext<'_>,
        own: &HostValues,
        needs: Needs,
    ) -> Result<Analysis> {
        let chars = utterance.chars().count();
        if chars > MAX_UTTERANCE_CHARS {
            return Err(Error::UtteranceTooLong { chars, max: MAX_UTTERANCE_CHARS });
        }
        let normalized = normalize(utterance);
        let mut analysis = Analysis {
            language: detect_language(&normalized.text),
            entities: self.extractors.extract_with(&normalized, utterance, ctx.now, own),
            slot_spans: Vec::new(),
            ranked: Vec::new(),
            intent: None,
            close_call: Vec::new(),
            sentiment: 0.0,
            abusive: false,
            segment: None,
            personal_data: crate::pii::personal_data(&self.extractors, utterance),
            knowledge: None,
            meaning: Meaning::OutOfScope,
            text: String::new(),
        };
        if !normalized.text.is_empty() {
            let embedding = self.understand(utterance, &normalized, ctx.embedding, needs, &mut analysis);
            if let (None, Some(k), true) = (&analysis.intent, &self.knowledge, needs.knowledge) {
                analysis.knowledge = k.answer(&normalized.text, embedding.as_deref());
            }
        }
        analysis.text = normalized.text;
        Ok(analysis)
    }

    /// The passages of the bot's documents that best answer `question`, best first, at
    /// most `limit`, each with its answerability score (the bot quotes the first when its
    /// score reaches the knowledge threshold). Empty for a bot without documents. On an
    /// encoder tier the question is embedded too. Fails only for a question over
    /// [`MAX_UTTERANCE_CHARS`].
    pub fn search_knowledge(&self, question: &str, limit: usize) -> Result<Vec<PassageHit>> {
        let chars = question.chars().count();
        if chars > MAX_UTTERANCE_CHARS {
            return Err(Error::UtteranceTooLong { chars, max: MAX_UTTERANCE_CHARS });
        }
        let Some(k) = &self.knowledge else { return Ok(Vec::new()) };
        let text = normalize(question).text;
        let embedding = self.embed(question);
        let hits = k.search(&text, embedding.as_deref(), limit);
        Ok(hits.into_iter().map(|(p, score)| PassageHit { passage: k.passage(p), score }).collect())
    }

    /// Every passage the bot's documents were cut into, in document order (empty without
    /// documents): to check how a help centre was cut, or to index it elsewhere.
    pub fn knowledge_passages(&self) -> Vec<Citation> {
        self.knowledge.as_ref().map_or_else(Vec::new, |k| (0..k.passage_count()).map(|p| k.passage(p)).collect())
    }

    /// The least answerability score for a quoted answer (the bot file's
    /// `knowledge.threshold`, else the tier's default); `None` without documents.
    pub fn knowledge_threshold(&self) -> Option<f32> {
        self.knowledge.as_ref().map(|k| k.threshold())
    }

    /// Bytes the documents' passages and index hold, roughly (0 without documents).
    pub fn knowledge_size_bytes(&self) -> usize {
        self.knowledge.as_ref().map_or(0, |k| k.heap_bytes())
    }

    /// Tags slots, ranks intents (rules first, then the model with the out-of-scope
    /// thresholds), classifies the segment, scores sentiment and abuse. Returns the
    /// utterance's embedding when the bot has documents to search with it and `needs` asks.
    fn understand(
        &self,
        utterance: &str,
        normalized: &Normalized,
        host_embedding: Option<&[f32]>,
        needs: Needs,
        a: &mut Analysis,
    ) -> Option<Vec<f32>> {
        let text = normalized.text.as_str();
        // One tagging serves both the classifier's slot features and the slot spans.
        let tagged = self.slot_tagger.as_ref().map(|tagger| {
            let (words, spans): (Vec<String>, Vec<(usize, usize)>) =
                tokens_with_spans(text).into_iter().map(|(w, s, e)| (w, (s, e))).unzip();
            let tags = tagger.tag(&words);
            (words, spans, tags)
        });
        let reads_slots = self.classifier.as_ref().is_some_and(|c| c.reads_slots());
        let slot_tags = tagged.as_ref().filter(|_| reads_slots).map(|(tokens, _, tags)| SlotTags { tokens, tags });
        let hashed = HashedText::with_slots(text, slot_tags);
        if let Some((_, spans, tags)) = &tagged {
            a.slot_spans = bio_spans(tags)
                .into_iter()
                .map(|(slot, first, last)| {
                    let (start, end) = normalized.original_char_span(spans[first].0, spans[last - 1].1);
                    SlotSpan { slot, start, end }
                })
                .collect();
        }
        let own_embedding = self.embed(utterance);
        // An embedding with a non-finite value (a host encoder gone wrong) is no embedding:
        // the n-grams classify alone, as when an encoder fails.
        let embedding = own_embedding.as_deref().or(host_embedding).filter(|e| e.iter().all(|x| x.is_finite()));
        let kept = embedding.filter(|_| needs.knowledge && self.knowledge.is_some()).map(<[f32]>::to_vec);
        if needs.segment {
            a.segment = self.segments.as_ref().and_then(|c| c.classify(&hashed, embedding)).map(str::to_string);
        }
        let abusive = crate::abuse::count(normalized, utterance);
        let signals = sentiment::signals(text, utterance, abusive);
        a.sentiment = crate::emotion::score(&hashed, &signals, self.emotion.as_deref(), embedding);
        a.abusive = abusive > 0;
        let (ranked, background) = self
            .classifier
            .as_ref()
            .map(|c| c.rank_against_background(&hashed, embedding, ALTERNATIVES))
            .unwrap_or_default();
        if let Some(c) = &self.classifier {
            a.ranked = c.candidates(&ranked);
        }
        let person = || self.person_intent.filter(|_| crate::person_request::asks_for_person(text));
        if let Some(i) = self.rules.find(text).or_else(person) {
            a.intent =
                Some(IntentMatch { name: self.intents[i].name.clone(), confidence: 1.0, source: IntentSource::Rule });
            a.meaning = Meaning::Intent(i);
            return kept;
        }
        let Some(best) = a.ranked.first() else { return kept };
        let second = a.ranked.get(1).map_or(0.0, |c| c.confidence);
        let settings = &self.spec.settings;
        let threshold = self.confidence_threshold();
        let sure = best.confidence >= threshold && best.confidence - second >= settings.margin_threshold;
        let target = ranked.first().map(|&(class, _)| self.targets[class]);
        // A guess that would hand off must be surer, and a weak one is worth a question: a
        // line the bot does not handle often lands weakly on the request for a person, and
        // a request for a person worded unlike the examples lands weakly too.
        let hands_off =
            matches!(target, Some(Target::Intent(i)) if self.intents[i].handoff || self.intents[i].sensitive);
        let sure_of_handoff = sure && best.confidence >= DEFAULT_CONFIDENCE_THRESHOLD;
        // No question where the background (out-of-scope examples) far outweighs the
        // guesses: the line is most likely something the bot does not do.
        let ask = |weight: f32| settings.clarify && worth_asking(weight, background);
        if hands_off && settings.clarify && !sure_of_handoff {
            if ask(best.confidence) && near_threshold(best.confidence, threshold) {
                a.close_call = vec![best.name.clone()];
            }
            return kept;
        }
        if !sure {
            if ask(best.confidence + second) && a.ranked.len() > 1 && is_close_call(best.confidence, second, threshold)
            {
                a.close_call = a.ranked.iter().take(2).map(|c| c.name.clone()).collect();
            }
            return kept;
        }
        a.intent =
            Some(IntentMatch { name: best.name.clone(), confidence: best.confidence, source: IntentSource::Model });
        a.meaning = match target {
            Some(Target::Intent(i)) => Meaning::Intent(i),
            Some(Target::Faq(i)) => Meaning::Faq(i),
            Some(Target::OutOfScope) | None => Meaning::OutOfScope,
        };
        kept
    }
}
