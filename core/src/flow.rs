//! The bot's dialogue structure, compiled from its file for the policy: each intent with
//! its slots and their checks (patterns compiled once, at load), its replies, action and
//! handoff flags. The policy reads these, never the file's schema.

use crate::botfile::build_regex;
use crate::botfile::schema::{IntentSpec, Localized};
use crate::checksum::crc32;

/// An intent as the policy runs it.
#[derive(Debug)]
pub(crate) struct Intent {
    pub name: String,
    /// In the file's order (by name).
    pub slots: Vec<Slot>,
    pub response: Option<Localized>,
    pub confirm: Option<Localized>,
    pub action: Option<String>,
    pub route: Option<String>,
    /// The customer asks for a person.
    pub handoff: bool,
    /// A sensitive topic (complaint, fraud).
    pub sensitive: bool,
}

/// A slot of an intent.
#[derive(Debug)]
pub(crate) struct Slot {
    pub name: String,
    /// The entity kind that fills it.
    pub entity: String,
    pub required: bool,
    pub prompt: Option<Localized>,
    pub carry_over: bool,
    /// Allowed values; empty allows any.
    pub values: Vec<String>,
    pub pattern: Option<regex::Regex>,
    /// Said when a value fails its checks.
    pub invalid: Option<Localized>,
}

impl Intent {
    /// Compiles a validated intent (its patterns compiled when the file was checked).
    pub(crate) fn compile(name: &str, spec: &IntentSpec) -> Intent {
        let slots = spec
            .slots
            .iter()
            .map(|(slot, s)| Slot {
                name: slot.clone(),
                entity: s.entity.clone(),
                required: s.required,
                prompt: s.prompt.clone(),
                carry_over: s.carry_over,
                values: s.values.clone(),
                pattern: s.pattern.as_deref().and_then(|p| build_regex(p).ok()),
                invalid: s.invalid.clone(),
            })
            .collect();
        Intent {
            name: name.to_string(),
            slots,
            response: spec.response.clone(),
            confirm: spec.confirm.clone(),
            action: spec.action.clone(),
            route: spec.route.clone(),
            handoff: spec.handoff,
            sensitive: spec.sensitive,
        }
    }

    pub(crate) fn slot(&self, name: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.name == name)
    }

    /// Whether any slot is filled by entities of `kind`.
    pub(crate) fn takes(&self, kind: &str) -> bool {
        self.slots.iter().any(|s| s.entity == kind)
    }
}

/// A fingerprint of the dialogue structure a session's state refers to: the intents, whether
/// they confirm, and their slots with what fills and checks them. Replies, examples and
/// models may change without changing it.
pub(crate) fn fingerprint(intents: &[Intent]) -> u32 {
    let mut text = String::new();
    for intent in intents {
        text.push_str(&format!("intent {:?} confirm {}\n", intent.name, intent.confirm.is_some()));
        for slot in &intent.slots {
            let pattern = slot.pattern.as_ref().map(regex::Regex::as_str);
            text.push_str(&format!(
                "slot {:?} {:?} {} {:?} {:?}\n",
                slot.name, slot.entity, slot.required, slot.values, pattern
            ));
        }
    }
    crc32(text.as_bytes())
}
