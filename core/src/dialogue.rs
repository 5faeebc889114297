//! The dialogue policy: an [`Analysis`] of the customer's utterance and the session's
//! state in, one [`Turn`] out.
//!
//! Order of a turn: understanding ([`Bot::analyze`]: length check before anything
//! changes, normalise, language, entities, slots, rules then model, out-of-scope
//! decision) → form, confirmation or new intent → escalation (abuse, sentiment, loop,
//! business rules) → the handoff built once → replies masked once into the transcript.
//! The host's [`HostAdapter`] is asked to validate slot values and whether an agent is
//! free; its failures hand off.

use std::collections::BTreeMap;

use crate::adapter::{AdapterError, HostAdapter, TurnContext};
use crate::agent_quality::{self, AgentFinding, AgentReview, AgentWatch};
use crate::analysis::{Analysis, Meaning, Needs, SlotSpan};
use crate::bot::render;
use crate::botfile::schema::RuleSpec;
use crate::brief::{self, Brief, IssueLine};
use crate::clarify::{self, Answer, Choice};
use crate::entity::{Entity, ReferenceTime};
use crate::error::{Error, Result};
use crate::flow::{Intent, Slot};
use crate::handoff::{BotStep, Handoff, HandoffReason, Speaker, TranscriptLine};
use crate::intent::{IntentCandidate, IntentSource};
use crate::knowledge::KnowledgeAnswer;
use crate::pii;
use crate::session::{push_bounded, DialogueState};
use crate::suggest;
use crate::survey::{self, SurveyAnswer};
use crate::text::{occurrences, word_bounded};
use crate::turn::{Action, IntentMatch, Signal, Turn};
use crate::{Bot, Session, MAX_UTTERANCE_CHARS};

/// Words that cancel a form, matched as keywords on normalised text.
const CANCEL_WORDS: &[&str] = &["算了", "取消", "不要了", "不用了", "cancel", "never mind", "nevermind", "forget it"];
/// Words that mark a correction of a value given earlier ("不对，是 12346").
const CORRECTION_WORDS: &[&str] = &[
    "不对",
    "不是",
    "错了",
    "说错",
    "改成",
    "改为",
    "更正",
    "actually",
    "i meant",
    "wrong",
    "correction",
    "change it to",
];
/// Answers to a confirmation question. "No" words win over "yes" words ("不对" holds "对"),
/// except in the phrases of `YES_FIRST`.
const YES_FIRST: &[&str] = &["没问题", "不错", "no problem"];
const NO_WORDS: &[&str] = &["不", "别", "否", "no", "nope", "don't", "do not", "not"];
const YES_WORDS: &[&str] = &[
    "是", "对", "好", "确认", "可以", "行", "嗯", "yes", "yeah", "yep", "sure", "ok", "okay", "confirm", "correct",
    "right",
];

/// An FAQ question while a form waits is answered when the model is this many times as
/// sure as it must be of a line on its own: the form's question is pending, and "not sure"
/// read weakly as a question about genuine goods is no question.
const FAQ_IN_FORM: f32 = 2.0;

/// Needs a conversation's tally keeps (a conversation with more is one of many topics).
const MAX_NEEDS: usize = 16;

/// Longest line read as a yes or no to a question whether the customer meant an intent.
const SHORT_ANSWER_CHARS: usize = 12;

/// One turn in the making: the bot, the host's adapter, the utterance's normalised text
/// and slot spans, the turn so far, and the handoff it asks for (built once, in
/// [`Session::finish`], after every reason is known).
struct Step<'a> {
    bot: &'a Bot,
    adapter: &'a dyn HostAdapter,
    text: String,
    slot_spans: Vec<SlotSpan>,
    /// [`Analysis::close_call`]: intents to ask about.
    close_call: Vec<String>,
    /// The line holds entity values and nothing else ("12345678").
    only_values: bool,
    /// The line follows up the previous intent with a new value: filled slots take it.
    follow_up: bool,
    turn: Turn,
    handoff: Option<HandoffRequest<'a>>,
    /// The customer's line, masked, when the bot (not an agent) answers it: a candidate
    /// for the brief's issue.
    customer_line: Option<String>,
}

/// A handoff the turn asks for; reasons from [`Session::escalate`] join it before it is
/// built. Slots, sentiment and segment are read when it is built: nothing in a turn changes
/// them after a handoff is asked for.
struct HandoffRequest<'a> {
    reasons: Vec<HandoffReason>,
    route: String,
    /// Whether the host said an agent can take it (else: `agent_unavailable`).
    available: bool,
    /// The business rule that holds, if any.
    rule: Option<&'a RuleSpec>,
    /// Where its signal goes among the turn's signals, and how many of the turn's replies
    /// its transcript shows.
    signal_at: usize,
    replies: usize,
    /// It updates the handoff an agent already has (`handoff_updated`).
    update: bool,
}

impl Session {
    /// Handles one customer utterance. Fails only when the utterance is over
    /// [`MAX_UTTERANCE_CHARS`]; then the session is unchanged. Relative dates ("明天下午三点")
    /// are not resolved: use [`Session::turn_at`] for them.
    pub fn turn(&mut self, bot: &Bot, utterance: &str) -> Result<Turn> {
        self.turn_with(bot, utterance, &TurnContext::default())
    }

    /// [`Session::turn`] at the host's current time, so that relative dates and times
    /// resolve (kefu has no clock of its own).
    pub fn turn_at(&mut self, bot: &Bot, utterance: &str, now: ReferenceTime) -> Result<Turn> {
        self.turn_with(bot, utterance, &TurnContext { now: Some(now), ..TurnContext::default() })
    }

    /// [`Session::turn`] with the host's time and adapter: slot values are checked with
    /// [`HostAdapter::validate_slot`], handoffs with [`HostAdapter::agent_available`]. An
    /// adapter error does not fail the turn; it hands off with reason `adapter_failure`.
    pub fn turn_with(&mut self, bot: &Bot, utterance: &str, ctx: &TurnContext<'_>) -> Result<Turn> {
        // Understood with an agent too: the ranking picks the agent's suggested replies.
        // The documents are quoted only from the idle state, as it will be once the session
        // adopts this bot (a changed dialogue structure drops an open form).
        let idle = self.state == DialogueState::Idle
            || (self.structure != bot.structure && self.state != DialogueState::WithAgent);
        let needs = Needs { segment: self.segment.is_none(), knowledge: idle };
        let analysis = bot.analyze_with(utterance, ctx, &self.host_values, needs)?;
        self.adopt(bot);
        let waits_for_agent = self.state == DialogueState::WithAgent;
        let turn = self.act(bot, ctx.adapter, utterance, analysis);
        if let (true, Some(now)) = (waits_for_agent && self.state == DialogueState::WithAgent, ctx.now) {
            // The oldest line the agent has not answered: a slow reply is measured from it.
            let watch = self.agent_watch.get_or_insert_with(AgentWatch::default);
            watch.waiting_since.get_or_insert(now.unix_seconds);
        }
        Ok(turn)
    }

