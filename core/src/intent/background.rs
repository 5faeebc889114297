//! The built-in out-of-scope background: general and other-business requests in English
//! and Chinese (`background.txt`, built by `tools/build-background.py` from CLINC150 and
//! CrossWOZ; provenance and licences in `docs/background.md`). A bot learns them as
//! out-of-scope examples, so that an author who writes no `out_of_scope` list still gets
//! chit-chat and other businesses' requests turned away. Lines too close to one of the
//! bot's own examples are left out: they may be what this bot does (a travel agency's bot
//! books flights).

use std::collections::HashMap;

use super::features::hashed_features;
use crate::text::normalize;

const LINES: &str = include_str!("background.txt");

/// A background line is left out when this share of its n-grams (cosine of the n-gram
/// sets) is shared with one of the bot's examples.
const TOO_CLOSE: f32 = 0.5;

/// The sorted, distinct hashed n-grams of a text.
pub(crate) fn ngram_set(text: &str) -> Vec<u64> {
    let mut set = Vec::new();
    hashed_features(&normalize(text).text, &mut set);
    set.sort_unstable();
    set.dedup();
    set
}

/// At most this many background lines per example of the bot's own: more, and the
/// background class outweighs a small bot's intents on every line.
const PER_OWN_EXAMPLE: usize = 2;

/// The background lines for a bot with these training texts: the ones not too close to
/// them, evenly spread over the file, at most [`PER_OWN_EXAMPLE`] per text.
pub(crate) fn lines_for<'a>(own: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    // An inverted index from n-gram to the examples that have it: each line then meets
    // only the examples it shares something with.
    let mut sizes = Vec::new();
    let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, text) in own.into_iter().enumerate() {
        let set = ngram_set(text);
        sizes.push(set.len());
        for g in set {
            index.entry(g).or_default().push(i as u32);
        }
    }
    let mut shared = vec![0u32; sizes.len()];
    let kept: Vec<&'static str> = LINES
        .lines()
        .filter(|line| {
            let set = ngram_set(line);
            shared.iter_mut().for_each(|s| *s = 0);
            for g in &set {
                for &i in index.get(g).map_or(&[][..], Vec::as_slice) {
                    shared[i as usize] += 1;
                }
            }
            let closest = shared
                .iter()
                .zip(&sizes)
                .map(|(&n, &size)| n as f32 / ((set.len() * size) as f32).sqrt().max(1.0))
                .fold(0.0f32, f32::max);
            closest < TOO_CLOSE
        })
        .collect();
    let most = sizes.len() * PER_OWN_EXAMPLE;
    if kept.len() <= most {
        return kept;
    }
    (0..most).map(|i| kept[i * kept.len() / most]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_other_business_and_drops_what_the_bot_does() {
        let all = LINES.lines().count();
        assert!(all > 600, "{all}");
        let shop = ["我的订单到哪了", "where is my parcel"];
        assert_eq!(lines_for(shop).len(), 4, "two lines per example of the bot's own");
        let many: Vec<String> = (0..1000).map(|i| format!("订单{i}到哪了")).collect();
        assert_eq!(lines_for(many.iter().map(String::as_str)).len(), all, "a shop's lines are far from it");
        // A flight-booking bot's own requests come out of its background.
        let mut flights = vec!["search for a flight from la to chicago", "buy a flight to jacksonville"];
        flights.extend(many.iter().map(String::as_str));
        let travel = lines_for(flights);
        assert!(travel.len() < all);
        assert!(!travel.iter().any(|l| l.starts_with("search for a flight") || l.starts_with("buy a flight")));
        assert!(travel.iter().any(|l| l.contains("flight")), "lines far from its examples stay");
    }
}
