//! A fixed set of literal patterns found together in one pass over a text (lexicons,
//! synonym lists, abusive words): an Aho–Corasick automaton over UTF-8 bytes.
//!
//! Every turn searches a few such sets — VADER's 2,223 English words among them — so a
//! search must cost about one step per byte of the text whatever the set's size or its
//! patterns' shared beginnings (a catalogue of `item…` names). A UTF-8 pattern starts with
//! a lead byte, so every match starts at a char boundary of the text.

/// The automaton's states are a trie of the patterns' bytes; state 0 is the empty prefix.
/// Per-state data lives in flat arrays indexed by state (ranges as `at[s]..at[s + 1]`),
/// 16 bytes a state: a catalogue of 200,000 names makes a few million.
#[derive(Debug, Clone)]
pub(crate) struct LiteralSet {
    patterns: Vec<String>,
    /// Each state's transitions `(byte, next state)`, sorted by byte, at
    /// `edges[edges_at[s]..edges_at[s + 1]]`.
    edges_at: Vec<u32>,
    edges: Vec<(u8, u32)>,
    /// The root's transitions for every byte (0 where none): most bytes of a text are
    /// read at the root or one step from it.
    root: Box<[u32; 256]>,
    /// Indices of the patterns each state spells, at `ends[ends_at[s]..ends_at[s + 1]]`.
    ends_at: Vec<u32>,
    ends: Vec<u32>,
    /// The state of the longest proper suffix of a state's bytes that is in the trie.
    fail: Vec<u32>,
    /// The nearest state along a state's failure chain that spells a pattern (0: none).
    next_end: Vec<u32>,
}

impl LiteralSet {
    pub(crate) fn new<S: Into<String>>(patterns: impl IntoIterator<Item = S>) -> LiteralSet {
        let patterns: Vec<String> = patterns.into_iter().map(Into::into).collect();
        // The trie, with each state's transitions unsorted while it grows.
        let mut children: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut spelled: Vec<Vec<u32>> = vec![Vec::new()];
        for (i, p) in patterns.iter().enumerate().filter(|(_, p)| !p.is_empty()) {
            let mut s = 0usize;
            for &b in p.as_bytes() {
                s = match children[s].iter().find(|e| e.0 == b) {
                    Some(&(_, next)) => next as usize,
                    None => {
                        let next = children.len();
                        children[s].push((b, next as u32));
                        children.push(Vec::new());
                        spelled.push(Vec::new());
                        next
                    }
                };
            }
            spelled[s].push(i as u32);
        }
        let n = children.len();
        let (mut edges_at, mut edges, mut ends_at, mut ends) = (vec![0], Vec::new(), vec![0], Vec::new());
        for (s, spells) in spelled.iter().enumerate() {
            children[s].sort_unstable();
            edges.extend_from_slice(&children[s]);
            edges_at.push(edges.len() as u32);
            ends.extend_from_slice(spells);
            ends_at.push(ends.len() as u32);
        }
        let mut root = Box::new([0u32; 256]);
        for &(b, next) in &children[0] {
            root[b as usize] = next;
        }
        let (fail, next_end) = (vec![0; n], vec![0; n]);
        let mut set = LiteralSet { patterns, edges_at, edges, root, ends_at, ends, fail, next_end };
        // Failure links breadth first, so a state's suffixes are linked before it.
        let mut queue: Vec<u32> = children[0].iter().map(|e| e.1).collect();
        let mut next = 0;
        while let Some(&s) = queue.get(next) {
            next += 1;
            for &(b, child) in &children[s as usize] {
                let mut f = set.fail[s as usize];
                let fail = loop {
                    match set.step_from(f, b) {
                        Some(next) => break next,
                        None if f == 0 => break 0,
                        None => f = set.fail[f as usize],
                    }
                };
                set.fail[child as usize] = fail;
                set.next_end[child as usize] = if set.spells(fail) { fail } else { set.next_end[fail as usize] };
                queue.push(child);
            }
        }
        set
    }

    fn spells(&self, state: u32) -> bool {
        self.ends_at[state as usize] < self.ends_at[state as usize + 1]
    }

    /// The trie's transition from `state` on `byte`, if the trie has one.
    fn step_from(&self, state: u32, byte: u8) -> Option<u32> {
        if state == 0 {
            return Some(self.root[byte as usize]).filter(|&next| next != 0);
        }
        let edges = &self.edges[self.edges_at[state as usize] as usize..self.edges_at[state as usize + 1] as usize];
        edges.binary_search_by_key(&byte, |e| e.0).ok().map(|i| edges[i].1)
    }

    /// `(pattern index, byte offset)` of every occurrence of every pattern in `text`
    /// (overlaps included), by offset, then by pattern index.
    pub(crate) fn find_all(&self, text: &str) -> impl Iterator<Item = (usize, usize)> {
        let mut found = Vec::new();
        let mut s = 0u32;
        for (at, &b) in text.as_bytes().iter().enumerate() {
            s = loop {
                match self.step_from(s, b) {
                    Some(next) => break next,
                    None if s == 0 => break 0,
                    None => s = self.fail[s as usize],
                }
            };
            let mut e = if self.spells(s) { s } else { self.next_end[s as usize] };
            while e != 0 {
                let spelled = &self.ends[self.ends_at[e as usize] as usize..self.ends_at[e as usize + 1] as usize];
                found.extend(spelled.iter().map(|&i| (at + 1 - self.patterns[i as usize].len(), i as usize)));
                e = self.next_end[e as usize];
            }
        }
        found.sort_unstable();
        found.into_iter().map(|(at, i)| (i, at))
    }

    pub(crate) fn pattern(&self, i: usize) -> &str {
        &self.patterns[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every occurrence a plain search finds, in the same order, for sets small and large,
    /// with shared beginnings, patterns inside others, repeats and CJK.
    #[test]
    fn finds_what_a_plain_search_finds() {
        let mut words: Vec<String> = (0..200).map(|i| format!("item{i}")).collect();
        words.extend(["退款", "退", "it", "m1", "item1", "", "款退", "aa", "aaa", "a", "退"].map(String::from));
        let plain = |words: &[String], text: &str| {
            let mut expected = Vec::new();
            for at in (0..text.len()).filter(|&at| text.is_char_boundary(at)) {
                expected.extend(
                    (0..words.len())
                        .filter(|&i| !words[i].is_empty() && text[at..].starts_with(words[i].as_str()))
                        .map(|i| (i, at)),
                );
            }
            expected
        };
        for text in ["item1 item12 退款 it item199x 退", "aaaa 退退款退", "", "xyz", "𝔘 item1退"] {
            let set = LiteralSet::new(words.iter().cloned());
            assert_eq!(set.find_all(text).collect::<Vec<_>>(), plain(&words, text), "{text}");
            let few = &words[195..];
            let set = LiteralSet::new(few.iter().cloned());
            assert_eq!(set.find_all(text).collect::<Vec<_>>(), plain(few, text), "{text}");
        }
        assert!(LiteralSet::new(Vec::<String>::new()).find_all("anything").next().is_none());
    }
}
