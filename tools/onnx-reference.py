#!/usr/bin/env python3
"""Reference sentence embeddings from Python's onnxruntime and tokenizers (pinned in
tools/onnx-requirements.txt), for the Rust encoder test to match (cosine >= 0.9999).

Usage: python3 tools/onnx-reference.py MODEL_DIR OUT.json"""
import json
import sys

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

SENTENCES = [
    "我的快递怎么还没到",
    "where is my order 12345678",
    "我要退款，订单号是66668888",
    "can I talk to a human please",
    "运费多少",
    "这个耳机防水吗？",
    "I forgot my password",
    "你好",
    "明天下午三点能送到吗",
    "this is terrible, I want to file a complaint!!!",
]


def main(model_dir, out):
    tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(f"{model_dir}/model.onnx", options)
    rows = []
    for text in SENTENCES:
        ids = np.array([tokenizer.encode("query: " + text).ids], dtype=np.int64)
        mask = np.ones_like(ids)
        (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        v = hidden[0].mean(axis=0)
        rows.append({"text": text, "ids": ids[0].tolist(), "embedding": (v / np.linalg.norm(v)).tolist()})
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"onnxruntime": ort.__version__, "sentences": rows}, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
