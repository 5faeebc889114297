//! Training a [`Softmax`] by stochastic gradient descent, deterministically: the shuffles
//! use a fixed seed, so the same data always gives the same model.
//!
//! Two ways, one loss. Up to [`FULL_SOFTMAX_CLASSES`] classes (and whenever a sentence
//! embedding makes every class read every example) each step updates every class whose
//! gradient is not negligible, on a dense matrix of columns × classes. Beyond that, the
//! updates are sparse (issue 24): each step still scores every class, so the softmax is
//! exact, but updates only the example's own class and the wrong classes clearly likelier
//! than the average wrong one; a column learns a weight for a new class only from a push
//! of some size, and keeps a list of its weights until it has them for many classes. The
//! memory and the model follow what was learned instead of vocabulary × classes, and a
//! step's updates follow the classes it confuses instead of all of them.
//!
//! Both apply L2 decay lazily through a global scale and skip the classes whose gradient
//! is below [`NEGLIGIBLE_GRADIENT`].

use super::features::SparseVec;
use super::linear::{ColumnWeights, Shape, Softmax, TrainParams};

/// The most classes trained with every update, as before issue 24: every dataset of
/// `kefu eval` (151 classes at most) and every bot of a few hundred intents keeps its
/// model. (Sparse updates on those datasets: docs/scale.md.)
pub(crate) const FULL_SOFTMAX_CLASSES: usize = 256;

/// The smallest push that gives a column a weight for a class it has none for: smaller
/// ones are noise of the first steps, when every class is about as likely.
const NEW_WEIGHT: f32 = 0.03;

/// The smallest weight a model trained with sparse updates keeps. (The generated bot of
/// 1,000 intents and 10,000 examples, `kefu bench-scale`, held-out lines: unpruned 81.6 %
/// and 112 MB; pruned at 0.03 / 0.1 / 0.2: 81.8 / 82.0 / 82.1 %, 5.1 / 3.3 / 2.9 MiB, turn
/// p50 21.6 / 19.9 / 19.2 µs. CLINC150 trained this way scored 92.47 / 92.49 / 92.20 %.)
const PRUNE: f32 = 0.1;

/// Pushes smaller than this leave a listed weight alone: a tenth of [`NEW_WEIGHT`]. (Same
/// bot: training 2.7 → 1.6 s, accuracy 81.4 → 81.2 %.)
const SMALLEST_PUSH: f32 = 0.003;

/// A column's list becomes a dense row once it holds weights for one class in this many.
const DENSE_SHARE: usize = 8;

/// Gradients this small count as zero: most classes of a step, once training is under way.
const NEGLIGIBLE_GRADIENT: f32 = 1e-4;

/// Deterministic xorshift64* for the epoch shuffles.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Passes over the examples with sparse updates: `epochs` for ten examples per class or
/// fewer, fewer for more, down to [`MIN_PASSES`], so that each class gets about as many
/// steps of its own. (`kefu bench-scale`, 1,000 intents: ten examples each need the 12 passes
/// — 6 lost 1.5 points of held-out accuracy —; CLINC150 and BANKING77, a hundred per
/// intent, trained this way scored within 0.2 points at 4 passes as at 12.)
fn passes(epochs: usize, examples: usize, classes: usize) -> usize {
    let wanted = (epochs * 10 * classes).div_ceil(examples.max(1));
    wanted.clamp(MIN_PASSES.min(epochs), epochs)
}

/// The fewest passes of [`passes`].
const MIN_PASSES: usize = 4;

/// Whether a model of this shape trains with sparse updates (else training holds the
/// dense matrix of columns × classes).
pub(crate) fn sparse_updates(shape: Shape) -> bool {
    shape.dense == 0 && shape.classes > FULL_SOFTMAX_CLASSES
}

