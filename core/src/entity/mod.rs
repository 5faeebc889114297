//! Entities: built-in Chinese/English extractors and the bot file's custom entities.
//!
//! Extraction runs on normalised text; spans are reported in characters of the original
//! utterance. Overlapping matches resolve to the longest, then to the more specific kind.

mod builtin;
mod datetime;
mod numeral;

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::botfile::schema::EntitySpec;
use crate::text::{normalize, word_bounded, Normalized};

pub use builtin::BUILTIN_ENTITIES;
pub use datetime::ReferenceTime;

/// True when `name` is a built-in entity.
pub fn is_builtin(name: &str) -> bool {
    BUILTIN_ENTITIES.contains(&name)
}

/// An entity found in an utterance.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Entity name: a built-in kind (`phone`, `money`, …) or a custom entity of the bot file.
    pub entity: String,
    /// Start of the match, in characters (Unicode scalar values) of the original utterance.
    pub start: usize,
    /// End of the match (exclusive), in characters of the original utterance.
    pub end: usize,
    /// The matched text as the customer wrote it.
    pub raw: String,
    /// The normalised value: digits for numbers and IDs, `199 CNY` for money,
    /// the canonical value for custom lists.
    pub value: String,
}

impl std::fmt::Debug for Entity {
    // The raw text and value may be personal data: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entity")
            .field("entity", &self.entity)
            .field("start", &self.start)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

/// Compiles one of the built-in extractors' patterns: constants of this module, each
/// covered by the extractors' tests, so a failure is a bug here, not bad input.
fn builtin_regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("built-in pattern {pattern}: {e}"))
}

/// A match on normalised text before it is mapped back: byte span, value, priority.
#[derive(Debug, Clone)]
pub(crate) struct RawMatch {
    pub start: usize,
    pub end: usize,
    pub entity: String,
    pub value: String,
    /// Higher wins among equally long overlapping matches.
    pub priority: u8,
}

/// One synonym of a custom list entity.
#[derive(Debug, Clone)]
struct Synonym {
    text: String,
    entity: String,
    value: String,
}

/// All extractors of one bot, compiled once when the bot loads.
#[derive(Debug, Clone)]
pub(crate) struct Extractors {
    builtin: builtin::Builtins,
    datetimes: datetime::DateTimes,
    synonyms: Vec<Synonym>,
    regexes: Vec<(String, Regex)>,
}

impl Extractors {
    /// Compiles the built-ins and the bot's custom entities (already validated).
    pub fn new(custom: &BTreeMap<String, EntitySpec>) -> Extractors {
        let mut synonyms = Vec::new();
        let mut regexes = Vec::new();
        for (name, spec) in custom {
            for (value, words) in &spec.values {
                for word in std::iter::once(value).chain(words) {
                    let text = normalize(word).text;
                    if !text.is_empty() {
                        synonyms.push(Synonym { text, entity: name.clone(), value: value.clone() });
                    }
                }
            }
            if let Some(re) = spec.regex.as_deref().and_then(|p| crate::botfile::build_regex(p).ok()) {
                regexes.push((name.clone(), re));
            }
        }
        // Longest synonyms first, so 顺丰速运 wins over 顺丰.
        synonyms.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then_with(|| a.text.cmp(&b.text)));
        Extractors { builtin: builtin::Builtins::new(), datetimes: datetime::DateTimes::new(), synonyms, regexes }
    }

    /// Every entity in a raw utterance (relative dates need `now`).
    pub fn extract(&self, raw: &str, now: Option<ReferenceTime>) -> Vec<Entity> {
        self.extract_normalized(&normalize(raw), raw, now)
    }

    pub(crate) fn extract_normalized(&self, n: &Normalized, raw: &str, now: Option<ReferenceTime>) -> Vec<Entity> {
        let text = n.text.as_str();
        let mut found = self.builtin.find(text);
        found.extend(self.datetimes.find(text, now));
        for (name, re) in &self.regexes {
            // With a capture group, the group is the entity and the rest is context.
            for c in re.captures_iter(text) {
                let Some(m) = c.get(1).or_else(|| c.get(0)).filter(|m| !m.is_empty()) else { continue };
                found.push(RawMatch {
                    start: m.start(),
                    end: m.end(),
                    entity: name.clone(),
                    value: m.as_str().to_string(),
                    priority: 5,
                });
            }
        }
        for s in &self.synonyms {
            for (at, _) in text.match_indices(s.text.as_str()) {
                if word_bounded(text, at, at + s.text.len()) {
                    found.push(RawMatch {
                        start: at,
                        end: at + s.text.len(),
                        entity: s.entity.clone(),
                        value: s.value.clone(),
                        priority: 6,
                    });
                }
            }
        }
        resolve_overlaps(found)
            .into_iter()
            .map(|m| {
                let (start, end) = n.original_char_span(m.start, m.end);
                let raw_text: String = raw.chars().skip(start).take(end - start).collect();
                Entity { entity: m.entity, start, end, raw: raw_text, value: m.value }
            })
            .collect()
    }
}

/// Keeps the longest (then highest-priority, then leftmost) of overlapping matches.
fn resolve_overlaps(mut found: Vec<RawMatch>) -> Vec<RawMatch> {
    found.sort_by(|a, b| {
        (b.end - b.start).cmp(&(a.end - a.start)).then(b.priority.cmp(&a.priority)).then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<RawMatch> = Vec::new();
    for m in found {
        if kept.iter().all(|k| m.end <= k.start || m.start >= k.end) {
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| m.start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom() -> BTreeMap<String, EntitySpec> {
        let mut values = BTreeMap::new();
        values.insert("sf".to_string(), vec!["顺丰".to_string(), "顺丰速运".to_string(), "SF Express".to_string()]);
        let mut m = BTreeMap::new();
        m.insert("carrier".to_string(), EntitySpec { values, regex: None });
        m.insert(
            "order_id".to_string(),
            EntitySpec { values: BTreeMap::new(), regex: Some(r"\b[a-z]{2}\d{8}\b".into()) },
        );
        m
    }

    #[test]
    fn finds_custom_lists_and_regexes() {
        let x = Extractors::new(&custom());
        let e = x.extract("用顺丰速运寄的，单号 SO12345678", None);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].entity.as_str(), e[0].value.as_str(), e[0].raw.as_str()), ("carrier", "sf", "顺丰速运"));
        assert_eq!((e[1].entity.as_str(), e[1].raw.as_str()), ("order_id", "SO12345678"));
        assert_eq!(x.extract("shipped by sf express", None).first().map(|e| e.value.as_str()), Some("sf"));
        assert!(x.extract("sfx", None).is_empty());
    }

    #[test]
    fn debug_never_prints_values() {
        let x = Extractors::new(&BTreeMap::new());
        let e = x.extract("call me at 13812345678", None);
        assert_eq!(e[0].entity, "phone");
        assert!(!format!("{e:?}").contains("1381"));
    }
}
