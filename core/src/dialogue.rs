//! The dialogue policy: one customer utterance in, one [`Turn`] out.
//!
//! Order of a turn: length check (before anything changes) → normalise → language →
//! entities → rules, then model → out-of-scope decision → form, confirmation or new intent
//! → replies, actions and signals → masked transcript. The host's [`HostAdapter`] is asked
//! to validate slot values and whether an agent is free; its failures hand off.

use std::collections::BTreeMap;

use crate::adapter::{AdapterError, HostAdapter, TurnContext};
use crate::bot::{render, Target};
use crate::botfile::schema::{IntentSpec, RuleSpec, SlotSpec};
use crate::entity::{Entity, ReferenceTime};
use crate::error::{Error, Result};
use crate::handoff::{BotStep, Handoff, HandoffReason, Speaker};
use crate::intent::{HashedText, IntentSource, SlotTags, TextClassifier};
use crate::pii;
use crate::sentiment;
use crate::session::DialogueState;
use crate::tagger::{bio_spans, tokens_with_spans, SequenceTagger};
use crate::text::{detect_language, normalize, occurrences, word_bounded, Language, Normalized};
use crate::turn::{Action, IntentMatch, Signal, Turn};
use crate::{Bot, Session};

/// Longest utterance accepted, in characters. Longer ones are rejected with
/// [`Error::UtteranceTooLong`] and the session is left unchanged.
pub const MAX_UTTERANCE_CHARS: usize = 4096;
/// Ranked alternatives reported per turn.
const ALTERNATIVES: usize = 3;

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

/// What a turn can reach besides the session: the bot, the host's adapter, and which slot
/// the bot's tagger thinks each part of the utterance fills.
struct Cx<'a> {
    bot: &'a Bot,
    adapter: &'a dyn HostAdapter,
    hints: Vec<SlotHint>,
}

/// A span of the utterance (characters of the original) the slot tagger assigns to `slot`.
struct SlotHint {
    slot: String,
    start: usize,
    end: usize,
}

/// The normalised utterance's tokens, their byte spans and the slot tags the bot's tagger
/// gives them.
struct Tagged {
    words: Vec<String>,
    spans: Vec<(usize, usize)>,
    tags: Vec<String>,
}

impl Tagged {
    fn new(tagger: &SequenceTagger, normalized: &str) -> Tagged {
        let (words, spans): (Vec<String>, _) =
            tokens_with_spans(normalized).into_iter().map(|(w, a, b)| (w, (a, b))).unzip();
        let tags = tagger.tag(&words);
        Tagged { words, spans, tags }
    }

    fn slot_tags(&self) -> SlotTags<'_> {
        SlotTags { tokens: &self.words, tags: &self.tags }
    }
}

/// The slot tagger's spans on the normalised utterance, mapped back to the original.
fn slot_hints(tagged: &Tagged, normalized: &Normalized) -> Vec<SlotHint> {
    let spans = &tagged.spans;
    bio_spans(&tagged.tags)
        .into_iter()
        .map(|(slot, first, last)| {
            let (start, end) = normalized.original_char_span(spans[first].0, spans[last - 1].1);
            SlotHint { slot, start, end }
        })
        .collect()
}