/// Units of work training will take at least: feature values visited × the weights read
/// for each, plus the classes scored, over all passes. With every update a column has a
/// weight per class; with sparse updates at least one for each class with an example
/// holding it, and a dense row once that is one class in [`DENSE_SHARE`].
pub(crate) fn work(xs: &[SparseVec], ys: &[usize], shape: Shape, p: TrainParams) -> u64 {
    let values: u64 = xs.iter().map(|x| x.idx.len() as u64).sum();
    if !sparse_updates(shape) {
        return values.saturating_mul(shape.classes as u64).saturating_mul(p.epochs as u64);
    }
    let spread = classes_per_column(xs, ys, shape.sparse);
    let cost = |col: u32| match spread.get(col as usize) {
        Some(&n) if n as usize * DENSE_SHARE > shape.classes => shape.classes as u64,
        Some(&n) => u64::from(n),
        None => shape.classes as u64,
    };
    let softmax = (xs.len() as u64).saturating_mul(shape.classes as u64);
    let visited = xs.iter().flat_map(|x| &x.idx).map(|&col| cost(col)).sum::<u64>().saturating_add(softmax);
    visited.saturating_mul(passes(p.epochs, xs.len(), shape.classes) as u64)
}

/// Trains on `xs` labelled `ys` (class indices below `shape.classes`).
pub(crate) fn train(xs: &[SparseVec], ys: &[usize], shape: Shape, p: TrainParams) -> Softmax {
    if sparse_updates(shape) {
        train_sparse_updates(xs, ys, shape, p)
    } else {
        train_full(xs, ys, shape, p)
    }
}

/// The steps of training: each pass over the examples in a new shuffled order (fixed
/// seed), with the learning rate decaying linearly to 5 % of the start. Yields (example,
/// rate).
struct Schedule {
    order: Vec<usize>,
    rng: Rng,
    p: TrainParams,
    pass: usize,
    at: usize,
    step: usize,
}

impl Schedule {
    fn new(examples: usize, p: TrainParams) -> Schedule {
        Schedule { order: (0..examples).collect(), rng: Rng(0x9E37_79B9_7F4A_7C15), p, pass: 0, at: 0, step: 0 }
    }
}

impl Iterator for Schedule {
    type Item = (usize, f32);

    fn next(&mut self) -> Option<(usize, f32)> {
        if self.at == self.order.len() {
            self.at = 0;
            self.pass += 1;
        }
        if self.order.is_empty() || self.pass == self.p.epochs {
            return None;
        }
        if self.at == 0 {
            self.rng.shuffle(&mut self.order);
        }
        let total = (self.p.epochs * self.order.len()) as f32;
        let rate = self.p.learning_rate * (1.0 - self.step as f32 / total).max(0.05);
        let i = self.order[self.at];
        (self.at, self.step) = (self.at + 1, self.step + 1);
        Some((i, rate))
    }
}