    /// The policy: what the bot does with an understood utterance in this session's state.
    fn act(&mut self, bot: &Bot, adapter: &dyn HostAdapter, utterance: &str, analysis: Analysis) -> Turn {
        self.language = analysis.language.or(self.language);
        let language = self.language.unwrap_or_else(|| bot.default_language());
        self.turns = self.turns.saturating_add(1);
        // The analysis found the personal data already: masking reuses it.
        let masked = pii::redact_found(&bot.extractors, utterance, &analysis.personal_data);
        self.record(Speaker::Customer, masked.clone());
        let turn = Turn::empty(bot.reply_language(language), self.segment.clone());
        let Analysis {
            text,
            entities,
            slot_spans,
            ranked,
            intent,
            close_call,
            sentiment,
            abusive,
            segment,
            meaning,
            mut knowledge,
            ..
        } = analysis;
        let only_values = !entities.is_empty() && only_values(utterance, &entities);
        let mut s = Step {
            bot,
            adapter,
            text,
            slot_spans,
            close_call,
            only_values,
            follow_up: false,
            turn,
            handoff: None,
            customer_line: None,
        };
        if self.state == DialogueState::WithAgent {
            s.turn.signals.push(Signal::WithAgent);
            s.turn.suggestions = suggest::suggest(bot, &ranked, &s.text, s.turn.language, &self.slots);
            s.turn.sentiment = sentiment;
            self.listen_with_agent(&mut s, &ranked, abusive, masked);
            return self.finish(s);
        }
        s.customer_line = Some(masked);
        if s.text.is_empty() {
            s.turn.replies.push(bot.builtin_response("empty", s.turn.language, self.pick()));
            return self.finish(s);
        }
        if self.state == DialogueState::Survey {
            self.state = DialogueState::Idle;
            let answer = survey::read(&s.text);
            if let Some(signal) = self.take_survey_answer(answer) {
                let reply =
                    if matches!(signal, Signal::SurveyAnswered { .. }) { "survey_thanks" } else { "survey_skipped" };
                s.turn.replies.push(bot.builtin_response(reply, s.turn.language, self.pick()));
                s.turn.signals.push(signal);
                s.turn.sentiment = sentiment;
                s.customer_line = None;
                // A threat or an insult in a comment still reaches a person.
                self.escalate(&mut s, abusive, None);
                return self.finish(s);
            }
            s.turn.signals.push(Signal::SurveySkipped);
        }
        s.turn.entities = entities;
        if self.segment.is_none() {
            self.segment = segment;
        }
        s.turn.segment = self.segment.clone();
        s.turn.sentiment = sentiment;
        push_bounded(&mut self.sentiments, sentiment, 5);
        s.turn.alternatives = ranked;
        s.turn.intent = intent;
        let route = match meaning {
            Meaning::Intent(i) => bot.intents[i].route.clone(),
            _ => None,
        };
        let follows = (self.state == DialogueState::Idle).then(|| self.follows_up(&s, meaning)).flatten();
        match self.state.clone() {
            DialogueState::Form { intent, slot, reprompts } => {
                self.continue_form(&mut s, meaning, (&intent, &slot, reprompts))
            }
            DialogueState::Confirm { intent, reprompts } => {
                self.continue_confirm(&mut s, meaning, (&intent, reprompts))
            }
            DialogueState::Clarify { choices, resume } => self.continue_clarify(&mut s, meaning, &choices, resume),
            DialogueState::Idle | DialogueState::WithAgent if follows.is_some() => {
                let (i, bot) = (follows.unwrap_or_default(), s.bot);
                s.follow_up = true;
                s.turn.intent = Some(IntentMatch {
                    name: bot.intents[i].name.clone(),
                    confidence: 1.0,
                    source: IntentSource::FollowUp,
                });
                self.respond(&mut s, Meaning::Intent(i));
                // A new value is progress, not the customer repeating themselves.
                self.repeats = 1;
            }
            DialogueState::Idle | DialogueState::WithAgent
                if meaning == Meaning::OutOfScope && knowledge.is_some() && !s.only_values =>
            {
                if let Some(answer) = knowledge.take() {
                    self.quote(&mut s, answer);
                }
            }
            DialogueState::Idle | DialogueState::WithAgent
                if meaning == Meaning::OutOfScope && !s.close_call.is_empty() =>
            {
                let names = std::mem::take(&mut s.close_call);
                self.ask_which(&mut s, names, None)
            }
            DialogueState::Idle | DialogueState::WithAgent if s.only_values && guessed(&s.turn) => {
                // A bare value ("12345678") starts nothing on its own: which intent it is for
                // is a guess. Rules, the bot's own word, still start one.
                s.turn.intent = None;
                s.turn.replies.push(bot.builtin_response("value_only", s.turn.language, self.pick()));
            }
            // (A survey's state ended above.)
            DialogueState::Idle | DialogueState::WithAgent | DialogueState::Survey => self.respond(&mut s, meaning),
        }
        self.escalate(&mut s, abusive, route);
        self.offer_survey(&mut s);
        self.finish(s)
    }

    /// The survey's answer as a signal (`None` when the line is no answer: the customer
    /// moved on). The comment is the whole line, masked as the transcript has it.
    fn take_survey_answer(&mut self, answer: SurveyAnswer) -> Option<Signal> {
        match answer {
            SurveyAnswer::Rated { score, comment } => {
                self.tally.survey_score = Some(score);
                let comment = comment.then(|| self.transcript.last().map(|l| l.text.clone())).flatten();
                Some(Signal::SurveyAnswered { score, comment })
            }
            SurveyAnswer::Skipped => Some(Signal::SurveySkipped),
            SurveyAnswer::NotAnAnswer => None,
        }
    }

