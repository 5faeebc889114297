//! Any bytes as a saved session of the sample bot: a session or a typed error; a restored
//! session keeps working.
#![no_main]
use std::sync::OnceLock;

static BOT: OnceLock<kefu_core::Bot> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let bot = BOT.get_or_init(|| {
        kefu_core::Bot::from_yaml("shop.yaml", include_str!("../../examples/bots/shop.yaml")).expect("sample bot")
    });
    if let Ok(mut session) = kefu_core::Session::from_bytes(bot, data) {
        let _ = session.turn(bot, "where is my order 12345678");
    }
});
