//! Any bytes as a model bundle: a parsed bundle or a typed error, never a panic or a read
//! past the end; a parsed bundle saves back to the same bundle. Inputs that start with `{`
//! are also tried as the metadata behind a valid header (so the fuzzer reaches the
//! section parsing past the checksum).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let framed = data.first().filter(|&&b| b == b'{').map(|_| {
        let mut body = (data.len() as u64).to_le_bytes().to_vec();
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