    /// Asks the survey after an intent of the bot file's `survey.after_intents`, once per
    /// conversation, when the bot served a need and nobody handed off.
    fn offer_survey(&mut self, s: &mut Step<'_>) {
        let after = &s.bot.spec.survey.after_intents;
        let Some(intent) = &s.turn.intent else { return };
        if self.state == DialogueState::Idle
            && s.handoff.is_none()
            && !self.tally.survey_asked
            && self.tally.handoff.is_none()
            && !self.tally.needs.is_empty()
            && after.contains(&intent.name)
        {
            self.ask(s.bot, &mut s.turn);
        }
    }

    /// Puts the survey's question into `turn`.
    fn ask(&mut self, bot: &Bot, turn: &mut Turn) {
        self.tally.survey_asked = true;
        self.state = DialogueState::Survey;
        turn.replies.push(bot.builtin_response("survey", turn.language, self.pick()));
        turn.signals.push(Signal::SurveyRequested);
    }

    /// The host asks how satisfied the customer is (1–5 and a comment), e.g. after its
    /// agent finished or when the customer closes the chat: the turn holds the question in
    /// the conversation's language. The next line is read as the answer, a skip, or — if it
    /// is neither — handled as any other line. Not while an agent has the conversation.
    pub fn ask_survey(&mut self, bot: &Bot) -> Result<Turn> {
        if self.state == DialogueState::WithAgent {
            return Err(Error::InvalidState(
                "ask_survey called while an agent has the conversation; call agent_finished first",
            ));
        }
        self.adopt(bot);
        let language = bot.reply_language(self.language.unwrap_or_else(|| bot.default_language()));
        let mut turn = Turn::empty(language, self.segment.clone());
        self.ask(bot, &mut turn);
        for reply in &turn.replies {
            self.record(Speaker::Bot, pii::redact(&bot.extractors, reply));
        }
        Ok(turn)
    }

    /// Builds the turn's handoff, if it asked for one, and records the replies: each reply
    /// is masked once, for the session's transcript and the handoff's alike.
    fn finish(&mut self, s: Step<'_>) -> Turn {
        let Step { bot, mut turn, handoff, customer_line, only_values, .. } = s;
        if let Some(line) = customer_line {
            if let Some(weight) = brief::issue_weight(bot, &turn, &line, only_values) {
                push_bounded(&mut self.issue_lines, IssueLine { text: line, weight }, brief::ISSUE_CANDIDATES);
            }
        }
        let masked: Vec<String> = turn.replies.iter().map(|r| pii::redact(&bot.extractors, r)).collect();
        if let Some(request) = handoff {
            if request.available {
                self.open_handoff = Some((request.reasons.clone(), request.route.clone()));
            }
            let mut transcript = self.transcript.clone();
            let shown = &masked[..request.replies.min(masked.len())];
            transcript.extend(shown.iter().map(|text| TranscriptLine { speaker: Speaker::Bot, text: text.clone() }));
            let mut priority = Handoff::priority_of(&request.reasons, &bot.spec.handoff.priorities);
            let mut route = request.route;
            if let Some(rule) = request.rule {
                route = rule.route.clone().unwrap_or(route);
                priority = priority.max(rule.priority.unwrap_or(priority));
            }
            let mut handoff = Box::new(Handoff {
                reasons: request.reasons,
                priority,
                route,
                summary: String::new(),
                transcript,
                slots: self.slots.iter().map(|(k, v)| (k.clone(), pii::redact(&bot.extractors, v))).collect(),
                sentiment: self.sentiment_trend(),
                segment: self.segment.clone(),
                rule: request.rule.map(|r| r.name.clone()),
                brief: Brief::default(),
            });
            let known = brief::Known {
                issue_lines: &self.issue_lines,
                intents_seen: &self.intents_seen,
                steps: &self.steps,
                sentiments: &self.sentiments,
                turns: self.turns,
            };
            handoff.brief = brief::brief(bot, &known, turn.language);
            handoff.summary = brief::render(&handoff, turn.language);
            let signal = match (request.update, request.available) {
                (true, _) => Signal::HandoffUpdated(handoff),
                (false, true) => Signal::Handoff(handoff),
                (false, false) => Signal::AgentUnavailable(handoff),
            };
            turn.signals.insert(request.signal_at.min(turn.signals.len()), signal);
        }
        for text in masked {
            self.record(Speaker::Bot, text);
        }
        self.count(bot, &turn);
        turn
    }

    /// Adds what `turn` did to the conversation's tally ([`Session::outcome`]).
    fn count(&mut self, bot: &Bot, turn: &Turn) {
        let tally = &mut self.tally;
        if let Some(name) = turn.intent.as_ref().map(|i| &i.name) {
            if brief::is_need(bot, name) && !tally.needs.contains(name) && tally.needs.len() < MAX_NEEDS {
                tally.needs.push(name.clone());
            }
        }
        for signal in &turn.signals {
            match signal {
                Signal::Fallback { .. } => tally.fallbacks = tally.fallbacks.saturating_add(1),
                Signal::ClarificationRequested { .. } => tally.clarifications = tally.clarifications.saturating_add(1),
                Signal::Handoff(h) if tally.handoff.is_none() => {
                    tally.handoff = Some((h.reasons.clone(), h.route.clone()))
                }
                _ => {}
            }
        }
    }

