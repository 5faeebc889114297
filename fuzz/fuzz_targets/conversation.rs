//! A whole conversation: the input split at newlines is a sequence of utterances, with
//! `\x01` standing for "the agent finished", `\x02` for a save/restore round trip, `\x03`
//! for the host asking the survey, and a line starting `\x04` for the agent's line after it.
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
                let _ = session.agent_finished(bot);
            }
            "\x02" => {
                session = kefu_core::Session::from_bytes(bot, &session.to_bytes()).expect("round trip");
                let _ = session.outcome();
            }
            "\x03" => {
                let _ = session.ask_survey(bot);
            }
            _ if line.starts_with('\x04') => {
                let _ = session.agent_message(bot, &line[1..]);
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
