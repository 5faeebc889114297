//! The kefu npm package: `kefu-core` compiled to WebAssembly with wasm-bindgen.
//!
//! Turns come back as plain JS objects (described by the TypeScript types below). Errors are
//! JS `Error`s with a stable `code` (`invalid_bot`, `invalid_input`, `invalid_session`,
//! `invalid_state`, `encoder_failed`) and a message that says what to fix. Host adapters are
//! plain JS objects (see `adapter`); so is the ONNX tier's sentence encoder.
#![deny(missing_docs)]

mod adapter;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use adapter::JsAdapter;
use kefu_core::{ReferenceTime, TurnContext};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Why a turn is refused while a `turnAsync` of the same session runs.
const BUSY: &str = "a turnAsync of this session is still running; await it before the next turn";
/// Replays of one async turn before giving up (each replay answers at least one question).
const MAX_ASYNC_ROUNDS: usize = 16;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
export type Language = "zh" | "en";
export interface IntentMatch { name: string; confidence: number; source: "rule" | "model" | "form" | "clarified" | "follow_up" }
export interface IntentCandidate { name: string; confidence: number }
/** `start`/`end` count Unicode code points of the utterance. */
export interface Entity { entity: string; start: number; end: number; raw: string; value: string }
export interface Action { name: string; slots: Record<string, string> }
export type HandoffReason =
  | "explicit_request" | "fallback_streak" | "sensitive_intent" | "reprompt_limit"
  | "negative_sentiment" | "abuse" | "loop" | "adapter_failure" | "business_rule" | "legal_threat";
export type Priority = "low" | "normal" | "high" | "urgent";
export interface TranscriptLine { speaker: "customer" | "bot" | "agent"; text: string }
/** What the agent reads first: the issue in the customer's words, what they asked for by
 *  title, what the bot already did, the mood with its trend. */
export interface Brief { issue: string[]; needs: string[]; bot_did: string[]; mood: string }
export interface Handoff {
  reasons: HandoffReason[]; priority: Priority; route: string;
  /** The brief rendered as text, a line per item, in the customer's language. */
  summary: string;
  brief: Brief;
  transcript: TranscriptLine[]; slots: Record<string, string>;
  /** Sentiment trend of the last turns, -1 (angry) … 1 (happy). */
  sentiment: number;
  /** The customer segment, when known. */
  segment: string | null;
  /** The business rule that handed off (reason `business_rule`). */
  rule: string | null;
}
export type Signal =
  | ({ type: "handoff" } & Handoff)
  | { type: "fallback"; streak: number }
  | { type: "faq_answered"; id: string }
  /** The reply quotes the bot's documents; every quoted sentence is in `citations`. */
  | { type: "knowledge_answered"; document: string; heading: string[] }
  | { type: "slot_requested"; intent: string; slot: string }
  | { type: "form_completed"; intent: string }
  | { type: "form_cancelled"; intent: string }
  | { type: "with_agent" }
  | ({ type: "agent_unavailable" } & Handoff)
  /** With an agent, a customer line added a reason: the handoff as of now (re-queue, escalate). */
  | ({ type: "handoff_updated" } & Handoff)
  | { type: "confirmation_requested"; intent: string }
  | { type: "slot_rejected"; intent: string; slot: string }
  /** The bot asked which intent is meant: show the choices as buttons, send a title back. */
  | { type: "clarification_requested"; choices: Choice[] }
  /** The bot asked the satisfaction survey's question. */
  | { type: "survey_requested" }
  /** The customer's score (1–5) and, when the line says more, the line masked. */
  | { type: "survey_answered"; score: number; comment: string | null }
  | { type: "survey_skipped" };
/** An intent the bot offers when it asks which one is meant. */
export interface Choice { intent: string; title: string }
export interface Turn {
  language: Language; replies: string[]; intent: IntentMatch | null; alternatives: IntentCandidate[];
  entities: Entity[]; slots: Record<string, string>; actions: Action[]; signals: Signal[];
  /** Sentiment of the utterance, -1 (angry) … 1 (happy). */
  sentiment: number;
  /** The customer segment (`dealer`, `vip`, …), once recognised or set with `setSegment`. */
  segment: string | null;
  /** While an agent has the conversation: replies the agent may send, best first (absent
   *  otherwise). `id` is what to report when the agent uses one. */
  suggestions?: Suggestion[];
  /** When the reply quotes the bot's documents: where each quoted sentence is from (absent
   *  otherwise). */
  citations?: Citation[];
}
/** A help-centre document: Markdown (headings give each passage its place) or plain text. */
export interface Document { name: string; text: string }
/** Where a quoted text is: `start`/`end` count Unicode code points of the document's text,
 *  and `text` is those very characters. */
