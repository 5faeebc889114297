//! The bot file format, as written by its author in YAML or JSON: what each key means.
//! Write bot files as text (see `examples/bots/shop.yaml`); these types are how a loaded
//! bot's file reads back ([`crate::Bot::spec`]), `#[non_exhaustive]`, not for building bots
//! by hand.
//!
//! Field names follow what Rasa and Snips users already know: intents with examples,
//! slots with prompts, responses, entities with synonyms, FAQ question variants.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The schema version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole bot file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BotFile {
    /// Schema version; must be [`SCHEMA_VERSION`].
    pub version: u32,
    /// The bot's display name.
    #[serde(default)]
    pub name: String,
    /// Languages the bot answers in; the first is the default when an utterance has no letters.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Thresholds and limits of the dialogue policy.
    #[serde(default)]
    pub settings: Settings,
    /// Custom entities by name (value lists with synonyms, or a regex).
    #[serde(default)]
    pub entities: BTreeMap<String, EntitySpec>,
    /// Intents by name.
    #[serde(default)]
    pub intents: BTreeMap<String, IntentSpec>,
    /// Frequently asked questions by id.
    #[serde(default)]
    pub faq: BTreeMap<String, FaqSpec>,
    /// Canned replies an agent may send, suggested while an agent has the conversation.
    #[serde(default)]
    pub agent_replies: BTreeMap<String, AgentReplySpec>,
    /// Utterances the bot does not handle (questions of another business, chit-chat it
    /// should not answer): the intent model learns them as a background class, so that
    /// similar turns fall back instead of being forced onto the nearest intent.
    #[serde(default)]
    pub out_of_scope: Vec<String>,
    /// Customer segments by name (e.g. end user vs. dealer), recognised from how customers
    /// ask, or set by the host.
    #[serde(default)]
    pub segments: BTreeMap<String, SegmentSpec>,
    /// Overrides of the built-in responses (`fallback`, `empty`, `handoff`, `no_agent`,
    /// `cancelled`, `corrected`, `reprompt_limit`, `value_only` (the answer to a line that
    /// is only a value, such as an order number, which starts no intent by itself),
    /// `clarify`, whose `{choices}` are the titles of the intents it offers, and the
    /// satisfaction survey's `survey`, `survey_thanks` and `survey_skipped`).
    #[serde(default)]
    pub responses: BTreeMap<String, Localized>,
    /// When and where to hand the conversation to a human agent.
    #[serde(default)]
    pub handoff: HandoffSpec,
    /// Help-centre documents the bot quotes when no intent or FAQ entry claims a line.
    #[serde(default, skip_serializing_if = "KnowledgeSpec::is_empty")]
    pub knowledge: KnowledgeSpec,
    /// Checks on what agents write (`Session::agent_message`).
    #[serde(default)]
    pub agent_quality: AgentQualitySpec,
    /// The satisfaction survey (1–5 and a comment). Its texts are the `survey`,
    /// `survey_thanks` and `survey_skipped` responses.
    #[serde(default)]
    pub survey: SurveySpec,
}

/// When the bot asks how satisfied the customer is; the host may also ask at any time
/// (`Session::ask_survey`, e.g. after an agent finished).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SurveySpec {
    /// Intents after whose reply the bot asks, once per conversation and only when it has
    /// served a need without a handoff (e.g. `[thanks, goodbye]`).
    #[serde(default)]
    pub after_intents: Vec<String>,
}

/// What the agents' lines are checked for, besides abuse and personal data (always).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgentQualitySpec {
    /// Phrases agents must not write ("不归我们管", "not my problem"), any language.
    #[serde(default)]
    pub forbidden: Vec<String>,
    /// Greetings besides the built-in ones (您好, hello, …); the agent's first line should
    /// hold one. Checked unless `check_greeting: false`.
    #[serde(default)]
    pub greetings: Vec<String>,
    /// Closings besides the built-in ones (再见, 还有其他问题吗, anything else, …); the
    /// agent's last line before finishing should hold one. Checked unless
    /// `check_closing: false`.
    #[serde(default)]
    pub closings: Vec<String>,
    /// Whether to check for a greeting in the agent's first line.
    #[serde(default = "default_true")]
    pub check_greeting: bool,
    /// Whether to check for a closing in the agent's last line.
    #[serde(default = "default_true")]
    pub check_closing: bool,
    /// Longest wait, in seconds, between a customer's line and the agent's reply before it
    /// is a `slow_reply` (0 = not checked). Needs the host's times (`turn_at`,
    /// `agent_message_at`).
    #[serde(default = "default_reply_within")]
    pub reply_within_seconds: u32,
}

