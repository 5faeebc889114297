#!/usr/bin/env python3
"""kefu's eval reports next to the peers', with ratios: a Markdown table on stdout and the
merged JSON in OUT.

Usage: python3 tools/peers/compare.py OUT.json REPORT.json..."""
import json
import sys


def main(out, paths):
    rows = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for d in report["datasets"]:
            system = d.get("peer") or f"kefu {d.get('tier', 'embedded')}"
            rows.setdefault(d["dataset"], {})[system] = d
    systems = sorted({s for r in rows.values() for s in r}, key=lambda s: (not s.startswith("kefu"), s))
    base = "kefu embedded"
    print("| dataset | " + " | ".join(f"{s} acc % / train s / p50 µs" for s in systems) + " |")
    print("|---" * (len(systems) + 1) + "|")
    merged = []
    for dataset, by in sorted(rows.items()):
        cells = []
        for s in systems:
            d = by.get(s)
            if d is None:
                cells.append("–")
                continue
            cell = f"{d['intent_accuracy'] * 100:.2f} / {d['train_seconds']:.1f} / {d['predict_p50_us']:.0f}"
            k = by.get(base)
            if k and s != base and k["predict_p50_us"] > 0:
                cell += f" (p50 ×{d['predict_p50_us'] / k['predict_p50_us']:.0f}, train ×{d['train_seconds'] / max(k['train_seconds'], 1e-3):.0f})"
            cells.append(cell)
            merged.append({"dataset": dataset, "system": s, **{k2: d[k2] for k2 in
                           ("intent_accuracy", "train_seconds", "predict_p50_us")}})
        print(f"| {dataset} | " + " | ".join(cells) + " |")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"rows": merged}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