export interface Citation { document: string; title: string; heading: string[]; start: number; end: number; text: string }
/** A passage found for a question, with its answerability score (0–1). */
export interface PassageHit { passage: Citation; score: number }
export interface Suggestion { text: string; source: "faq" | "intent" | "agent_reply"; id: string; score: number }
/** What a supervisor should see about an agent's line or session. */
export type AgentFinding =
  | { kind: "abuse" } | { kind: "forbidden_phrase"; phrase: string } | { kind: "personal_data"; kinds: string[] }
  | { kind: "missing_greeting" } | { kind: "missing_closing" } | { kind: "slow_reply"; waited_seconds: number };
/** An agent's line as the transcript keeps it (masked), and its findings (empty when fine). */
export interface AgentReview { masked: string; findings: AgentFinding[] }
/** One turn as logged for mining (`session.lastTurnLog()`): the customer's line masked. */
export interface TurnLog {
  text: string; language: Language; intent: string | null; ranking: IntentCandidate[];
  outcome: "answered" | "faq" | "knowledge" | "fallback" | "clarified" | "handed_off" | "with_agent";
  handoff_reasons?: HandoffReason[];
}
/** A candidate new intent or FAQ entry mined from unanswered lines. */
export interface Candidate { name: string; label: string; kind: "faq" | "intent"; lines: number; examples: string[]; members: number[] }
/** What mining found; `bot_file` is the candidates as a bot file to edit. */
export interface Mining { unanswered: number; skipped: number; candidates: Candidate[]; bot_file: string }
/** One cause of a TOP-N, with its count and a few masked lines. */
export interface Topic { label: string; count: number; examples: string[] }
export type SessionState = "idle" | "form" | "confirm" | "with_agent" | "clarify" | "survey";
export type Tier = "embedded" | "onnx" | "static";
/** The page's answers during a turn; every method is optional. Return a boolean from each for
 * `turn`, or a Promise of one for `turnAsync`. Throwing (or rejecting) hands off with reason
 * `adapter_failure`. */
export interface HostAdapter {
  /** Is `value` acceptable for `slot` of `intent` (e.g. does this order exist)? */
  validateSlot?(intent: string, slot: string, value: string): boolean | Promise<boolean>;
  /** Can an agent on `route` take over now? `false` starts the bot file's `when_unavailable` form. */
  agentAvailable?(route: string): boolean | Promise<boolean>;
}
export interface AnalyticsReport {
  turns: number; containment_rate: number; fallback_rate: number; faq_answered: number; knowledge_answered: number;
  forms_completed: number; forms_cancelled: number;
  escalation_reasons: [string, number][]; top_intents: [string, number][]; top_complaint_topics: [string, number][];
  /** Suggested replies agents used, most used first. */
  suggestions: { id: string; shown: number; used: number }[];
  /** Quality findings on agents' lines per code, most frequent first. */
  agent_findings: [string, number][];
  /** Conversation-level figures, over all conversations, per local day and per segment. */
  conversations: ConversationMetrics;
  conversations_by_day: [string, ConversationMetrics][];
  conversations_by_segment: [string, ConversationMetrics][];
}
/** What a conversation came to (`session.outcome()`); names and codes only. */
export interface ConversationOutcome {
  turns: number; needs: string[]; handed_off: boolean; handoff_reasons: HandoffReason[]; route: string | null;
  fallbacks: number; clarifications: number; segment: string | null; survey_asked: boolean; survey_score: number | null;
}
export interface ConversationMetrics {
  conversations: number; containment_rate: number; handoff_rate: number;
  handoffs_by_reason: [string, number][]; handoffs_by_route: [string, number][];
  fallback_rate: number; clarification_rate: number;
  /** Known customers' conversations with no return on the same need within the window. */
  first_contact_resolution: number | null;
  surveys_asked: number; surveys_answered: number; satisfaction: number | null; csat: number | null;
  /** Answers per score, 1–5. */
  scores: [number, number, number, number, number];
}
export interface KefuError extends Error { code: "invalid_bot" | "invalid_input" | "invalid_session" | "invalid_state" | "encoder_failed" | "invalid_model" }
/** A sentence encoder the page runs (e.g. `createOnnxEncoder` of `kefu/encoder.js`, on ONNX
 * Runtime Web): one embedding per text, in order, all of one length. A bot's load passes
 * `{ examples: true }` (texts worth caching); a turn passes its one utterance and `{}`. */
