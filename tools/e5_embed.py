"""Sentence embeddings as kefu's encoder computes them, with Python's onnxruntime and
tokenizers: the e5 prefix "query: ", one text per ONNX Runtime run (no padding); the
model's first output (`last_hidden_state`) and every other output named `…_hidden_state`,
each averaged over every token and L2-normalised; the first weighted 2, the others 1; concatenated and
L2-normalised. Shared by tools/onnx-reference.py and tools/build-encoder.py."""
import os

import numpy as np


FIRST_OUTPUT_WEIGHT = 2.0
HIDDEN_STATE_SUFFIX = "_hidden_state"


def pool(outputs):
    """The sentence embedding of one text from the model's outputs, each [1, tokens, dim]."""
    blocks = []
    for i, hidden in enumerate(outputs):
        v = hidden[0].mean(axis=0)
        blocks.append(v / np.linalg.norm(v) * (FIRST_OUTPUT_WEIGHT if i == 0 else 1.0))
    v = np.concatenate(blocks)
    return v / np.linalg.norm(v)


def embed(model_dir, sentences, optimization=None, model_file=None, last_only=False, prefix="query: "):
    """(vectors, encodings): a unit-length vector and the tokenizer's Encoding per sentence.

    `optimization` is an onnxruntime.GraphOptimizationLevel (None: ONNX Runtime's default,
    all optimizations); `model_file` replaces MODEL_DIR/model.onnx; `last_only` pools the
    last hidden state alone (to compare with an encoder that has no other output);
    `prefix` goes before each text ("passage: " for documents to retrieve)."""
    import onnxruntime
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    if optimization is not None:
        options.graph_optimization_level = optimization
    session = onnxruntime.InferenceSession(model_file or os.path.join(model_dir, "model.onnx"), options)
    names = [o.name for o in session.get_outputs()]
    pooled = names[:1] + ([] if last_only else [n for n in names[1:] if n.endswith(HIDDEN_STATE_SUFFIX)])
    vectors, encodings = [], []
    for text in sentences:
        enc = tok.encode(prefix + text)
        ids = np.array([enc.ids], np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        vectors.append(pool(session.run(pooled, feed)))
        encodings.append(enc)
    return np.array(vectors), encodings
