//! Every entity extractor (built-in and the sample bot's custom ones) on any text at any
//! reference time: spans lie inside the utterance and `raw` is exactly the text they cover.
//! The first 10 bytes choose the reference time; the rest is the utterance.
#![no_main]
use std::sync::OnceLock;

static BOT: OnceLock<kefu_core::Bot> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let bot = BOT.get_or_init(|| {
        kefu_core::Bot::from_yaml("shop.yaml", include_str!("../../examples/bots/shop.yaml")).expect("sample bot")
    });
    let (head, rest) = data.split_at(data.len().min(10));
    let mut seconds = [0u8; 8];
    seconds[..head.len().min(8)].copy_from_slice(&head[..head.len().min(8)]);
    let now = kefu_core::ReferenceTime {
        unix_seconds: i64::from_le_bytes(seconds),
        utc_offset_minutes: i32::from(head.get(8).copied().unwrap_or(0) as i8) * 15,
    };
    let text = String::from_utf8_lossy(rest);
    let chars: Vec<char> = text.chars().collect();
    for at in [None, Some(now)] {
        for e in bot.extract_entities(&text, at) {
            assert!(e.start < e.end && e.end <= chars.len(), "span {}..{} of {} chars", e.start, e.end, chars.len());
            let covered: String = chars[e.start..e.end].iter().collect();
            assert_eq!(covered, e.raw, "raw text of a {} entity", e.entity);
            assert!(!e.value.is_empty(), "empty value of a {} entity", e.entity);
        }
    }
});