    /// Adds the reasons that hold whatever the intent (abuse, negative sentiment, loop,
    /// a business rule): to this turn's handoff if it asks for one, else as a handoff of
    /// their own — except while taking a message because no agent was free (asking again
    /// would loop).
    fn escalate(&mut self, s: &mut Step<'_>, abusive: bool, route: Option<String>) {
        let bot = s.bot;
        let h = &bot.spec.handoff;
        let mut reasons = Vec::new();
        if abusive && h.on_abuse {
            reasons.push(HandoffReason::Abuse);
        }
        if h.on_legal_threat && crate::legal_threat::threatens_legal_action(&s.text) {
            reasons.push(HandoffReason::LegalThreat);
        }
        let trend = self.sentiment_trend();
        if s.turn.sentiment <= h.negative_sentiment
            || (self.sentiments.len() >= 3 && trend <= h.negative_sentiment + 0.2)
        {
            reasons.push(HandoffReason::NegativeSentiment);
        }
        if h.loop_limit > 0 && self.repeats >= h.loop_limit && s.turn.intent.is_some() {
            reasons.push(HandoffReason::Loop);
        }
        let intent = s.turn.intent.as_ref().map(|i| i.name.as_str());
        let rule = h.rules.iter().find(|r| !self.rules_fired.contains(&r.name) && self.rule_holds(r, intent));
        if let Some(rule) = rule {
            self.rules_fired.push(rule.name.clone());
            reasons.push(HandoffReason::BusinessRule);
        }
        if reasons.is_empty() {
            return;
        }
        if s.handoff.is_none() && !self.in_unavailable_form(bot) && self.state != DialogueState::WithAgent {
            // The intent's reply stays; the handoff message follows it. A question which
            // intent was meant does not: a person will ask.
            if let DialogueState::Clarify { .. } = self.state {
                s.turn.replies.pop();
                s.turn.signals.retain(|s| !matches!(s, Signal::ClarificationRequested { .. }));
            }
            let route = rule.and_then(|r| r.route.clone()).or(route);
            self.hand_off(s, reasons.clone(), route);
        }
        let Some(request) = &mut s.handoff else { return };
        for r in reasons {
            if !request.reasons.contains(&r) {
                request.reasons.push(r);
            }
        }
        if rule.is_some() {
            request.rule = rule;
        }
    }

