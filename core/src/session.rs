//! Conversation state: small, plain data the host may persist between turns.
//!
//! Saved bytes are `KEFU` + format version (u16 LE) + CRC-32 of the rest (u32 LE) + the
//! fingerprint of the bot's dialogue structure (u32 LE) + JSON payload; version 1, read
//! still, had no fingerprint. The version is checked before anything else is parsed, and a
//! session is only ever replaced whole: a failed restore leaves nothing half-restored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agent_quality::AgentWatch;
use crate::brief::IssueLine;
use crate::checksum::crc32;
use crate::entity::HostValues;
use crate::error::{Error, Result};
use crate::handoff::{BotStep, HandoffReason, Speaker, TranscriptLine};
use crate::text::Language;
use crate::Bot;

/// Pushes `item` and keeps the newest `limit` items: a restored session may hold more than
/// this build keeps (forged, or saved by another version), and is trimmed on its next push.
pub(crate) fn push_bounded<T>(list: &mut Vec<T>, item: T, limit: usize) {
    list.push(item);
    if list.len() > limit {
        list.drain(..list.len() - limit);
    }
}

/// Format version of saved sessions (this build also reads version 1).
pub const SESSION_FORMAT_VERSION: u16 = 2;
const MAGIC: &[u8; 4] = b"KEFU";
/// Transcript lines kept for the agent (older ones are dropped first).
pub(crate) const TRANSCRIPT_LINES: usize = 40;

/// Where the conversation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DialogueState {
    /// Waiting for the customer's next request.
    Idle,
    /// Filling the slots of an intent; the bot has asked for `slot`.
    Form {
        /// The intent whose slots are being filled.
        intent: String,
        /// The slot the bot asked for.
        slot: String,
        /// How often it has asked for this slot again after a failed answer.
        reprompts: u32,
    },
    /// Every slot of `intent` is filled; the bot asked the customer to confirm them.
    Confirm {
        /// The intent awaiting confirmation.
        intent: String,
        /// How often it has asked again after an unclear answer.
        reprompts: u32,
    },
    /// Handed off: a human agent has the conversation; the bot is silent.
    WithAgent,
    /// The bot asked which of these intents (or `faq/<id>` entries) the customer means.
    Clarify {
        /// The intents offered, in the order offered.
        choices: Vec<String>,
        /// The form or confirmation the question interrupted (a weak guess at a request
        /// for a person while a form waited): "no" goes back to it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<Box<DialogueState>>,
    },
    /// The bot asked how satisfied the customer is (1–5): the next line is read as the
    /// answer, a skip, or — if it is neither — handled as any other line.
    Survey,
}

impl DialogueState {
    /// Stable snake_case name: `idle`, `form`, `confirm`, `with_agent`, `clarify` or
    /// `survey`.
    pub fn code(&self) -> &'static str {
        match self {
            DialogueState::Idle => "idle",
            DialogueState::Form { .. } => "form",
            DialogueState::Confirm { .. } => "confirm",
            DialogueState::WithAgent => "with_agent",
            DialogueState::Clarify { .. } => "clarify",
            DialogueState::Survey => "survey",
        }
    }
}

/// Counts over the whole conversation (the transcript and steps keep only the latest).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tally {
    #[serde(default)]
    pub fallbacks: u32,
    #[serde(default)]
    pub clarifications: u32,
    /// The first handoff's reasons and route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<(Vec<HandoffReason>, String)>,
    /// The customer's needs the bot recognised (intents and FAQ entries), first seen first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    #[serde(default)]
    pub survey_asked: bool,
    /// The survey's score, once answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_score: Option<u8>,
}

impl Tally {
    fn is_empty(&self) -> bool {
        *self == Tally::default()
    }
}

/// One customer's conversation with a bot.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub(crate) bot: String,
    pub(crate) language: Option<Language>,
    pub(crate) state: DialogueState,
    /// Slot values of the current intent and carried-over ones.
    pub(crate) slots: BTreeMap<String, String>,
    pub(crate) fallback_streak: u32,
    pub(crate) turns: u64,
    pub(crate) intents_seen: Vec<String>,
    /// How many turns in a row recognised the last intent of `intents_seen`.
    pub(crate) repeats: u32,
    /// Sentiment of the latest customer turns (newest last).
    pub(crate) sentiments: Vec<f32>,
    pub(crate) transcript: Vec<TranscriptLine>,
    /// The customer segment, recognised or set by the host.
    #[serde(default)]
    pub(crate) segment: Option<String>,
    /// Business rules that already handed off (each fires once per session).
    #[serde(default)]
    pub(crate) rules_fired: Vec<String>,
    /// Values the host added to `host_values` entities for this customer.
    #[serde(default)]
    pub(crate) host_values: HostValues,
    /// What the bot has done so far, for the agent's summary.
    #[serde(default)]
    pub(crate) steps: Vec<BotStep>,
    /// The customer's lines that may state their issue, for the agent's brief.
    #[serde(default)]
    pub(crate) issue_lines: Vec<IssueLine>,
    /// The reasons and route of the handoff an agent has now (while `WithAgent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) open_handoff: Option<(Vec<HandoffReason>, String)>,
    /// What the agent quality checks remember (while `WithAgent`, once the agent wrote or
    /// the host passed the time of a customer's line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) agent_watch: Option<AgentWatch>,
    /// What the conversation came to so far, for [`Session::outcome`].
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub(crate) tally: Tally,
    /// The bot's dialogue structure the state refers to ([`crate::flow::fingerprint`]); saved
    /// in the bytes' header.
    #[serde(skip)]
    pub(crate) structure: u32,
}

