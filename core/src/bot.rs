//! A compiled bot: validated bot file, trained classifier, compiled rules and extractors.
//! Immutable and `Send + Sync`: one `Bot` serves any number of sessions and threads.

use std::collections::BTreeMap;

use crate::botfile::schema::{BotFile, Localized};
use crate::botfile::{self, parse_example};
use crate::entity::Extractors;
use crate::error::{BotFileError, Problem, ProblemKind, Result};
use crate::flow::Intent;
use crate::intent::ModelTooLarge;
use crate::intent::{HeadCache, Rules, SlotTags, TextClassifier, OUT_OF_SCOPE_LABEL};
use crate::knowledge::{Document, Knowledge};
use crate::segment::SegmentClassifier;
use crate::tagger::{bio_tags, tokens_with_spans, SequenceTagger};
use crate::text::Language;

/// The confidence threshold of a bot that sets none and is too large to choose its own.
pub const DEFAULT_CONFIDENCE_THRESHOLD: f32 = 0.35;

/// Most bytes of knowledge documents a bot takes (their text, all together).
pub const MAX_KNOWLEDGE_BYTES: usize = 32 * 1024 * 1024;

/// Name of the classes that FAQ entries get in the classifier: `faq/<id>`.
pub(crate) const FAQ_PREFIX: &str = "faq/";

/// What a classifier class stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Intent(usize),
    Faq(usize),
    /// The bot file's `out_of_scope` examples (never ranked).
    OutOfScope,
}

/// How a bot's classifier understands text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Rules and a model trained on the bot's examples' n-grams; no model file.
    Embedded,
    /// The embedded tier's n-grams and a sentence encoder's embeddings.
    Onnx,
    /// The embedded tier's n-grams and a static embedding table's sentence vectors
    /// ([`crate::StaticEncoder`]).
    Static,
}

impl Tier {
    /// Stable name: `embedded`, `onnx` or `static`.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Embedded => "embedded",
            Tier::Onnx => "onnx",
            Tier::Static => "static",
        }
    }
}

/// The tokens of a text and their BIO slot tags.
type TaggedText = (Vec<String>, Vec<String>);

/// A loaded, validated and trained bot.
#[derive(Debug)]
pub struct Bot {
    pub(crate) spec: BotFile,
    pub(crate) languages: Vec<Language>,
    /// The intents, compiled for the policy, in file order.
    pub(crate) intents: Vec<Intent>,
    /// [`crate::flow::fingerprint`] of `intents`: sessions know which structure their state
    /// refers to.
    pub(crate) structure: u32,
    pub(crate) faqs: Vec<(String, Localized)>,
    pub(crate) classifier: Option<TextClassifier>,
    /// Target of each classifier class, in class order.
    pub(crate) targets: Vec<Target>,
    pub(crate) rules: Rules,
    pub(crate) extractors: Extractors,
    pub(crate) segments: Option<SegmentClassifier>,
    /// Learns from annotated examples which words fill which slot; `None` without
    /// annotations.
    pub(crate) slot_tagger: Option<SequenceTagger>,
    /// The encoder that embeds each turn's utterance; `None` on the embedded tier, and
    /// where the host passes the embedding in [`crate::TurnContext`].
    pub(crate) encoder: Option<std::sync::Arc<dyn crate::SentenceEncoder>>,
    /// The n-gram sets of each `agent_replies` entry's `when` lines, by reply id, made once
    /// here rather than on every line said to an agent.
    pub(crate) agent_reply_ngrams: Vec<(String, Vec<Vec<u64>>)>,
    /// The FAQ answers and intent responses as documents for the suggestions' term search.
    pub(crate) suggestion_index: crate::suggest::SuggestionIndex,
    /// The emotion head on the encoder's embeddings, when the encoder had the training
    /// lines' embeddings at hand (see [`crate::emotion`]).
    pub(crate) emotion: Option<std::sync::Arc<crate::emotion::Model>>,
    /// The intent that takes requests for a person in their common wordings
    /// ([`crate::person_request`]) beside its own keywords; `None` if no intent is one.
    pub(crate) person_intent: Option<usize>,
    /// The documents the bot quotes ([`crate::knowledge`]); `None` without any.
    pub(crate) knowledge: Option<Knowledge>,
    example_count: usize,
}

