//! The kefu npm package: `kefu-core` compiled to WebAssembly with wasm-bindgen.
//!
//! Turns come back as plain JS objects (described by the TypeScript types below). Errors are
//! JS `Error`s with a stable `code` (`invalid_bot`, `invalid_input`, `invalid_session`,
//! `invalid_state`) and a message that says what to fix.
#![deny(missing_docs)]

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
export type Language = "zh" | "en";
export interface IntentMatch { name: string; confidence: number; source: "rule" | "model" | "form" }
export interface IntentCandidate { name: string; confidence: number }
/** `start`/`end` count Unicode code points of the utterance. */
export interface Entity { entity: string; start: number; end: number; raw: string; value: string }
export interface Action { name: string; slots: Record<string, string> }
export type HandoffReason =
  | "explicit_request" | "fallback_streak" | "sensitive_intent" | "reprompt_limit"
  | "negative_sentiment" | "abuse" | "loop";
export type Priority = "low" | "normal" | "high" | "urgent";
export interface TranscriptLine { speaker: "customer" | "bot" | "agent"; text: string }
export interface Handoff {
  reasons: HandoffReason[]; priority: Priority; route: string; summary: string;
  transcript: TranscriptLine[]; slots: Record<string, string>;
  /** Sentiment trend of the last turns, -1 (angry) … 1 (happy). */
  sentiment: number;
}
export type Signal =
  | ({ type: "handoff" } & Handoff)
  | { type: "fallback"; streak: number }
  | { type: "faq_answered"; id: string }
  | { type: "slot_requested"; intent: string; slot: string }
  | { type: "form_completed"; intent: string }
  | { type: "form_cancelled"; intent: string }
  | { type: "with_agent" };
export interface Turn {
  language: Language; replies: string[]; intent: IntentMatch | null; alternatives: IntentCandidate[];
  entities: Entity[]; slots: Record<string, string>; actions: Action[]; signals: Signal[];
  /** Sentiment of the utterance, -1 (angry) … 1 (happy). */
  sentiment: number;
}
export type SessionState = "idle" | "form" | "with_agent";
export interface KefuError extends Error { code: "invalid_bot" | "invalid_input" | "invalid_session" | "invalid_state" }
"#;

/// Maps a core error to a JS `Error` with a `code`, in one place.
fn js_error(e: kefu_core::Error) -> JsValue {
    let code = match e {
        kefu_core::Error::BotFile(_) => "invalid_bot",
        kefu_core::Error::UtteranceTooLong { .. } => "invalid_input",
        kefu_core::Error::SessionCorrupt { .. }
        | kefu_core::Error::SessionVersion { .. }
        | kefu_core::Error::SessionBotMismatch { .. } => "invalid_session",
        _ => "invalid_state",
    };
    let err = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
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
    inner: kefu_core::Bot,
}

#[wasm_bindgen]
impl Bot {
    /// Loads a bot from YAML or JSON text; `name` names the file in error messages.
    #[wasm_bindgen(js_name = fromYaml)]
    pub fn from_yaml(name: &str, source: &str) -> Result<Bot, JsValue> {
        kefu_core::Bot::from_yaml(name, source).map(|inner| Bot { inner }).map_err(js_error)
    }

    /// Loads a bot from the UTF-8 bytes of a YAML or JSON file.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Bot, JsValue> {
        kefu_core::Bot::from_bytes(name, bytes).map(|inner| Bot { inner }).map_err(js_error)
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
}

/// One customer's conversation.
#[derive(Debug)]
#[wasm_bindgen]
pub struct Session {
    inner: kefu_core::Session,
}

#[wasm_bindgen]
impl Session {
    /// A new conversation with `bot`.
    #[wasm_bindgen(constructor)]
    pub fn new(bot: &Bot) -> Session {
        Session { inner: kefu_core::Session::new(&bot.inner) }
    }

    /// Restores a session saved with `save()` for the same bot.
    pub fn restore(bot: &Bot, bytes: &[u8]) -> Result<Session, JsValue> {
        kefu_core::Session::from_bytes(&bot.inner, bytes).map(|inner| Session { inner }).map_err(js_error)
    }

    /// Handles one customer utterance.
    #[wasm_bindgen(unchecked_return_type = "Turn")]
    pub fn turn(&mut self, bot: &Bot, utterance: &str) -> Result<JsValue, JsValue> {
        self.inner.turn(&bot.inner, utterance).map(|t| to_js(&t)).map_err(js_error)
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
        let now = kefu_core::ReferenceTime { unix_seconds: unix_seconds.floor() as i64, utc_offset_minutes };
        self.inner.turn_at(&bot.inner, utterance, now).map(|t| to_js(&t)).map_err(js_error)
    }

    /// Saves the session as versioned bytes.
    pub fn save(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }

    /// The agent has finished: the bot takes the conversation back.
    #[wasm_bindgen(js_name = agentFinished)]
    pub fn agent_finished(&mut self) -> Result<(), JsValue> {
        self.inner.agent_finished().map_err(js_error)
    }

    /// `idle`, `form` or `with_agent`.
    #[wasm_bindgen(getter, unchecked_return_type = "SessionState")]
    pub fn state(&self) -> String {
        self.inner.state().code().to_string()
    }
}
