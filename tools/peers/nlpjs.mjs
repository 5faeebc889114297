// nlp.js (npm @nlpjs/basic, pinned in package.json) on the splits `kefu eval --dump DIR`
// wrote: trains its NLU per dataset, scores the test split, and times one utterance at a
// time. Usage: node tools/peers/nlpjs.mjs SPLITS_DIR OUT.json
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import basic from "@nlpjs/basic";
import langZh from "@nlpjs/lang-zh";

const { containerBootstrap, Nlp, LangEn } = basic;
const { LangZh } = langZh;

const [splitsDir, out] = process.argv.slice(2);
// Label of the out-of-scope training utterances (CLINC150's oos_train): as kefu does, they
// train a background class that is never the answer.
const BACKGROUND = "~";

async function evaluate(split) {
  const lang = split.language;
  const container = await containerBootstrap();
  container.use(Nlp);
  container.use(lang === "zh" ? LangZh : LangEn);
  const nlp = container.get("nlp");
  nlp.settings.autoSave = false;
  nlp.addLanguage(lang);
  for (const [text, intent] of split.train) nlp.addDocument(lang, text, intent);
  for (const [text] of split.oos_train ?? []) nlp.addDocument(lang, text, BACKGROUND);
  const log = console.log;
  console.log = () => {}; // nlp.js prints every training epoch
  let started = performance.now();
  await nlp.train();
  const trainSeconds = (performance.now() - started) / 1000;
  console.log = log;
  let correct = 0;
  const latencies = [];
  for (const [i, [text, gold]] of split.test.entries()) {
    started = performance.now();
    const result = await nlp.process(lang, text);
    if (i < 300) latencies.push((performance.now() - started) * 1000);
    const intent =
      result.intent === BACKGROUND ? result.classifications.find((c) => c.intent !== BACKGROUND)?.intent : result.intent;
    if (intent === gold) correct++;
  }
  latencies.sort((a, b) => a - b);
  return {
    dataset: split.dataset,
    peer: "nlp.js (@nlpjs/basic 4.27.0)",
    train_examples: split.train.length,
    test_examples: split.test.length,
    intent_accuracy: correct / split.test.length,
    train_seconds: trainSeconds,
    predict_p50_us: latencies[Math.floor(latencies.length / 2)],
  };
}

const reports = [];
for (const file of readdirSync(splitsDir).filter((f) => f.endsWith(".json")).sort()) {
  const report = await evaluate(JSON.parse(readFileSync(join(splitsDir, file), "utf8")));
  console.error(`[nlp.js] ${report.dataset}: ${(report.intent_accuracy * 100).toFixed(2)} % (train ${report.train_seconds.toFixed(1)} s)`);
  reports.push(report);
}
writeFileSync(out, JSON.stringify({ datasets: reports }, null, 2) + "\n");