impl Bot {
    /// Loads a bot from YAML or JSON text on the embedded tier; `file` names the source in
    /// error messages. Short for `BotLoader::new().from_yaml(file, source)`: see
    /// [`BotLoader`](crate::BotLoader) for the other tiers, model bundles and progress.
    /// Needs the `yaml` feature (on by default); without it, an error that says to load a
    /// compiled bot ([`Bot::from_compiled`]).
    pub fn from_yaml(file: &str, source: &str) -> Result<Bot> {
        Bot::embedded(file, botfile::parse(file, source)?, None)
    }

    /// Loads a compiled bot ([`Bot::to_compiled`], `kefu compile`) on the embedded tier:
    /// no YAML parsing, no training. Short for `BotLoader::new().from_compiled(file,
    /// bytes)`.
    pub fn from_compiled(file: &str, bytes: &[u8]) -> Result<Bot> {
        let (spec, heads) = crate::compiled::parse(file, bytes)?;
        Bot::embedded(file, spec, Some(&heads))
    }

    fn embedded(file: &str, spec: BotFile, heads: Option<&crate::intent::HeadCache>) -> Result<Bot> {
        // Straight to `compile`, not through the loader: an app that loads only embedded
        // bots (the phone and web builds) then carries none of the dense tier's loading.
        let mut bot = Bot::compile(spec, None, heads, None).map_err(|e| e.into_error(file))?;
        bot.knowledge = Bot::knowledge_of(file, &bot.spec, &[])?;
        Ok(bot)
    }

    /// The bot file's documents with the host's (`given`: the texts of documents the file
    /// names without one, and any others), cut and indexed; `None` without any. A document
    /// named without text that the host did not pass is an error that names it.
    pub(crate) fn knowledge_of(file: &str, spec: &BotFile, given: &[Document]) -> Result<Option<Knowledge>> {
        let mut documents = Vec::with_capacity(spec.knowledge.documents.len() + given.len());
        let mut problems = Vec::new();
        for d in &spec.knowledge.documents {
            match (&d.text, given.iter().find(|g| g.name == d.name)) {
                (Some(text), _) => documents.push(Document { name: d.name.clone(), text: text.clone() }),
                (None, Some(g)) => documents.push(g.clone()),
                (None, None) => problems.push(Problem {
                    line: None,
                    kind: ProblemKind::MissingDocument,
                    message: format!(
                        "knowledge document `{}` has no `text` and was not passed in; give its text, or pass it with the bot (the CLI reads it beside the bot file)",
                        d.name
                    ),
                }),
            }
        }
        let named = |g: &&Document| spec.knowledge.documents.iter().any(|d| d.name == g.name);
        documents.extend(given.iter().filter(|g| !named(g)).cloned());
        let bytes: usize = documents.iter().map(|d| d.text.len()).sum();
        if bytes > MAX_KNOWLEDGE_BYTES {
            problems.push(Problem {
                line: None,
                kind: ProblemKind::TooLarge,
                message: format!(
                    "the knowledge documents hold {bytes} bytes; the limit is {MAX_KNOWLEDGE_BYTES}: keep the help centre's text, not its markup or images"
                ),
            });
        }
        if !problems.is_empty() {
            return Err(BotFileError { file: file.to_string(), problems }.into());
        }
        Ok((!documents.is_empty()).then(|| Knowledge::build(&documents, spec.knowledge.threshold)))
    }

    /// Loads a bot from bytes that must be UTF-8 YAML or JSON (embedded tier).
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Bot> {
        Bot::from_yaml(file, crate::loader::utf8_source(file, bytes)?)
    }

    /// The texts whose sentence embeddings [`BotLoader::embeddings`](crate::BotLoader)
    /// takes, in order: every intent example (annotations removed), every FAQ question,
    /// every `out_of_scope` example, then every customer-segment example. Checks the bot
    /// file first.
    pub fn texts_to_embed(file: &str, source: &str) -> Result<Vec<String>> {
        let spec = botfile::parse(file, source)?;
        Ok(Bot::embedding_texts(&spec))
    }

    /// Length of the sentence embeddings the intent model takes (0: the embedded tier).
    pub fn embedding_dimension(&self) -> usize {
        self.classifier.as_ref().map_or(0, TextClassifier::embedding_dimension)
    }

    /// The tier of the bot's classifier.
    pub fn tier(&self) -> Tier {
        match &self.encoder {
            Some(encoder) => encoder.tier(),
            None if self.embedding_dimension() > 0 => Tier::Onnx,
            None => Tier::Embedded,
        }
    }

