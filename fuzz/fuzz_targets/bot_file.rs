//! Any bytes as a bot file: a Bot or a BotFile error, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kefu_core::Bot::from_bytes("fuzz.yaml", data);
});