export interface SentenceEncoder {
  embed(texts: string[], options?: { examples?: boolean }): Promise<ArrayLike<number>[]> | ArrayLike<number>[];
}
"#;

/// A core error as a JS `Error` with the core's stable `code`.
fn js_error(e: kefu_core::Error) -> JsValue {
    coded_error(&e.to_string(), e.code())
}

/// A JS `Error` with a stable `code` property.
fn coded_error(message: &str, code: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

fn state_error(message: &str) -> JsValue {
    coded_error(message, "invalid_state")
}

fn to_js(value: &impl Serialize) -> JsValue {
    // Plain objects and `null` (not Maps and `undefined`), as the TypeScript types say.
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

#[derive(Serialize)]
struct Suggestion {
    id: String,
    question: String,
}

/// A loaded bot, shared by any number of sessions.
#[derive(Debug)]
#[wasm_bindgen]
pub struct Bot {
    inner: Rc<kefu_core::Bot>,
    /// The page's sentence encoder on the ONNX tier: every `turnAsync` embeds with it.
    encoder: Option<JsValue>,
}

impl Bot {
    /// A bot that embeds nothing through the page: the embedded tier, or the static tier
    /// (whose table is inside the core bot).
    fn embedded(inner: kefu_core::Bot) -> Bot {
        Bot { inner: Rc::new(inner), encoder: None }
    }
}

/// Calls the page's `encoder.embed(texts)` (with `{ examples: true }` for a bot's examples)
/// and reads one vector per text.
async fn embed(encoder: &JsValue, texts: &[String], examples: bool) -> Result<Vec<Vec<f32>>, JsValue> {
    let failed = |why: &str| coded_error(&format!("ONNX tier: the encoder {why}"), "encoder_failed");
    let method =
        js_sys::Reflect::get(encoder, &"embed".into()).ok().and_then(|m| m.dyn_into::<js_sys::Function>().ok());
    let method = method.ok_or_else(|| coded_error("the encoder needs an embed(texts) method", "invalid_input"))?;
    let list: js_sys::Array = texts.iter().map(|t| JsValue::from_str(t)).collect();
    let options = js_sys::Object::new();
    if examples {
        let _ = js_sys::Reflect::set(&options, &"examples".into(), &JsValue::TRUE);
    }
    let mut value = method.call2(encoder, &list, &options).map_err(|_| failed("threw"))?;
    if let Ok(promise) = value.clone().dyn_into::<js_sys::Promise>() {
        value = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|_| failed("rejected"))?;
    }
    let vectors: js_sys::Array = value.dyn_into().map_err(|_| failed("did not return an array"))?;
    if vectors.length() as usize != texts.len() {
        return Err(failed(&format!("returned {} vectors for {} texts", vectors.length(), texts.len())));
    }
    // Float32Array (or any array of numbers) copied out of JS.
    Ok(vectors.iter().map(|v| js_sys::Float32Array::new(&v).to_vec()).collect())
}

#[wasm_bindgen]
impl Bot {
    /// Loads a bot from YAML or JSON text; `name` names the file in error messages.
    #[wasm_bindgen(js_name = fromYaml)]
    pub fn from_yaml(name: &str, source: &str) -> Result<Bot, JsValue> {
        kefu_core::Bot::from_yaml(name, source).map(Bot::embedded).map_err(js_error)
    }

    /// Loads a compiled bot (`kefu compile`): no YAML parsing, no training. With `table`
    /// (a static embedding table's bytes) on the static tier, which the bot must have been
    /// compiled on to skip training.
    #[wasm_bindgen(js_name = fromCompiled)]
    pub fn from_compiled(name: &str, bytes: &[u8], table: Option<Vec<u8>>) -> Result<Bot, JsValue> {
        let inner = match table {
            Some(table) => {
                let table = kefu_core::StaticEncoder::from_bytes(&table).map_err(js_error)?;
                kefu_core::BotLoader::new().encoder(std::sync::Arc::new(table)).from_compiled(name, bytes)
            }
            None => kefu_core::Bot::from_compiled(name, bytes),
        };
        inner.map(Bot::embedded).map_err(js_error)
    }

    /// Loads a bot from the UTF-8 bytes of a YAML or JSON file.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Bot, JsValue> {
        kefu_core::Bot::from_bytes(name, bytes).map(Bot::embedded).map_err(js_error)
    }

    /// Loads a bot on the ONNX tier: `encoder` (see `SentenceEncoder`) embeds every example
    /// once, here, and each `turnAsync` embeds the utterance. Dialogue behaviour is that of
    /// the embedded tier; only the intent model differs.
    #[wasm_bindgen(js_name = fromYamlWithEncoder, unchecked_return_type = "Promise<Bot>")]
    pub async fn from_yaml_with_encoder(
        name: String,
        source: String,
        #[wasm_bindgen(unchecked_param_type = "SentenceEncoder")] encoder: JsValue,
    ) -> Result<Bot, JsValue> {
        let texts = kefu_core::Bot::texts_to_embed(&name, &source).map_err(js_error)?;
        let embeddings = embed(&encoder, &texts, true).await?;
        let inner = kefu_core::BotLoader::new().embeddings(&embeddings).from_yaml(&name, &source).map_err(js_error)?;
        Ok(Bot { inner: Rc::new(inner), encoder: Some(encoder) })
    }

    /// Loads a bot on the static tier: `table` is the bytes of a static embedding table
    /// (`tools/build-static`; fetch it once and keep it in Cache Storage). Everything runs
    /// here, synchronously: no ONNX Runtime, no tokenizer package, and `turn` works as on
    /// the embedded tier.
    #[wasm_bindgen(js_name = fromYamlWithStaticTable)]
    pub fn from_yaml_with_static_table(name: &str, source: &str, table: &[u8]) -> Result<Bot, JsValue> {
        let table = kefu_core::StaticEncoder::from_bytes(table).map_err(js_error)?;
        let inner = kefu_core::BotLoader::new().encoder(std::sync::Arc::new(table)).from_yaml(name, source);
        inner.map(Bot::embedded).map_err(js_error)
    }

    /// Loads a bot with the help-centre documents it answers from when no intent or FAQ
    /// entry claims a line: the texts of those the bot file names without one, and any
    /// others. With `table` (a static embedding table's bytes), on the static tier.
    #[wasm_bindgen(js_name = fromYamlWithDocuments)]
    pub fn from_yaml_with_documents(
        name: &str,
        source: &str,
        #[wasm_bindgen(unchecked_param_type = "Document[]")] documents: JsValue,
        table: Option<Vec<u8>>,
    ) -> Result<Bot, JsValue> {
        let documents: Vec<kefu_core::Document> = serde_wasm_bindgen::from_value(documents).map_err(|e| {
            coded_error(&format!("documents: {e}; pass an array of {{ name, text }} strings"), "invalid_input")
        })?;
        let loader = kefu_core::BotLoader::new().documents(&documents);
        let inner = match table {
            Some(bytes) => {
                let table = kefu_core::StaticEncoder::from_bytes(&bytes).map_err(js_error)?;
                loader.encoder(std::sync::Arc::new(table)).from_yaml(name, source)
            }
            None => loader.from_yaml(name, source),
        };
        inner.map(Bot::embedded).map_err(js_error)
    }

    /// The passages of the bot's documents that best answer `question`, best first, at
    /// most `limit`, each with its answerability score (the bot quotes the first when it
    /// reaches the bot's threshold). Empty without documents.
    #[wasm_bindgen(js_name = searchKnowledge, unchecked_return_type = "PassageHit[]")]
    pub fn search_knowledge(&self, question: &str, limit: usize) -> Result<JsValue, JsValue> {
        self.inner.search_knowledge(question, limit).map(|hits| to_js(&hits)).map_err(js_error)
    }

    /// Groups the logged lines this bot failed on (`session.lastTurnLog()` of many turns)
    /// into candidate intents and FAQ entries; `bot_file` writes them as a bot file.
    #[wasm_bindgen(unchecked_return_type = "Mining")]
    pub fn mine(&self, #[wasm_bindgen(unchecked_param_type = "TurnLog[]")] logs: JsValue) -> Result<JsValue, JsValue> {
        let logs = turn_logs(logs)?;
        let mining = kefu_core::mine(&self.inner, &logs);
        let value = to_js(&mining);
        let _ = js_sys::Reflect::set(&value, &"bot_file".into(), &mining.to_bot_file().into());
        Ok(value)
    }

    /// The `n` most frequent complaint causes (`kind` `complaints`) or questions
    /// (`questions`) among the logged lines.
    #[wasm_bindgen(js_name = topTopics, unchecked_return_type = "Topic[]")]
    pub fn top_topics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TurnLog[]")] logs: JsValue,
        #[wasm_bindgen(unchecked_param_type = "\"complaints\" | \"questions\"")] kind: &str,
        n: usize,
    ) -> Result<JsValue, JsValue> {
        let kind = match kind {
            "complaints" => kefu_core::TopicKind::Complaints,
            "questions" => kefu_core::TopicKind::Questions,
            _ => return Err(coded_error("topTopics: kind is \"complaints\" or \"questions\"", "invalid_input")),
        };
        Ok(to_js(&kefu_core::top_topics(&self.inner, &turn_logs(logs)?, kind, n)))
    }

    /// `embedded`; `onnx` for a bot loaded with an encoder; `static` with a static table.
    #[wasm_bindgen(getter, unchecked_return_type = "Tier")]
    pub fn tier(&self) -> String {
        self.inner.tier().code().to_string()
    }

    /// The bot compiled, for `Bot.fromCompiled`: a page that reads a bot file once can keep
    /// these bytes (IndexedDB) and start from them next time without parsing or, with
    /// `models` (most of the size), training.
    /// Not in the package built without `yaml`, whose bots come compiled already.
    #[cfg(feature = "yaml")]
    #[wasm_bindgen(js_name = toCompiled)]
    pub fn to_compiled(&self, models: bool) -> Vec<u8> {
        self.inner.to_compiled(models)
    }

    /// The bot's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// One question per FAQ entry in `language` (`zh`/`en`), for quick-reply buttons.
    #[wasm_bindgen(js_name = faqSuggestions, unchecked_return_type = "{ id: string; question: string }[]")]
    pub fn faq_suggestions(&self, language: &str) -> JsValue {
        let lang = kefu_core::Language::from_code(language).unwrap_or(kefu_core::Language::Zh);
        let list: Vec<_> =
            self.inner.faq_suggestions(lang).into_iter().map(|(id, question)| Suggestion { id, question }).collect();
        to_js(&list)
    }

    /// The intent names.
    #[wasm_bindgen(js_name = intentNames)]
    pub fn intent_names(&self) -> Vec<String> {
        self.inner.intent_names().map(str::to_string).collect()
    }

    /// Languages the bot answers in (`zh`, `en`); the first is its default.
    pub fn languages(&self) -> Vec<String> {
        self.inner.languages().iter().map(|l| l.code().to_string()).collect()
    }
}

