//! Sentence embeddings of a dataset split for a dense tier. The ONNX tier's are computed
//! once and cached under `target/embeddings/` (keyed by the texts and the model file), so
//! reruns skip the encoder; the static tier's take well under a second and are not cached.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kefu_core::SentenceEncoder;

use super::loaders::Example;

/// An encoder and, for the ONNX tier, where its cached embeddings live.
pub(crate) struct Embedder {
    pub encoder: Arc<dyn SentenceEncoder>,
    cache: Option<PathBuf>,
    model_key: u64,
}

fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
    }
    h
}

impl Embedder {
    /// A static embedding table file, or an ONNX encoder folder.
    pub(crate) fn load(path: &Path) -> Result<Embedder, String> {
        let encoder = crate::load_any_encoder(path)?;
        if encoder.tier() == kefu_core::Tier::Static {
            return Ok(Embedder { encoder, cache: None, model_key: 0 });
        }
        let model = std::fs::read(path.join("model.onnx")).map_err(|e| e.to_string())?;
        let model_key = fnv(&model[..model.len().min(1 << 20)], fnv(&model.len().to_le_bytes(), 0xCBF2_9CE4_8422_2325));
        Ok(Embedder { encoder, cache: Some(PathBuf::from("target/embeddings")), model_key })
    }

    /// The tier's name in reports (`onnx`, `static`).
    pub(crate) fn tier(&self) -> &'static str {
        self.encoder.tier().code()
    }

    /// The embeddings of `examples`, from the cache or the encoder (with progress on stderr).
    pub(crate) fn embed(&self, label: &str, examples: &[Example]) -> Result<Vec<Vec<f32>>, String> {
        let Some(cache) = &self.cache else {
            return examples.iter().map(|e| self.encoder.embed(&e.text).map_err(|e| e.to_string())).collect();
        };
        let key = examples.iter().fold(self.model_key, |h, e| fnv(e.text.as_bytes(), fnv(b"\n", h)));
        let path = cache.join(format!("{label}-{}-{key:016x}.f32", examples.len()));
        let dim = self.encoder.dimension();
        if let Ok(bytes) = std::fs::read(&path) {
            if bytes.len() == examples.len() * dim * 4 {
                let floats: Vec<f32> =
                    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
                return Ok(floats.chunks(dim).map(<[f32]>::to_vec).collect());
            }
        }
        let mut out = Vec::with_capacity(examples.len());
        let mut progress = crate::progress::Progress::new(&format!("embedding {label}"), examples.len());
        for e in examples {
            out.push(self.encoder.embed(&e.text).map_err(|e| e.to_string())?);
            progress.step();
        }
        progress.finish();
        std::fs::create_dir_all(cache).map_err(|e| e.to_string())?;
        let mut file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for v in &out {
            for x in v {
                file.write_all(&x.to_le_bytes()).map_err(|e| e.to_string())?;
            }
        }
        Ok(out)
    }
}
