//! The dialogue policy: one customer utterance in, one [`Turn`] out.
//!
//! Order of a turn: length check (before anything changes) → normalise → language →
//! entities → rules, then model → out-of-scope decision → form or new intent → replies,
//! actions and signals → masked transcript.

use std::collections::BTreeMap;

use crate::bot::{render, Target};
use crate::botfile::schema::IntentSpec;
use crate::entity::{Entity, ReferenceTime};
use crate::error::{Error, Result};
use crate::handoff::{Handoff, HandoffReason, Speaker};
use crate::intent::IntentSource;
use crate::pii;
use crate::sentiment;
use crate::session::DialogueState;
use crate::text::{detect_language, normalize, Language};
use crate::turn::{Action, IntentMatch, Signal, Turn};
use crate::{Bot, Session};

/// Longest utterance accepted, in characters. Longer ones are rejected with
/// [`Error::UtteranceTooLong`] and the session is left unchanged.
pub const MAX_UTTERANCE_CHARS: usize = 4096;
/// Ranked alternatives reported per turn.
const ALTERNATIVES: usize = 3;

/// Words that cancel a form, matched as keywords on normalised text.
const CANCEL_WORDS: &[&str] = &["算了", "取消", "不要了", "不用了", "cancel", "never mind", "nevermind", "forget it"];

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
        self.turn_with(bot, utterance, None)
    }

    /// [`Session::turn`] at the host's current time, so that relative dates and times
    /// resolve (kefu has no clock of its own).
    pub fn turn_at(&mut self, bot: &Bot, utterance: &str, now: ReferenceTime) -> Result<Turn> {
        self.turn_with(bot, utterance, Some(now))
    }

    fn turn_with(&mut self, bot: &Bot, utterance: &str, now: Option<ReferenceTime>) -> Result<Turn> {
        let chars = utterance.chars().count();
        if chars > MAX_UTTERANCE_CHARS {
            return Err(Error::UtteranceTooLong { chars, max: MAX_UTTERANCE_CHARS });
        }
        let normalized = normalize(utterance);
        self.language = detect_language(&normalized.text).or(self.language);
        let language = self.language.unwrap_or_else(|| bot.default_language());
        self.turns += 1;
        let entities = bot.extractors.extract_normalized(&normalized, utterance, now);
        self.record(Speaker::Customer, pii::redact_entities(&entities, utterance));

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
        t.sentiment = sentiment::score(&normalized.text);
        if self.sentiments.len() >= 5 {
            self.sentiments.remove(0);
        }
        self.sentiments.push(t.sentiment);
        let abusive = sentiment::count_abusive(&normalized.text) > 0;
        let understood = self.understand(bot, &normalized.text, &mut t);
        let route = match &understood {
            Understood::Intent(_, spec) => spec.route.clone(),
            _ => None,
        };

        let form = match &self.state {
            DialogueState::Form { intent, slot, reprompts } => Some((intent.clone(), slot.clone(), *reprompts)),
            _ => None,
        };
        match form {
            Some((intent, slot, reprompts)) => {
                self.continue_form(bot, &normalized.text, understood, (&intent, &slot, reprompts), &mut t)
            }
            None => self.respond(bot, understood, &mut t),
        }
        self.escalate(bot, abusive, route, &mut t);
        self.record_replies(bot, &t);
        Ok(t)
    }

    /// Adds the reasons that hold whatever the intent (abuse, negative sentiment, loop):
    /// to this turn's handoff if there is one, else as a handoff of their own.
    fn escalate(&mut self, bot: &Bot, abusive: bool, route: Option<String>, t: &mut Turn) {
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
        if reasons.is_empty() {
            return;
        }
        let existing = t.signals.iter_mut().find_map(|s| match s {
            Signal::Handoff(handoff) => Some(handoff),
            _ => None,
        });
        match existing {
            Some(handoff) => {
                for r in reasons {
                    if !handoff.reasons.contains(&r) {
                        handoff.reasons.push(r);
                    }
                }
                handoff.priority = Handoff::priority_of(&handoff.reasons, &h.priorities);
                handoff.summary =
                    summarize(t.language, &self.wanted_intents(bot), &handoff.slots, &handoff.reasons, trend);
            }
            // The intent's reply stays; the handoff message follows it.
            None if self.state != DialogueState::WithAgent => self.hand_off(bot, reasons, route, t),
            None => {}
        }
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
    fn understand<'b>(&self, bot: &'b Bot, text: &str, t: &mut Turn) -> Understood<'b> {
        let ranked = bot.classifier.as_ref().map(|c| c.rank_classes(text, ALTERNATIVES)).unwrap_or_default();
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
            None => Understood::OutOfScope,
        }
    }

    /// A turn outside a form.
    fn respond(&mut self, bot: &Bot, understood: Understood<'_>, t: &mut Turn) {
        match understood {
            Understood::OutOfScope => {
                t.intent = None;
                self.fallback_streak += 1;
                t.signals.push(Signal::Fallback { streak: self.fallback_streak });
                let limit = bot.spec.handoff.fallback_streak;
                if limit > 0 && self.fallback_streak >= limit {
                    self.hand_off(bot, vec![HandoffReason::FallbackStreak], None, t);
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
            }
            Understood::Intent(name, spec) => {
                self.fallback_streak = 0;
                self.note_intent(name);
                self.start_intent(bot, name, spec, t);
            }
        }
    }

    fn start_intent(&mut self, bot: &Bot, name: &str, spec: &IntentSpec, t: &mut Turn) {
        // Only slots that some intent carries over survive into a new intent.
        self.slots.retain(|slot, _| bot.intents.iter().any(|(_, i)| i.slots.get(slot).is_some_and(|s| s.carry_over)));
        fill_slots(spec, &t.entities, &mut self.slots, None);
        let mut reasons = Vec::new();
        if spec.handoff {
            reasons.push(HandoffReason::ExplicitRequest);
        }
        if spec.sensitive {
            reasons.push(HandoffReason::SensitiveIntent);
        }
        if !reasons.is_empty() {
            if let Some(response) = &spec.response {
                t.replies.push(render(response, t.language, self.pick(), &self.slots));
            }
            self.hand_off(bot, reasons, spec.route.clone(), t);
            return;
        }
        self.advance_form(name, spec, t);
    }

    /// Asks for the next missing required slot, or completes the intent.
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
        let was_form = matches!(self.state, DialogueState::Form { .. });
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
    }

    /// A turn while a form waits for `slot`.
    fn continue_form(
        &mut self,
        bot: &Bot,
        text: &str,
        understood: Understood<'_>,
        (intent, slot, reprompts): (&str, &str, u32),
        t: &mut Turn,
    ) {
        let Some(spec) = bot.intent(intent) else {
            // The bot was reloaded without this intent: start over.
            self.state = DialogueState::Idle;
            return self.respond(bot, understood, t);
        };
        if CANCEL_WORDS.iter().any(|w| text.contains(w)) {
            self.state = DialogueState::Idle;
            // Drop what this form collected, except the slots it carries over.
            self.slots.retain(|k, _| spec.slots.get(k).map_or(true, |s| s.carry_over));
            t.signals.push(Signal::FormCancelled { intent: intent.to_string() });
            t.replies.push(bot.builtin_response("cancelled", t.language, self.pick()));
            return;
        }
        let answers_slot = spec.slots.get(slot).is_some_and(|s| t.entities.iter().any(|e| e.entity == s.entity));
        if !answers_slot {
            match understood {
                Understood::Intent(other, _) if other != intent => {
                    // The customer moved on: drop the form and handle the new request.
                    self.state = DialogueState::Idle;
                    t.signals.push(Signal::FormCancelled { intent: intent.to_string() });
                    return self.respond(bot, understood, t);
                }
                Understood::Faq(_) => {
                    // Answer the question; the form keeps waiting.
                    let state = self.state.clone();
                    self.respond(bot, understood, t);
                    self.state = state;
                    return;
                }
                _ => {}
            }
        }
        // The answer belongs to the open form, whatever the classifier made of it.
        if t.intent.as_ref().map(|i| i.name.as_str()) != Some(intent) {
            t.intent = Some(IntentMatch { name: intent.to_string(), confidence: 1.0, source: IntentSource::Form });
        }
        fill_slots(spec, &t.entities, &mut self.slots, Some(slot));
        if self.slots.contains_key(slot) {
            return self.advance_form(intent, spec, t);
        }
        let reprompts = reprompts + 1;
        if reprompts > bot.spec.settings.max_reprompts {
            t.replies.push(bot.builtin_response("reprompt_limit", t.language, self.pick()));
            self.hand_off(bot, vec![HandoffReason::RepromptLimit], spec.route.clone(), t);
            return;
        }
        if let Some(prompt) = spec.slots.get(slot).and_then(|s| s.prompt.as_ref()) {
            t.replies.push(render(prompt, t.language, self.pick(), &self.slots));
        }
        t.slots = intent_slots(spec, &self.slots);
        t.signals.push(Signal::SlotRequested { intent: intent.to_string(), slot: slot.to_string() });
        self.state = DialogueState::Form { intent: intent.to_string(), slot: slot.to_string(), reprompts };
    }

    fn hand_off(&mut self, bot: &Bot, reasons: Vec<HandoffReason>, route: Option<String>, t: &mut Turn) {
        t.replies.push(bot.builtin_response("handoff", t.language, self.pick()));
        let route = route.unwrap_or_else(|| bot.spec.handoff.default_route.clone());
        let slots: BTreeMap<String, String> =
            self.slots.iter().map(|(k, v)| (k.clone(), pii::redact(&bot.extractors, v))).collect();
        let sentiment = self.sentiment_trend();
        let summary = summarize(t.language, &self.wanted_intents(bot), &slots, &reasons, sentiment);
        let priority = Handoff::priority_of(&reasons, &bot.spec.handoff.priorities);
        let mut transcript = self.transcript.clone();
        for r in &t.replies {
            transcript
                .push(crate::handoff::TranscriptLine { speaker: Speaker::Bot, text: pii::redact(&bot.extractors, r) });
        }
        t.signals.push(Signal::Handoff(Box::new(Handoff {
            reasons,
            priority,
            route,
            summary,
            transcript,
            slots,
            sentiment,
        })));
        self.state = DialogueState::WithAgent;
    }

    /// The intents seen, without the requests for a person: the agent wants to know what
    /// the customer came for.
    fn wanted_intents(&self, bot: &Bot) -> Vec<String> {
        self.intents_seen.iter().filter(|i| !bot.intent(i).is_some_and(|spec| spec.handoff)).cloned().collect()
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

/// Fills the intent's empty slots from entities of the right kind, in order of appearance;
/// `first` is filled before the others (the slot the bot just asked for).
fn fill_slots(spec: &IntentSpec, entities: &[Entity], slots: &mut BTreeMap<String, String>, first: Option<&str>) {
    let mut used = vec![false; entities.len()];
    let order = first.into_iter().chain(spec.slots.keys().map(String::as_str).filter(|s| Some(*s) != first));
    for slot in order {
        let Some(s) = spec.slots.get(slot) else { continue };
        if first != Some(slot) && slots.contains_key(slot) {
            continue;
        }
        if let Some(i) = (0..entities.len()).find(|&i| !used[i] && entities[i].entity == s.entity) {
            used[i] = true;
            slots.insert(slot.to_string(), entities[i].value.clone());
        }
    }
}

fn intent_slots(spec: &IntentSpec, slots: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    slots.iter().filter(|(k, _)| spec.slots.contains_key(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A short summary for the agent in the customer's language (slot values already masked).
fn summarize(
    lang: Language,
    intents: &[String],
    slots: &BTreeMap<String, String>,
    reasons: &[HandoffReason],
    sentiment: f32,
) -> String {
    let wants = intents.last().map_or("-", String::as_str);
    let seen = if intents.is_empty() { "-".to_string() } else { intents.join(", ") };
    let info = if slots.is_empty() {
        "-".to_string()
    } else {
        slots.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
    };
    let why = reasons.iter().map(HandoffReason::code).collect::<Vec<_>>().join(", ");
    match lang {
        Language::Zh => format!(
            "客户诉求：{wants}；识别到的意图：{seen}；已收集信息：{info}；情绪：{sentiment:+.2}；转人工原因：{why}"
        ),
        Language::En => {
            format!("Customer wants: {wants}; intents seen: {seen}; details: {info}; sentiment: {sentiment:+.2}; handoff because: {why}")
        }
    }
}
