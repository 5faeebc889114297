//! Without ONNX Runtime, the ONNX tier fails with an error that says what to install (its
//! own test binary: the library loads once per process).

#[test]
fn a_missing_onnxruntime_library_says_what_to_install() {
    let missing = std::path::Path::new("/nonexistent/libonnxruntime.so.1.31.1");
    match kefu_onnx::load_onnxruntime(Some(missing)) {
        Err(kefu_core::Error::Onnx(message)) => {
            assert!(message.contains("pip install onnxruntime==1.31.1"), "{message}");
            assert!(message.contains("KEFU_ONNXRUNTIME"), "{message}");
        }
        other => panic!("expected a typed error, got {:?}", other.map(|_| ())),
    }
}
