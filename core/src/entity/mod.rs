//! Entities: built-in Chinese/English extractors and the bot file's custom entities.
//!
//! Extraction runs on normalised text; spans are reported in characters of the original
//! utterance. Overlapping matches resolve to the longest, then to the more specific kind.

mod builtin;
mod datetime;
mod duration;
mod numeral;

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::botfile::schema::EntitySpec;
use crate::literal_set::LiteralSet;
use crate::text::{normalize, occurrences, word_bounded, Normalized};

pub use builtin::BUILTIN_ENTITIES;
pub(crate) use datetime::format_day;
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
    /// Least similarity of a typo-tolerant match; `None`: exact only.
    fuzzy: Option<f32>,
    /// The words of `text`, for typo-tolerant matching.
    words: Vec<Word>,
}

/// A word compared for typos: its characters, and which it holds.
#[derive(Debug, Clone)]
struct Word {
    chars: Vec<char>,
    holds: u64,
}

impl Word {
    fn new(chars: Vec<char>) -> Word {
        let bit = |c: &char| match c {
            'a'..='z' => 1u64 << (*c as u32 - 'a' as u32),
            '0'..='9' => 1u64 << (26 + *c as u32 - '0' as u32),
            _ => 1u64 << 63,
        };
        Word { holds: chars.iter().map(bit).fold(0, |a, b| a | b), chars }
    }

    /// Fewest edits that can turn one word into the other: each character one holds and
    /// the other lacks takes an edit (one substitution serves one of each side). A cheap
    /// bound that spares the edit distance of words sharing too few letters (not measured
    /// apart: the limits bench's words are all alike, so it does not gain there).
    fn fewest_edits(&self, other: &Word) -> usize {
        let (only_here, only_there) = (self.holds & !other.holds, other.holds & !self.holds);
        only_here.count_ones().max(only_there.count_ones()) as usize
    }
}

/// Values a host adds to its custom entities at run time: entity → value → synonyms.
pub type HostValues = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// Synonyms of `values` (the value itself included), normalised.
fn synonyms_of(entity: &str, values: &BTreeMap<String, Vec<String>>, fuzzy: Option<f32>) -> Vec<Synonym> {
    let mut out = Vec::new();
    for (value, words) in values {
        for word in std::iter::once(value).chain(words) {
            let text = normalize(word).text;
            if !text.is_empty() {
                let words = text.split(' ').map(|w| Word::new(w.chars().collect())).collect();
                out.push(Synonym { text, entity: entity.to_string(), value: value.clone(), fuzzy, words });
            }
        }
    }
    out
}

/// All extractors of one bot, compiled once when the bot loads.
#[derive(Debug, Clone)]
pub(crate) struct Extractors {
    builtin: builtin::Builtins,
    datetimes: datetime::DateTimes,
    durations: duration::Durations,
    synonyms: Vec<Synonym>,
    /// The synonyms' texts, searched in one pass.
    synonym_set: LiteralSet,
    /// Indices of the synonyms matched with typos too: a few among many exact ones, and
    /// every turn looks at them.
    fuzzy: Vec<usize>,
    regexes: Vec<(String, Regex)>,
}

impl Extractors {
    /// Compiles the built-ins and the bot's custom entities (already validated).
    pub fn new(custom: &BTreeMap<String, EntitySpec>) -> Extractors {
        let mut synonyms = Vec::new();
        let mut regexes = Vec::new();
        for (name, spec) in custom {
            synonyms.extend(synonyms_of(name, &spec.values, spec.fuzzy));
            if let Some(re) = spec.regex.as_deref().and_then(|p| crate::botfile::build_regex(p).ok()) {
                regexes.push((name.clone(), re));
            }
        }
        sort_longest_first(&mut synonyms);
        let synonym_set = LiteralSet::new(synonyms.iter().map(|s| s.text.clone()));
        let fuzzy = (0..synonyms.len()).filter(|&i| synonyms[i].fuzzy.is_some()).collect();
        Extractors {
            fuzzy,
            builtin: builtin::Builtins::new(),
            datetimes: datetime::DateTimes::new(),
            durations: duration::Durations::new(),
            synonym_set,
            synonyms,
            regexes,
        }
    }

