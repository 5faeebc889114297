//! The static tier: [`StaticTable`] wraps the core's static embedding table; it needs no
//! ONNX Runtime, so it is in every build of the library.

use std::sync::Arc;

use crate::{Bot, KefuError};

/// A static embedding table (`tools/build-static`, a few MB): the static tier's sentence
/// vectors, computed in Rust in microseconds. Shared by bots.
#[derive(Debug, uniffi::Object)]
pub struct StaticTable {
    pub(crate) inner: Arc<kefu_core::StaticEncoder>,
}

#[uniffi::export]
impl StaticTable {
    /// A table from its file's bytes (e.g. read from the app's assets). A damaged or
    /// foreign file is a [`KefuError::Onnx`] whose reason says so.
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Arc<StaticTable>, KefuError> {
        Ok(Arc::new(StaticTable { inner: Arc::new(kefu_core::StaticEncoder::from_bytes(&bytes)?) }))
    }

    /// Length of the sentence vectors.
    pub fn dimension(&self) -> u32 {
        self.inner.metadata().dimension as u32
    }
}

#[uniffi::export]
impl Bot {
    /// Loads a bot on the static tier: its intent model reads `table`'s sentence vectors
    /// beside the n-grams. Loads in milliseconds; turns stay in microseconds.
    #[uniffi::constructor]
    pub fn from_yaml_with_static_table(
        name: String,
        source: String,
        table: &StaticTable,
    ) -> Result<Arc<Bot>, KefuError> {
        let inner = kefu_core::BotLoader::new().encoder(table.inner.clone()).from_yaml(&name, &source)?;
        Ok(Arc::new(Bot { inner }))
    }
}