/// Every class scored and updated at every step, on a dense matrix `weights[column *
/// classes + class]`.
fn train_full(xs: &[SparseVec], ys: &[usize], shape: Shape, p: TrainParams) -> Softmax {
    let (columns, classes) = (shape.columns(), shape.classes);
    let mut weights = vec![0.0f32; columns * classes];
    let mut bias = vec![0.0f32; classes];
    if !xs.is_empty() && classes > 0 {
        let mut scale = 1.0f32;
        let mut z = vec![0.0f32; classes];
        let mut active: Vec<(usize, f32)> = Vec::with_capacity(classes);
        for (i, lr) in Schedule::new(xs.len(), p) {
            let x = &xs[i];
            z.copy_from_slice(&bias);
            for (&col, &val) in x.idx.iter().zip(&x.val) {
                let a = val * scale;
                for (o, &w) in z.iter_mut().zip(&weights[col as usize * classes..][..classes]) {
                    *o += a * w;
                }
            }
            super::linear::softmax(&mut z);
            z[ys[i]] -= 1.0; // z is now the gradient of the loss w.r.t. the scores
            scale *= 1.0 - lr * p.l2;
            let step_size = lr / scale;
            for (b, &g) in bias.iter_mut().zip(z.iter()) {
                *b -= lr * g;
            }
            // With many classes still active, a masked pass over the whole row is
            // faster than the list (it vectorises) and gives the same numbers.
            for g in z.iter_mut() {
                if g.abs() <= NEGLIGIBLE_GRADIENT {
                    *g = 0.0;
                }
            }
            active.clear();
            active.extend((0..classes).filter(|&c| z[c] != 0.0).map(|c| (c, z[c])));
            let dense_rows = active.len() * 4 > classes;
            for (&col, &val) in x.idx.iter().zip(&x.val) {
                let row = &mut weights[col as usize * classes..][..classes];
                let a = step_size * val;
                if dense_rows {
                    for (w, &g) in row.iter_mut().zip(z.iter()) {
                        *w -= a * g;
                    }
                } else {
                    for &(c, g) in &active {
                        row[c] -= a * g;
                    }
                }
            }
            if scale < 1e-3 {
                weights.iter_mut().for_each(|w| *w *= scale);
                scale = 1.0;
            }
        }
        weights.iter_mut().for_each(|w| *w *= scale);
    }
    let rows = weights.chunks_exact(classes.max(1)).take(columns);
    Softmax::from_columns(classes, rows.map(ColumnWeights::Dense), bias)
}

/// Every class scored at every step, so the softmax is exact, but only the example's
/// own class and the classes clearly likelier than the average wrong one updated, and a
/// weight a column lacks only added for a push of at least [`NEW_WEIGHT`] (see the module
/// comment). A column keeps a list of (class, weight), classes ascending, until it holds
/// a weight for one class in [`DENSE_SHARE`]; then a dense row.
fn train_sparse_updates(xs: &[SparseVec], ys: &[usize], shape: Shape, p: TrainParams) -> Softmax {
    let p = TrainParams { epochs: passes(p.epochs, xs.len(), shape.classes), ..p };
    let classes = shape.classes;
    let mut columns: Vec<Column> = (0..shape.sparse).map(|_| Column::Listed(Vec::new())).collect();
    let mut dense: Vec<f32> = Vec::new();
    let mut bias = vec![0.0f32; classes];
    let mut scale = 1.0f32;
    let mut z = vec![0.0f32; classes];
    let mut gradient: Vec<(u32, f32)> = Vec::new();
    let mut new_entries: Vec<(u32, f32)> = Vec::new();
    for (i, lr) in Schedule::new(xs.len(), p) {
        let (x, y) = (&xs[i], ys[i]);
        z.copy_from_slice(&bias);
        for (&col, &val) in x.idx.iter().zip(&x.val) {
            let a = val * scale;
            match columns.get(col as usize) {
                Some(Column::Row(r)) => {
                    for (o, &w) in z.iter_mut().zip(&dense[*r * classes..][..classes]) {
                        *o += a * w;
                    }
                }
                Some(Column::Listed(list)) => {
                    for &(c, w) in list {
                        z[c as usize] += a * w;
                    }
                }
                None => {}
            }
        }
        super::linear::softmax(&mut z);
        // The softmax does not change when a column's weights all move alike, so the
        // gradient may be taken less the wrong classes' average probability: a class
        // no likelier than twice that is left alone, which keeps the lists short.
        let average_wrong = (1.0 - z[y]) / (classes - 1).max(1) as f32;
        gradient.clear();
        for (c, &p_c) in z.iter().enumerate() {
            if c == y {
                gradient.push((c as u32, p_c - 1.0 - average_wrong));
            } else if p_c > 2.0 * average_wrong {
                gradient.push((c as u32, p_c - average_wrong));
            }
        }
        scale *= 1.0 - lr * p.l2;
        let step_size = lr / scale;
        for &(c, g) in &gradient {
            bias[c as usize] -= lr * g;
        }
        gradient.retain(|g| g.1.abs() > NEGLIGIBLE_GRADIENT);
        for (&col, &val) in x.idx.iter().zip(&x.val) {
            let a = step_size * val;
            let Some(column) = columns.get_mut(col as usize) else { continue };
            match column {
                Column::Row(r) => {
                    let row = &mut dense[*r * classes..][..classes];
                    for &(c, g) in &gradient {
                        row[c as usize] -= a * g;
                    }
                }
                Column::Listed(list) => {
                    // Thresholds on the push itself, `a × g × scale`.
                    let (skip, new) = (SMALLEST_PUSH / scale, NEW_WEIGHT / scale);
                    update_list(list, &gradient, a, &mut new_entries, new, skip);
                    if list.len() * DENSE_SHARE > classes {
                        let r = dense.len() / classes;
                        dense.resize(dense.len() + classes, 0.0);
                        for &(c, w) in list.iter() {
                            dense[r * classes + c as usize] = w;
                        }
                        *column = Column::Row(r);
                    }
                }
            }
        }
        if scale < 1e-3 {
            dense.iter_mut().for_each(|w| *w *= scale);
            columns.iter_mut().for_each(|c| c.listed().iter_mut().for_each(|e| e.1 *= scale));
            scale = 1.0;
        }
    }
    for w in dense.iter_mut() {
        *w *= scale;
        if w.abs() < PRUNE {
            *w = 0.0;
        }
    }
    for column in columns.iter_mut() {
        if let Column::Listed(list) = column {
            list.iter_mut().for_each(|e| e.1 *= scale);
            list.retain(|e| e.1.abs() >= PRUNE);
        }
    }
    let weights = columns.iter().map(|column| match column {
        Column::Row(r) => ColumnWeights::Dense(&dense[r * classes..][..classes]),
        Column::Listed(list) => ColumnWeights::Listed(list),
    });
    Softmax::from_columns(classes, weights, bias)
}

