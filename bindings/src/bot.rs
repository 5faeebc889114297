//! [`Bot`]: a loaded bot.

use std::sync::Arc;

use crate::KefuError;

/// A loaded bot, shared by any number of sessions and threads.
#[derive(Debug, uniffi::Object)]
pub struct Bot {
    pub(crate) inner: kefu_core::Bot,
}

#[uniffi::export]
impl Bot {
    /// Loads a bot from YAML or JSON text; `name` names the file in error messages.
    #[uniffi::constructor]
    pub fn from_yaml(name: String, source: String) -> Result<Arc<Bot>, KefuError> {
        Ok(Arc::new(Bot { inner: kefu_core::Bot::from_yaml(&name, &source)? }))
    }

    /// Loads a bot from UTF-8 bytes of a YAML or JSON file.
    #[uniffi::constructor]
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Arc<Bot>, KefuError> {
        Ok(Arc::new(Bot { inner: kefu_core::Bot::from_bytes(&name, &bytes)? }))
    }

    /// The bot's name.
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The intent names.
    pub fn intent_names(&self) -> Vec<String> {
        self.inner.intent_names().map(str::to_string).collect()
    }

    /// Languages the bot answers in (`zh`, `en`); the first is its default.
    pub fn languages(&self) -> Vec<String> {
        self.inner.languages().iter().map(|l| l.code().to_string()).collect()
    }

    /// `embedded` or `onnx`.
    pub fn tier(&self) -> String {
        self.inner.tier().code().to_string()
    }

    /// How many of the bot's models came from the encoder's bundle instead of training.
    pub fn reused_heads(&self) -> u32 {
        self.inner.reused_heads() as u32
    }
}
