//! Trained heads kept by the key of their training run ([`Softmax::training_key`]), so a
//! bot loaded again from a model bundle or a compiled bot reuses its classifiers instead
//! of training them (tens of seconds for ten thousand examples on the ONNX tier), and
//! beside each its chosen threshold ([`Calibration::cache_key`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::linear::{Shape, Softmax, TrainParams};
use super::{Calibration, SparseVec};

/// Heads as a model bundle holds them: key → [`Softmax::to_bytes`] (or
/// [`Calibration::to_bytes`]). Kept as bytes: each bot that reuses one parses its own copy.
pub(crate) type HeadCache = BTreeMap<u64, Vec<u8>>;

/// A head and whether it came from the cache.
pub(crate) struct Head {
    pub model: Arc<Softmax>,
    pub key: u64,
    pub reused: bool,
}

/// Whether `bytes` hold a head ([`Softmax::to_bytes`]) or a head's calibration.
pub(crate) fn is_valid_head(bytes: &[u8]) -> bool {
    Calibration::from_bytes(bytes).is_some() || Softmax::from_bytes(bytes).is_some()
}

/// The heads as one file section: per head its key (u64), length (u64) and bytes.
pub(crate) fn encode(heads: &HeadCache) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, bytes) in heads {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// Parses [`encode`]: a section cut short is `fail`'s error, a head that does not parse
/// `damaged`'s.
pub(crate) fn decode(
    bytes: &[u8],
    fail: fn(String) -> crate::Error,
    damaged: impl Fn(u64) -> crate::Error,
) -> crate::Result<HeadCache> {
    let mut r = crate::framing::Reader::new(bytes, fail);
    let mut heads = HeadCache::new();
    while !r.rest.is_empty() {
        let key = r.u64("heads")?;
        let head = r.section("heads")?;
        if !is_valid_head(head) {
            return Err(damaged(key));
        }
        heads.insert(key, head.to_vec());
    }
    Ok(heads)
}

/// The cached calibration of the head trained under `key` with this background class, if
/// there is one.
pub(crate) fn cached_calibration(
    cache: Option<&HeadCache>,
    key: u64,
    background: Option<usize>,
) -> Option<Calibration> {
    cache?.get(&Calibration::cache_key(key, background)).and_then(|bytes| Calibration::from_bytes(bytes))
}

/// `Err` with the key of the first head that does not parse.
pub(crate) fn check_heads(heads: &HeadCache) -> Result<(), u64> {
    heads.iter().find(|(_, bytes)| !is_valid_head(bytes)).map_or(Ok(()), |(&key, _)| Err(key))
}

/// The cached head of the training run `key` ([`Softmax::training_key`]) if there is one
/// of the right shape, else a newly trained one.
pub(crate) fn get_or_train(
    cache: Option<&HeadCache>,
    key: u64,
    xs: &[SparseVec],
    ys: &[usize],
    shape: Shape,
    p: TrainParams,
) -> Head {
    let cached = cache
        .and_then(|c| c.get(&key))
        .and_then(|bytes| Softmax::from_bytes(bytes))
        .filter(|m| m.columns() == shape.columns() && m.classes() == shape.classes);
    match cached {
        Some(model) => Head { model: Arc::new(model), key, reused: true },
        None => Head { model: Arc::new(Softmax::train(xs, ys, shape, p)), key, reused: false },
    }
}
