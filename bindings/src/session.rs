//! [`Session`]: one customer's conversation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::adapter::Bridge;
use crate::{
    lock, AgentFinding, AgentReview, Analytics, Bot, ConversationOutcome, HostAdapter, KefuError, SessionState, Turn,
    TurnLog,
};

/// One customer's conversation. Safe to call from any thread (calls are serialised).
#[derive(uniffi::Object)]
pub struct Session {
    inner: Mutex<kefu_core::Session>,
    adapter: Mutex<Option<Arc<dyn HostAdapter>>>,
    analytics: Mutex<Option<Arc<Analytics>>>,
    /// The log line of the latest turn.
    last_log: Mutex<Option<kefu_core::TurnLog>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("inner", &*lock(&self.inner)).finish_non_exhaustive()
    }
}

impl Session {
    fn wrap(inner: kefu_core::Session) -> Arc<Session> {
        Arc::new(Session {
            inner: Mutex::new(inner),
            adapter: Mutex::new(None),
            analytics: Mutex::new(None),
            last_log: Mutex::new(None),
        })
    }

    fn lock(&self) -> MutexGuard<'_, kefu_core::Session> {
        lock(&self.inner)
    }

    fn run(&self, bot: &Bot, utterance: &str, now: Option<kefu_core::ReferenceTime>) -> Result<Turn, KefuError> {
        let adapter = lock(&self.adapter).clone();
        let bridge = adapter.as_deref().map(Bridge);
        let mut ctx = kefu_core::TurnContext { now, ..Default::default() };
        if let Some(b) = &bridge {
            ctx.adapter = b;
        }
        let turn = {
            let mut session = self.lock();
            let turn = session.turn_with(&bot.inner, utterance, &ctx)?;
            *lock(&self.last_log) = Some(session.log_turn(&turn));
            turn
        };
        Ok(self.counted(turn))
    }

    /// Counts an agent's findings in the attached analytics.
    fn count_findings(&self, findings: &[kefu_core::AgentFinding]) {
        if let Some(analytics) = lock(&self.analytics).as_ref() {
            lock(&analytics.inner).record_agent_findings(findings);
        }
    }

    /// Counts `turn` in the attached analytics.
    fn counted(&self, turn: kefu_core::Turn) -> Turn {
        if let Some(analytics) = lock(&self.analytics).as_ref() {
            lock(&analytics.inner).record(&turn);
        }
        turn.into()
    }
}

#[uniffi::export]
impl Session {
    /// A new conversation with `bot`.
    #[uniffi::constructor]
    pub fn new(bot: &Bot) -> Arc<Session> {
        Session::wrap(kefu_core::Session::new(&bot.inner))
    }

    /// Restores a session saved with [`Session::save`] for the same bot.
    #[uniffi::constructor]
    pub fn restore(bot: &Bot, bytes: Vec<u8>) -> Result<Arc<Session>, KefuError> {
        Ok(Session::wrap(kefu_core::Session::from_bytes(&bot.inner, &bytes)?))
    }

    /// Handles one customer utterance.
    pub fn turn(&self, bot: &Bot, utterance: String) -> Result<Turn, KefuError> {
        self.run(bot, &utterance, None)
    }

    /// [`Session::turn`] at the host's current time (seconds since the Unix epoch and the
    /// customer's UTC offset in minutes), so relative dates such as "明天下午三点" resolve.
    pub fn turn_at(
        &self,
        bot: &Bot,
        utterance: String,
        unix_seconds: i64,
        utc_offset_minutes: i32,
    ) -> Result<Turn, KefuError> {
        self.run(bot, &utterance, Some(kefu_core::ReferenceTime { unix_seconds, utc_offset_minutes }))
    }

    /// Sets the adapter the bot asks during turns (slot checks, agent availability).
    pub fn set_host_adapter(&self, adapter: Arc<dyn HostAdapter>) {
        *lock(&self.adapter) = Some(adapter);
    }

    /// Sets the customer segment from the app's records (e.g. `vip`); `null` lets the bot
    /// recognise it again.
    pub fn set_segment(&self, segment: Option<String>) {
        self.lock().set_segment(segment);
    }

    /// Sets this customer's values of a custom entity declared with `host_values: true`
    /// (canonical value → synonyms), e.g. their own order numbers, without reloading the bot.
    pub fn set_entity_values(
        &self,
        bot: &Bot,
        entity: String,
        values: HashMap<String, Vec<String>>,
    ) -> Result<(), KefuError> {
        Ok(self.lock().set_entity_values(&bot.inner, &entity, values.into_iter().collect())?)
    }

    /// The customer segment, recognised or set.
    pub fn segment(&self) -> Option<String> {
        self.lock().segment().map(str::to_string)
    }

    /// Counts every later turn of this session in `analytics` (shared by many sessions).
    pub fn attach_analytics(&self, analytics: Arc<Analytics>) {
        *lock(&self.analytics) = Some(analytics);
    }

    /// Saves the session as versioned bytes.
    pub fn save(&self) -> Vec<u8> {
        self.lock().to_bytes()
    }

    /// What the agent wrote to the customer, for the transcript (masked), and what a
    /// supervisor should see about it.
    pub fn agent_message(&self, bot: &Bot, text: String) -> Result<AgentReview, KefuError> {
        let review = self.lock().agent_message(&bot.inner, &text)?;
        self.count_findings(&review.findings);
        Ok(review.into())
    }

    /// `agent_message` at the host's time (as in `turn_at`): a reply slower than the bot
    /// file's `agent_quality.reply_within_seconds` after the customer's line is flagged.
    pub fn agent_message_at(
        &self,
        bot: &Bot,
        text: String,
        unix_seconds: i64,
        utc_offset_minutes: i32,
    ) -> Result<AgentReview, KefuError> {
        let now = kefu_core::ReferenceTime { unix_seconds, utc_offset_minutes };
        let review = self.lock().agent_message_at(&bot.inner, &text, now)?;
        self.count_findings(&review.findings);
        Ok(review.into())
    }

    /// The agent has finished: the bot takes the conversation back. Returns what a
    /// supervisor should see about the agent session (a missing closing).
    pub fn agent_finished(&self, bot: &Bot) -> Result<Vec<AgentFinding>, KefuError> {
        let findings = self.lock().agent_finished(&bot.inner)?;
        self.count_findings(&findings);
        Ok(findings.into_iter().map(Into::into).collect())
    }

    /// The latest turn as a log line for mining (`Bot.mine`, `Bot.topTopics`): the
    /// customer's line masked as the transcript keeps it; `null` before the first turn.
    pub fn last_turn_log(&self) -> Option<TurnLog> {
        lock(&self.last_log).clone().map(Into::into)
    }

    /// What this conversation came to so far: record it with
    /// `Analytics.recordConversation` when the conversation ends.
    pub fn outcome(&self) -> ConversationOutcome {
        self.lock().outcome().into()
    }

    /// Asks how satisfied the customer is (1–5 and a comment), e.g. after the agent
    /// finished or when the customer closes the chat: the turn holds the question. The
    /// next line is read as the answer or a skip, or handled as any other line.
    pub fn ask_survey(&self, bot: &Bot) -> Result<Turn, KefuError> {
        let turn = self.lock().ask_survey(&bot.inner)?;
        Ok(self.counted(turn))
    }

    /// Where the conversation stands.
    pub fn state(&self) -> SessionState {
        self.lock().state().into()
    }
}
