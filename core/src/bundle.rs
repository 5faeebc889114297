//! Model bundles: one versioned file with everything the ONNX tier needs — the encoder
//! (`model.onnx`), its `tokenizer.json`, metadata, the embeddings of texts already
//! embedded (a bot's examples) and the heads already trained on them, so reloading a bot
//! neither runs the encoder for its examples nor trains its classifiers again.
//!
//! Layout (little-endian): `KEFUMODL`, format version (u16), CRC-32 of the rest (u32), then
//! sections each prefixed with a u64 length: metadata JSON, model, tokenizer, embedding
//! cache (`u64 text hash` + `dimension × f32` per entry), and since version 2 the heads
//! (`u64 training key` + `u64 length` + that many bytes per head). Version 1 files (no
//! heads) still load. Parsing is pure Rust (no ONNX Runtime), checks every length against
//! the bytes present, and fails with [`Error::ModelBundle`] instead of reading past the end.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checksum::crc32;
use crate::error::{Error, Result};
use crate::framing::Reader;

/// Format version of model bundles.
pub const MODEL_BUNDLE_VERSION: u16 = 2;
const MAGIC: &[u8; 8] = b"KEFUMODL";

/// What a bundle says about its encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleMetadata {
    /// A name for people (`multilingual-e5-small-enzh-int8`).
    pub name: String,
    /// Text put before each input (`query: ` for e5).
    pub prefix: String,
    /// Length of the embeddings.
    pub dimension: usize,
}

/// A parsed model bundle.
#[derive(Clone, PartialEq)]
pub struct ModelBundle {
    /// The metadata.
    pub metadata: BundleMetadata,
    /// `model.onnx`.
    pub model: Vec<u8>,
    /// `tokenizer.json`.
    pub tokenizer: Vec<u8>,
    /// Embeddings by hash of the prefixed text.
    pub embeddings: BTreeMap<u64, Vec<f32>>,
    /// Trained heads by the key of their training run ([`crate::Bot::trained_heads`]);
    /// opaque bytes, checked when the bundle is parsed and when an encoder loads it.
    pub heads: BTreeMap<u64, Vec<u8>>,
}

impl std::fmt::Debug for ModelBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelBundle")
            .field("metadata", &self.metadata)
            .field("model_bytes", &self.model.len())
            .field("tokenizer_bytes", &self.tokenizer.len())
            .field("cached_embeddings", &self.embeddings.len())
            .field("cached_heads", &self.heads.len())
            .finish()
    }
}

/// FNV-1a of a text, the embedding cache's key.
pub(crate) fn text_key(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3))
}

fn bad(reason: impl Into<String>) -> Error {
    Error::ModelBundle(reason.into())
}

/// The error for a cached head that does not parse.
pub(crate) fn damaged_head(key: u64) -> Error {
    bad(format!("the cached head {key:016x} is damaged; rebuild the bundle with `kefu bundle`"))
}

