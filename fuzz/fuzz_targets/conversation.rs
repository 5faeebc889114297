//! A whole conversation: the input split at newlines is a sequence of utterances, with
//! `\x01` standing for "the agent finished" and `\x02` for a save/restore round trip.
#![no_main]
use std::sync::OnceLock;

static BOT: OnceLock<kefu_core::Bot> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let bot = BOT.get_or_init(|| {
        kefu_core::Bot::from_yaml("shop.yaml", include_str!("../../examples/bots/shop.yaml")).expect("sample bot")
    });
    let text = String::from_utf8_lossy(data);
    let mut session = kefu_core::Session::new(bot);
    for line in text.split('\n') {
        match line {
            "\x01" => {
                let _ = session.agent_finished();
            }
            "\x02" => {
                session = kefu_core::Session::from_bytes(bot, &session.to_bytes()).expect("round trip");
            }
            _ => {
                let before = session.clone();
                if session.turn(bot, line).is_err() {
                    assert!(session == before, "a failed turn changed the session");
                }
            }
        }
    }
});