/// What the classifier decided for an utterance.
enum Understood<'b> {
    Intent(&'b str, &'b IntentSpec),
    Faq(usize),
    OutOfScope,
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
        let chars = utterance.chars().count();
        if chars > MAX_UTTERANCE_CHARS {
            return Err(Error::UtteranceTooLong { chars, max: MAX_UTTERANCE_CHARS });
        }
        let normalized = normalize(utterance);
        self.language = detect_language(&normalized.text).or(self.language);
        let language = self.language.unwrap_or_else(|| bot.default_language());
        self.turns += 1;
        let entities = bot.extractors.extract_with(&normalized, utterance, ctx.now, &self.host_values);
        self.record(Speaker::Customer, pii::redact(&bot.extractors, utterance));

        let mut t = Turn {
            language: bot.reply_language(language),
            replies: Vec::new(),
            intent: None,
            alternatives: Vec::new(),
            entities: Vec::new(),
            slots: BTreeMap::new(),
            actions: Vec::new(),
            signals: Vec::new(),
            sentiment: 0.0,
            segment: self.segment.clone(),
        };
        if self.state == DialogueState::WithAgent {
            t.signals.push(Signal::WithAgent);
            return Ok(t);
        }
        if normalized.text.is_empty() {
            t.replies.push(bot.builtin_response("empty", t.language, self.pick()));
            self.record_replies(bot, &t);
            return Ok(t);
        }
        t.entities = entities;
        // The tagger runs where the classifier reads slots or entities need telling apart.
        let reads_slots = bot.classifier.as_ref().is_some_and(TextClassifier::reads_slots);
        let tagged = bot
            .slot_tagger
            .as_ref()
            .filter(|_| reads_slots || !t.entities.is_empty())
            .map(|tagger| Tagged::new(tagger, &normalized.text));
        let hashed =
            HashedText::with_slots(&normalized.text, tagged.as_ref().filter(|_| reads_slots).map(Tagged::slot_tags));
        let own_embedding = bot.embed(utterance);
        let embedding = own_embedding.as_deref().or(ctx.embedding);
        if self.segment.is_none() {
            self.segment = bot.segments.as_ref().and_then(|c| c.classify(&hashed, embedding)).map(str::to_string);
        }
        t.segment = self.segment.clone();
        t.sentiment = sentiment::score(&normalized.text);
        if self.sentiments.len() >= 5 {
            self.sentiments.remove(0);
        }
        self.sentiments.push(t.sentiment);
        let abusive = sentiment::count_abusive(&normalized.text) > 0;
        let understood = self.understand(bot, &normalized.text, &hashed, embedding, &mut t);
        let route = match &understood {
            Understood::Intent(_, spec) => spec.route.clone(),
            _ => None,
        };

        let hints = match &tagged {
            Some(tagged) if !t.entities.is_empty() => slot_hints(tagged, &normalized),
            _ => Vec::new(),
        };
        let cx = Cx { bot, adapter: ctx.adapter, hints };
        let text = normalized.text.as_str();
        match self.state.clone() {
            DialogueState::Form { intent, slot, reprompts } => {
                self.continue_form(&cx, text, understood, (&intent, &slot, reprompts), &mut t)
            }
            DialogueState::Confirm { intent, reprompts } => {
                self.continue_confirm(&cx, text, understood, (&intent, reprompts), &mut t)
            }
            DialogueState::Idle | DialogueState::WithAgent => self.respond(&cx, understood, &mut t),
        }
        self.escalate(&cx, abusive, route, &mut t);
        self.record_replies(bot, &t);
        Ok(t)
    }

    /// Adds the reasons that hold whatever the intent (abuse, negative sentiment, loop):
    /// to this turn's handoff if there is one, else as a handoff of their own.
    fn escalate(&mut self, cx: &Cx<'_>, abusive: bool, route: Option<String>, t: &mut Turn) {
        let bot = cx.bot;
        let h = &bot.spec.handoff;
        let mut reasons = Vec::new();
        if abusive && h.on_abuse {
            reasons.push(HandoffReason::Abuse);
        }
        let trend = self.sentiment_trend();
        if t.sentiment <= h.negative_sentiment || (self.sentiments.len() >= 3 && trend <= h.negative_sentiment + 0.2) {
            reasons.push(HandoffReason::NegativeSentiment);
        }
        if h.loop_limit > 0 && self.repeats >= h.loop_limit && t.intent.is_some() {
            reasons.push(HandoffReason::Loop);
        }
        let intent = t.intent.as_ref().map(|i| i.name.as_str());
        let rule = h.rules.iter().find(|r| !self.rules_fired.contains(&r.name) && self.rule_holds(r, intent));
        if let Some(rule) = rule {
            self.rules_fired.push(rule.name.clone());
            reasons.push(HandoffReason::BusinessRule);
        }
        if reasons.is_empty() {
            return;
        }
        if handoff_mut(t).is_none() && !self.in_unavailable_form(bot) && self.state != DialogueState::WithAgent {
            // The intent's reply stays; the handoff message follows it.
            let route = rule.and_then(|r| r.route.clone()).or(route);
            self.hand_off(cx, reasons.clone(), route, t);
        }
        // No handoff when already taking a message because no agent was free (asking again
        // would loop).
        let wanted = self.wanted_intents(bot);
        let language = t.language;
        let Some(handoff) = handoff_mut(t) else { return };
        for r in reasons {
            if !handoff.reasons.contains(&r) {
                handoff.reasons.push(r);
            }
        }
        handoff.priority = Handoff::priority_of(&handoff.reasons, &h.priorities);
        if let Some(rule) = rule {
            handoff.rule = Some(rule.name.clone());
            handoff.route = rule.route.clone().unwrap_or(std::mem::take(&mut handoff.route));
            handoff.priority = handoff.priority.max(rule.priority.unwrap_or(handoff.priority));
        }
        handoff.summary = summarize(language, &wanted, &self.steps, handoff);
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
    pub fn agent_message(&mut self, bot: &Bot, text: &str) -> Result<()> {
        if self.state != DialogueState::WithAgent {
            return Err(Error::InvalidState("agent_message called, but the session is not with an agent"));
        }
        let chars = text.chars().count();
        if chars > MAX_UTTERANCE_CHARS {
            return Err(Error::UtteranceTooLong { chars, max: MAX_UTTERANCE_CHARS });
        }
        self.record(Speaker::Agent, pii::redact(&bot.extractors, text));
        Ok(())
    }

    /// The host's agent has finished: the bot takes the conversation back.
    pub fn agent_finished(&mut self) -> Result<()> {
        if self.state != DialogueState::WithAgent {
            return Err(Error::InvalidState("agent_finished called, but the session is not with an agent"));
        }
        self.state = DialogueState::Idle;
        self.fallback_streak = 0;
        Ok(())
    }

    fn pick(&self) -> usize {
        self.turns as usize
    }

    /// Rules first, then the model with the out-of-scope thresholds.
    fn understand<'b>(
        &self,
        bot: &'b Bot,
        text: &str,
        hashed: &HashedText,
        embedding: Option<&[f32]>,
        t: &mut Turn,
    ) -> Understood<'b> {
        let ranked =
            bot.classifier.as_ref().map(|c| c.rank_classes(hashed, embedding, ALTERNATIVES)).unwrap_or_default();
        if let Some(c) = &bot.classifier {
            t.alternatives = c.candidates(&ranked);
        }
        if let Some(i) = bot.rules.find(text) {
            let (name, spec) = &bot.intents[i];
            t.intent = Some(IntentMatch { name: name.clone(), confidence: 1.0, source: IntentSource::Rule });
            return Understood::Intent(name, spec);
        }
        let Some(best) = t.alternatives.first() else { return Understood::OutOfScope };
        let second = t.alternatives.get(1).map_or(0.0, |c| c.confidence);
        let settings = &bot.spec.settings;
        if best.confidence < settings.confidence_threshold || best.confidence - second < settings.margin_threshold {
            return Understood::OutOfScope;
        }
        t.intent =
            Some(IntentMatch { name: best.name.clone(), confidence: best.confidence, source: IntentSource::Model });
        match ranked.first().map(|&(class, _)| bot.targets[class]) {
            Some(Target::Intent(i)) => Understood::Intent(&bot.intents[i].0, &bot.intents[i].1),
            Some(Target::Faq(i)) => Understood::Faq(i),
            Some(Target::OutOfScope) | None => Understood::OutOfScope,
        }
    }

    /// A turn outside a form.
    fn respond(&mut self, cx: &Cx<'_>, understood: Understood<'_>, t: &mut Turn) {
        let bot = cx.bot;
        match understood {
            Understood::OutOfScope => {
                t.intent = None;
                self.fallback_streak += 1;
                self.note_step(BotStep::NotUnderstood);
                t.signals.push(Signal::Fallback { streak: self.fallback_streak });
                let limit = bot.spec.handoff.fallback_streak;
                if limit > 0 && self.fallback_streak >= limit {
                    self.hand_off(cx, vec![HandoffReason::FallbackStreak], None, t);
                } else {
                    t.replies.push(bot.builtin_response("fallback", t.language, self.pick()));
                }
            }
            Understood::Faq(i) => {
                self.fallback_streak = 0;
                let (id, answer) = &bot.faqs[i];
                self.note_intent(&format!("{}{id}", crate::bot::FAQ_PREFIX));
                t.replies.push(render(answer, t.language, self.pick(), &BTreeMap::new()));
                t.signals.push(Signal::FaqAnswered { id: id.clone() });
                self.note_step(BotStep::AnsweredFaq(id.clone()));
            }
            Understood::Intent(name, spec) => {
                self.fallback_streak = 0;
                self.note_intent(name);
                self.start_intent(cx, name, spec, t);
            }
        }
    }

    fn start_intent(&mut self, cx: &Cx<'_>, name: &str, spec: &IntentSpec, t: &mut Turn) {
        let bot = cx.bot;
        // Only slots that some intent carries over survive into a new intent.
        self.slots.retain(|slot, _| bot.intents.iter().any(|(_, i)| i.slots.get(slot).is_some_and(|s| s.carry_over)));
        let mut reasons = Vec::new();
        if spec.handoff {
            reasons.push(HandoffReason::ExplicitRequest);
        }
        if spec.sensitive {
            reasons.push(HandoffReason::SensitiveIntent);
        }
        match self.fill_slots(cx, name, spec, &t.entities, None, false) {
            Err(_) => reasons.push(HandoffReason::AdapterFailure),
            Ok(rejected) => {
                for slot in rejected {
                    t.signals.push(Signal::SlotRejected { intent: name.to_string(), slot });
                }
            }
        }
        if !reasons.is_empty() {
            if let Some(response) = spec.response.as_ref().filter(|_| spec.handoff || spec.sensitive) {
                t.replies.push(render(response, t.language, self.pick(), &self.slots));
            }
            self.hand_off(cx, reasons, spec.route.clone(), t);
            return;
        }
        self.advance_form(name, spec, t);
    }

    /// Asks for the next missing required slot, or asks to confirm, or completes the intent.
    fn advance_form(&mut self, name: &str, spec: &IntentSpec, t: &mut Turn) {
        t.slots = intent_slots(spec, &self.slots);
        let missing = spec.slots.iter().find(|(slot, s)| s.required && !self.slots.contains_key(*slot));
        if let Some((slot, s)) = missing {
            if let Some(prompt) = &s.prompt {
                t.replies.push(render(prompt, t.language, self.pick(), &self.slots));
            }
            t.signals.push(Signal::SlotRequested { intent: name.to_string(), slot: slot.clone() });
            self.state = DialogueState::Form { intent: name.to_string(), slot: slot.clone(), reprompts: 0 };
            return;
        }
        if let Some(question) = &spec.confirm {
            t.replies.push(render(question, t.language, self.pick(), &self.slots));
            t.signals.push(Signal::ConfirmationRequested { intent: name.to_string() });
            self.state = DialogueState::Confirm { intent: name.to_string(), reprompts: 0 };
            return;
        }
        self.complete_intent(name, spec, t);
    }

    /// Every slot is filled (and confirmed where asked): the action runs, the reply follows.
    fn complete_intent(&mut self, name: &str, spec: &IntentSpec, t: &mut Turn) {
        t.slots = intent_slots(spec, &self.slots);
        let was_form = !matches!(self.state, DialogueState::Idle);
        self.state = DialogueState::Idle;
        if was_form || spec.slots.values().any(|s| s.required) {
            t.signals.push(Signal::FormCompleted { intent: name.to_string() });
        }
        if let Some(action) = &spec.action {
            t.actions.push(Action { name: action.clone(), slots: t.slots.clone() });
        }
        if let Some(response) = &spec.response {
            t.replies.push(render(response, t.language, self.pick(), &self.slots));
        }
        if !spec.handoff {
            self.note_step(BotStep::Completed(name.to_string()));
        }
    }

    /// Leaves the form of `intent`, keeping only the slots it carries over.
    fn cancel_form(&mut self, bot: &Bot, intent: &str, spec: &IntentSpec, t: &mut Turn) {
        self.state = DialogueState::Idle;
        self.slots.retain(|k, _| spec.slots.get(k).map_or(true, |s| s.carry_over));
        t.signals.push(Signal::FormCancelled { intent: intent.to_string() });
        self.note_step(BotStep::Cancelled(intent.to_string()));
        t.replies.push(bot.builtin_response("cancelled", t.language, self.pick()));
    }

    /// A turn while a form waits for `slot`.
    fn continue_form(
        &mut self,
        cx: &Cx<'_>,
        text: &str,
        understood: Understood<'_>,
        (intent, slot, reprompts): (&str, &str, u32),
        t: &mut Turn,
    ) {
        let bot = cx.bot;
        let Some(spec) = bot.intent(intent) else {
            // The bot was reloaded without this intent: start over.
            self.state = DialogueState::Idle;
            return self.respond(cx, understood, t);
        };
        if has_any(text, CANCEL_WORDS) {
            return self.cancel_form(bot, intent, spec, t);
        }
        let correcting = has_any(text, CORRECTION_WORDS);
        let fits = |s: &SlotSpec| t.entities.iter().any(|e| e.entity == s.entity);
        let answers_slot = spec.slots.get(slot).is_some_and(fits);
        let corrects = correcting && spec.slots.iter().any(|(k, s)| self.slots.contains_key(k) && fits(s));
        if !answers_slot && !corrects && self.turned_aside(cx, intent, understood, t) {
            return;
        }
        // The answer belongs to the open form, whatever the classifier made of it.
        self.claim_turn(intent, t);
        let before = self.slots.clone();
        let rejected = match self.fill_slots(cx, intent, spec, &t.entities, Some(slot), correcting) {
            Ok(rejected) => rejected,
            Err(_) => return self.hand_off(cx, vec![HandoffReason::AdapterFailure], spec.route.clone(), t),
        };
        for r in &rejected {
            t.signals.push(Signal::SlotRejected { intent: intent.to_string(), slot: r.clone() });
        }
        if self.slots.contains_key(slot) {
            return self.advance_form(intent, spec, t);
        }
        let corrected = self.slots.iter().any(|(k, v)| k != slot && before.get(k) != Some(v));
        let reprompts = if corrected {
            t.replies.push(bot.builtin_response("corrected", t.language, self.pick()));
            reprompts
        } else {
            reprompts + 1
        };
        if self.gave_up(cx, spec, reprompts, t) {
            return;
        }
        let slot_spec = spec.slots.get(slot);
        if let Some(invalid) = slot_spec.and_then(|s| s.invalid.as_ref()).filter(|_| rejected.iter().any(|r| r == slot))
        {
            t.replies.push(render(invalid, t.language, self.pick(), &self.slots));
        }
        if let Some(prompt) = slot_spec.and_then(|s| s.prompt.as_ref()) {
            t.replies.push(render(prompt, t.language, self.pick(), &self.slots));
        }
        t.slots = intent_slots(spec, &self.slots);
        t.signals.push(Signal::SlotRequested { intent: intent.to_string(), slot: slot.to_string() });
        self.state = DialogueState::Form { intent: intent.to_string(), slot: slot.to_string(), reprompts };
    }

    /// A turn while the bot waits for the customer to confirm `intent`'s slots.
    fn continue_confirm(
        &mut self,
        cx: &Cx<'_>,
        text: &str,
        understood: Understood<'_>,
        (intent, reprompts): (&str, u32),
        t: &mut Turn,
    ) {
        let bot = cx.bot;
        let Some(spec) = bot.intent(intent) else {
            self.state = DialogueState::Idle;
            return self.respond(cx, understood, t);
        };
        if has_any(text, CANCEL_WORDS) {
            return self.cancel_form(bot, intent, spec, t);
        }
        if spec.slots.values().any(|s| t.entities.iter().any(|e| e.entity == s.entity)) {
            // A new value for a slot: correct it and ask again.
            self.claim_turn(intent, t);
            let before = self.slots.clone();
            match self.fill_slots(cx, intent, spec, &t.entities, None, true) {
                Err(_) => return self.hand_off(cx, vec![HandoffReason::AdapterFailure], spec.route.clone(), t),
                Ok(rejected) => {
                    for slot in rejected {
                        t.signals.push(Signal::SlotRejected { intent: intent.to_string(), slot });
                    }
                }
            }
            if self.slots != before {
                t.replies.push(bot.builtin_response("corrected", t.language, self.pick()));
                self.state = DialogueState::Idle;
                return self.advance_form(intent, spec, t);
            }
        }
        match yes_or_no(text) {
            Some(true) => {
                self.claim_turn(intent, t);
                return self.complete_intent(intent, spec, t);
            }
            Some(false) => return self.cancel_form(bot, intent, spec, t),
            None => {}
        }
        if self.turned_aside(cx, intent, understood, t) {
            return;
        }
        self.claim_turn(intent, t);
        let reprompts = reprompts + 1;
        if self.gave_up(cx, spec, reprompts, t) {
            return;
        }
        if let Some(question) = &spec.confirm {
            t.replies.push(render(question, t.language, self.pick(), &self.slots));
        }
        t.slots = intent_slots(spec, &self.slots);
        t.signals.push(Signal::ConfirmationRequested { intent: intent.to_string() });
        self.state = DialogueState::Confirm { intent: intent.to_string(), reprompts };
    }

    /// While `intent` waits for an answer: another intent (a rule, or the model at
    /// `form_exit_threshold` or above) ends the wait and is handled, an FAQ question is
    /// answered and the wait goes on. True when the turn went either way.
    fn turned_aside(&mut self, cx: &Cx<'_>, intent: &str, understood: Understood<'_>, t: &mut Turn) -> bool {
        match understood {
            Understood::Intent(other, _) if other != intent => {
                if t.intent.as_ref().is_some_and(|m| m.confidence < cx.bot.spec.settings.form_exit_threshold) {
                    // Not sure enough that this is a new request: the form takes the turn
                    // as an answer it could not use ("not sure" read as a weak greeting).
                    return false;
                }
                // The customer moved on: drop the form and handle the new request.
                self.state = DialogueState::Idle;
                t.signals.push(Signal::FormCancelled { intent: intent.to_string() });
                self.note_step(BotStep::Cancelled(intent.to_string()));
                self.respond(cx, understood, t);
                true
            }
            Understood::Faq(_) => {
                let state = self.state.clone();
                self.respond(cx, understood, t);
                self.state = state;
                true
            }
            _ => false,
        }
    }

    /// Past the re-prompt limit the bot stops asking and hands off (true).
    fn gave_up(&mut self, cx: &Cx<'_>, spec: &IntentSpec, reprompts: u32, t: &mut Turn) -> bool {
        if reprompts <= cx.bot.spec.settings.max_reprompts {
            return false;
        }
        t.replies.push(cx.bot.builtin_response("reprompt_limit", t.language, self.pick()));
        self.hand_off(cx, vec![HandoffReason::RepromptLimit], spec.route.clone(), t);
        true
    }

    /// Reports the turn as part of `intent`'s form, whatever the classifier guessed.
    fn claim_turn(&self, intent: &str, t: &mut Turn) {
        if t.intent.as_ref().map(|i| i.name.as_str()) != Some(intent) {
            t.intent = Some(IntentMatch { name: intent.to_string(), confidence: 1.0, source: IntentSource::Form });
        }
    }

    /// Fills `intent`'s slots from entities of the right kind, in order of appearance; `first`
    /// (the slot just asked for) goes first, and with `overwrite` filled slots take a new
    /// value (a correction). A value must pass the slot's `values`, `pattern` and the host's
    /// check. Returns the slots left unfilled because every candidate was rejected.
    fn fill_slots(
        &mut self,
        cx: &Cx<'_>,
        intent: &str,
        spec: &IntentSpec,
        entities: &[Entity],
        first: Option<&str>,
        overwrite: bool,
    ) -> Result<Vec<String>, AdapterError> {
        let mut used = vec![false; entities.len()];
        let mut rejected = Vec::new();
        let order = first.into_iter().chain(spec.slots.keys().map(String::as_str).filter(|s| Some(*s) != first));
        for slot in order {
            let Some(s) = spec.slots.get(slot) else { continue };
            if self.slots.contains_key(slot) && !overwrite && first != Some(slot) {
                continue;
            }
            // The tagger's view first: an entity it places in this slot goes first, one it
            // places in another slot of the same kind is left for that slot (unless this is
            // the slot the bot just asked for: then the answer is for it).
            let hint =
                |e: &Entity| cx.hints.iter().find(|h| h.start < e.end && e.start < h.end).map(|h| h.slot.as_str());
            let elsewhere = |e: &Entity| {
                first != Some(slot)
                    && hint(e).is_some_and(|h| h != slot && spec.slots.get(h).is_some_and(|o| o.entity == s.entity))
            };
            let mut candidates: Vec<usize> = (0..entities.len())
                .filter(|&i| !used[i] && entities[i].entity == s.entity && !elsewhere(&entities[i]))
                .collect();
            candidates.sort_unstable_by_key(|&i| (hint(&entities[i]) != Some(slot), i));
            let mut refused = false;
            for i in candidates {
                used[i] = true;
                if accepts(cx, intent, slot, s, &entities[i].value)? {
                    self.slots.insert(slot.to_string(), entities[i].value.clone());
                    refused = false;
                    break;
                }
                refused = true;
            }
            if refused {
                rejected.push(slot.to_string());
            }
        }
        Ok(rejected)
    }

    /// Hands the conversation to an agent, or — when the host says none is free — offers
    /// the bot file's `when_unavailable` intent and keeps it.
    fn hand_off(&mut self, cx: &Cx<'_>, mut reasons: Vec<HandoffReason>, route: Option<String>, t: &mut Turn) {
        let bot = cx.bot;
        let segment_route = || bot.spec.segments.get(self.segment.as_ref()?)?.route.clone();
        let route = route.or_else(segment_route).unwrap_or_else(|| bot.spec.handoff.default_route.clone());
        let available = cx.adapter.agent_available(&route).unwrap_or_else(|_| {
            // Without an answer, try the agents anyway; the reason tells the host why.
            if !reasons.contains(&HandoffReason::AdapterFailure) {
                reasons.push(HandoffReason::AdapterFailure);
            }
            true
        });
        let message = if available { "handoff" } else { "no_agent" };
        t.replies.push(bot.builtin_response(message, t.language, self.pick()));
        let slots: BTreeMap<String, String> =
            self.slots.iter().map(|(k, v)| (k.clone(), pii::redact(&bot.extractors, v))).collect();
        let mut transcript = self.transcript.clone();
        for r in &t.replies {
            transcript
                .push(crate::handoff::TranscriptLine { speaker: Speaker::Bot, text: pii::redact(&bot.extractors, r) });
        }
        let mut handoff = Box::new(Handoff {
            priority: Handoff::priority_of(&reasons, &bot.spec.handoff.priorities),
            reasons,
            route,
            summary: String::new(),
            transcript,
            slots,
            sentiment: self.sentiment_trend(),
            segment: self.segment.clone(),
            rule: None,
        });
        handoff.summary = summarize(t.language, &self.wanted_intents(bot), &self.steps, &handoff);
        if available {
            t.signals.push(Signal::Handoff(handoff));
            self.state = DialogueState::WithAgent;
            return;
        }
        t.signals.push(Signal::AgentUnavailable(handoff));
        self.state = DialogueState::Idle;
        let fallback = bot.spec.handoff.when_unavailable.as_deref();
        if let Some((name, spec)) = fallback.and_then(|n| bot.intents.iter().find(|(i, _)| i == n)) {
            self.advance_form(name, spec, t);
        }
    }

    /// Is the session in the form the bot offers when no agent is free?
    fn in_unavailable_form(&self, bot: &Bot) -> bool {
        match (&self.state, &bot.spec.handoff.when_unavailable) {
            (DialogueState::Form { intent, .. } | DialogueState::Confirm { intent, .. }, Some(name)) => intent == name,
            _ => false,
        }
    }

    /// The intents seen, without the requests for a person: the agent wants to know what
    /// the customer came for.
    fn wanted_intents(&self, bot: &Bot) -> Vec<String> {
        self.intents_seen.iter().filter(|i| !bot.intent(i).is_some_and(|spec| spec.handoff)).cloned().collect()
    }

    fn note_step(&mut self, step: BotStep) {
        if self.steps.len() == BotStep::KEPT {
            self.steps.remove(0);
        }
        self.steps.push(step);
    }

    fn note_intent(&mut self, name: &str) {
        if self.intents_seen.last().map(String::as_str) == Some(name) {
            self.repeats += 1;
        } else {
            self.repeats = 1;
            self.intents_seen.push(name.to_string());
            if self.intents_seen.len() > 20 {
                self.intents_seen.remove(0);
            }
        }
    }

    fn record_replies(&mut self, bot: &Bot, t: &Turn) {
        for r in &t.replies {
            self.record(Speaker::Bot, pii::redact(&bot.extractors, r));
        }
    }
}