/// A column's weights while [`train_sparse_updates`] runs.
enum Column {
    Listed(Vec<(u32, f32)>),
    /// The index of its dense row.
    Row(usize),
}

impl Column {
    /// The list, empty for a row.
    fn listed(&mut self) -> &mut [(u32, f32)] {
        match self {
            Column::Listed(list) => list,
            Column::Row(_) => &mut [],
        }
    }
}

/// For each sparse column, how many classes have an example holding it.
fn classes_per_column(xs: &[SparseVec], ys: &[usize], columns: usize) -> Vec<u32> {
    // Examples in class order: a column's classes are counted as they change.
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by_key(|&i| ys[i]);
    let mut last_class = vec![u32::MAX; columns];
    let mut count = vec![0u32; columns];
    for &i in &order {
        for &col in &xs[i].idx {
            let col = col as usize;
            if col < columns && last_class[col] != ys[i] as u32 {
                last_class[col] = ys[i] as u32;
                count[col] += 1;
            }
        }
    }
    count
}

/// Subtracts `a × g` from the weight of each `(class, g)` of `gradient` (classes ascending)
/// in `list`, adding the classes it lacks.
fn update_list(
    list: &mut Vec<(u32, f32)>,
    gradient: &[(u32, f32)],
    a: f32,
    new_entries: &mut Vec<(u32, f32)>,
    new_min: f32,
    skip_below: f32,
) {
    new_entries.clear();
    let mut k = 0;
    for &(c, g) in gradient {
        let push = a * g;
        if push.abs() < skip_below {
            continue;
        }
        k += list[k..].partition_point(|e| e.0 < c);
        if k < list.len() && list[k].0 == c {
            list[k].1 -= push;
        } else if push.abs() >= new_min {
            new_entries.push((c, -push));
        }
    }
    if new_entries.is_empty() {
        return;
    }
    let mut merged = Vec::with_capacity(list.len() + new_entries.len());
    let (mut i, mut j) = (0, 0);
    while i < list.len() && j < new_entries.len() {
        if list[i].0 < new_entries[j].0 {
            merged.push(list[i]);
            i += 1;
        } else {
            merged.push(new_entries[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&list[i..]);
    merged.extend_from_slice(&new_entries[j..]);
    *list = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(cols: &[(u32, f32)]) -> SparseVec {
        SparseVec::of(cols)
    }

    #[test]
    fn learns_a_separable_problem_deterministically() {
        let xs = vec![x(&[(0, 1.0)]), x(&[(1, 1.0)]), x(&[(0, 0.7), (2, 0.7)]), x(&[(1, 0.7), (2, 0.7)])];
        let ys = vec![0, 1, 0, 1];
        let shape = Shape { sparse: 3, dense: 0, classes: 2 };
        let a = train(&xs, &ys, shape, TrainParams::NGRAMS);
        assert_eq!(a.to_bytes(), train(&xs, &ys, shape, TrainParams::NGRAMS).to_bytes());
        let mut p = Vec::new();
        a.probabilities(&x(&[(0, 1.0)]), &mut p);
        assert!(p[0] > 0.8, "{p:?}");
        a.probabilities(&x(&[(1, 1.0)]), &mut p);
        assert!(p[1] > 0.8, "{p:?}");
    }

    /// Many classes, each with its own words and a shared one: sparse updates learn them,
    /// and keep weights in proportion to what they saw, not columns × classes.
    #[test]
    fn sparse_updates_learn_many_classes_and_keep_few_weights() {
        let classes = FULL_SOFTMAX_CLASSES * 2;
        let shared = classes as u32 * 2;
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for c in 0..classes as u32 {
            for own in [2 * c, 2 * c + 1] {
                xs.push(x(&[(own, 0.8), (shared, 0.6)]));
                ys.push(c as usize);
            }
        }
        let shape = Shape { sparse: shared as usize + 1, dense: 0, classes };
        assert!(sparse_updates(shape));
        let m = train(&xs, &ys, shape, TrainParams::NGRAMS);
        assert_eq!(m.to_bytes(), train(&xs, &ys, shape, TrainParams::NGRAMS).to_bytes(), "deterministic");
        let mut p = Vec::new();
        let mut right = 0;
        for c in 0..classes as u32 {
            m.probabilities(&x(&[(2 * c, 1.0)]), &mut p);
            let best = (0..classes).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(0);
            right += usize::from(best == c as usize && p[best] > 0.5);
        }
        assert_eq!(right, classes);
        let dense_size = shape.columns() * classes * 4;
        assert!(m.size_bytes() * 8 < dense_size, "{} of {dense_size} bytes", m.size_bytes());
        // The work estimate: per example its own column (one class), the shared one (a
        // dense row) and the softmax.
        let expected = (classes as u64 * 2) * (1 + 2 * classes as u64) * TrainParams::NGRAMS.epochs as u64;
        assert_eq!(work(&xs, &ys, shape, TrainParams::NGRAMS), expected);
    }

    #[test]
    fn lists_stay_sorted_as_classes_join() {
        let mut list = vec![(2, 1.0), (5, 1.0)];
        let mut scratch = Vec::new();
        update_list(&mut list, &[(1, 1.0), (5, 1.0), (9, -1.0)], 0.5, &mut scratch, 0.0, 0.0);
        assert_eq!(list, [(1, -0.5), (2, 1.0), (5, 0.5), (9, 0.5)]);
        // A push under the smallest leaves a weight alone; a new class needs a larger one.
        update_list(&mut list, &[(2, 0.01), (3, 0.1), (4, 1.0)], 0.5, &mut scratch, 0.2, 0.02);
        assert_eq!(list, [(1, -0.5), (2, 1.0), (4, -0.5), (5, 0.5), (9, 0.5)]);
    }
}