/// One customer's conversation.
#[derive(Debug)]
#[wasm_bindgen]
pub struct Session {
    inner: Rc<RefCell<kefu_core::Session>>,
    adapter: Option<JsValue>,
    analytics: Option<Rc<RefCell<kefu_core::Analytics>>>,
    /// A `turnAsync` is in flight: other turns would be overwritten when it lands.
    busy: Rc<Cell<bool>>,
    /// The log line of the latest turn.
    last_log: Rc<RefCell<Option<kefu_core::TurnLog>>>,
}

impl Session {
    fn wrap(inner: kefu_core::Session) -> Session {
        Session {
            inner: Rc::new(RefCell::new(inner)),
            adapter: None,
            analytics: None,
            busy: Rc::default(),
            last_log: Rc::default(),
        }
    }

    fn run(&mut self, bot: &Bot, utterance: &str, now: Option<ReferenceTime>) -> Result<JsValue, JsValue> {
        if self.busy.get() {
            return Err(state_error(BUSY));
        }
        if bot.encoder.is_some() {
            return Err(state_error(
                "this bot embeds each utterance with the page's encoder, which is asynchronous: call turnAsync",
            ));
        }
        let Some(object) = &self.adapter else {
            let ctx = TurnContext { now, ..TurnContext::default() };
            let turn = self.inner.borrow_mut().turn_with(&bot.inner, utterance, &ctx).map_err(js_error)?;
            return Ok(self.counted(turn));
        };
        // On a copy: a misused adapter must leave the session as it was.
        let adapter = JsAdapter::new(object.clone(), false);
        let mut copy = self.inner.borrow().clone();
        let ctx = TurnContext { now, adapter: &adapter, embedding: None };
        let turn = copy.turn_with(&bot.inner, utterance, &ctx).map_err(js_error)?;
        if adapter.returned_promise() {
            return Err(state_error("the host adapter returned a Promise; call turnAsync instead of turn"));
        }
        *self.inner.borrow_mut() = copy;
        Ok(self.counted(turn))
    }