    /// Every entity in a raw utterance (relative dates need `now`).
    pub fn extract(&self, raw: &str, now: Option<ReferenceTime>) -> Vec<Entity> {
        self.extract_normalized(&normalize(raw), raw, now)
    }

    pub(crate) fn extract_normalized(&self, n: &Normalized, raw: &str, now: Option<ReferenceTime>) -> Vec<Entity> {
        self.extract_with(n, raw, now, &HostValues::new())
    }

    /// [`Extractors::extract_normalized`] plus the host's run-time values.
    pub(crate) fn extract_with(
        &self,
        n: &Normalized,
        raw: &str,
        now: Option<ReferenceTime>,
        host: &HostValues,
    ) -> Vec<Entity> {
        let text = n.text.as_str();
        let mut found = self.builtin.find(text);
        found.extend(self.datetimes.find(text, now));
        found.extend(self.durations.find(text));
        for (name, re) in &self.regexes {
            // With a capture group, the group is the entity and the rest is context. Each
            // search may read to the end of the text (`\w*x|\w` does): a bounded number of
            // them keeps a turn linear in its length.
            for c in re.captures_iter(text).take(MAX_REGEX_MATCHES) {
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
        let mut extra: Vec<Synonym> =
            host.iter().flat_map(|(entity, values)| synonyms_of(entity, values, None)).collect();
        sort_longest_first(&mut extra);
        let exact = self
            .synonym_set
            .find_all(text)
            .map(|(i, at)| (&self.synonyms[i], at))
            .chain(extra.iter().flat_map(|s| occurrences(text, &s.text).map(move |at| (s, at))));
        for (s, at) in exact {
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
        let fuzzy_synonyms =
            self.fuzzy.iter().map(|&i| &self.synonyms[i]).chain(extra.iter().filter(|s| s.fuzzy.is_some()));
        let fuzzy = fuzzy_synonyms.clone().count();
        // Compares at most MAX_FUZZY_PAIRS (word, synonym) pairs: in a long turn with many
        // fuzzy values, the words past that point are matched exactly only.
        let most_words = MAX_FUZZY_PAIRS / fuzzy.max(1);
        let words: Vec<(usize, usize, Word)> = latin_words(text)
            .into_iter()
            .take(most_words.max(1))
            .map(|(a, b)| (a, b, Word::new(text[a..b].chars().collect())))
            .collect();
        if !words.is_empty() && fuzzy > 0 {
            for s in fuzzy_synonyms {
                if let Some(least) = s.fuzzy {
                    found.extend(fuzzy_matches(&words, s, least));
                }
            }
        }
        entities(n, raw, found)
    }

    /// The personal data (e-mail, phone, ID and bank card numbers) in a raw text: what
    /// masking needs, without the other extractors. Unlike in [`Extractors::extract`], a
    /// longer entity of another kind around one (a URL, an amount) does not hide it.
    pub(crate) fn extract_personal(&self, raw: &str) -> Vec<Entity> {
        let n = normalize(raw);
        let found = self.builtin.find_personal(&n.text);
        entities(&n, raw, found)
    }
}

/// The matches that survive overlaps, as entities with spans in characters of `raw`.
fn entities(n: &Normalized, raw: &str, found: Vec<RawMatch>) -> Vec<Entity> {
    resolve_overlaps(found)
        .into_iter()
        .map(|m| {
            let (start, end) = n.original_char_span(m.start, m.end);
            let raw_text: String = raw.chars().skip(start).take(end - start).collect();
            Entity { entity: m.entity, start, end, raw: raw_text, value: m.value }
        })
        .collect()
}

/// Longest synonyms first, so 顺丰速运 wins over 顺丰.
fn sort_longest_first(synonyms: &mut [Synonym]) {
    synonyms.sort_unstable_by(|a, b| {
        (b.text.len(), &a.text, &a.entity, &a.value).cmp(&(a.text.len(), &b.text, &b.entity, &b.value))
    });
}

/// Most matches of one `regex` entity in a turn.
const MAX_REGEX_MATCHES: usize = 4;

/// Most (word, synonym) pairs a turn compares for typo-tolerant matches: about 5 ms of
/// edit distances on the machine the project is measured on when every pair is alike
/// (`kefu bench-limits`), so that a turn at every limit at once stays near 10 ms.
const MAX_FUZZY_PAIRS: usize = 50_000;

/// Typo-tolerant matches of a Latin-script synonym: runs of as many words as the synonym
/// has, where words under 4 letters match exactly and the longer ones are similar enough by
/// edit distance (exact matches are found elsewhere).
fn fuzzy_matches(words: &[(usize, usize, Word)], s: &Synonym, least: f32) -> Vec<RawMatch> {
    let target = &s.words;
    if !s.text.is_ascii() || words.len() < target.len() {
        return Vec::new();
    }
    let long_letters: usize = target.iter().map(|w| w.chars.len()).filter(|&n| n >= 4).sum();
    if long_letters == 0 {
        return Vec::new();
    }
    let max_edits = ((1.0 - least) * long_letters as f32 + 1e-4) as usize;
    let mut out = Vec::new();
    let mut row = Vec::new();
    for w in words.windows(target.len()) {
        let mut distance = 0;
        let mut ok = true;
        for ((_, _, word), t) in w.iter().zip(target) {
            if t.chars.len() < 4 {
                ok &= word.chars == t.chars;
            } else if word.fewest_edits(t) > max_edits - distance {
                ok = false; // too different in length or letters to be a typo
            } else {
                match edit_distance_within(&word.chars, &t.chars, max_edits - distance, &mut row) {
                    Some(d) => distance += d,
                    None => ok = false,
                }
            }
            if !ok || distance > max_edits {
                break;
            }
        }
        if ok && distance > 0 && distance <= max_edits {
            let (start, end) = (w[0].0, w[target.len() - 1].1);
            out.push(RawMatch { start, end, entity: s.entity.clone(), value: s.value.clone(), priority: 4 });
        }
    }
    out
}

/// Byte spans of runs of ASCII letters and digits.
fn latin_words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_ascii_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Levenshtein distance of `a` and `b` when it is at most `limit`, else `None`. Only the
/// cells within `limit` of the diagonal can stay within it (a long turn compares many
/// words with many fuzzy values: this keeps each comparison O(limit · length)), and a row
/// whose cells all exceed it ends the search. `row` is scratch space, reused between calls.
fn edit_distance_within(a: &[char], b: &[char], limit: usize, row: &mut Vec<usize>) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let over = limit + 1;
    row.clear();
    row.extend((0..=b.len()).map(|j| j.min(over)));
    for (i, ca) in a.iter().enumerate() {
        let i1 = i + 1;
        let (lo, hi) = (i1.saturating_sub(limit).max(1), (i1 + limit).min(b.len()));
        // `row` holds row i; cells left of the band in row i + 1 are over the limit.
        let mut diagonal = row[lo - 1];
        row[lo - 1] = if lo == 1 { i1.min(over) } else { over };
        let mut least = row[lo - 1];
        for j in lo..=hi {
            let above = row[j];
            let cost = usize::from(*ca != b[j - 1]);
            row[j] = (above + 1).min(row[j - 1] + 1).min(diagonal + cost).min(over);
            least = least.min(row[j]);
            diagonal = above;
        }
        if least > limit {
            return None;
        }
    }
    Some(row[b.len()]).filter(|&d| d <= limit)
}

/// Keeps the longest (then highest-priority, then leftmost) of overlapping matches.
fn resolve_overlaps(mut found: Vec<RawMatch>) -> Vec<RawMatch> {
    // Unstable sorts keep the wasm package small; every tie is broken, so the order is total.
    found.sort_unstable_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(b.priority.cmp(&a.priority))
            .then(a.start.cmp(&b.start))
            .then_with(|| (&a.entity, &a.value).cmp(&(&b.entity, &b.value)))
    });
    let mut kept: Vec<RawMatch> = Vec::new();
    for m in found {
        if kept.iter().all(|k| m.end <= k.start || m.start >= k.end) {
            kept.push(m);
        }
    }
    kept.sort_unstable_by_key(|m| m.start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom() -> BTreeMap<String, EntitySpec> {
        let mut values = BTreeMap::new();
        values.insert("sf".to_string(), vec!["顺丰".to_string(), "顺丰速运".to_string(), "SF Express".to_string()]);
        let mut m = BTreeMap::new();
        m.insert("carrier".to_string(), EntitySpec { values, fuzzy: Some(0.8), ..EntitySpec::default() });
        m.insert(
            "order_id".to_string(),
            EntitySpec { regex: Some(r"\b[a-z]{2}\d{8}\b".into()), ..EntitySpec::default() },
        );
        m
    }

    #[test]
    fn fuzzy_values_tolerate_typos_but_not_other_words() {
        let x = Extractors::new(&custom());
        let found = |t: &str| x.extract(t, None).into_iter().map(|e| e.value).collect::<Vec<_>>();
        assert_eq!(found("sent with SF Exprss"), ["sf"]);
        assert_eq!(found("sent with sf expresss"), ["sf"]);
        assert_eq!(found("ＳＦ　Ｅｘｐｒｅｓｓ"), ["sf"], "full-width");
        assert!(found("sent with an express").is_empty());
        assert!(found("ask an expert").is_empty(), "\"an\" is not \"sf\"; expert is 3 edits from express");
    }

    #[test]
    fn bounded_edit_distance_is_levenshtein_within_the_limit_and_its_bound_holds() {
        fn levenshtein(a: &[char], b: &[char]) -> usize {
            let mut d: Vec<Vec<usize>> = (0..=a.len()).map(|i| (0..=b.len()).map(|j| i.max(j)).collect()).collect();
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let cost = usize::from(a[i - 1] != b[j - 1]);
                    d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                }
            }
            d[a.len()][b.len()]
        }
        // Every pair of words of up to 5 letters from {a, b, c}, at every limit up to 6.
        let words: Vec<Vec<char>> = (0..=5u32)
            .flat_map(|n| {
                (0..3usize.pow(n)).map(move |k| (0..n).map(|p| ['a', 'b', 'c'][k / 3usize.pow(p) % 3]).collect())
            })
            .collect();
        let mut row = Vec::new();
        for a in words.iter().step_by(3) {
            for b in &words {
                let d = levenshtein(a, b);
                assert!(
                    Word::new(a.clone()).fewest_edits(&Word::new(b.clone())) <= d,
                    "{a:?} {b:?}: a bound above {d}"
                );
                for limit in 0..=6 {
                    let want = (d <= limit).then_some(d);
                    assert_eq!(edit_distance_within(a, b, limit, &mut row), want, "{a:?} {b:?} within {limit}");
                }
            }
        }
    }

    #[test]
    fn host_values_are_matched_for_one_call() {
        let x = Extractors::new(&custom());
        let mut host = HostValues::new();
        host.insert("my_order".into(), BTreeMap::from([("A-778".to_string(), vec!["the blue sofa".to_string()])]));
        let n = normalize("where is the blue sofa");
        let e = x.extract_with(&n, "where is the blue sofa", None, &host);
        assert_eq!((e[0].entity.as_str(), e[0].value.as_str()), ("my_order", "A-778"));
        assert!(x.extract("where is the blue sofa", None).is_empty());
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
