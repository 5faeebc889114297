//! The ONNX tier (feature `onnx`): [`Encoder`] wraps `kefu-onnx`; [`LoadProgress`]
//! reports a bot's load on it.

use std::sync::Arc;

use crate::{Bot, KefuError};

/// The ONNX tier's sentence encoder (`model.onnx` + `tokenizer.json`), shared by bots.
/// ONNX Runtime is loaded from the file named by the `KEFU_ONNXRUNTIME` environment variable
/// (or `libonnxruntime.so` on the library path).
#[cfg(feature = "onnx")]
#[derive(Debug, uniffi::Object)]
pub struct Encoder {
    inner: Arc<kefu_onnx::OnnxEncoder>,
}

#[cfg(feature = "onnx")]
#[uniffi::export]
impl Encoder {
    /// An encoder from the bytes of `model.onnx` and `tokenizer.json` (e5 `query: ` prefix).
    #[uniffi::constructor]
    pub fn from_bytes(model: Vec<u8>, tokenizer_json: Vec<u8>) -> Result<Arc<Encoder>, KefuError> {
        Ok(Arc::new(Encoder {
            inner: Arc::new(kefu_onnx::OnnxEncoder::from_bytes(&model, &tokenizer_json, "query: ")?),
        }))
    }

    /// An encoder from a model bundle (`kefu bundle --encoder DIR --bot BOT`): with the
    /// embeddings of that bot's examples and the models trained on them, so loading the bot
    /// on it neither embeds its examples nor trains (a bot with 15,000 examples: about 2 s
    /// instead of 40 s). A damaged bundle is a [`KefuError::Onnx`] that says so.
    #[uniffi::constructor]
    pub fn from_bundle(bundle: Vec<u8>) -> Result<Arc<Encoder>, KefuError> {
        let bundle = kefu_core::ModelBundle::from_bytes(&bundle)?;
        Ok(Arc::new(Encoder { inner: Arc::new(kefu_onnx::OnnxEncoder::from_bundle(&bundle)?) }))
    }

    /// Length of the embeddings.
    pub fn dimension(&self) -> u32 {
        self.inner.dimension() as u32
    }
}

/// Told how far loading a bot on the ONNX tier has come (every example is embedded once:
/// about a minute for 10k examples), e.g. to move a progress bar. Called on the loading
/// thread.
#[cfg(feature = "onnx")]
#[uniffi::export(with_foreign)]
pub trait LoadProgress: Send + Sync {
    /// `done` of `total` examples are embedded.
    fn on_progress(&self, done: u32, total: u32);
}

#[cfg(feature = "onnx")]
#[uniffi::export]
impl Bot {
    /// Loads a bot on the ONNX tier: its intent model uses `encoder`'s sentence embeddings.
    #[uniffi::constructor]
    pub fn from_yaml_with_encoder(name: String, source: String, encoder: &Encoder) -> Result<Arc<Bot>, KefuError> {
        let inner = kefu_core::BotLoader::new().encoder(encoder.inner.clone()).from_yaml(&name, &source)?;
        Ok(Arc::new(Bot { inner }))
    }

    /// [`Bot::from_yaml_with_encoder`], reporting to `progress` as the examples are embedded.
    #[uniffi::constructor]
    pub fn from_yaml_with_encoder_progress(
        name: String,
        source: String,
        encoder: &Encoder,
        progress: Arc<dyn LoadProgress>,
    ) -> Result<Arc<Bot>, KefuError> {
        let mut report = |done: usize, total: usize| progress.on_progress(done as u32, total as u32);
        let inner = kefu_core::BotLoader::new()
            .encoder(encoder.inner.clone())
            .progress(&mut report)
            .from_yaml(&name, &source)?;
        Ok(Arc::new(Bot { inner }))
    }
}
