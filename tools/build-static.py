"""Build kefu's static embedding table from its ONNX encoder, offline, without a
deep-learning framework (numpy, scipy, onnxruntime and tokenizers, pinned in
tools/static-requirements.txt).

A sentence's static vector is the normalised sum of its pieces' rows, the pieces being the
encoder tokenizer's own (kefu's Rust Unigram tokenizer cuts text as tokenizer.json does).
The rows are made in two steps:

1. Distillation: every piece of the vocabulary is run through the encoder alone, as
   `<s> piece </s>`, and pooled as kefu pools a sentence (tools/e5_embed.py).
2. Projection: PCA fitted on the encoder's vectors of a corpus of sentences, to DIMENSION;
   each distilled row weighted by a/(a + p), p the piece's Unigram probability (rare
   pieces count more, as in SIF weighting).

A third step is kept as a trial (--fit; docs/static-tier.md): model2vec's "tokenlearn"
idea solved as regularised least squares — the rows of pieces in the corpus move so that
the mean of a sentence's rows comes close to the encoder's projected vector of that
sentence, pulled back towards step 2 by LAMBDA (conjugate gradients on the normal
equations). It gains on the corpus's own datasets and loses on every other one, the
corpus's datasets included when their text is left out (--exclude), so the shipped table
does not use it.

The corpus is the training text of the datasets whose licences allow a derived table to be
shipped (SNIPS CC0, CLINC150 CC BY 3.0, BANKING77 CC BY 4.0, CrossWOZ Apache-2.0), every
PCA_EVERY-th sentence unless fitting; no validation or test split is read.

Rows are stored as int8 with one scale per row. The table's reference sentence vectors,
computed here with Hugging Face `tokenizers` and numpy, go to OUT.reference.json for the
test suite, which checks kefu's Rust vectors against them (cosine ≥ 0.9999).

usage: build-static.py ENCODER_DIR DATASETS_DIR OUT [--dimension D] [--check FILE…]
                       [--fit LAMBDA] [--exclude DATASET…] [--cache DIR]
"""

import argparse
import csv
import hashlib
import json
import os
import struct
import sys
import time
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e5_embed import FIRST_OUTPUT_WEIGHT, HIDDEN_STATE_SUFFIX  # noqa: E402

FORMAT_VERSION = 1
# Chosen on the validation splits of `kefu eval --per-intent 10` (docs/static-tier.md):
# 64 / 96 / 128 / 256 / 384 dimensions score within 0.2 points of each other; 96 is the
# smallest that loses nothing.
DIMENSION = 96
# SIF's a: a piece with Unigram probability a counts half as much as a very rare one
# (1e-3 scored the same).
SIF_A = 1e-4
# Every PCA_EVERY-th corpus sentence is enough to fit the projection (when not fitting rows).
PCA_EVERY = 4
FIT_ITERATIONS = 60
# The reference vectors cover every REFERENCE_EVERY-th sentence of the corpus too.
REFERENCE_EVERY = 25
BATCH = 256


def session(model_dir):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    s = onnxruntime.InferenceSession(os.path.join(model_dir, "model.onnx"), options)
    names = [o.name for o in s.get_outputs()]
    pooled = names[:1] + [n for n in names[1:] if n.endswith(HIDDEN_STATE_SUFFIX)]
    return s, pooled


def pooled_batch(s, names, ids, mask):
    """kefu's sentence pooling (tools/e5_embed.py) over a padded batch, with the mask."""
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    blocks = []
    m = mask[:, :, None].astype(np.float32)
    for i, hidden in enumerate(s.run(names, feed)):
        v = (hidden * m).sum(axis=1) / m.sum(axis=1)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        blocks.append(v * (FIRST_OUTPUT_WEIGHT if i == 0 else 1.0))
    v = np.concatenate(blocks, axis=1)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def distil(s, names, n_pieces, bos, eos):
    out = []
    for start in range(0, n_pieces, BATCH):
        ids = np.arange(start, min(start + BATCH, n_pieces), dtype=np.int64)
        batch = np.stack([np.full_like(ids, bos), ids, np.full_like(ids, eos)], axis=1)
        out.append(pooled_batch(s, names, batch, np.ones_like(batch)))
    return np.concatenate(out)