fn default_reply_within() -> u32 {
    60
}

impl Default for AgentQualitySpec {
    fn default() -> Self {
        AgentQualitySpec {
            forbidden: Vec::new(),
            greetings: Vec::new(),
            closings: Vec::new(),
            check_greeting: true,
            check_closing: true,
            reply_within_seconds: default_reply_within(),
        }
    }
}

/// Documents to answer from (see [`crate::Document`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KnowledgeSpec {
    /// The documents, each with its `text`, or only a `name` whose text the host passes in
    /// ([`crate::BotLoader::documents`]; the CLI reads it as a path beside the bot file).
    #[serde(default)]
    pub documents: Vec<DocumentSpec>,
    /// Least answerability score, 0–1, for a quoted answer; below it the bot says it does
    /// not know (the `fallback` response). Without it, the tier's default, chosen on
    /// kefu's own evaluation set (docs/knowledge.md).
    #[serde(default)]
    pub threshold: Option<f32>,
}

impl KnowledgeSpec {
    fn is_empty(&self) -> bool {
        self.documents.is_empty() && self.threshold.is_none()
    }
}

/// One document of [`KnowledgeSpec`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocumentSpec {
    /// How citations name the document (a file name or a link, e.g. `help/returns.md`).
    pub name: String,
    /// Its Markdown or plain text; without it the host passes the text.
    #[serde(default)]
    pub text: Option<String>,
}

fn default_languages() -> Vec<String> {
    vec!["zh".into(), "en".into()]
}

/// Thresholds and limits of the dialogue policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Settings {
    /// Below this confidence the model's best intent is out of scope (0–1). Unset, the bot
    /// chooses it at load from its own examples by cross-validation (`kefu inspect` shows
    /// the choice), or takes 0.35 when it has over 5,000 examples.
    #[serde(default)]
    pub confidence_threshold: Option<f32>,
    /// Below this gap between the two best intents the guess is out of scope (0–1).
    #[serde(default = "default_margin")]
    pub margin_threshold: f32,
    /// While a form waits for a slot or a confirmation, another intent the model finds
    /// takes over only at this confidence or above (rules always do): a reply to the
    /// bot's question is more likely an answer than a new request (0–1).
    #[serde(default = "default_form_exit")]
    pub form_exit_threshold: f32,
    /// How often a form asks again for a slot it could not fill before giving up.
    #[serde(default = "default_reprompts")]
    pub max_reprompts: u32,
    /// When the model's two best intents are too close to choose between, though together
    /// they clear `confidence_threshold`, ask the customer which one they mean (with each
    /// intent's `title`) instead of falling back.
    #[serde(default = "default_clarify")]
    pub clarify: bool,
    /// On the embedded tier, also learn kefu's built-in out-of-scope background (general
    /// and other-business requests in English and Chinese; lines close to the bot's own
    /// examples left out), so that such turns fall back without an `out_of_scope` list.
    #[serde(default = "default_background")]
    pub background: bool,
}

fn default_margin() -> f32 {
    0.05
}
fn default_form_exit() -> f32 {
    0.5
}
fn default_reprompts() -> u32 {
    2
}
fn default_clarify() -> bool {
    true
}
fn default_background() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            confidence_threshold: None,
            margin_threshold: default_margin(),
            form_exit_threshold: default_form_exit(),
            max_reprompts: default_reprompts(),
            clarify: default_clarify(),
            background: default_background(),
        }
    }
}