impl std::fmt::Debug for Session {
    // Slots and transcript may hold personal data: show the shape only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("bot", &self.bot)
            .field("state", &self.state)
            .field("turns", &self.turns)
            .field("slots", &self.slots.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new conversation with `bot`.
    pub fn new(bot: &Bot) -> Session {
        Session {
            bot: bot.name().to_string(),
            language: None,
            state: DialogueState::Idle,
            slots: BTreeMap::new(),
            fallback_streak: 0,
            turns: 0,
            intents_seen: Vec::new(),
            repeats: 0,
            sentiments: Vec::new(),
            transcript: Vec::new(),
            segment: None,
            rules_fired: Vec::new(),
            host_values: HostValues::new(),
            steps: Vec::new(),
            issue_lines: Vec::new(),
            open_handoff: None,
            agent_watch: None,
            tally: Tally::default(),
            structure: bot.structure,
        }
    }

    /// Makes the session one of `bot` as it is now. A form or confirmation open in a session
    /// of another version of the bot's dialogue structure (a restored session, or a bot
    /// reloaded from an edited file) starts over: its intent, slots or checks may have
    /// changed, and asking on would ask for what the bot no longer has. Everything else —
    /// slots filled, transcript, segment — is kept.
    pub(crate) fn adopt(&mut self, bot: &Bot) {
        if self.structure != bot.structure {
            if matches!(
                self.state,
                DialogueState::Form { .. } | DialogueState::Confirm { .. } | DialogueState::Clarify { .. }
            ) {
                self.state = DialogueState::Idle;
            }
            self.structure = bot.structure;
        }
    }

    /// Sets this customer's values of a custom entity declared with `host_values: true`
    /// (canonical value → synonyms), e.g. their own order numbers or product names, without
    /// reloading the bot. Replaces earlier values of that entity; an empty map removes them.
    pub fn set_entity_values(
        &mut self,
        bot: &Bot,
        entity: &str,
        values: std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<()> {
        if !bot.spec().entities.get(entity).is_some_and(|e| e.host_values) {
            return Err(Error::InvalidState(
                "set_entity_values: declare the entity under `entities` with `host_values: true` in the bot file",
            ));
        }
        if values.is_empty() {
            self.host_values.remove(entity);
        } else {
            self.host_values.insert(entity.to_string(), values);
        }
        Ok(())
    }

    /// The customer segment, recognised from the conversation or set by the host.
    pub fn segment(&self) -> Option<&str> {
        self.segment.as_deref()
    }

    /// Sets the customer segment from the host's own records (e.g. `vip`); `None` lets the
    /// bot recognise it again. Any name is accepted; business rules and routes use the
    /// bot file's `segments`.
    pub fn set_segment(&mut self, segment: Option<String>) {
        self.segment = segment;
    }

    /// Where the conversation stands.
    pub fn state(&self) -> &DialogueState {
        &self.state
    }

    /// The language of the conversation so far (`None` before the first utterance with letters).
    pub fn language(&self) -> Option<Language> {
        self.language
    }

    /// Slot values collected so far.
    pub fn slots(&self) -> &BTreeMap<String, String> {
        &self.slots
    }

    /// The conversation so far with personal data masked (the latest lines).
    pub fn transcript(&self) -> &[TranscriptLine] {
        &self.transcript
    }

    /// Number of customer turns so far.
    pub fn turn_count(&self) -> u64 {
        self.turns
    }

    /// Mean sentiment of the last three customer turns.
    pub(crate) fn sentiment_trend(&self) -> f32 {
        let recent = &self.sentiments[self.sentiments.len().saturating_sub(3)..];
        if recent.is_empty() {
            0.0
        } else {
            recent.iter().sum::<f32>() / recent.len() as f32
        }
    }

    pub(crate) fn record(&mut self, speaker: Speaker, text: String) {
        push_bounded(&mut self.transcript, TranscriptLine { speaker, text }, TRANSCRIPT_LINES);
    }

    /// Saves the session as versioned bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising plain strings, numbers and maps cannot fail.
        let payload = serde_json::to_vec(self).unwrap_or_default();
        let mut body = Vec::with_capacity(payload.len() + 4);
        body.extend_from_slice(&self.structure.to_le_bytes());
        body.extend_from_slice(&payload);
        let mut out = Vec::with_capacity(body.len() + 10);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&SESSION_FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Restores a session saved by [`Session::to_bytes`] for `bot`. Saved with another
    /// version of the bot's intents and slots, it restores with any open form or
    /// confirmation started over and everything else kept; saved for another bot, it is an
    /// error.
    pub fn from_bytes(bot: &Bot, bytes: &[u8]) -> Result<Session> {
        let corrupt = |reason| Error::SessionCorrupt { reason };
        if bytes.len() < 10 || &bytes[..4] != MAGIC {
            return Err(corrupt("the bytes are not a saved kefu session"));
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if !(1..=SESSION_FORMAT_VERSION).contains(&version) {
            return Err(Error::SessionVersion { found: version, supported: SESSION_FORMAT_VERSION });
        }
        let crc = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]);
        let body = &bytes[10..];
        if crc32(body) != crc {
            return Err(corrupt("the checksum does not match (truncated or damaged bytes)"));
        }
        // Version 1 had no fingerprint: its state is taken to refer to the bot as it is.
        let (structure, payload) = match version {
            1 => (bot.structure, body),
            _ if body.len() >= 4 => (u32::from_le_bytes([body[0], body[1], body[2], body[3]]), &body[4..]),
            _ => return Err(corrupt("the bytes end before the bot's fingerprint")),
        };
        let mut session: Session =
            serde_json::from_slice(payload).map_err(|_| corrupt("the content is not a valid session"))?;
        if session.bot != bot.name() {
            return Err(Error::SessionBotMismatch { found: session.bot, expected: bot.name().to_string() });
        }
        session.structure = structure;
        session.adopt(bot);
        Ok(session)
    }
}
