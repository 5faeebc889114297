"""Builds core/src/sentiment_en.txt: the English words of VADER's lexicon (vaderSentiment
3.3.2, MIT licence, C.J. Hutto; PyPI) that carry a clear sentiment, with their weight.

VADER's lexicon gives each word the mean of ten people's ratings from -4 (extremely
negative) to +4. kefu keeps plain lower-case words (no emoticons, no abbreviations with
digits) rated MIN_STRENGTH or more negative (its positive words — "support", "pretty",
"like", "free" — are what customer-service lines say calmly), weighted rating / 2 and at
most 1, as the project's own lexicon words count (core/src/sentiment.rs): one word makes a
line dissatisfied, not angry ("my phone is dead" is no outburst). The project's lexicon is
kept beside it; where both hold a word, the project's weight wins.
Deterministic, sorted; only this list ships.

Usage: python3 tools/build-sentiment-lexicon.py   (installs vaderSentiment==3.3.2 if missing)
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[1]
MIN_STRENGTH = 1.5

try:
    import vaderSentiment  # noqa: F401
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "vaderSentiment==3.3.2"], check=True)
import vaderSentiment

lexicon = pathlib.Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
rows = []
for line in lexicon.read_text(encoding="utf-8").splitlines():
    parts = line.split("\t")
    if len(parts) < 2 or not re.fullmatch(r"[a-z][a-z'-]*[a-z]", parts[0]):
        continue
    rating = float(parts[1])
    if rating <= -MIN_STRENGTH:
        rows.append((parts[0], round(max(-1.0, rating / 2), 2)))
rows.sort()
out = root / "core/src/sentiment_en.txt"
header = ("# English sentiment words from VADER 3.3.2's lexicon (MIT licence, C.J. Hutto), rating / 2, at most -1;\n"
          "# written by tools/build-sentiment-lexicon.py. word<TAB>weight\n")
out.write_text(header + "".join(f"{w}\t{v:g}\n" for w, v in rows), encoding="utf-8")
print(f"{out.relative_to(root)}: {len(rows)} words")