/// A custom entity: a list of values with synonyms, or a regular expression.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntitySpec {
    /// Canonical value → synonyms customers write for it.
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
    /// A regular expression (Rust `regex` syntax, linear time). With a capture group, the
    /// first group is the entity and the rest of the match is context.
    #[serde(default)]
    pub regex: Option<String>,
    /// Typo tolerance for Latin-script values of 4+ letters: the least similarity (0–1, one
    /// minus edits per letter) a written word needs, e.g. 0.8 accepts "headphnes". Unset:
    /// exact matches only.
    #[serde(default)]
    pub fuzzy: Option<f32>,
    /// The host app supplies (more) values at run time, per session
    /// (`Session::set_entity_values`): a customer's own order numbers, today's products.
    #[serde(default)]
    pub host_values: bool,
}

/// A canned reply for agents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgentReplySpec {
    /// The reply per language; `{slot}` interpolates the session's slot values.
    pub text: Localized,
    /// Customer lines it answers (any language): suggested when a line shares enough of
    /// one of them.
    #[serde(default)]
    pub when: Vec<String>,
}

/// One intent: what customers say, what the bot needs and does.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntentSpec {
    /// What the intent does in a few words, per language, as the bot offers it when it
    /// asks which of two intents the customer means: a verb phrase such as
    /// `{ zh: 查询物流, en: track a parcel }`. Without it, the intent's first example in the
    /// customer's language stands in.
    #[serde(default)]
    pub title: Option<Localized>,
    /// Example utterances, slots annotated inline: `查一下订单[12345](order_id)`.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Substrings that select this intent before the model runs (e.g. `转人工`).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regular expressions that select this intent before the model runs.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Slots by name.
    #[serde(default)]
    pub slots: BTreeMap<String, SlotSpec>,
    /// The reply once every required slot is filled; `{slot}` interpolates a slot value.
    #[serde(default)]
    pub response: Option<Localized>,
    /// A host action to run once every required slot is filled.
    #[serde(default)]
    pub action: Option<String>,
    /// The customer asks for a human agent: hand off.
    #[serde(default)]
    pub handoff: bool,
    /// Whether the intent is something the customer needs; `false` for greetings, thanks
    /// and goodbyes, which the agent's brief leaves out.
    #[serde(default = "default_true")]
    pub need: bool,
    /// The topic is sensitive (complaint, fraud, legal): hand off.
    #[serde(default)]
    pub sensitive: bool,
    /// Route tag for a handoff from this intent (e.g. `after_sales`).
    #[serde(default)]
    pub route: Option<String>,
    /// Ask the customer to confirm the filled slots before the action runs, with this
    /// question (`{slot}` interpolates); "no" cancels, a new value corrects a slot.
    #[serde(default)]
    pub confirm: Option<Localized>,
}

/// A slot of an intent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlotSpec {
    /// Entity that fills it: a built-in one (`phone`, `number`, …) or one from `entities`.
    pub entity: String,
    /// The intent cannot complete without it: the bot asks with `prompt`.
    #[serde(default)]
    pub required: bool,
    /// The question that asks for the slot.
    #[serde(default)]
    pub prompt: Option<Localized>,
    /// Keep the value for later intents that have a slot of the same name.
    #[serde(default)]
    pub carry_over: bool,
    /// Allowed normalised values; empty allows any value of the entity.
    #[serde(default)]
    pub values: Vec<String>,
    /// A regular expression the normalised value must match (anchor it with `^…$`).
    #[serde(default)]
    pub pattern: Option<String>,
    /// What the bot says when a value fails `values`, `pattern` or the host's check (the
    /// prompt follows); without it the bot just asks again.
    #[serde(default)]
    pub invalid: Option<Localized>,
}

/// A frequently asked question.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaqSpec {
    /// The question in a few words, per language, for clarification questions (see
    /// [`IntentSpec::title`]); without it, the first question in the customer's language.
    #[serde(default)]
    pub title: Option<Localized>,
    /// Ways customers ask it.
    #[serde(default)]
    pub questions: Vec<String>,
    /// The answer.
    pub answer: Localized,
}

/// A customer segment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SegmentSpec {
    /// How customers of this segment talk ("我们是经销商，想批量进货"); none if only the
    /// host sets the segment (e.g. `vip` from its own records).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Route tag for handoffs of this segment when the intent has none.
    #[serde(default)]
    pub route: Option<String>,
}

