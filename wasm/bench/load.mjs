// The ONNX tier's bot load in Node, from the encoder's files and from a model bundle the
// encoder saved (`encoder.toBundle()`), side by side; writes a JSON report.
// Usage: node wasm/bench/load.mjs [ENCODER_DIR] [--rounds N] [--out FILE]
// (after `bash wasm/build`; ENCODER_DIR defaults to the one tools/build-encoder writes).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-web";
import { initSync, Bot } from "../pkg/kefu_wasm.js";
import { createOnnxEncoder } from "../pkg/encoder.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dir = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--")) ?? here("../../target/encoder/me5-small-enzh-int8");
const rounds = Number(option("--rounds", "3"));
const out = option("--out", "reports/bench-web-load.json");

initSync({ module: readFileSync(here("../pkg/kefu_wasm_bg.wasm")) });
ort.env.wasm.numThreads = 1;
const tokenizerWasm = readFileSync(here("../pkg/tokenizer/kefu_tokenizer_wasm_bg.wasm"));
const yaml = readFileSync(here("../../examples/bots/shop.yaml"), "utf8");
const model = readFileSync(`${dir}/model.onnx`);
const tokenizer = readFileSync(`${dir}/tokenizer.json`);

const time = async (f) => {
  const t = performance.now();
  const value = await f();
  return [value, (performance.now() - t) / 1000];
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { files: [], bundle: [] };
let bundle, examples;
for (let round = 0; round < rounds; round++) {
  // Encoder creation and the bot's load, together: what a page waits for.
  const [fresh, filesSeconds] = await time(async () => {
    const encoder = await createOnnxEncoder({ ort, model, tokenizer, tokenizerWasm });
    await Bot.fromYamlWithEncoder("shop.yaml", yaml, encoder);
    return encoder;
  });
  examples = fresh.modelRuns;
  bundle = await fresh.toBundle();
  const [cached, bundleSeconds] = await time(async () => {
    const encoder = await createOnnxEncoder({ ort, bundle, tokenizerWasm });
    await Bot.fromYamlWithEncoder("shop.yaml", yaml, encoder);
    return encoder;
  });
  if (cached.modelRuns !== 0) throw new Error(`the bundle's load ran the model on ${cached.modelRuns} texts`);
  runs.files.push(filesSeconds);
  runs.bundle.push(bundleSeconds);
  console.error(`round ${round + 1}: files ${filesSeconds.toFixed(2)} s, bundle ${bundleSeconds.toFixed(2)} s`);
}
const report = {
  what: "sample bot (examples/bots/shop.yaml) on the ONNX tier in Node: createOnnxEncoder + Bot.fromYamlWithEncoder",
  node: process.version,
  rounds,
  examples_embedded_from_files: examples,
  bundle_bytes: bundle.length,
  load_seconds_from_files: runs.files,
  load_seconds_from_bundle: runs.bundle,
  median_from_files: median(runs.files),
  median_from_bundle: median(runs.bundle),
  ratio: median(runs.files) / median(runs.bundle),
};
writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
console.error(`median ${report.median_from_files.toFixed(2)} s → ${report.median_from_bundle.toFixed(2)} s (${report.ratio.toFixed(1)}×); ${out}`);
