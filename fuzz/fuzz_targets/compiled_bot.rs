//! Any bytes as a compiled bot (`kefu compile`): a bot or a typed error, never a panic or
//! a read past the end; a bot loaded this way compiles to bytes that load and compile to
//! the same bytes again.
//! Inputs that start with `{` are also tried behind a valid header as the bot file section
//! (JSON), with no heads, so the fuzzer reaches the checks and training past the checksum.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let framed = data.first().filter(|&&b| b == b'{').map(|_| {
        let mut body = (data.len() as u64).to_le_bytes().to_vec();
        body.extend_from_slice(data);
        body.extend_from_slice(&0u64.to_le_bytes());
        let mut out = b"KEFUBOT\0".to_vec();
        out.extend_from_slice(&kefu_core::COMPILED_BOT_VERSION.to_le_bytes());
        out.extend_from_slice(&kefu_core::crc32(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    });
    for bytes in [Some(data.to_vec()), framed].into_iter().flatten() {
        if let Ok(bot) = kefu_core::Bot::from_compiled("fuzz.kefubot", &bytes) {
            let compiled = bot.to_compiled(true);
            let again = kefu_core::Bot::from_compiled("again.kefubot", &compiled).expect("round trip");
            assert!(again.to_compiled(true) == compiled, "a compiled bot compiles back to the same bytes");
        }
    }
});