    fn count_findings(&self, findings: &[kefu_core::AgentFinding]) {
        if let Some(a) = &self.analytics {
            a.borrow_mut().record_agent_findings(findings);
        }
    }

    fn counted(&self, turn: kefu_core::Turn) -> JsValue {
        record(&self.analytics, &turn);
        *self.last_log.borrow_mut() = Some(self.inner.borrow().log_turn(&turn));
        to_js(&turn)
    }
}

fn record(analytics: &Option<Rc<RefCell<kefu_core::Analytics>>>, turn: &kefu_core::Turn) {
    if let Some(a) = analytics {
        a.borrow_mut().record(turn);
    }
}

/// Log lines from JS (`session.lastTurnLog()` objects).
fn turn_logs(logs: JsValue) -> Result<Vec<kefu_core::TurnLog>, JsValue> {
    serde_wasm_bindgen::from_value(logs)
        .map_err(|e| coded_error(&format!("expected an array of session.lastTurnLog() objects: {e}"), "invalid_input"))
}

fn reference_time(unix_seconds: f64, utc_offset_minutes: i32) -> ReferenceTime {
    ReferenceTime { unix_seconds: unix_seconds.floor() as i64, utc_offset_minutes }
}

#[wasm_bindgen]
impl Session {
    /// A new conversation with `bot`.
    #[wasm_bindgen(constructor)]
    pub fn new(bot: &Bot) -> Session {
        Session::wrap(kefu_core::Session::new(&bot.inner))
    }

