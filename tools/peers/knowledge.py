"""Peers of kefu's knowledge search on the same passages and questions (the dump of
`kefu eval --knowledge DIR --dump OUT`): BM25 with bm25s, Chinese cut into words by
jieba and English stemmed by PyStemmer with bm25s's stop words (as bm25s's documentation
recommends for each language), and dense retrieval with kefu's own encoder in Python
(onnxruntime; e5's "query: " and "passage: " prefixes), ranking by cosine.

Usage: knowledge.py DUMP.json OUT.json [ENCODER_DIR]
Scores what `kefu eval --knowledge` scores: the right passage first and among three, and
at the lowest score that answers 80 % of the answerable questions, the answer precision
and the unanswerable questions declined; per part (dev, test)."""
import json
import math
import re
import sys
import time

import numpy as np


def is_cjk(word):
    return any("\u4e00" <= c <= "\u9fff" for c in word)


def bm25_tokenizer():
    import Stemmer
    import jieba
    from bm25s.stopwords import STOPWORDS_CHINESE, STOPWORDS_EN

    jieba.setLogLevel(60)
    stemmer = Stemmer.Stemmer("english")
    stop = set(STOPWORDS_EN) | set(STOPWORDS_CHINESE)

    def tokens(text):
        out = []
        for word in jieba.lcut(text.lower()):
            word = word.strip()
            if not word or word in stop or not re.search(r"\w", word):
                continue
            out.append(word if is_cjk(word) else stemmer.stemWord(word))
        return out

    return tokens


def bm25_scores(passages, questions):
    import bm25s

    tokens = bm25_tokenizer()
    retriever = bm25s.BM25()
    corpus = [tokens(p["text"]) for p in passages]
    vocab = {w: i for i, w in enumerate(sorted({w for doc in corpus for w in doc}))}
    retriever.index(bm25s.tokenization.Tokenized(ids=[[vocab[w] for w in doc] for doc in corpus], vocab=vocab), show_progress=False)
    started = time.perf_counter()
    scores = []
    for q in questions:
        ids = [w for w in tokens(q) if w in vocab]
        scores.append(retriever.get_scores(ids) if ids else np.zeros(len(passages)))
    return np.array(scores), (time.perf_counter() - started) / len(questions)


def dense_scores(passages, questions, encoder_dir):
    sys.path.insert(0, "tools")
    from e5_embed import embed

    p, _ = embed(encoder_dir, [p["text"] for p in passages], prefix="passage: ")
    started = time.perf_counter()
    q, _ = embed(encoder_dir, questions)
    return q @ p.T, (time.perf_counter() - started) / len(questions)


def score(name, scores, labels, items, seconds):
    out = {"system": name, "question_mean_us": seconds * 1e6, "splits": {}}
    for split in ("dev", "test"):
        rows = []
        for (s, q), row in zip(items, scores):
            if s != split:
                continue
            order = np.argsort(-row, kind="stable")
            top = [labels[i] for i in order[:3]]
            right = bool(q["a"]) and top[0] in q["a"]
            rows.append((bool(q["a"]), right, any(t in q["a"] for t in top), float(row[order[0]])))
        answerable = [r for r in rows if r[0]]
        best = sorted((r[3] for r in answerable), reverse=True)
        t = best[math.ceil(len(answerable) * 0.8) - 1]
        answered = [r for r in rows if r[3] >= t]
        out["splits"][split] = {
            "questions": len(rows),
            "right_first": sum(r[1] for r in answerable) / len(answerable),
            "right_in_top3": sum(r[2] for r in answerable) / len(answerable),
            "at_80_coverage": {
                "threshold": t,
                "precision": sum(r[1] for r in answered) / max(len(answered), 1),
                "unanswerable_declined": sum(1 for r in rows if not r[0] and r[3] < t)
                / max(sum(1 for r in rows if not r[0]), 1),
            },
        }
    return out


def main():
    dump, out = sys.argv[1], sys.argv[2]
    encoder_dir = sys.argv[3] if len(sys.argv) > 3 else None
    data = json.load(open(dump, encoding="utf-8"))
    passages, items = data["passages"], data["questions"]
    labels = [p["label"] for p in passages]
    questions = [q["q"] for _, q in items]
    systems = []
    scores, seconds = bm25_scores(passages, questions)
    systems.append(score("bm25s + jieba + PyStemmer", scores, labels, items, seconds))
    if encoder_dir:
        scores, seconds = dense_scores(passages, questions, encoder_dir)
        systems.append(score("dense, kefu's encoder (Python)", scores, labels, items, seconds))
    for s in systems:
        t = s["splits"]["test"]
        print(
            f"{s['system']}: test right first {t['right_first'] * 100:.1f} %, top three {t['right_in_top3'] * 100:.1f} %, "
            f"at 80 % coverage precision {t['at_80_coverage']['precision'] * 100:.1f} %, "
            f"declined {t['at_80_coverage']['unanswerable_declined'] * 100:.1f} %"
        )
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"peers": systems}, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
