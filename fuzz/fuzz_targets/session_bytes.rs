//! Any bytes as a saved session of the sample bot: a session or a typed error; a restored
//! session keeps working. Inputs starting with `{` are also tried as the JSON payload
//! behind a valid header and checksum, so the fuzzer gets past the CRC and exercises the
//! payload's parsing and checks.
#![no_main]
use std::sync::OnceLock;

static BOT: OnceLock<kefu_core::Bot> = OnceLock::new();

fn with_header(payload: &[u8]) -> Vec<u8> {
    let mut out = b"KEFU".to_vec();
    out.extend_from_slice(&kefu_core::SESSION_FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&kefu_core::crc32(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let bot = BOT.get_or_init(|| {
        kefu_core::Bot::from_yaml("shop.yaml", include_str!("../../examples/bots/shop.yaml")).expect("sample bot")
    });
    let framed = data.first().filter(|&&b| b == b'{').map(|_| with_header(data));
    for bytes in [Some(data.to_vec()), framed].into_iter().flatten() {
        if let Ok(mut session) = kefu_core::Session::from_bytes(bot, &bytes) {
            for utterance in ["where is my order 12345678", "是的", "转人工"] {
                let _ = session.turn(bot, utterance);
            }
            let _ = session.agent_finished();
            let again = kefu_core::Session::from_bytes(bot, &session.to_bytes()).expect("round trip");
            assert!(again == session, "a restored session saves and restores unchanged");
        }
    }
});
