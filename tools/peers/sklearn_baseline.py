#!/usr/bin/env python3
"""The scikit-learn baseline at its strongest per language, on the splits `kefu eval --dump
DIR` wrote; one JSON report. English: the Snips-style tf-idf word 1-2 + char 1-4 grams and
logistic regression. Chinese: tf-idf character 1-3 grams alone, as scikit-learn's docs
advise for text without word boundaries (its word analyzer reads an unspaced Chinese
sentence as one token no test sentence shares: 96 % of SMP2017's training sentences).

Usage: python3 tools/peers/sklearn_baseline.py SPLITS_DIR OUT.json"""
import json
import pathlib
import statistics
import sys
import time
import warnings

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union


def model(language):
    if language == "zh":
        chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        return make_pipeline(chars, LogisticRegression(C=10, max_iter=1000))
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    # Char 1-grams too: without them single Chinese characters (most of a short Chinese
    # query) are lost; on SMP2017 this is 86 % against 79 % for 2–4 grams only.
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)
    return make_pipeline(make_union(words, chars), LogisticRegression(C=10, max_iter=1000))


# Label of the out-of-scope training utterances (CLINC150's oos_train): as kefu does, they
# train a background class that is never the answer.
BACKGROUND = "~"


def predict_in_scope(pipeline, texts):
    """The most likely class other than the background one, per text."""
    classes = list(pipeline.classes_)
    probabilities = pipeline.predict_proba(texts)
    if BACKGROUND in classes:
        probabilities[:, classes.index(BACKGROUND)] = -1
    return [classes[i] for i in probabilities.argmax(axis=1)]


def evaluate(split):
    train = split["train"] + [[text, BACKGROUND] for text, _ in split.get("oos_train", [])]
    texts, labels = zip(*train)
    pipeline = model(split.get("language"))
    started = time.perf_counter()
    pipeline.fit(texts, labels)
    train_seconds = time.perf_counter() - started
    test_texts, test_labels = zip(*split["test"])
    predicted = predict_in_scope(pipeline, test_texts)
    accuracy = sum(p == g for p, g in zip(predicted, test_labels)) / len(test_labels)
    latencies = []
    for text in test_texts[:300]:  # one utterance at a time, as a bot sees them
        t = time.perf_counter()
        predict_in_scope(pipeline, [text])
        latencies.append((time.perf_counter() - t) * 1e6)
    return {
        "dataset": split["dataset"],
        "peer": "scikit-learn tf-idf + logistic regression",
        "features": "char 1-3 grams" if split.get("language") == "zh" else "word 1-2 + char_wb 1-4 grams",
        "train_examples": len(split["train"]),
        "test_examples": len(test_labels),
        "intent_accuracy": accuracy,
        "train_seconds": train_seconds,
        "predict_p50_us": statistics.median(latencies),
    }


def main(splits_dir, out):
    warnings.filterwarnings("ignore")  # tiny --limit splits trigger sklearn's class-count warnings
    reports = []
    for path in sorted(pathlib.Path(splits_dir).glob("*.json")):
        split = json.loads(path.read_text(encoding="utf-8"))
        report = evaluate(split)
        print(f"[sklearn] {report['dataset']}: {report['intent_accuracy'] * 100:.2f} % "
              f"(train {report['train_seconds']:.1f} s)", file=sys.stderr)
        reports.append(report)
    pathlib.Path(out).write_text(json.dumps({"datasets": reports}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
