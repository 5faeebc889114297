//! Any bytes as a saved session of the sample bot: a session or a typed error; a restored
//! session keeps working. Inputs starting with `{` are also tried as the JSON payload
//! behind a valid header, checksum and fingerprint, so the fuzzer gets past the CRC and exercises the
//! payload's parsing and checks.
#![no_main]
use std::sync::OnceLock;

static BOT: OnceLock<kefu_core::Bot> = OnceLock::new();

/// `payload` behind a valid header, checksum and the sample bot's fingerprint (taken from
/// a session of it, so the payload's own checks are what is exercised).
fn with_header(bot: &kefu_core::Bot, payload: &[u8]) -> Vec<u8> {
    let saved = kefu_core::Session::new(bot).to_bytes();
    let mut body = saved[10..14].to_vec();
    body.extend_from_slice(payload);
    let mut out = saved[..6].to_vec();
    out.extend_from_slice(&kefu_core::crc32(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let bot = BOT.get_or_init(|| {
        kefu_core::Bot::from_yaml("shop.yaml", include_str!("../../examples/bots/shop.yaml")).expect("sample bot")
    });
    let framed = data.first().filter(|&&b| b == b'{').map(|_| with_header(bot, data));
    for bytes in [Some(data.to_vec()), framed].into_iter().flatten() {
        if let Ok(mut session) = kefu_core::Session::from_bytes(bot, &bytes) {
            for utterance in ["where is my order 12345678", "是的", "转人工"] {
                let _ = session.turn(bot, utterance);
            }
            let _ = session.agent_finished(bot);
            let again = kefu_core::Session::from_bytes(bot, &session.to_bytes()).expect("round trip");
            assert!(again == session, "a restored session saves and restores unchanged");
        }
    }
});