    /// Do all conditions of `rule` hold now?
    fn rule_holds(&self, rule: &RuleSpec, intent: Option<&str>) -> bool {
        let when = &rule.when;
        let number =
            |slot: &String| self.slots.get(slot).and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok());
        when.segment.as_ref().map_or(true, |s| self.segment.as_ref() == Some(s))
            && when.intent.as_deref().map_or(true, |i| intent == Some(i))
            && when.slot.as_ref().map_or(true, |slot| {
                number(slot).is_some_and(|v| when.above.map_or(true, |a| v > a) && when.below.map_or(true, |b| v < b))
            })
    }

    /// The host reports what its agent wrote to the customer, so the transcript (and a later
    /// handoff's summary) has the whole conversation; personal data and abuse are masked.
    /// The review says what a supervisor should see about the line (abuse, personal data,
    /// forbidden phrases, a missing greeting); see [`Session::agent_message_at`] for slow
    /// replies.
    pub fn agent_message(&mut self, bot: &Bot, text: &str) -> Result<AgentReview> {
        self.agent_message_with(bot, text, None)
    }

    /// [`Session::agent_message`] at the host's current time: a reply later than the bot
    /// file's `agent_quality.reply_within_seconds` after the customer's line (passed with
    /// [`Session::turn_at`] or [`Session::turn_with`]) is a `slow_reply`.
    pub fn agent_message_at(&mut self, bot: &Bot, text: &str, now: ReferenceTime) -> Result<AgentReview> {
        self.agent_message_with(bot, text, Some(now.unix_seconds))
    }

    fn agent_message_with(&mut self, bot: &Bot, text: &str, now: Option<i64>) -> Result<AgentReview> {
        if self.state != DialogueState::WithAgent {
            return Err(Error::InvalidState("agent_message called, but the session is not with an agent"));
        }
        let chars = text.chars().count();
        if chars > MAX_UTTERANCE_CHARS {
            return Err(Error::UtteranceTooLong { chars, max: MAX_UTTERANCE_CHARS });
        }
        let (masked, kinds) = pii::redact_reply(&bot.extractors, text);
        let watch = self.agent_watch.get_or_insert_with(AgentWatch::default);
        let findings = agent_quality::review_line(&bot.spec.agent_quality, watch, text, kinds, now);
        self.record(Speaker::Agent, masked.clone());
        Ok(AgentReview { masked, findings })
    }

    /// The host's agent has finished: the bot takes the conversation back. Returns what a
    /// supervisor should see about the agent session as a whole (a missing closing).
    pub fn agent_finished(&mut self, bot: &Bot) -> Result<Vec<AgentFinding>> {
        if self.state != DialogueState::WithAgent {
            return Err(Error::InvalidState("agent_finished called, but the session is not with an agent"));
        }
        let findings =
            agent_quality::review_finish(&bot.spec.agent_quality, &self.agent_watch.take().unwrap_or_default());
        self.state = DialogueState::Idle;
        self.fallback_streak = 0;
        self.open_handoff = None;
        Ok(findings)
    }

    fn pick(&self) -> usize {
        self.turns as usize
    }

    /// A turn outside a form.
    fn respond(&mut self, s: &mut Step<'_>, meaning: Meaning) {
        let bot = s.bot;
        match meaning {
            Meaning::OutOfScope => {
                s.turn.intent = None;
                self.fallback_streak = self.fallback_streak.saturating_add(1);
                self.note_step(BotStep::NotUnderstood);
                s.turn.signals.push(Signal::Fallback { streak: self.fallback_streak });
                let limit = bot.spec.handoff.fallback_streak;
                if limit > 0 && self.fallback_streak >= limit {
                    self.hand_off(s, vec![HandoffReason::FallbackStreak], None);
                } else {
                    s.turn.replies.push(bot.builtin_response("fallback", s.turn.language, self.pick()));
                }
            }
            Meaning::Faq(i) => {
                self.fallback_streak = 0;
                let (id, answer) = &bot.faqs[i];
                self.note_intent(&format!("{}{id}", crate::bot::FAQ_PREFIX));
                s.turn.replies.push(render(answer, s.turn.language, self.pick(), &BTreeMap::new()));
                s.turn.signals.push(Signal::FaqAnswered { id: id.clone() });
                self.note_step(BotStep::AnsweredFaq(id.clone()));
            }
            Meaning::Intent(i) => {
                let intent = &bot.intents[i];
                self.fallback_streak = 0;
                self.note_intent(&intent.name);
                self.start_intent(s, intent);
            }
        }
    }

    /// Answers from the documents: their sentences, verbatim, with where each is from.
    fn quote(&mut self, s: &mut Step<'_>, answer: KnowledgeAnswer) {
        self.fallback_streak = 0;
        if let Some(first) = answer.citations.first() {
            let document = first.document.clone();
            s.turn.signals.push(Signal::KnowledgeAnswered { document, heading: first.heading.clone() });
            let path = std::iter::once(first.title.clone()).chain(first.heading.iter().cloned()).collect();
            self.note_step(BotStep::Quoted(path));
        }
        s.turn.replies.push(answer.text);
        s.turn.citations = answer.citations;
    }

    /// The previous intent, if this line follows it up ([`crate::follow_up`]): a cue, a value
    /// for one of its slots, no rule, and no other request the model is sure of.
    fn follows_up(&self, s: &Step<'_>, meaning: Meaning) -> Option<usize> {
        let bot = s.bot;
        let previous = self.intents_seen.last()?;
        let i = bot.intents.iter().position(|intent| intent.name == *previous)?;
        let intent = &bot.intents[i];
        let sure_of_other = match (&s.turn.intent, meaning) {
            (Some(m), Meaning::Intent(_) | Meaning::Faq(_)) => {
                m.name != *previous
                    && (m.source != IntentSource::Model || m.confidence >= bot.spec.settings.form_exit_threshold)
            }
            _ => false,
        };
        let swaps = s.turn.entities.iter().any(|e| intent.takes(&e.entity));
        (swaps && !sure_of_other && !intent.handoff && crate::follow_up::has_cue(&s.text)).then_some(i)
    }

    /// Asks which of the close intents `names` the customer means (or, with one name,
    /// whether they mean it). The turn counts toward the fallback streak: the bot did not
    /// understand it alone; an answer that settles it starts the streak again.
    fn ask_which(&mut self, s: &mut Step<'_>, names: Vec<String>, resume: Option<Box<DialogueState>>) {
        let (bot, lang) = (s.bot, s.turn.language);
        self.fallback_streak = self.fallback_streak.saturating_add(1);
        let limit = bot.spec.handoff.fallback_streak;
        if limit > 0 && self.fallback_streak >= limit {
            // Not understood alone too often: a person asks instead.
            self.note_step(BotStep::NotUnderstood);
            return self.hand_off(s, vec![HandoffReason::FallbackStreak], None);
        }
        let choices: Vec<Choice> =
            names.iter().map(|name| Choice { intent: name.clone(), title: clarify::title(bot, name, lang) }).collect();
        s.turn.replies.push(clarify::question(bot, &choices, lang, self.pick()));
        s.turn.signals.push(Signal::ClarificationRequested { choices });
        self.state = DialogueState::Clarify { choices: names, resume };
    }

    /// The customer's answer to "which one do you mean": a choice (by its number, ordinal
    /// or title) is handled as that intent; a line the model understands on its own as a
    /// new request; "neither" as out of scope; anything else goes to the choice the model
    /// ranks first, if it ranks one of them first. The bot asks once, never twice in a row.
    fn continue_clarify(
        &mut self,
        s: &mut Step<'_>,
        meaning: Meaning,
        choices: &[String],
        resume: Option<Box<DialogueState>>,
    ) {
        let bot = s.bot;
        self.state = DialogueState::Idle;
        let titles: Vec<String> = choices.iter().map(|c| clarify::title(bot, c, s.turn.language)).collect();
        // "Neither" with a new request the model is sure of ("都不是，我要开发票") is that
        // request; a bare "neither" the model reads weakly as something is a refusal.
        let sure = s.turn.intent.as_ref().is_some_and(|m| m.confidence >= bot.spec.settings.form_exit_threshold);
        // Yes or no only in a short line: a long one holds those words by chance (十四行诗).
        let yes = if s.text.chars().count() <= SHORT_ANSWER_CHARS { yes_or_no(&s.text) } else { None };
        let chosen = match clarify::read_answer(&s.text, &titles, yes) {
            Answer::Choice(i) => Some(i),
            Answer::Neither if !sure => None,
            _ if meaning != Meaning::OutOfScope => {
                self.leave_interrupted(s, resume.as_deref());
                return self.respond(s, meaning);
            }
            Answer::Neither => None,
            Answer::Unclear => {
                s.turn.alternatives.first().and_then(|best| choices.iter().position(|c| *c == best.name))
            }
        };
        let Some((name, meaning)) = chosen.and_then(|i| Some((&choices[i], bot.meaning_of(&choices[i])?))) else {
            return match resume {
                // Not what the customer meant: back to the form, which asks again.
                Some(state) => self.ask_again(s, *state),
                None => self.respond(s, Meaning::OutOfScope),
            };
        };
        self.leave_interrupted(s, resume.as_deref());
        s.turn.intent = Some(IntentMatch { name: name.clone(), confidence: 1.0, source: IntentSource::Clarified });
        self.respond(s, meaning);
    }

    /// The customer turned from the form or confirmation a question interrupted to
    /// something else: it is cancelled.
    fn leave_interrupted(&mut self, s: &mut Step<'_>, resume: Option<&DialogueState>) {
        if let Some(DialogueState::Form { intent, .. } | DialogueState::Confirm { intent, .. }) = resume {
            s.turn.signals.push(Signal::FormCancelled { intent: intent.clone() });
            self.note_step(BotStep::Cancelled(intent.clone()));
        }
    }

    /// Returns to a form or confirmation and asks its question again.
    fn ask_again(&mut self, s: &mut Step<'_>, state: DialogueState) {
        let bot = s.bot;
        let t = &mut s.turn;
        match &state {
            DialogueState::Form { intent, slot, .. } => {
                let Some(spec) = bot.intent(intent) else { return };
                if let Some(prompt) = spec.slot(slot).and_then(|v| v.prompt.as_ref()) {
                    t.replies.push(render(prompt, t.language, self.pick(), &self.slots));
                }
                t.slots = intent_slots(spec, &self.slots);
                t.signals.push(Signal::SlotRequested { intent: intent.clone(), slot: slot.clone() });
            }
            DialogueState::Confirm { intent, .. } => {
                let Some(spec) = bot.intent(intent) else { return };
                if let Some(question) = &spec.confirm {
                    t.replies.push(render(question, t.language, self.pick(), &self.slots));
                }
                t.slots = intent_slots(spec, &self.slots);
                t.signals.push(Signal::ConfirmationRequested { intent: intent.clone() });
            }
            _ => return,
        }
        self.state = state;
    }

    fn start_intent(&mut self, s: &mut Step<'_>, intent: &Intent) {
        let bot = s.bot;
        // Only slots that some intent carries over survive into a new intent.
        self.slots.retain(|slot, _| bot.intents.iter().any(|i| i.slot(slot).is_some_and(|s| s.carry_over)));
        let mut reasons = Vec::new();
        if intent.handoff {
            reasons.push(HandoffReason::ExplicitRequest);
        }
        if intent.sensitive {
            reasons.push(HandoffReason::SensitiveIntent);
        }
        match self.fill_slots(s, intent, None, s.follow_up) {
            Err(_) => reasons.push(HandoffReason::AdapterFailure),
            Ok(rejected) => {
                for slot in rejected {
                    s.turn.signals.push(Signal::SlotRejected { intent: intent.name.clone(), slot });
                }
            }
        }
        if !reasons.is_empty() {
            if let Some(response) = intent.response.as_ref().filter(|_| intent.handoff || intent.sensitive) {
                s.turn.replies.push(render(response, s.turn.language, self.pick(), &self.slots));
            }
            self.hand_off(s, reasons, intent.route.clone());
            return;
        }
        self.advance_form(intent, &mut s.turn);
    }

    /// Asks for the next missing required slot, or asks to confirm, or completes the intent.
    fn advance_form(&mut self, intent: &Intent, t: &mut Turn) {
        let name = &intent.name;
        t.slots = intent_slots(intent, &self.slots);
        let missing = intent.slots.iter().find(|s| s.required && !self.slots.contains_key(&s.name));
        if let Some(slot) = missing {
            if let Some(prompt) = &slot.prompt {
                t.replies.push(render(prompt, t.language, self.pick(), &self.slots));
            }
            t.signals.push(Signal::SlotRequested { intent: name.clone(), slot: slot.name.clone() });
            self.state = DialogueState::Form { intent: name.clone(), slot: slot.name.clone(), reprompts: 0 };
            return;
        }
        if let Some(question) = &intent.confirm {
            t.replies.push(render(question, t.language, self.pick(), &self.slots));
            t.signals.push(Signal::ConfirmationRequested { intent: name.clone() });
            self.state = DialogueState::Confirm { intent: name.clone(), reprompts: 0 };
            return;
        }
        self.complete_intent(intent, t);
    }

    /// Every slot is filled (and confirmed where asked): the action runs, the reply follows.
    fn complete_intent(&mut self, intent: &Intent, t: &mut Turn) {
        t.slots = intent_slots(intent, &self.slots);
        let was_form = !matches!(self.state, DialogueState::Idle);
        self.state = DialogueState::Idle;
        if was_form || intent.slots.iter().any(|s| s.required) {
            t.signals.push(Signal::FormCompleted { intent: intent.name.clone() });
        }
        if let Some(action) = &intent.action {
            t.actions.push(Action { name: action.clone(), slots: t.slots.clone() });
        }
        if let Some(response) = &intent.response {
            t.replies.push(render(response, t.language, self.pick(), &self.slots));
        }
        if !intent.handoff {
            self.note_step(BotStep::Completed(intent.name.clone()));
        }
    }

    /// Leaves the form of `intent`, keeping only the slots it carries over.
    fn cancel_form(&mut self, bot: &Bot, intent: &Intent, t: &mut Turn) {
        self.state = DialogueState::Idle;
        self.slots.retain(|k, _| intent.slot(k).map_or(true, |s| s.carry_over));
        t.signals.push(Signal::FormCancelled { intent: intent.name.clone() });
        self.note_step(BotStep::Cancelled(intent.name.clone()));
        t.replies.push(bot.builtin_response("cancelled", t.language, self.pick()));
    }

    /// A turn while a form waits for `slot`.
    fn continue_form(&mut self, s: &mut Step<'_>, meaning: Meaning, (name, slot, reprompts): (&str, &str, u32)) {
        let bot = s.bot;
        let Some(intent) = bot.intent(name).filter(|i| i.slot(slot).is_some()) else {
            // The bot was reloaded (or the session restored into an edited bot) without
            // this intent or this slot: the form starts over rather than wait for ever.
            self.state = DialogueState::Idle;
            return self.respond(s, meaning);
        };
        if has_any(&s.text, CANCEL_WORDS) {
            return self.cancel_form(bot, intent, &mut s.turn);
        }
        let correcting = has_any(&s.text, CORRECTION_WORDS);
        let fits = |slot: &Slot| s.turn.entities.iter().any(|e| e.entity == slot.entity);
        let answers_slot = intent.slot(slot).is_some_and(fits);
        let corrects = correcting && intent.slots.iter().any(|v| self.slots.contains_key(&v.name) && fits(v));
        if !answers_slot && !corrects && self.turned_aside(s, name, meaning) {
            return;
        }
        // The answer belongs to the open form, whatever the classifier made of it.
        claim_turn(name, &mut s.turn);
        let before = self.slots.clone();
        let rejected = match self.fill_slots(s, intent, Some(slot), correcting) {
            Ok(rejected) => rejected,
            Err(_) => return self.hand_off(s, vec![HandoffReason::AdapterFailure], intent.route.clone()),
        };
        for r in &rejected {
            s.turn.signals.push(Signal::SlotRejected { intent: name.to_string(), slot: r.clone() });
        }
        if self.slots.contains_key(slot) {
            return self.advance_form(intent, &mut s.turn);
        }
        let corrected = self.slots.iter().any(|(k, v)| k != slot && before.get(k) != Some(v));
        let reprompts = if corrected {
            s.turn.replies.push(bot.builtin_response("corrected", s.turn.language, self.pick()));
            reprompts
        } else {
            reprompts.saturating_add(1)
        };
        if self.gave_up(s, intent, reprompts) {
            return;
        }
        let t = &mut s.turn;
        let asked = intent.slot(slot);
        if let Some(invalid) = asked.and_then(|v| v.invalid.as_ref()).filter(|_| rejected.iter().any(|r| r == slot)) {
            t.replies.push(render(invalid, t.language, self.pick(), &self.slots));
        }
        if let Some(prompt) = asked.and_then(|v| v.prompt.as_ref()) {
            t.replies.push(render(prompt, t.language, self.pick(), &self.slots));
        }
        t.slots = intent_slots(intent, &self.slots);
        t.signals.push(Signal::SlotRequested { intent: name.to_string(), slot: slot.to_string() });
        self.state = DialogueState::Form { intent: name.to_string(), slot: slot.to_string(), reprompts };
    }

    /// A turn while the bot waits for the customer to confirm `intent`'s slots.
    fn continue_confirm(&mut self, s: &mut Step<'_>, meaning: Meaning, (name, reprompts): (&str, u32)) {
        let bot = s.bot;
        let Some(intent) = bot.intent(name) else {
            self.state = DialogueState::Idle;
            return self.respond(s, meaning);
        };
        if has_any(&s.text, CANCEL_WORDS) {
            return self.cancel_form(bot, intent, &mut s.turn);
        }
        if s.turn.entities.iter().any(|e| intent.takes(&e.entity)) {
            // A new value for a slot: correct it and ask again.
            claim_turn(name, &mut s.turn);
            let before = self.slots.clone();
            match self.fill_slots(s, intent, None, true) {
                Err(_) => return self.hand_off(s, vec![HandoffReason::AdapterFailure], intent.route.clone()),
                Ok(rejected) => {
                    for slot in rejected {
                        s.turn.signals.push(Signal::SlotRejected { intent: name.to_string(), slot });
                    }
                }
            }
            if self.slots != before {
                s.turn.replies.push(bot.builtin_response("corrected", s.turn.language, self.pick()));
                self.state = DialogueState::Idle;
                return self.advance_form(intent, &mut s.turn);
            }
        }
        match yes_or_no(&s.text) {
            Some(true) => {
                claim_turn(name, &mut s.turn);
                return self.complete_intent(intent, &mut s.turn);
            }
            Some(false) => return self.cancel_form(bot, intent, &mut s.turn),
            None => {}
        }
        if self.turned_aside(s, name, meaning) {
            return;
        }
        claim_turn(name, &mut s.turn);
        let reprompts = reprompts.saturating_add(1);
        if self.gave_up(s, intent, reprompts) {
            return;
        }
        let t = &mut s.turn;
        if let Some(question) = &intent.confirm {
            t.replies.push(render(question, t.language, self.pick(), &self.slots));
        }
        t.slots = intent_slots(intent, &self.slots);
        t.signals.push(Signal::ConfirmationRequested { intent: name.to_string() });
        self.state = DialogueState::Confirm { intent: name.to_string(), reprompts };
    }

    /// While `intent` waits for an answer: another intent (a rule, the model at
    /// `form_exit_threshold` or above, or at the ordinary threshold for an intent that
    /// hands off) ends the wait and is handled; an FAQ question (at twice the threshold) is
    /// answered and the wait goes on; a weak guess at an intent that hands off is asked
    /// about. True when the turn went any of these ways.
    fn turned_aside(&mut self, s: &mut Step<'_>, intent: &str, meaning: Meaning) -> bool {
        // Not sure enough that this is a new request or question: the form takes the turn
        // as an answer it could not use ("not sure" read as a weak greeting).
        let unsure = s.turn.intent.as_ref().is_some_and(|m| m.confidence < s.bot.spec.settings.form_exit_threshold);
        if let [weak] = &s.close_call[..] {
            // A weak guess at a request for a person or a complaint (the only close call
            // with one intent): ask, and come back to the form if it was not.
            let weak = weak.clone();
            let resume = Some(Box::new(self.state.clone()));
            self.ask_which(s, vec![weak], resume);
            return true;
        }
        match meaning {
            Meaning::Intent(other) if s.bot.intents[other].name != intent => {
                // A request for a person or a sensitive matter is never an answer to wait
                // through: the model's ordinary confidence is enough to leave the form.
                let hands_off = s.bot.intents[other].handoff || s.bot.intents[other].sensitive;
                if unsure && !hands_off {
                    return false;
                }
                // The customer moved on: drop the form and handle the new request.
                self.state = DialogueState::Idle;
                s.turn.signals.push(Signal::FormCancelled { intent: intent.to_string() });
                self.note_step(BotStep::Cancelled(intent.to_string()));
                self.respond(s, meaning);
                true
            }
            Meaning::Faq(_)
                if s.turn
                    .intent
                    .as_ref()
                    .is_some_and(|m| m.confidence < FAQ_IN_FORM * s.bot.confidence_threshold()) =>
            {
                false
            }
            Meaning::Faq(_) => {
                let state = self.state.clone();
                self.respond(s, meaning);
                self.state = state;
                true
            }
            _ => false,
        }
    }

    /// Past the re-prompt limit the bot stops asking and hands off (true).
    fn gave_up(&mut self, s: &mut Step<'_>, intent: &Intent, reprompts: u32) -> bool {
        if reprompts <= s.bot.spec.settings.max_reprompts {
            return false;
        }
        s.turn.replies.push(s.bot.builtin_response("reprompt_limit", s.turn.language, self.pick()));
        self.hand_off(s, vec![HandoffReason::RepromptLimit], intent.route.clone());
        true
    }

    /// Fills `intent`'s slots from the turn's entities of the right kind, in order of
    /// appearance; `first` (the slot just asked for) goes first, and with `overwrite` filled
    /// slots take a new value (a correction). A value must pass the slot's `values`,
    /// `pattern` and the host's check. Returns the slots left unfilled because every
    /// candidate was rejected.
    fn fill_slots(
        &mut self,
        s: &Step<'_>,
        intent: &Intent,
        first: Option<&str>,
        overwrite: bool,
    ) -> Result<Vec<String>, AdapterError> {
        let entities = &s.turn.entities;
        let mut used = vec![false; entities.len()];
        let mut rejected = Vec::new();
        let asked = first.and_then(|f| intent.slot(f));
        let order = asked.into_iter().chain(intent.slots.iter().filter(|v| Some(v.name.as_str()) != first));
        for slot in order {
            let name = slot.name.as_str();
            if self.slots.contains_key(name) && !overwrite && first != Some(name) {
                continue;
            }
            // The tagger's view first: an entity it places in this slot goes first, one it
            // places in another slot of the same kind is left for that slot (unless this is
            // the slot the bot just asked for: then the answer is for it).
            let hint =
                |e: &Entity| s.slot_spans.iter().find(|h| h.start < e.end && e.start < h.end).map(|h| h.slot.as_str());
            let elsewhere = |e: &Entity| {
                first != Some(name)
                    && hint(e).is_some_and(|h| h != name && intent.slot(h).is_some_and(|o| o.entity == slot.entity))
            };
            let mut candidates: Vec<usize> = (0..entities.len())
                .filter(|&i| !used[i] && entities[i].entity == slot.entity && !elsewhere(&entities[i]))
                .collect();
            candidates.sort_unstable_by_key(|&i| (hint(&entities[i]) != Some(name), i));
            let mut refused = false;
            for i in candidates {
                used[i] = true;
                if accepts(s, intent, slot, &entities[i].value)? {
                    self.slots.insert(name.to_string(), entities[i].value.clone());
                    refused = false;
                    break;
                }
                refused = true;
            }
            if refused {
                rejected.push(name.to_string());
            }
        }
        Ok(rejected)
    }

    /// Asks for a handoff — built at the end of the turn, once every reason is known — or,
    /// when the host says no agent is free, offers the bot file's `when_unavailable`
    /// intent and keeps the conversation.
    fn hand_off(&mut self, s: &mut Step<'_>, mut reasons: Vec<HandoffReason>, route: Option<String>) {
        let bot = s.bot;
        let segment_route = || bot.spec.segments.get(self.segment.as_ref()?)?.route.clone();
        let route = route.or_else(segment_route).unwrap_or_else(|| bot.spec.handoff.default_route.clone());
        let available = s.adapter.agent_available(&route).unwrap_or_else(|_| {
            // Without an answer, try the agents anyway; the reason tells the host why.
            if !reasons.contains(&HandoffReason::AdapterFailure) {
                reasons.push(HandoffReason::AdapterFailure);
            }
            true
        });
        let message = if available { "handoff" } else { "no_agent" };
        s.turn.replies.push(bot.builtin_response(message, s.turn.language, self.pick()));
        s.handoff = Some(HandoffRequest {
            reasons,
            route,
            available,
            rule: None,
            signal_at: s.turn.signals.len(),
            replies: s.turn.replies.len(),
            update: false,
        });
        if available {
            self.state = DialogueState::WithAgent;
            return;
        }
        self.state = DialogueState::Idle;
        let fallback = bot.spec.handoff.when_unavailable.as_deref();
        if let Some(intent) = fallback.and_then(|name| bot.intent(name)) {
            self.advance_form(intent, &mut s.turn);
        }
    }

    /// Is the session in the form the bot offers when no agent is free?
    fn in_unavailable_form(&self, bot: &Bot) -> bool {
        match (&self.state, &bot.spec.handoff.when_unavailable) {
            (DialogueState::Form { intent, .. } | DialogueState::Confirm { intent, .. }, Some(name)) => intent == name,
            _ => false,
        }
    }

    /// A customer line while an agent has the conversation: abuse, an upset customer or a
    /// sensitive matter (the model's best guess at or above the bot's threshold) that the
    /// open handoff does not name yet updates it, with a new route for a sensitive
    /// intent that has one. The line joins the brief's issue candidates then.
    fn listen_with_agent(&mut self, s: &mut Step<'_>, ranked: &[IntentCandidate], abusive: bool, masked: String) {
        let bot = s.bot;
        let Some((mut reasons, mut route)) = self.open_handoff.clone() else { return };
        let h = &bot.spec.handoff;
        let sensitive = ranked
            .first()
            .filter(|c| c.confidence >= bot.confidence_threshold())
            .and_then(|c| bot.intent(&c.name))
            .filter(|i| i.sensitive);
        let mut later = Vec::new();
        if abusive && h.on_abuse {
            later.push(HandoffReason::Abuse);
        }
        if h.on_legal_threat && crate::legal_threat::threatens_legal_action(&s.text) {
            later.push(HandoffReason::LegalThreat);
        }
        if s.turn.sentiment <= h.negative_sentiment {
            later.push(HandoffReason::NegativeSentiment);
        }
        if sensitive.is_some() {
            later.push(HandoffReason::SensitiveIntent);
        }
        later.retain(|r| !reasons.contains(r));
        if later.is_empty() {
            return;
        }
        reasons.extend(later);
        if let Some(new_route) = sensitive.and_then(|i| i.route.clone()) {
            route = new_route;
        }
        s.customer_line = Some(masked);
        s.handoff = Some(HandoffRequest {
            reasons,
            route,
            available: true,
            rule: None,
            signal_at: s.turn.signals.len(),
            replies: 0,
            update: true,
        });
    }

    fn note_step(&mut self, step: BotStep) {
        push_bounded(&mut self.steps, step, BotStep::KEPT);
    }

    fn note_intent(&mut self, name: &str) {
        if self.intents_seen.last().map(String::as_str) == Some(name) {
            self.repeats = self.repeats.saturating_add(1);
        } else {
            self.repeats = 1;
            push_bounded(&mut self.intents_seen, name.to_string(), 20);
        }
    }
}

