#!/usr/bin/env python3
"""Reference sentence embeddings from Python's onnxruntime and tokenizers (pinned in
tools/onnx-requirements.txt), for the Rust encoder test to match (cosine >= 0.9999).

Usage: python3 tools/onnx-reference.py MODEL_DIR OUT.json"""
import json
import sys

import onnxruntime as ort

from e5_embed import embed

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
    vectors, encodings = embed(model_dir, SENTENCES)
    rows = [{"text": t, "ids": e.ids, "embedding": v.tolist()} for t, e, v in zip(SENTENCES, encodings, vectors)]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"onnxruntime": ort.__version__, "sentences": rows}, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
