"""Builds the built-in out-of-scope background (core/src/intent/background.txt): general and
other-business requests in English and Chinese that a customer-service bot should not take
for one of its intents. Offline, from ../shared/datasets, deterministic.

- English: CLINC150 (CC BY 3.0, Larson et al. 2019): three training utterances of each
  intent in its kitchen and dining, home, auto and commute, travel, utility, work and small
  talk domains, leaving out what a shop's own bot does (order, order_status, shopping
  lists) and what its intents cover (greeting, goodbye, thank_you, are_you_a_bot,
  what_can_i_ask_you, who_do_you_work_for), and its `oos_train` utterances.
- Chinese: CrossWOZ (Apache-2.0, Zhu et al. 2020): the first customer turn of 300
  dialogues of its validation set (restaurants, hotels, sights, metro and taxis in
  Beijing), with a leading greeting cut off.

Usage: python3 tools/build-background.py [DATASETS_DIR]"""
import json
import pathlib
import random
import re
import sys
import zipfile

root = pathlib.Path(__file__).resolve().parents[1]
data = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "datasets"

DOMAINS = ["kitchen_and_dining", "home", "auto_and_commute", "travel", "utility", "work", "small_talk"]
LEFT_OUT = {"order", "order_status", "shopping_list", "shopping_list_update", "greeting", "goodbye", "thank_you",
            "are_you_a_bot", "what_can_i_ask_you", "who_do_you_work_for"}
PER_INTENT = 3
ZH_DIALOGUES = 300

rng = random.Random(0)
clinc = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
domains = json.loads((data / "clinc150" / "domains.json").read_text(encoding="utf-8"))
by_intent = {}
for text, intent in clinc["train"]:
    by_intent.setdefault(intent, []).append(text)
english = []
for domain in DOMAINS:
    for intent in domains[domain]:
        if intent not in LEFT_OUT:
            english += rng.sample(sorted(by_intent[intent]), PER_INTENT)
english += [text for text, _ in clinc["oos_train"]]

with zipfile.ZipFile(data / "crosswoz" / "val.json.zip") as z:
    dialogues = json.loads(z.read("val.json"))
greeting = re.compile(r"^(你好|您好|hi|hello)[，,！!。\s]*", re.IGNORECASE)
chinese = []
for key in sorted(dialogues)[:ZH_DIALOGUES]:
    first = next(m["content"] for m in dialogues[key]["messages"] if m["role"] == "usr")
    chinese.append(greeting.sub("", first.strip()))

lines = sorted(set(t.strip().replace("\n", " ") for t in english + chinese if t.strip()))
out = root / "core" / "src" / "intent" / "background.txt"
out.write_text("\n".join(lines) + "\n", encoding="utf-8")
print(f"{out.relative_to(root)}: {len(lines)} lines ({len(english)} en, {len(chinese)} zh), {out.stat().st_size} bytes")