    /// Restores a session saved with `save()` for the same bot.
    pub fn restore(bot: &Bot, bytes: &[u8]) -> Result<Session, JsValue> {
        kefu_core::Session::from_bytes(&bot.inner, bytes).map(Session::wrap).map_err(js_error)
    }

    /// Sets the page's adapter (slot checks, agent availability); `null` removes it.
    #[wasm_bindgen(js_name = setHostAdapter)]
    pub fn set_host_adapter(&mut self, #[wasm_bindgen(unchecked_param_type = "HostAdapter | null")] adapter: JsValue) {
        self.adapter = (!adapter.is_null() && !adapter.is_undefined()).then_some(adapter);
    }

    /// Handles one customer utterance. The host adapter, if set, must answer synchronously.
    #[wasm_bindgen(unchecked_return_type = "Turn")]
    pub fn turn(&mut self, bot: &Bot, utterance: &str) -> Result<JsValue, JsValue> {
        self.run(bot, utterance, None)
    }

    /// `turn` at the page's current time, so relative dates ("明天下午三点") resolve:
    /// `session.turnAt(bot, text, Date.now() / 1000, -new Date().getTimezoneOffset())`.
    #[wasm_bindgen(js_name = turnAt, unchecked_return_type = "Turn")]
    pub fn turn_at(
        &mut self,
        bot: &Bot,
        utterance: &str,
        unix_seconds: f64,
        utc_offset_minutes: i32,
    ) -> Result<JsValue, JsValue> {
        self.run(bot, utterance, Some(reference_time(unix_seconds, utc_offset_minutes)))
    }

    /// `turn` with a host adapter whose methods may return Promises (an order lookup over the
    /// network). Pass the time as in `turnAt`, or omit it. One turn at a time per session.
    #[wasm_bindgen(js_name = turnAsync, unchecked_return_type = "Promise<Turn>")]
    pub fn turn_async(
        &self,
        bot: &Bot,
        utterance: String,
        unix_seconds: Option<f64>,
        utc_offset_minutes: Option<i32>,
    ) -> js_sys::Promise {
        let now = unix_seconds.map(|s| reference_time(s, utc_offset_minutes.unwrap_or(0)));
        let (session, encoder, bot, busy) =
            (self.inner.clone(), bot.encoder.clone(), bot.inner.clone(), self.busy.clone());
        let analytics = self.analytics.clone();
        let last_log = self.last_log.clone();
        let adapter = JsAdapter::new(self.adapter.clone().unwrap_or(JsValue::UNDEFINED), true);
        // Marked busy now, not when the future first runs: a `turn` right after this call
        // must already see it.
        if busy.replace(true) {
            let err = state_error(BUSY);
            return js_sys::Promise::reject(&err);
        }
        wasm_bindgen_futures::future_to_promise(async move {
            // As on native builds, a failing encoder leaves the n-gram part of the model to
            // classify alone rather than failing the turn.
            // Utterances the turn refuses or answers without the model are not embedded.
            let worth_embedding = !utterance.trim().is_empty()
                && utterance.chars().count() <= kefu_core::MAX_UTTERANCE_CHARS
                && *session.borrow().state() != kefu_core::DialogueState::WithAgent;
            let embedding = match &encoder {
                Some(encoder) if worth_embedding => {
                    embed(encoder, std::slice::from_ref(&utterance), false).await.ok().and_then(|mut v| v.pop())
                }
                _ => None,
            };
            let start = session.borrow().clone();
            let mut result = Err(state_error("the host adapter kept asking new questions; the turn was dropped"));
            for _ in 0..MAX_ASYNC_ROUNDS {
                let mut copy = start.clone();
                let ctx = TurnContext { now, adapter: &adapter, embedding: embedding.as_deref() };
                let turn = match copy.turn_with(&bot, &utterance, &ctx) {
                    Ok(turn) => turn,
                    Err(e) => {
                        result = Err(js_error(e));
                        break;
                    }
                };
                let pending = adapter.take_pending();
                if pending.is_empty() {
                    *last_log.borrow_mut() = Some(copy.log_turn(&turn));
                    *session.borrow_mut() = copy;
                    record(&analytics, &turn);
                    result = Ok(to_js(&turn));
                    break;
                }
                for (key, promise) in pending {
                    adapter.answer(key, wasm_bindgen_futures::JsFuture::from(promise).await);
                }
            }
            busy.set(false);
            result
        })
    }