    /// The trained models (intents and FAQ, customer segments) and chosen thresholds as
    /// bytes by the key of their training run: what [`crate::ModelBundle::heads`] and
    /// compiled bots save, so that this bot loaded again on the same tier reuses them
    /// instead of training.
    pub fn trained_heads(&self) -> std::collections::BTreeMap<u64, Vec<u8>> {
        self.trained_models().flat_map(TextClassifier::head_bytes).collect()
    }

    /// How many of the bot's models came from its encoder's bundle instead of training.
    pub fn reused_heads(&self) -> usize {
        self.trained_models().filter(|m| m.reused()).count()
    }

    /// Whether the sentiment comes from the emotion head on the encoder's embeddings (the
    /// static tier, and the ONNX tier on a model bundle from `kefu bundle`), not from the
    /// n-gram model alone.
    pub fn has_emotion_head(&self) -> bool {
        self.emotion.is_some()
    }

    fn trained_models(&self) -> impl Iterator<Item = &TextClassifier> {
        self.classifier.iter().chain(self.segments.as_ref().map(SegmentClassifier::model))
    }

    /// The utterance's sentence embedding on the ONNX tier; `None` on the embedded tier, or
    /// when the encoder fails (the n-gram part of the model still classifies).
    pub(crate) fn embed(&self, utterance: &str) -> Option<Vec<f32>> {
        self.encoder.as_ref()?.embed(utterance).ok()
    }

    /// The first intent that hands off (not as a sensitive matter) and whose own keywords
    /// or examples ask for a person: the bot's request for an agent.
    fn person_intent(spec: &BotFile) -> Option<usize> {
        spec.intents.values().position(|intent| {
            let asks = |text: &String| crate::person_request::asks_for_person(&crate::text::normalize(text).text);
            intent.handoff
                && !intent.sensitive
                && (intent.keywords.iter().any(asks) || intent.examples.iter().any(asks))
        })
    }

    /// The lower-case tokens and slot tags of every training text, in
    /// [`Bot::example_texts`] order: an intent example's from its annotations, the other
    /// texts' (FAQ questions, `out_of_scope`) empty, since they name no slot; and how many
    /// are intent examples (they come first).
    fn tagged_examples(spec: &BotFile, examples: &[(String, String)]) -> (Vec<TaggedText>, usize) {
        let annotated = spec.intents.values().flat_map(|i| &i.examples).filter_map(|e| parse_example(e).ok());
        let mut tagged: Vec<TaggedText> = annotated
            .map(|p| {
                let tokens = tokens_with_spans(&p.text);
                let tags = bio_tags(&tokens, &p.spans);
                (tokens.into_iter().map(|t| t.0.to_lowercase()).collect(), tags)
            })
            .collect();
        let intent_examples = tagged.len();
        tagged.resize(examples.len().max(intent_examples), (Vec::new(), Vec::new()));
        (tagged, intent_examples)
    }

    /// A tagger trained on every intent example (annotated ones teach the slots, the
    /// others what is not a slot), or `None` when no example is annotated.
    fn train_slot_tagger(intent_examples: &[TaggedText]) -> Option<SequenceTagger> {
        if intent_examples.iter().all(|(_, tags)| tags.iter().all(|t| t == "O")) {
            return None;
        }
        Some(SequenceTagger::train(intent_examples))
    }

    /// Every training text with its class label, in bot file order: intent examples
    /// (annotations stripped), FAQ questions as `faq/<id>`, then the `out_of_scope`
    /// examples as [`OUT_OF_SCOPE_LABEL`].
    fn example_texts(spec: &BotFile) -> Vec<(String, String)> {
        let mut examples = Vec::new();
        for (name, intent) in &spec.intents {
            for ex in &intent.examples {
                if let Ok(parsed) = parse_example(ex) {
                    examples.push((parsed.text, name.clone()));
                }
            }
        }
        for (id, faq) in &spec.faq {
            for q in &faq.questions {
                examples.push((q.clone(), format!("{FAQ_PREFIX}{id}")));
            }
        }
        examples.extend(spec.out_of_scope.iter().map(|text| (text.clone(), OUT_OF_SCOPE_LABEL.to_string())));
        examples
    }

    /// The segment examples, with their segment names, in bot file order.
    fn segment_examples(spec: &BotFile) -> Vec<(&str, &str)> {
        spec.segments.iter().flat_map(|(name, s)| s.examples.iter().map(move |e| (e.as_str(), name.as_str()))).collect()
    }

