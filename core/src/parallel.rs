//! Work spread over the host's cores where it has threads (not on wasm32; `KEFU_THREADS`
//! caps them), in a fixed order: results never depend on how many cores there are. Used
//! at load (featurising the examples, the model beside the threshold's trainings); turns
//! stay on the caller's thread.

/// `f` of every item, in the items' order, computed on up to one thread per core in
/// contiguous chunks of at least `min_chunk` items. A panic in `f` is raised again here.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], min_chunk: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = cores().min(items.len() / min_chunk.max(1)).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// `a()` and `b()`, side by side where the host has threads.
pub(crate) fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if cores() == 1 {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(b);
        let first = a();
        match other.join() {
            Ok(second) => (first, second),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Environment variable that caps the threads kefu starts for its own work (at least 1).
pub const THREADS_ENV: &str = "KEFU_THREADS";

/// Threads to use: the host's cores or [`THREADS_ENV`], read once; one on wasm32 (no
/// threads there).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        if cfg!(target_arch = "wasm32") {
            return 1;
        }
        let host = std::thread::available_parallelism().map_or(1, |n| n.get());
        let cap = std::env::var(THREADS_ENV).ok().and_then(|v| v.trim().parse::<usize>().ok());
        cap.map_or(host, |cap| cap.clamp(1, host))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_whatever_the_chunks() {
        let items: Vec<u64> = (0..1000).collect();
        for min_chunk in [1, 7, 100, 5000] {
            assert_eq!(map(&items, min_chunk, |x| x * x), items.iter().map(|x| x * x).collect::<Vec<_>>());
        }
        assert_eq!(join(|| 1, || "two"), (1, "two"));
    }

    #[test]
    fn a_panic_in_a_worker_is_raised_to_the_caller() {
        let items: Vec<u32> = (0..64).collect();
        let caught = std::panic::catch_unwind(|| map(&items, 1, |&x| if x == 50 { panic!("item 50") } else { x }));
        assert!(caught.is_err());
    }
}