    /// Counts every later turn of this session in `analytics` (shared by many sessions).
    #[wasm_bindgen(js_name = attachAnalytics)]
    pub fn attach_analytics(&mut self, analytics: &Analytics) {
        self.analytics = Some(analytics.inner.clone());
    }

    /// Sets the customer segment from the page's records (e.g. `vip`); `null` lets the bot
    /// recognise it again.
    #[wasm_bindgen(js_name = setSegment)]
    pub fn set_segment(&mut self, segment: Option<String>) {
        self.inner.borrow_mut().set_segment(segment);
    }

    /// Sets this customer's values of a custom entity declared with `host_values: true`
    /// (`{ value: [synonyms] }`), e.g. their own order numbers, without reloading the bot.
    #[wasm_bindgen(js_name = setEntityValues)]
    pub fn set_entity_values(
        &mut self,
        bot: &Bot,
        entity: &str,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string[]>")] values: JsValue,
    ) -> Result<(), JsValue> {
        // Read by hand: serde's JS deserializer would add its weight to the package.
        let shape = || state_error("setEntityValues takes { value: [synonyms, …] } with strings only");
        let object: js_sys::Object = values.dyn_into().map_err(|_| shape())?;
        let mut map = std::collections::BTreeMap::new();
        for entry in js_sys::Object::entries(&object).iter() {
            let pair = js_sys::Array::from(&entry);
            let value = pair.get(0).as_string().ok_or_else(shape)?;
            let synonyms: js_sys::Array = pair.get(1).dyn_into().map_err(|_| shape())?;
            let synonyms = synonyms.iter().map(|s| s.as_string().ok_or_else(shape)).collect::<Result<Vec<_>, _>>()?;
            map.insert(value, synonyms);
        }
        let values = map;
        self.inner.borrow_mut().set_entity_values(&bot.inner, entity, values).map_err(js_error)
    }

    /// The customer segment, recognised or set.
    #[wasm_bindgen(getter)]
    pub fn segment(&self) -> Option<String> {
        self.inner.borrow().segment().map(str::to_string)
    }

    /// Saves the session as versioned bytes.
    pub fn save(&self) -> Vec<u8> {
        self.inner.borrow().to_bytes()
    }

    /// What the agent wrote to the customer, for the transcript (masked), and what a
    /// supervisor should see about it.
    #[wasm_bindgen(js_name = agentMessage, unchecked_return_type = "AgentReview")]
    pub fn agent_message(&mut self, bot: &Bot, text: &str) -> Result<JsValue, JsValue> {
        let review = self.inner.borrow_mut().agent_message(&bot.inner, text).map_err(js_error)?;
        self.count_findings(&review.findings);
        Ok(to_js(&review))
    }

    /// `agentMessage` at the page's time (as in `turnAt`): a reply slower than the bot
    /// file's `agent_quality.reply_within_seconds` after the customer's line is flagged.
    #[wasm_bindgen(js_name = agentMessageAt, unchecked_return_type = "AgentReview")]
    pub fn agent_message_at(
        &mut self,
        bot: &Bot,
        text: &str,
        unix_seconds: f64,
        utc_offset_minutes: i32,
    ) -> Result<JsValue, JsValue> {
        let now = reference_time(unix_seconds, utc_offset_minutes);
        let review = self.inner.borrow_mut().agent_message_at(&bot.inner, text, now).map_err(js_error)?;
        self.count_findings(&review.findings);
        Ok(to_js(&review))
    }

