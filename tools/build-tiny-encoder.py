#!/usr/bin/env python3
"""Builds the tiny ONNX "encoder" the plumbing tests use instead of the 40 MB model:
a word-level tokenizer over a few words and an embedding lookup with the real encoder's
inputs and output (input_ids, attention_mask, token_type_ids -> last_hidden_state).
`model-layers.onnx` adds a second lookup as `layer0_hidden_state` and a `pooler_output`, for
the pooling of several layers (the second is pooled, the third left out).
Deterministic; writes tests/fixtures/tiny-encoder/{model.onnx,model-layers.onnx,tokenizer.json}.

Usage: python3 tools/build-tiny-encoder.py [OUT_DIR]  (packages: tools/onnx-requirements.txt)"""
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, pre_tokenizers, processors

WORDS = ["<s>", "<pad>", "</s>", "<unk>", "query", ":", "where", "is", "my", "order", "refund",
         "please", "human", "agent", "hello", "thanks"]
DIM = 8


def tokenizer():
    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    return tok


def model(layers=False):
    # Row i of the table is i + 0.1 * [0, 1, …, DIM-1]: easy to check by hand; the second
    # table's row i is 1 at position i % DIM, 0 elsewhere.
    table = np.array([[i + 0.1 * d for d in range(DIM)] for i in range(len(WORDS))], dtype=np.float32)
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"])
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", DIM])]
    nodes = [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"], axis=0)]
    weights = [numpy_helper.from_array(table, "table")]
    if layers:
        onehot = np.array([[float(d == i % DIM) for d in range(DIM)] for i in range(len(WORDS))], dtype=np.float32)
        weights.append(numpy_helper.from_array(onehot, "onehot"))
        nodes.append(helper.make_node("Gather", ["onehot", "input_ids"], ["layer0_hidden_state"], axis=0))
        nodes.append(helper.make_node("ReduceMax", ["last_hidden_state"], ["pooler_output"], axes=[1], keepdims=0))
        outputs.append(helper.make_tensor_value_info("layer0_hidden_state", TensorProto.FLOAT, ["batch", "seq", DIM]))
        outputs.append(helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, ["batch", DIM]))
    graph = helper.make_graph(nodes, "tiny_encoder", inputs, outputs, weights)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="kefu")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def main(out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(model(), out / "model.onnx")
    onnx.save(model(layers=True), out / "model-layers.onnx")
    tokenizer().save(str(out / "tokenizer.json"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/tiny-encoder")
