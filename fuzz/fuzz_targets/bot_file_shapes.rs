//! Bot files of the shapes that cost a parser most — YAML anchors and aliases that expand
//! (billion laughs, and the quadratic kind: many aliases of one large value), flow brackets
//! nested deep, long keys — built from the input's bytes around a valid bot: a Bot or a
//! typed error, never a panic or an abort.
#![no_main]

/// Reads small numbers off the input.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self, below: usize) -> usize {
        let Some((&b, rest)) = self.0.split_first() else { return 0 };
        self.0 = rest;
        usize::from(b) % below.max(1)
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let mut yaml = String::from("version: 1\n");
    // A value, anchored, and layers of lists that each repeat the previous layer.
    let width = 1 + b.next(12);
    yaml.push_str(&format!("a0: &a0 [{}]\n", vec!["\"x\""; 1 + b.next(50)].join(", ")));
    let layers = b.next(10);
    for i in 1..=layers {
        yaml.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); width].join(", ")));
    }
    // Many aliases of the largest anchor.
    for k in 0..b.next(64) * 4 {
        yaml.push_str(&format!("r{k}: *a{layers}\n"));
    }
    // Nested flow brackets, closed or not.
    let depth = b.next(128) * 2;
    yaml.push_str(&format!("deep: {}{}\n", "[".repeat(depth), "]".repeat(if b.next(2) == 0 { depth } else { 0 })));
    yaml.push_str("intents:\n  hi:\n    examples: [hello, hi there]\n");
    // The rest of the input, as more of the file.
    yaml.push_str(&String::from_utf8_lossy(b.0));
    let _ = kefu_core::Bot::from_yaml("shapes.yaml", &yaml);
});
