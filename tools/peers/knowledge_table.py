"""The knowledge search's comparison table from the reports in DIR (tools/knowledge-eval):
kefu's tiers and the peers, on the test part of the help-centre set."""
import json
import os
import sys


def pct(x):
    return f"{x * 100:.1f}"


def main():
    out = sys.argv[1]
    rows = []
    for tier in ("", "-static", "-onnx"):
        path = os.path.join(out, f"knowledge-eval{tier}.json")
        if not os.path.exists(path):
            continue
        r = json.load(open(path, encoding="utf-8"))
        t = r["splits"]["test"]
        a, c = t["at_threshold"], t["at_80_coverage"]
        rows.append(
            (
                f"kefu, {r['tier']} tier",
                t["right_first"],
                t["right_in_top3"],
                c["precision"],
                c["unanswerable_declined"],
                f"{pct(a['precision'])} / {pct(a['coverage'])} / {pct(a['unanswerable_declined'])} (at {a['threshold']:.3f})",
                f"{t['question_p50_us']:.0f}",
            )
        )
    peers = json.load(open(os.path.join(out, "peers-knowledge.json"), encoding="utf-8"))["peers"]
    for p in peers:
        t = p["splits"]["test"]
        c = t["at_80_coverage"]
        rows.append(
            (p["system"], t["right_first"], t["right_in_top3"], c["precision"], c["unanswerable_declined"], "–", f"{p['question_mean_us']:.0f} (mean)")
        )
    print("| system (test part) | right passage first | in top three | precision at 80 % coverage | unanswerable declined there | precision / coverage / declined at the bot's threshold | µs per question |")
    print("|---|---|---|---|---|---|---|")
    for name, first, top3, prec, decl, at, us in rows:
        print(f"| {name} | {pct(first)} | {pct(top3)} | {pct(prec)} | {pct(decl)} | {at} | {us} |")


if __name__ == "__main__":
    main()
