"""Builds core/src/abuse_overlaps.txt: Chinese contexts in which an abusive word of
core/src/abuse.rs ends where an innocent word begins (弱智 in 信号弱智能 is 弱 + 智能,
畜生 in 家畜生产 is 家畜 + 生产, 混蛋 in 混蛋白粉 is 混 + 蛋白 + 粉).

From the word list of jieba 0.42.1 (MIT licence, PyPI; its dict.txt: word, frequency,
part of speech): for each abusive Chinese word W and each dictionary word D that is common
(frequency ≥ MIN_FREQUENCY), of a content part of speech and holds no abusive word, when
D starts with an end of W, the context is W followed by the rest of D (弱智 + 智能 →
弱智能). Words that follow an insult as often as they start an innocent word (傻逼 + 逼问
→ 傻逼问题, 逼样 + 样子) are in SAID_AFTER and give no context. Only extensions to the
right: a word that ends where an insult starts is as often an intensifier (大白痴,
老王八蛋). A context that holds a shorter one is left out (the shorter one covers it).
Deterministic, the output sorted; only this list ships, not the dictionary.

Usage: python3 tools/build-abuse-overlaps.py   (installs jieba==0.42.1 if missing)
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[1]
MIN_FREQUENCY = 100
# Parts of speech of the dictionary words used: nouns, verbs, adjectives, pronouns, time
# and place words, idioms — not particles, modal words, prepositions or conjunctions,
# which follow an insult as often as anything else.
CONTENT = re.compile(r"^(n|v|a|r|t|s|f|b|z|l|i|j|m|q)")
# What an insult is said with (你们这些贱人们, 贱人啊): an added part that is one of these
# characters is no evidence of an innocent word.
SAID_WITH = set("们的了吧啊呀呢吗么个你我他她它这那种些帮群家好人都也就还又是在有")
# Dictionary words that follow an insult as often as they start an innocent word.
SAID_AFTER = {"逼死", "逼问", "样子", "样儿", "猪头", "死鬼", "死死", "痴心", "痴痴", "痴迷", "残废", "你老",
              "日子", "人儿", "死心", "死党", "死敌", "死对头", "死罪", "死去", "死光", "死神", "死难", "死期",
              "死法", "死地", "死命", "死战", "死寂", "死有余辜", "死路一条", "死于非命", "死不瞑目",
              "死去活来", "死不了", "东西", "蛋子", "货色", "种地", "人渣", "八戒", "人心", "人性", "人品",
              "人格", "人样", "人类", "人面", "人脸", "种人", "子女", "子孙", "子孙后代", "爷爷",
              # 狗东西服务: an insult, then 服务.
              "西服"}
# Contexts that are abuse nearly always.
NOT_INNOCENT = {"草你妈妈"}

try:
    import jieba  # noqa: F401
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "jieba==0.42.1"], check=True)
import jieba

dictionary = pathlib.Path(jieba.__file__).parent / "dict.txt"
source = (root / "core/src/abuse.rs").read_text(encoding="utf-8")
lexicon = source[source.index("const ABUSIVE"):source.index("];", source.index("const ABUSIVE"))]
cjk = lambda s: all("\u4e00" <= c <= "\u9fff" for c in s)
abusive = sorted({w for w in re.findall(r'"([^"]+)"', lexicon) if cjk(w) and len(w) >= 2})

words = []
for line in dictionary.read_text(encoding="utf-8").splitlines():
    parts = line.split(" ")
    if len(parts) == 3 and cjk(parts[0]) and 2 <= len(parts[0]) <= 4 and int(parts[1]) >= MIN_FREQUENCY \
            and CONTENT.match(parts[2]) and parts[0] not in SAID_AFTER \
            and not any(w in parts[0] for w in abusive):
        words.append(parts[0])

contexts = set()
for w in abusive:
    for d in words:
        for k in range(1, len(w)):
            if d.startswith(w[-k:]) and len(d) > k and d[k:] not in SAID_WITH:
                contexts.add(w + d[k:])
contexts -= NOT_INNOCENT
contexts = {c for c in contexts if not any(c[:n] in contexts for n in range(2, len(c)))}
out = root / "core/src/abuse_overlaps.txt"
out.write_text("".join(c + "\n" for c in sorted(contexts)), encoding="utf-8")
print(f"{len(contexts)} contexts from {len(words)} dictionary words and {len(abusive)} abusive words → {out}")