/// A value passes the slot's `values` and `pattern`, then the host's check.
fn accepts(s: &Step<'_>, intent: &Intent, slot: &Slot, value: &str) -> Result<bool, AdapterError> {
    if !slot.values.is_empty() && !slot.values.iter().any(|v| v == value) {
        return Ok(false);
    }
    if slot.pattern.as_ref().is_some_and(|re| !re.is_match(value)) {
        return Ok(false);
    }
    s.adapter.validate_slot(&intent.name, &slot.name, value)
}

/// Reports the turn as part of `intent`'s form, whatever the classifier guessed.
fn claim_turn(intent: &str, t: &mut Turn) {
    if t.intent.as_ref().map(|i| i.name.as_str()) != Some(intent) {
        t.intent = Some(IntentMatch { name: intent.to_string(), confidence: 1.0, source: IntentSource::Form });
    }
}

/// Does normalised `text` contain one of `words` (English ones as whole words)?
fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| occurrences(text, w).any(|at| !w.is_ascii() || word_bounded(text, at, at + w.len())))
}

/// The customer's answer to a yes/no question, if it is one.
fn yes_or_no(text: &str) -> Option<bool> {
    if has_any(text, YES_FIRST) {
        Some(true)
    } else if has_any(text, NO_WORDS) {
        Some(false)
    } else if has_any(text, YES_WORDS) {
        Some(true)
    } else {
        None
    }
}

/// Was the turn's intent the model's guess (not a rule's, a form's or the customer's choice)?
fn guessed(t: &Turn) -> bool {
    t.intent.as_ref().is_some_and(|i| i.source == IntentSource::Model)
}

/// Does `utterance` hold nothing but these entities' text, punctuation and spaces?
fn only_values(utterance: &str, entities: &[Entity]) -> bool {
    utterance
        .chars()
        .enumerate()
        .all(|(i, c)| !c.is_alphanumeric() || entities.iter().any(|e| (e.start..e.end).contains(&i)))
}

fn intent_slots(intent: &Intent, slots: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    slots.iter().filter(|(k, _)| intent.slot(k).is_some()).map(|(k, v)| (k.clone(), v.clone())).collect()
}
