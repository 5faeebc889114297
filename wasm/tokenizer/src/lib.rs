//! Hugging Face `tokenizers` for the page: the text half of kefu's ONNX tier in a browser.
//!
//! The encoder itself runs in ONNX Runtime Web, which the page loads; `kefu/encoder.js`
//! joins the two. Kept apart from the main package so that pages on the embedded tier never
//! download it (about 650 KB gzipped).
#![deny(missing_docs)]

use wasm_bindgen::prelude::*;

/// A tokenizer loaded from a `tokenizer.json`.
#[wasm_bindgen]
pub struct Tokenizer(tokenizers::Tokenizer);

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer").finish_non_exhaustive()
    }
}

fn js_error(what: &str, e: impl std::fmt::Display) -> JsValue {
    JsError::new(&format!("{what}: {e}")).into()
}

#[wasm_bindgen]
impl Tokenizer {
    /// Loads the bytes of a `tokenizer.json`.
    #[wasm_bindgen(constructor)]
    pub fn new(json: &[u8]) -> Result<Tokenizer, JsValue> {
        tokenizers::Tokenizer::from_bytes(json)
            .map(Tokenizer)
            .map_err(|e| js_error("tokenizer.json is not a Hugging Face tokenizer", e))
    }

    /// The token ids of `text`, with the model's special tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, JsValue> {
        self.0.encode(text, true).map(|e| e.get_ids().to_vec()).map_err(|e| js_error("tokenizing failed", e))
    }
}