def encode_sentences(s, names, tok, sentences):
    """The encoder's vectors of `sentences` ("query: " prefix), batched by length."""
    encodings = tok.encode_batch(["query: " + t for t in sentences])
    order = sorted(range(len(sentences)), key=lambda i: len(encodings[i].ids))
    out = np.zeros((len(sentences), 0), np.float32)
    for start in range(0, len(order), BATCH):
        chunk = order[start : start + BATCH]
        width = max(len(encodings[i].ids) for i in chunk)
        ids = np.ones((len(chunk), width), np.int64)  # <pad> = 1
        mask = np.zeros_like(ids)
        for row, i in enumerate(chunk):
            e = encodings[i].ids
            ids[row, : len(e)] = e
            mask[row, : len(e)] = 1
        v = pooled_batch(s, names, ids, mask)
        if out.shape[1] == 0:
            out = np.zeros((len(sentences), v.shape[1]), np.float32)
        out[chunk] = v
    return out


def corpus(datasets):
    """Training text of the datasets a shipped table may derive from (see the module doc),
    as sorted unique texts and, for each, the dataset it first came from."""
    texts = []
    with open(os.path.join(datasets, "snips", "train", "seq.in"), encoding="utf-8") as f:
        texts += [(line.strip(), "snips") for line in f]
    clinc = json.load(open(os.path.join(datasets, "clinc150", "data_full.json"), encoding="utf-8"))
    texts += [(t, "clinc150") for t, _ in clinc["train"] + clinc["oos_train"]]
    with open(os.path.join(datasets, "banking77", "train.csv"), encoding="utf-8") as f:
        texts += [(row[0], "banking77") for row in list(csv.reader(f))[1:]]
    with zipfile.ZipFile(os.path.join(datasets, "crosswoz", "val.json.zip")) as z:
        dialogues = json.loads(z.read("val.json"))
    texts += [(m["content"], "crosswoz") for d in dialogues.values() for m in d["messages"] if m["role"] == "usr"]
    source = {}
    for t, name in texts:
        if t:
            source.setdefault(t, name)
    unique = sorted(source)
    return unique, [source[t] for t in unique]


def piece_matrix(tok, sentences, n_pieces):
    """Sentences × pieces, each row the mean over the sentence's pieces (with repeats)."""
    from scipy import sparse

    rows, cols = [], []
    for i, e in enumerate(tok.encode_batch(sentences, add_special_tokens=False)):
        rows += [i] * len(e.ids)
        cols += e.ids
    a = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(sentences), n_pieces))
    counts = np.asarray(a.sum(axis=1)).ravel()
    return sparse.diags(1.0 / np.maximum(counts, 1)) @ a


def fit(a, targets, start, lam, iterations):
    """argmin_R |A R - Y|^2 + lam |R - R0|^2 by conjugate gradients, all columns at once."""
    at = a.T.tocsr()
    apply = lambda x: at @ (a @ x) + lam * x  # noqa: E731
    r = start.copy()
    residual = at @ targets + lam * start - apply(r)
    direction = residual.copy()
    rr = (residual * residual).sum(axis=0)
    for _ in range(iterations):
        q = apply(direction)
        alpha = rr / np.maximum((direction * q).sum(axis=0), 1e-30)
        r += direction * alpha
        residual -= q * alpha
        new = (residual * residual).sum(axis=0)
        direction = residual + direction * (new / np.maximum(rr, 1e-30))
        rr = new
    return r


