//! Trained heads kept by the key of their training run ([`Softmax::training_key`]), so a
//! bot loaded again from a model bundle reuses its ONNX-tier classifiers instead of
//! training them (tens of seconds for ten thousand examples).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::linear::{Softmax, TrainParams};
use super::SparseVec;

/// Heads read from a model bundle; lookups only, so it is shared without a lock.
#[derive(Debug, Default)]
pub(crate) struct HeadCache {
    heads: BTreeMap<u64, Arc<Softmax>>,
}

/// A head and whether it came from the cache.
pub(crate) struct Head {
    pub model: Arc<Softmax>,
    pub key: u64,
    pub reused: bool,
}

impl HeadCache {
    /// Parses the heads of a bundle (key → [`Softmax::to_bytes`]); `Err` names the first
    /// damaged one.
    pub fn from_bytes(heads: &BTreeMap<u64, Vec<u8>>) -> Result<HeadCache, u64> {
        let heads = heads
            .iter()
            .map(|(&key, bytes)| Softmax::from_bytes(bytes).map(|m| (key, Arc::new(m))).ok_or(key))
            .collect::<Result<_, _>>()?;
        Ok(HeadCache { heads })
    }

    /// Whether `bytes` hold a head ([`Softmax::to_bytes`]).
    pub fn is_valid_head(bytes: &[u8]) -> bool {
        Softmax::from_bytes(bytes).is_some()
    }

    /// The cached head of this training run if there is one of the right shape, else a
    /// newly trained one.
    pub fn get_or_train(
        cache: Option<&HeadCache>,
        xs: &[SparseVec],
        ys: &[usize],
        columns: usize,
        classes: usize,
        p: TrainParams,
    ) -> Head {
        let key = Softmax::training_key(xs, ys, columns, classes, p);
        let cached = cache.and_then(|c| c.heads.get(&key)).filter(|m| m.columns() == columns && m.classes() == classes);
        match cached {
            Some(model) => Head { model: model.clone(), key, reused: true },
            None => Head { model: Arc::new(Softmax::train(xs, ys, columns, classes, p)), key, reused: false },
        }
    }
}