    /// Every text the ONNX tier embeds at load: the classifier's examples, then the segment
    /// examples. The segment model trains on all of them, the former as its background.
    pub(crate) fn embedding_texts(spec: &BotFile) -> Vec<String> {
        let mut texts: Vec<String> = Bot::example_texts(spec).into_iter().map(|(text, _)| text).collect();
        texts.extend(Bot::segment_examples(spec).into_iter().map(|(text, _)| text.to_string()));
        texts
    }

    /// Compiles a validated file; `embeddings` (one per [`Bot::embedding_texts`] entry)
    /// train the ONNX tier's classifiers, or come with heads already trained on them;
    /// `emotion_encoder` the emotion head, if it has the emotion lines' embeddings at hand.
    pub(crate) fn compile(
        spec: BotFile,
        embeddings: Option<&[Vec<f32>]>,
        heads: Option<&HeadCache>,
        emotion_encoder: Option<&dyn crate::SentenceEncoder>,
    ) -> std::result::Result<Bot, ModelTooLarge> {
        let languages = spec.languages.iter().filter_map(|l| Language::from_code(l)).collect();
        let intents: Vec<Intent> = spec.intents.iter().map(|(name, i)| Intent::compile(name, i)).collect();
        let faqs: Vec<(String, Localized)> = spec.faq.iter().map(|(k, v)| (k.clone(), v.answer.clone())).collect();
        let mut rules = Rules::default();
        for (i, intent) in spec.intents.values().enumerate() {
            for k in &intent.keywords {
                rules.add_keyword(k, i);
            }
            for p in &intent.patterns {
                if let Ok(re) = botfile::build_regex(p) {
                    rules.add_pattern(re, i);
                }
            }
        }
        let person_intent = Bot::person_intent(&spec);
        let examples = Bot::example_texts(&spec);
        let example_embeddings = embeddings.and_then(|e| e.get(..examples.len()));
        // The built-in background on the embedded tier (the ONNX tier would embed it at
        // every load): training pairs after the bot's own, without slot tags.
        let background = match spec.settings.background && embeddings.is_none() {
            true => crate::intent::background_lines(examples.iter().map(|(t, _)| t.as_str())),
            false => Vec::new(),
        };
        let pairs = examples
            .iter()
            .map(|(t, l)| (t.as_str(), l.as_str()))
            .chain(background.iter().map(|line| (*line, OUT_OF_SCOPE_LABEL)));
        let (tagged, intent_examples) = Bot::tagged_examples(&spec, &examples);
        let slot_tagger = Bot::train_slot_tagger(&tagged[..intent_examples]);
        // With a tagger, the classifier also reads each text's slots (see `slot_features`).
        let slots: Vec<SlotTags<'_>> = match slot_tagger {
            Some(_) => tagged.iter().map(|(tokens, tags)| SlotTags { tokens, tags }).collect(),
            None => Vec::new(),
        };
        // The intent model, and beside it where the host has cores, the customer-segment
        // model, the entity extractors and (once per process) the emotion model and head.
        let (classifier, (segments, extractors, emotion)) = crate::parallel::join(
            || match examples.is_empty() {
                true => Ok(None),
                false => {
                    let calibrate = spec.settings.confidence_threshold.is_none();
                    let embeddings = example_embeddings.unwrap_or_default();
                    TextClassifier::train_dense(pairs, embeddings, &slots, heads, calibrate).map(Some)
                }
            },
            || {
                let segments = SegmentClassifier::train(
                    examples.iter().map(|(text, _)| text.as_str()),
                    &Bot::segment_examples(&spec),
                    embeddings,
                    heads,
                );
                crate::emotion::warm();
                let emotion = emotion_encoder.and_then(crate::emotion::head_on);
                (segments, Extractors::new(&spec.entities), emotion)
            },
        );
        let classifier = classifier?;
        let targets = classifier
            .as_ref()
            .map(|c| {
                c.labels()
                    .iter()
                    .map(|label| match label.strip_prefix(FAQ_PREFIX) {
                        Some(id) => Target::Faq(faqs.iter().position(|(f, _)| f == id).unwrap_or(0)),
                        None if label == OUT_OF_SCOPE_LABEL => Target::OutOfScope,
                        None => Target::Intent(intents.iter().position(|i| i.name == *label).unwrap_or(0)),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Bot {
            languages,
            structure: crate::flow::fingerprint(&intents),
            intents,
            faqs,
            classifier,
            targets,
            rules,
            person_intent,
            extractors,
            segments,
            slot_tagger,
            encoder: None,
            agent_reply_ngrams: spec
                .agent_replies
                .iter()
                .map(|(id, reply)| (id.clone(), reply.when.iter().map(|w| crate::intent::ngram_set(w)).collect()))
                .collect(),
            suggestion_index: crate::suggest::SuggestionIndex::build(&spec, &examples, embeddings.is_none()),
            emotion,
            knowledge: None,
            example_count: examples.len(),
            spec,
        })
    }

    /// The bot's name from its file.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Languages the bot answers in; the first is its default.
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    /// Intent names, in file order.
    pub fn intent_names(&self) -> impl Iterator<Item = &str> {
        self.intents.iter().map(|i| i.name.as_str())
    }

    /// Number of FAQ entries.
    pub fn faq_count(&self) -> usize {
        self.faqs.len()
    }

    /// One question per FAQ entry in `lang` (the first one written in that language), for
    /// quick-reply suggestions: `(id, question)`.
    pub fn faq_suggestions(&self, lang: Language) -> Vec<(String, String)> {
        self.spec
            .faq
            .iter()
            .filter_map(|(id, f)| {
                let q = f.questions.iter().find(|q| crate::text::detect_language(q) == Some(lang))?;
                Some((id.clone(), q.clone()))
            })
            .collect()
    }

    /// Training examples (intent examples, FAQ questions and out-of-scope examples).
    pub fn example_count(&self) -> usize {
        self.example_count
    }

    /// Whether `text` is one the bot trains on (an intent example, FAQ question,
    /// `out_of_scope` or segment example), compared after normalisation as the bot file
    /// check compares duplicate examples: for telling held-out test cases from examples.
    pub fn trains_on(&self, text: &str) -> bool {
        let key = crate::text::normalize(text).text;
        Bot::embedding_texts(&self.spec).iter().any(|t| crate::text::normalize(t).text == key)
    }

    /// The confidence below which the model's best guess is out of scope: the bot file's
    /// `confidence_threshold`, else the one chosen from the bot's examples at load
    /// ([`Bot::calibration`]), else [`DEFAULT_CONFIDENCE_THRESHOLD`].
    pub fn confidence_threshold(&self) -> f32 {
        self.spec
            .settings
            .confidence_threshold
            .or(self.calibration().map(|c| c.threshold))
            .unwrap_or(DEFAULT_CONFIDENCE_THRESHOLD)
    }

    /// How the confidence threshold was chosen from the bot's examples, when the bot file
    /// leaves it unset and the bot is small enough (at most 5,000 examples).
    pub fn calibration(&self) -> Option<crate::Calibration> {
        self.classifier.as_ref().and_then(TextClassifier::calibration)
    }

    /// Size of the trained model in bytes.
    pub fn model_size_bytes(&self) -> usize {
        self.classifier.as_ref().map_or(0, TextClassifier::size_bytes)
    }

    /// The validated bot file.
    pub fn spec(&self) -> &BotFile {
        &self.spec
    }

    /// Entities found in a raw utterance, as the bot sees them; `now` resolves relative
    /// dates and times.
    pub fn extract_entities(&self, utterance: &str, now: Option<crate::ReferenceTime>) -> Vec<crate::Entity> {
        self.extractors.extract(utterance, now)
    }

    /// What an intent name or `faq/<id>` stands for in this bot, if it has it.
    pub(crate) fn meaning_of(&self, name: &str) -> Option<crate::analysis::Meaning> {
        use crate::analysis::Meaning;
        match name.strip_prefix(FAQ_PREFIX) {
            Some(id) => self.faqs.iter().position(|(f, _)| f == id).map(Meaning::Faq),
            None => self.intents.iter().position(|i| i.name == name).map(Meaning::Intent),
        }
    }

    pub(crate) fn intent(&self, name: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.name == name)
    }

    pub(crate) fn default_language(&self) -> Language {
        self.languages.first().copied().unwrap_or(Language::Zh)
    }

    /// The language to answer in: the customer's, when the bot has it.
    pub(crate) fn reply_language(&self, customer: Language) -> Language {
        if self.languages.contains(&customer) {
            customer
        } else {
            self.default_language()
        }
    }

    /// A built-in response, overridden by the bot file where it has one.
    pub(crate) fn builtin_response(&self, name: &str, lang: Language, pick: usize) -> String {
        if let Some(text) = self.spec.responses.get(name) {
            return render(text, lang, pick, &BTreeMap::new());
        }
        let (zh, en) = match name {
            "empty" => ("您好，请问有什么可以帮您？", "Hi! How can I help you?"),
            "handoff" => ("正在为您转接人工客服，请稍候。", "I'm connecting you to a human agent, please hold on."),
            "no_agent" => ("抱歉，现在没有人工客服在线。", "Sorry, no human agent is available right now."),
            "cancelled" => ("好的，已取消。还有什么可以帮您？", "OK, cancelled. Anything else I can help with?"),
            "corrected" => ("好的，已为您更正。", "Got it, I've corrected that."),
            "reprompt_limit" => ("抱歉，我还是没能识别您提供的信息。", "Sorry, I still couldn't recognise that."),
            "value_only" => ("收到。请问需要我帮您办理什么？", "Got it. What would you like me to do with it?"),
            "survey" => (
                "请问您对本次服务满意吗？请回复 1–5 分（5 分最满意），也可以写下您的意见；回复“跳过”即可跳过。",
                "How satisfied are you with this conversation? Reply with a score from 1 to 5 (5 is best), and a comment if you like; reply \"skip\" to skip.",
            ),
            "survey_thanks" => ("感谢您的评价！", "Thank you for your feedback!"),
            "survey_skipped" => ("好的，祝您生活愉快！", "OK, have a nice day!"),
            _ => {
                ("抱歉，我没太明白您的意思，可以换个说法吗？", "Sorry, I didn't quite get that. Could you rephrase it?")
            }
        };
        match lang {
            Language::Zh => zh.to_string(),
            Language::En => en.to_string(),
        }
    }
}

/// Renders a localized text: picks the language (or the first one present), a variant by
/// `pick`, and fills `{slot}` placeholders.
pub(crate) fn render(text: &Localized, lang: Language, pick: usize, slots: &BTreeMap<String, String>) -> String {
    let variants: Vec<&str> = {
        let all = text.texts();
        let mine: Vec<&str> =
            all.iter().filter(|(l, _)| l.is_none() || *l == Some(lang.code())).map(|(_, t)| *t).collect();
        if mine.is_empty() {
            let first = all.first().and_then(|(l, _)| *l);
            all.iter().filter(|(l, _)| *l == first).map(|(_, t)| *t).collect()
        } else {
            mine
        }
    };
    let Some(template) = variants.get(pick % variants.len().max(1)) else {
        return String::new();
    };
    let mut out = String::with_capacity(template.len());
    let mut rest = *template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                let name = rest[open + 1..open + close].trim();
                out.push_str(slots.get(name).map_or("", String::as_str));
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;
    use crate::Session;

    const BOT: &str = r#"
version: 1
entities:
  name:
    host_values: true
intents:
  restaurant:
    examples: ["book a table at [luigis](place)", "book [the golden dragon](place) for two", "reserve [sakura](place)"]
    slots: { place: { entity: name } }
    response: { en: Booked. }
  cinema:
    examples: ["book tickets for [dune](movie)", "book [the matrix](movie) tonight", "two seats for [alien](movie)"]
    slots: { movie: { entity: name } }
    response: { en: Enjoy the film. }
"#;

    #[test]
    fn a_turn_ranks_intents_on_the_slots_the_tagger_finds() {
        let bot = Bot::from_yaml("bot.yaml", BOT).unwrap();
        let (classifier, tagger) = (bot.classifier.as_ref().unwrap(), bot.slot_tagger.as_ref().unwrap());
        assert!(classifier.reads_slots());
        let utterance = "Book tickets for Zorba";
        let words: Vec<String> = tokens_with_spans(&normalize(utterance).text).into_iter().map(|t| t.0).collect();
        let tags = tagger.tag(&words);
        assert_eq!(tags, ["O", "O", "O", "B-movie"]);
        let with_slots = classifier.rank_with(utterance, None, Some(SlotTags { tokens: &words, tags: &tags }), 3);
        assert_ne!(with_slots, classifier.rank_with(utterance, None, None, 3), "the slot features count");
        let turn = Session::new(&bot).turn(&bot, utterance).unwrap();
        assert_eq!(turn.alternatives, with_slots);

        let plain = ["luigis", "the golden dragon", "sakura", "dune", "the matrix", "alien"]
            .iter()
            .fold(BOT.replace("](place)", "").replace("](movie)", ""), |bot, name| {
                bot.replace(&format!("[{name}"), name)
            });
        let bot = Bot::from_yaml("bot.yaml", &plain).unwrap();
        assert!(bot.slot_tagger.is_none() && !bot.classifier.as_ref().unwrap().reads_slots());
    }
}
