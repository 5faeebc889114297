//! Any text as a knowledge document, and any text as a question to it: the bot loads, and
//! every answer quotes the document's own characters at the spans it cites — never a
//! panic, never a citation past the end or off a character boundary.
#![no_main]

use kefu_core::{BotLoader, Document, Session};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first line asks; the rest is the document (so the question can share its words).
    let (question, body) = text.split_once('\n').unwrap_or((&text, &text));
    let documents = [Document { name: "doc.md".into(), text: body.to_string() }];
    let bot = BotLoader::new()
        .documents(&documents)
        .from_yaml("k.yaml", "version: 1\nknowledge:\n  threshold: 0\n  documents:\n    - name: doc.md\n")
        .expect("any document text loads");
    let chars: Vec<char> = body.chars().collect();
    for passage in bot.knowledge_passages() {
        assert_eq!(chars[passage.start..passage.end].iter().collect::<String>(), passage.text);
    }
    if let Ok(turn) = Session::new(&bot).turn(&bot, question) {
        for c in &turn.citations {
            assert_eq!(chars[c.start..c.end].iter().collect::<String>(), c.text);
            assert!(turn.replies.iter().any(|r| r.contains(&c.text)));
        }
    }
});
