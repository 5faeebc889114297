//! Knowledge-gap mining on arbitrary logs: each input line is read as a `TurnLog` JSON
//! object, else taken as the text of an unanswered line. Mining never panics, and the bot
//! file it writes always loads.
#![no_main]
use std::sync::OnceLock;

static BOT: OnceLock<kefu_core::Bot> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let bot = BOT.get_or_init(|| {
        kefu_core::Bot::from_yaml("shop.yaml", include_str!("../../examples/bots/shop.yaml")).expect("sample bot")
    });
    let text = String::from_utf8_lossy(data);
    let logs: Vec<kefu_core::TurnLog> = text
        .lines()
        .take(200)
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|_| {
                let outcome = kefu_core::TurnOutcome::Fallback;
                kefu_core::TurnLog::new(line.to_string(), "zh".into(), None, Vec::new(), outcome, Vec::new())
            })
        })
        .collect();
    let mining = kefu_core::mine(bot, &logs);
    if !mining.candidates.is_empty() {
        let yaml = mining.to_bot_file();
        if let Err(e) = kefu_core::Bot::from_yaml("mined.yaml", &yaml) {
            panic!("the mined bot file does not load: {e}\n{yaml}");
        }
    }
    let _ = kefu_core::top_topics(bot, &logs, kefu_core::TopicKind::Questions, 5);
});