impl ModelBundle {
    /// Parses bundle bytes (see the module docs for the layout).
    pub fn from_bytes(bytes: &[u8]) -> Result<ModelBundle> {
        if bytes.len() < 14 || &bytes[..8] != MAGIC {
            return Err(bad("not a kefu model bundle (no KEFUMODL header); build one with `kefu bundle`"));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if !(1..=MODEL_BUNDLE_VERSION).contains(&version) {
            return Err(bad(format!(
                "bundle format version {version}; this build reads versions 1 to {MODEL_BUNDLE_VERSION}: rebuild the bundle with this build's `kefu bundle`"
            )));
        }
        let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
        let body = &bytes[14..];
        if crc32(body) != crc {
            return Err(bad("the bundle is damaged (checksum mismatch); copy it again"));
        }
        let mut r = Reader::new(body, Error::ModelBundle);
        let metadata: BundleMetadata = serde_json::from_slice(r.section("metadata")?).map_err(|_| {
            bad("the bundle metadata is not valid JSON of a name, a prefix and a dimension; rebuild the bundle")
        })?;
        let model = r.section("model")?.to_vec();
        let tokenizer = r.section("tokenizer")?.to_vec();
        let cache = r.section("embedding cache")?;
        let entry = 8 + metadata.dimension.checked_mul(4).ok_or_else(|| bad("the dimension is too large"))?;
        if metadata.dimension == 0 || cache.len() % entry != 0 {
            return Err(bad("the embedding cache does not match the bundle's dimension"));
        }
        let mut embeddings = BTreeMap::new();
        for chunk in cache.chunks_exact(entry) {
            let mut c = Reader::new(chunk, Error::ModelBundle);
            let key = c.u64("embedding cache")?;
            let floats: Vec<f32> =
                chunk[8..].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            if floats.iter().any(|x| !x.is_finite()) {
                return Err(bad("the embedding cache holds a value that is not a finite number; rebuild the bundle"));
            }
            embeddings.insert(key, floats);
        }
        let heads = match version {
            1 => BTreeMap::new(),
            _ => crate::intent::decode_heads(r.section("heads")?, Error::ModelBundle, damaged_head)?,
        };
        if !r.rest.is_empty() {
            return Err(bad("the bundle has trailing bytes after its last section"));
        }
        Ok(ModelBundle { metadata, model, tokenizer, embeddings, heads })
    }

    /// `Err` naming the first of [`ModelBundle::heads`] that is not a trained head (a
    /// bundle read by [`ModelBundle::from_bytes`] has passed this check already).
    pub fn check_heads(&self) -> Result<()> {
        crate::intent::check_heads(&self.heads).map_err(damaged_head)
    }

    /// The key of `text`'s embedding in [`ModelBundle::embeddings`] for an encoder that
    /// puts `prefix` before each input.
    pub fn embedding_key(prefix: &str, text: &str) -> u64 {
        text_key(&format!("{prefix}{text}"))
    }

    /// The cached embedding of `text` (keyed with the bundle's prefix), if it has one of the
    /// bundle's dimension.
    pub fn embedding_of(&self, text: &str) -> Option<&[f32]> {
        let key = text_key(&format!("{}{text}", self.metadata.prefix));
        self.embeddings.get(&key).map(Vec::as_slice).filter(|v| v.len() == self.metadata.dimension)
    }

    /// Caches the embedding of `text` (keyed with the bundle's prefix).
    pub fn insert_embedding(&mut self, text: &str, embedding: Vec<f32>) {
        self.embeddings.insert(text_key(&format!("{}{text}", self.metadata.prefix)), embedding);
    }

    /// The bundle as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising three plain fields cannot fail.
        let metadata = serde_json::to_vec(&self.metadata).unwrap_or_default();
        let mut cache = Vec::with_capacity(self.embeddings.len() * (8 + 4 * self.metadata.dimension));
        for (key, v) in self.embeddings.iter().filter(|(_, v)| v.len() == self.metadata.dimension) {
            cache.extend_from_slice(&key.to_le_bytes());
            v.iter().for_each(|x| cache.extend_from_slice(&x.to_le_bytes()));
        }
        let heads = crate::intent::encode_heads(&self.heads);
        crate::framing::write(MAGIC, MODEL_BUNDLE_VERSION, &[&metadata, &self.model, &self.tokenizer, &cache, &heads])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ModelBundle {
        let metadata = BundleMetadata { name: "t".into(), prefix: "query: ".into(), dimension: 2 };
        let embeddings = BTreeMap::from([(text_key("hi"), vec![0.6, 0.8])]);
        // Heads of one class and no columns: a bias each.
        let head = |bias: f32| [&1u32.to_le_bytes()[..], &0u32.to_le_bytes(), &bias.to_le_bytes()].concat();
        let heads = BTreeMap::from([(7, head(0.5)), (9, head(-1.0))]);
        ModelBundle { metadata, model: vec![1, 2, 3], tokenizer: b"{}".to_vec(), embeddings, heads }
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let bytes = sample().to_bytes();
        assert_eq!(ModelBundle::from_bytes(&bytes).ok(), Some(sample()));
        for cut in [0, 5, 13, 20, bytes.len() - 1] {
            assert!(matches!(ModelBundle::from_bytes(&bytes[..cut]), Err(Error::ModelBundle(_))), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert!(matches!(ModelBundle::from_bytes(&flipped), Err(Error::ModelBundle(m)) if m.contains("damaged")));
        let mut nan = sample();
        nan.embeddings.insert(1, vec![f32::NAN, 0.0]);
        let err = ModelBundle::from_bytes(&nan.to_bytes());
        assert!(matches!(&err, Err(Error::ModelBundle(m)) if m.contains("not a finite number")), "{err:?}");
        let mut damaged_head = sample();
        damaged_head.heads.insert(3, vec![1, 2, 3]);
        let err = ModelBundle::from_bytes(&damaged_head.to_bytes());
        assert!(
            matches!(&err, Err(Error::ModelBundle(m)) if m.contains("head 0000000000000003 is damaged")),
            "{err:?}"
        );
        let mut version = bytes;
        version[8] = 9;
        assert!(matches!(ModelBundle::from_bytes(&version), Err(Error::ModelBundle(m)) if m.contains("version 9")));
    }

    #[test]
    fn embeddings_are_found_by_text_with_the_prefix() {
        let mut b = sample();
        assert_eq!(b.embedding_of("hi"), None, "keyed with the prefix, not the bare text");
        b.insert_embedding("hi", vec![1.0, 0.0]);
        assert_eq!(b.embedding_of("hi"), Some(&[1.0, 0.0][..]));
        b.insert_embedding("short", vec![1.0]);
        assert_eq!(b.embedding_of("short"), None, "not the bundle's dimension");
    }

    #[test]
    fn version_1_bundles_load_without_heads() {
        let mut v1 = sample();
        v1.heads.clear();
        let mut bytes = v1.to_bytes();
        // A version 1 file is the same without the (here empty) heads section.
        bytes.truncate(bytes.len() - 8);
        bytes[8..10].copy_from_slice(&1u16.to_le_bytes());
        let crc = crc32(&bytes[14..]);
        bytes[10..14].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(ModelBundle::from_bytes(&bytes).ok(), Some(v1));
    }
}
