"""Sentence embeddings as kefu's encoder computes them, with Python's onnxruntime and
tokenizers: the e5 prefix "query: ", one text per ONNX Runtime run (no padding), the mean
of the last hidden states over every token, L2-normalised. Shared by
tools/onnx-reference.py and tools/build-encoder.py."""
import os

import numpy as np


def embed(model_dir, sentences, optimization=None, model_file=None):
    """(vectors, encodings): a unit-length vector and the tokenizer's Encoding per sentence.

    `optimization` is an onnxruntime.GraphOptimizationLevel (None: ONNX Runtime's default,
    all optimizations); `model_file` replaces MODEL_DIR/model.onnx."""
    import onnxruntime
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    if optimization is not None:
        options.graph_optimization_level = optimization
    session = onnxruntime.InferenceSession(model_file or os.path.join(model_dir, "model.onnx"), options)
    vectors, encodings = [], []
    for text in sentences:
        enc = tok.encode("query: " + text)
        ids = np.array([enc.ids], np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        v = session.run(None, feed)[0][0].mean(axis=0)
        vectors.append(v / np.linalg.norm(v))
        encodings.append(enc)
    return np.array(vectors), encodings