    /// The agent has finished: the bot takes the conversation back. Returns what a
    /// supervisor should see about the agent session (a missing closing).
    #[wasm_bindgen(js_name = agentFinished, unchecked_return_type = "AgentFinding[]")]
    pub fn agent_finished(&mut self, bot: &Bot) -> Result<JsValue, JsValue> {
        let findings = self.inner.borrow_mut().agent_finished(&bot.inner).map_err(js_error)?;
        self.count_findings(&findings);
        Ok(to_js(&findings))
    }

    /// The latest turn as a log line for mining (`bot.mine`, `bot.topTopics`): the
    /// customer's line masked as the transcript keeps it; `null` before the first turn.
    #[wasm_bindgen(js_name = lastTurnLog, unchecked_return_type = "TurnLog | null")]
    pub fn last_turn_log(&self) -> JsValue {
        self.last_log.borrow().as_ref().map_or(JsValue::NULL, to_js)
    }

    /// What this conversation came to so far: record it with
    /// `analytics.recordConversation` when the conversation ends.
    #[wasm_bindgen(unchecked_return_type = "ConversationOutcome")]
    pub fn outcome(&self) -> JsValue {
        to_js(&self.inner.borrow().outcome())
    }

    /// Asks how satisfied the customer is (1–5 and a comment), e.g. after the agent
    /// finished or when the customer closes the chat: the turn holds the question. The
    /// next line is read as the answer or a skip, or handled as any other line.
    #[wasm_bindgen(js_name = askSurvey, unchecked_return_type = "Turn")]
    pub fn ask_survey(&mut self, bot: &Bot) -> Result<JsValue, JsValue> {
        if self.busy.get() {
            return Err(state_error(BUSY));
        }
        let turn = self.inner.borrow_mut().ask_survey(&bot.inner).map_err(js_error)?;
        Ok(self.counted(turn))
    }

    /// `idle`, `form`, `confirm`, `with_agent`, `clarify` or `survey`.
    #[wasm_bindgen(getter, unchecked_return_type = "SessionState")]
    pub fn state(&self) -> String {
        self.inner.borrow().state().code().to_string()
    }
}

/// Counts over many sessions for operators: containment, escalation reasons, top intents.
/// Only intent names, reason codes and counts are kept, never the customer's text.
#[derive(Debug, Default)]
#[wasm_bindgen]
pub struct Analytics {
    inner: Rc<RefCell<kefu_core::Analytics>>,
}

#[wasm_bindgen]
impl Analytics {
    /// Empty counts; sessions count into it after `session.attachAnalytics(analytics)`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Analytics {
        Analytics::default()
    }

    /// The agent sent suggested reply `id` (a `Suggestion`'s id), as it was or edited.
    #[wasm_bindgen(js_name = suggestionUsed)]
    pub fn suggestion_used(&self, id: &str) {
        self.inner.borrow_mut().suggestion_used(id);
    }

    /// Adds the counts of `other`.
    pub fn merge(&self, other: &Analytics) {
        let theirs = other.inner.borrow().clone();
        self.inner.borrow_mut().merge(&theirs);
    }

    /// The report over everything counted so far (first-contact resolution within 7 days).
    #[wasm_bindgen(unchecked_return_type = "AnalyticsReport")]
    pub fn report(&self) -> JsValue {
        to_js(&self.inner.borrow().report())
    }

    /// The report, with a customer's return on the same need within `days` counting
    /// against first-contact resolution.
    #[wasm_bindgen(js_name = reportWithWindow, unchecked_return_type = "AnalyticsReport")]
    pub fn report_with_window(&self, days: u32) -> JsValue {
        to_js(&self.inner.borrow().report_with_window(days))
    }

    /// Counts one conversation when it ends (`session.outcome()`), on the customer's local
    /// day of the time given (as in `turnAt`). `customer` is the page's id of the customer
    /// (kept only as a hash), for first-contact resolution; `null` when unknown.
    #[wasm_bindgen(js_name = recordConversation)]
    pub fn record_conversation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConversationOutcome")] outcome: JsValue,
        unix_seconds: f64,
        utc_offset_minutes: i32,
        customer: Option<String>,
    ) -> Result<(), JsValue> {
        let outcome: kefu_core::ConversationOutcome = serde_wasm_bindgen::from_value(outcome)
            .map_err(|e| coded_error(&format!("recordConversation takes session.outcome(): {e}"), "invalid_input"))?;
        let ended = reference_time(unix_seconds, utc_offset_minutes);
        self.inner.borrow_mut().record_conversation(&outcome, ended, customer.as_deref());
        Ok(())
    }
}
