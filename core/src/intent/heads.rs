//! Trained heads kept by the key of their training run ([`Softmax::training_key`]), so a
//! bot loaded again from a model bundle reuses its ONNX-tier classifiers instead of
//! training them (tens of seconds for ten thousand examples).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::linear::{Shape, Softmax, TrainParams};
use super::SparseVec;

/// Heads as a model bundle holds them: key → [`Softmax::to_bytes`]. Kept as bytes: each
/// bot that reuses one parses its own copy.
pub(crate) type HeadCache = BTreeMap<u64, Vec<u8>>;

/// A head and whether it came from the cache.
pub(crate) struct Head {
    pub model: Arc<Softmax>,
    pub key: u64,
    pub reused: bool,
}

/// Whether `bytes` hold a head ([`Softmax::to_bytes`]).
pub(crate) fn is_valid_head(bytes: &[u8]) -> bool {
    Softmax::from_bytes(bytes).is_some()
}

/// `Err` with the key of the first head that does not parse.
pub(crate) fn check_heads(heads: &HeadCache) -> Result<(), u64> {
    heads.iter().find(|(_, bytes)| !is_valid_head(bytes)).map_or(Ok(()), |(&key, _)| Err(key))
}

/// The cached head of this training run if there is one of the right shape, else a newly
/// trained one.
pub(crate) fn get_or_train(
    cache: Option<&HeadCache>,
    xs: &[SparseVec],
    ys: &[usize],
    shape: Shape,
    p: TrainParams,
) -> Head {
    let key = Softmax::training_key(xs, ys, shape, p);
    let cached = cache
        .and_then(|c| c.get(&key))
        .and_then(|bytes| Softmax::from_bytes(bytes))
        .filter(|m| m.columns() == shape.columns() && m.classes() == shape.classes);
    match cached {
        Some(model) => Head { model: Arc::new(model), key, reused: true },
        None => Head { model: Arc::new(Softmax::train(xs, ys, shape, p)), key, reused: false },
    }
}
