//! Any bytes as a model bundle: a parsed bundle or a typed error, never a panic or a read
//! past the end; a parsed bundle saves back to the same bundle. Inputs that start with `{`
//! are also tried behind a valid header, up to the first `}` as the metadata section and
//! the rest as the sections after it (so the fuzzer reaches the model, tokenizer, embedding
//! and head sections past the checksum).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let framed = data.first().filter(|&&b| b == b'{').map(|_| {
        let end = data.iter().position(|&b| b == b'}').map_or(data.len(), |i| i + 1);
        let mut body = (end as u64).to_le_bytes().to_vec();
        body.extend_from_slice(data);
        let mut out = b"KEFUMODL".to_vec();
        out.extend_from_slice(&kefu_core::MODEL_BUNDLE_VERSION.to_le_bytes());
        out.extend_from_slice(&kefu_core::crc32(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    });
    for bytes in [Some(data.to_vec()), framed].into_iter().flatten() {
        if let Ok(bundle) = kefu_core::ModelBundle::from_bytes(&bytes) {
            let again = kefu_core::ModelBundle::from_bytes(&bundle.to_bytes()).expect("round trip");
            assert!(again == bundle, "a parsed bundle saves and parses unchanged");
        }
    }
});