def quantise(rows):
    scale = np.abs(rows).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(rows / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def write_table(path, name, pieces, scores, unknown, normalisation, q, scale):
    def section(b):
        return struct.pack("<Q", len(b)) + b

    meta = json.dumps({"name": name, "dimension": int(q.shape[1]), "unknown": int(unknown)}).encode()
    norm = b"".join(struct.pack("<IB", cp, len(t.encode())) + t.encode() for cp, t in sorted(normalisation.items()))
    plist = b"".join(struct.pack("<B", len(p.encode())) + p.encode() + struct.pack("<f", s) for p, s in zip(pieces, scores))
    body = section(meta) + section(norm) + section(plist) + section(q.tobytes()) + section(scale.astype("<f4").tobytes())
    import zlib

    with open(path, "wb") as f:
        f.write(b"KEFUSTAT" + struct.pack("<HI", FORMAT_VERSION, zlib.crc32(body)) + body)


def normalisation_map(tok):
    norm = tok.normalizer
    out = {}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        t = norm.normalize_str(c)
        if t != c:
            out[cp] = t
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("encoder")
    p.add_argument("datasets")
    p.add_argument("out")
    p.add_argument("--dimension", type=int, default=DIMENSION)
    p.add_argument("--check", nargs="*", help="files of sentences (one per line) for the reference vectors")
    p.add_argument("--fit", type=float, metavar="LAMBDA", help="a trial: fit the rows to the corpus (step 3)")
    p.add_argument("--exclude", nargs="*", default=[], help="a trial: leave these datasets' text out of the corpus")
    p.add_argument("--cache", help="folder keeping the encoder's outputs between builds (same model, same corpus)")
    args = p.parse_args()
    from tokenizers import Tokenizer

    started = time.time()
    tok = Tokenizer.from_file(os.path.join(args.encoder, "tokenizer.json"))
    model = json.load(open(os.path.join(args.encoder, "tokenizer.json"), encoding="utf-8"))["model"]
    pieces = [v[0] for v in model["vocab"]]
    scores = np.array([v[1] for v in model["vocab"]], np.float32)
    unknown = model["unk_id"]
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    s, names = session(args.encoder)

    texts, sources = corpus(args.datasets)
    if args.fit is None:
        texts, sources = texts[::PCA_EVERY], sources[::PCA_EVERY]
    model_digest = hashlib.sha256(open(os.path.join(args.encoder, "model.onnx"), "rb").read()).hexdigest()
    key = hashlib.sha256((model_digest + "\n".join(texts)).encode()).hexdigest()[:16]
    cached = os.path.join(args.cache, f"encoder-outputs-{key}.npz") if args.cache else None
    if cached and os.path.exists(cached):
        saved = np.load(cached)
        distilled, targets = saved["distilled"], saved["targets"]
    else:
        distilled = distil(s, names, len(pieces), bos, eos)
        print(f"build-static: distilled {len(pieces)} pieces ({time.time() - started:.0f} s)", file=sys.stderr)
        targets = encode_sentences(s, names, tok, texts)
        print(f"build-static: embedded {len(texts)} corpus sentences ({time.time() - started:.0f} s)", file=sys.stderr)
        if cached:
            os.makedirs(args.cache, exist_ok=True)
            np.savez(cached, distilled=distilled, targets=targets)
    if args.exclude:
        keep = [i for i, src in enumerate(sources) if src not in args.exclude]
        texts, targets = [texts[i] for i in keep], targets[keep]

    mean = targets.mean(axis=0)
    _, _, vt = np.linalg.svd(targets - mean, full_matrices=False)
    project = vt[: args.dimension].T
    weight = SIF_A / (SIF_A + np.exp(scores.astype(np.float64)))
    rows = ((distilled - mean) @ project) * weight[:, None].astype(np.float32)
    if args.fit is not None:
        y = (targets - mean) @ project
        a = piece_matrix(tok, texts, len(pieces))
        # The distilled rows' scale is arbitrary: match a typical sentence of rows to the targets.
        rows *= np.linalg.norm(y, axis=1).mean() / np.linalg.norm(a @ rows, axis=1).mean()
        rows = fit(a, y.astype(np.float64), rows.astype(np.float64), args.fit, FIT_ITERATIONS).astype(np.float32)
    q, scale = quantise(rows)
    name = f"{os.path.basename(os.path.normpath(args.encoder))}-static-{args.dimension}"
    write_table(args.out, name, pieces, scores, unknown, normalisation_map(tok), q, scale)
    size = os.path.getsize(args.out) / 1e6
    print(f"build-static: wrote {args.out} ({size:.1f} MB, {time.time() - started:.0f} s)", file=sys.stderr)
    if args.check:
        sentences = [line.rstrip("\n") for f in args.check for line in open(f, encoding="utf-8") if line.strip()]
        # And a spread of the corpus: real text in both languages.
        write_reference(args.out, sentences + texts[::REFERENCE_EVERY], tok, q, scale)


def write_reference(table, sentences, tok, q, scale):
    """The table's vectors of `sentences`, as kefu must compute them."""
    rows = q.astype(np.float32) * scale[:, None]
    vectors = []
    for e in tok.encode_batch(sentences, add_special_tokens=False):
        v = rows[e.ids].sum(axis=0) if e.ids else np.zeros(q.shape[1], np.float32)
        n = np.linalg.norm(v)
        vectors.append((v / n if n > 0 else v).tolist())
    digest = hashlib.sha256(open(table, "rb").read()).hexdigest()
    with open(table + ".reference.json", "w", encoding="utf-8") as f:
        json.dump({"table_sha256": digest, "sentences": sentences, "vectors": vectors}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