/// A business rule: hand off when every condition under `when` holds (once per session).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleSpec {
    /// Names the rule in the handoff (`rule`) and in the summary.
    pub name: String,
    /// The conditions; all must hold.
    pub when: RuleCondition,
    /// Route tag; overrides the intent's and the segment's.
    #[serde(default)]
    pub route: Option<String>,
    /// Priority of the handoff (at least this).
    #[serde(default)]
    pub priority: Option<crate::Priority>,
}

/// Conditions of a business rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleCondition {
    /// The session's customer segment is this.
    #[serde(default)]
    pub segment: Option<String>,
    /// The turn's intent is this.
    #[serde(default)]
    pub intent: Option<String>,
    /// A slot whose numeric value (the leading number: `2000 CNY` → 2000) is compared.
    #[serde(default)]
    pub slot: Option<String>,
    /// The slot's value is greater than this.
    #[serde(default)]
    pub above: Option<f64>,
    /// The slot's value is less than this.
    #[serde(default)]
    pub below: Option<f64>,
}

/// Handoff configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HandoffSpec {
    /// Consecutive out-of-scope turns that hand off (0 = never).
    #[serde(default = "default_fallback_streak")]
    pub fallback_streak: u32,
    /// Route tag when nothing more specific applies.
    #[serde(default = "default_route")]
    pub default_route: String,
    /// Hand off when a turn's sentiment is at or below this (−1…0; −1 = only the angriest),
    /// or the mean of the last three turns is within 0.2 above it.
    #[serde(default = "default_negative_sentiment")]
    pub negative_sentiment: f32,
    /// Hand off when the customer uses abusive language.
    #[serde(default = "default_true")]
    pub on_abuse: bool,
    /// Hand off (urgently, unless `priorities` says otherwise) when the customer threatens
    /// legal or regulatory action.
    #[serde(default = "default_true")]
    pub on_legal_threat: bool,
    /// Hand off when the same intent comes up this many times in a row (0 = never).
    #[serde(default = "default_loop_limit")]
    pub loop_limit: u32,
    /// Priority per reason code (`abuse: urgent`), overriding the defaults.
    #[serde(default)]
    pub priorities: BTreeMap<String, crate::Priority>,
    /// The intent the bot starts when the host says no agent is available (e.g. a form that
    /// takes a message and a callback number); without it the bot only says so.
    #[serde(default)]
    pub when_unavailable: Option<String>,
    /// Business rules that hand off (VIP segment, an amount above a limit, …).
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

fn default_negative_sentiment() -> f32 {
    -0.6
}
fn default_true() -> bool {
    true
}
fn default_loop_limit() -> u32 {
    3
}

fn default_fallback_streak() -> u32 {
    3
}
fn default_route() -> String {
    "general".into()
}

impl Default for HandoffSpec {
    fn default() -> Self {
        HandoffSpec {
            fallback_streak: default_fallback_streak(),
            default_route: default_route(),
            negative_sentiment: default_negative_sentiment(),
            on_abuse: true,
            on_legal_threat: true,
            loop_limit: default_loop_limit(),
            priorities: BTreeMap::new(),
            when_unavailable: None,
            rules: Vec::new(),
        }
    }
}

/// Text in one or more languages, each with one or more variants.
///
/// Written as a plain string (every language), a list (variants, every language), or a map
/// from language code to a string or list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Localized {
    /// One text for every language.
    One(String),
    /// Variants for every language.
    Variants(Vec<String>),
    /// Per language code.
    PerLanguage(BTreeMap<String, OneOrMany>),
}

/// A single text or a list of variants.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum OneOrMany {
    /// One text.
    One(String),
    /// Variants.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The variants as a slice.
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

impl Localized {
    /// Every text variant with the language code it is for (`None`: every language).
    pub fn texts(&self) -> Vec<(Option<&str>, &str)> {
        match self {
            Localized::One(s) => vec![(None, s.as_str())],
            Localized::Variants(v) => v.iter().map(|s| (None, s.as_str())).collect(),
            Localized::PerLanguage(m) => m
                .iter()
                .flat_map(|(lang, t)| t.as_slice().iter().map(move |s| (Some(lang.as_str()), s.as_str())))
                .collect(),
        }
    }
}