/// A value passes the slot's `values` and `pattern`, then the host's check.
fn accepts(cx: &Cx<'_>, intent: &str, slot: &str, spec: &SlotSpec, value: &str) -> Result<bool, AdapterError> {
    if !spec.values.is_empty() && !spec.values.iter().any(|v| v == value) {
        return Ok(false);
    }
    if cx.bot.slot_pattern(intent, slot).is_some_and(|re| !re.is_match(value)) {
        return Ok(false);
    }
    cx.adapter.validate_slot(intent, slot, value)
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

fn intent_slots(spec: &IntentSpec, slots: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    slots.iter().filter(|(k, _)| spec.slots.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A short summary for the agent in the customer's language (slot values already masked).
fn summarize(lang: Language, intents: &[String], steps: &[BotStep], h: &Handoff) -> String {
    let wants = intents.last().map_or("-", String::as_str);
    let seen = if intents.is_empty() { "-".to_string() } else { intents.join(", ") };
    let info = if h.slots.is_empty() {
        "-".to_string()
    } else {
        h.slots.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
    };
    let mut why = h.reasons.iter().map(HandoffReason::code).collect::<Vec<_>>().join(", ");
    if let Some(rule) = &h.rule {
        why.push_str(&format!(" ({rule})"));
    }
    let segment = h.segment.as_deref().unwrap_or("-");
    let sentiment = h.sentiment;
    let done = BotStep::describe(steps, lang == Language::Zh);
    match lang {
        Language::Zh => format!(
            "客户诉求：{wants}；识别到的意图：{seen}；已收集信息：{info}；机器人已处理：{done}；客户类型：{segment}；情绪：{sentiment:+.2}；转人工原因：{why}"
        ),
        Language::En => format!(
            "Customer wants: {wants}; intents seen: {seen}; details: {info}; bot already: {done}; segment: {segment}; sentiment: {sentiment:+.2}; handoff because: {why}"
        ),
    }
}

/// This turn's handoff, whether an agent takes it or not.
fn handoff_mut(t: &mut Turn) -> Option<&mut Handoff> {
    t.signals.iter_mut().find_map(|s| match s {
        Signal::Handoff(h) | Signal::AgentUnavailable(h) => Some(&mut **h),
        _ => None,
    })
}
