// The ONNX tier of the npm package in Node: the real encoder on ONNX Runtime Web (npm
// onnxruntime-web, wasm backend), tokenized by the package's tokenizer wasm. Its tokens and
// embeddings must equal Python onnxruntime's (target/onnx-reference.json, written by
// tools/onnx-reference.py for the same encoder), and the sample bot loaded with it must
// understand paraphrases that the embedded tier sends to the fallback.
// Encoder: KEFU_TEST_ENCODER_DIR, else the one tools/build-encoder writes (the reference file
// must come from the same one). Missing → the tests skip, unless KEFU_REQUIRE_ONNX=1
// (tools/test-all) makes that a failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-web";
import { initSync, Bot, Session } from "../pkg/kefu_wasm.js";
import { createOnnxEncoder } from "../pkg/encoder.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const encoderDir = process.env.KEFU_TEST_ENCODER_DIR ?? here("../../target/encoder/me5-small-enzh-int8");
const referencePath = process.env.KEFU_ONNX_REFERENCE ?? here("../../target/onnx-reference.json");
const present = existsSync(`${encoderDir}/model.onnx`) && existsSync(referencePath);
if (!present && process.env.KEFU_REQUIRE_ONNX === "1") {
  throw new Error(`KEFU_REQUIRE_ONNX=1 but ${encoderDir}/model.onnx or ${referencePath} is missing`);
}
const skip = present ? false : "no encoder or reference embeddings (see tools/test-all)";

initSync({ module: readFileSync(here("../pkg/kefu_wasm_bg.wasm")) });
ort.env.wasm.numThreads = 1;
const tokenizerWasm = readFileSync(here("../pkg/tokenizer/kefu_tokenizer_wasm_bg.wasm"));
const loadEncoder = (dir, model = "model.onnx") => createOnnxEncoder({
  ort,
  model: readFileSync(`${dir}/${model}`),
  tokenizer: readFileSync(`${dir}/tokenizer.json`),
  tokenizerWasm,
});
const loadBundle = (bundle) => createOnnxEncoder({ ort, bundle, tokenizerWasm });
const encoder = present ? await loadEncoder(encoderDir) : null;
const yaml = readFileSync(here("../../examples/bots/shop.yaml"), "utf8");

// CRC-32 (IEEE), to frame test bundles as kefu does.
const crc32 = (bytes) => {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
};

const cosine = (a, b) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
};

// ONNX Runtime Web 1.30's wasm kernels are not the native 1.31.1 library's: most sentences
// come out identical to six digits, but the int8 model quantizes activations on the fly and a
// rounding step can flip (lowest cosine measured: 0.99934). Hence 0.999 for each sentence
// (the native Rust path is held to 0.9999) and exact agreement for most of them.
// Where the native library has only AVX2 int8 kernels (no AVX-512 VNNI / AVX-VNNI), its own
// products round and saturate differently (the Rust side keeps records per kernel family,
// `kefu_tests::int8_kernel_family`): measured on an AVX2-only AMD EPYC, every sentence
// differs, lowest cosine 0.9924. There the bar is 0.99 and no exact agreement is expected.
const cpuFlags = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
const nativeAvx2Only = /\bavx2\b/.test(cpuFlags) && !/\b(avx512_vnni|avx_vnni)\b/.test(cpuFlags);
test("tokens and embeddings equal Python onnxruntime's", { skip }, async () => {
  const { sentences } = JSON.parse(readFileSync(referencePath, "utf8"));
  assert.ok(sentences.length >= 10);
  const mine = await encoder.embed(sentences.map((s) => s.text));
  const cosines = sentences.map((s, i) => {
    assert.deepEqual(encoder.tokenize(s.text), s.ids, s.text);
    assert.equal(mine[i].length, s.embedding.length);
    const c = cosine(mine[i], s.embedding);
    assert.ok(c >= (nativeAvx2Only ? 0.99 : 0.999), `${s.text}: cosine ${c}`);
    return c;
  });
  const exact = cosines.filter((c) => c >= 0.99999).length;
  if (!nativeAvx2Only) {
    assert.ok(exact * 2 >= cosines.length, `only ${exact} of ${cosines.length} sentences agree to 0.99999: ${cosines}`);
  }
});

// The shared reference encoder too, when it is beside the repo (the built one is checked
// against it elsewhere; this runs the page's path on it end to end).
const referenceDir = here("../../../shared/models/me5-small-enzh-int8");
const encoders = [["built", () => encoder]];
if (present && existsSync(`${referenceDir}/model.onnx`)) {
  encoders.push(["reference", () => loadEncoder(referenceDir)]);
}

for (const [which, load] of encoders) test(`the sample bot on the ONNX tier (${which} encoder) understands what the embedded tier does not`, { skip, timeout: 300_000 }, async () => {
  const bot = await Bot.fromYamlWithEncoder("shop.yaml", yaml, await load());
  const embedded = Bot.fromYaml("shop.yaml", yaml);
  assert.equal(bot.tier, "onnx");
  assert.equal(embedded.tier, "embedded");
  // Held-out paraphrases (examples/bots/shop.test.yaml) that share too few words with the
  // bot's examples for the n-gram model.
  const cases = [
    ["the headphones stopped charging after two weeks, can you fix them", "warranty_repair"],
    ["does this phone support 5G", "product_question"],
  ];
  for (const [text, intent] of cases) {
    assert.equal(new Session(embedded).turn(embedded, text).intent, null, text);
    const turn = await new Session(bot).turnAsync(bot, text);
    assert.equal(turn.intent?.name, intent, text);
    assert.equal(turn.intent.source, "model");
  }
  const faq = await new Session(bot).turnAsync(bot, "能用微信付款吗");
  assert.ok(faq.signals.some((s) => s.type === "faq_answered" && s.id === "payment_methods"), JSON.stringify(faq.signals));

  // Dialogue behaviour is the embedded tier's: a handoff and its masked transcript.
  const session = new Session(bot);
  const handoff = (await session.turnAsync(bot, "转人工，电话13812345678")).signals.find((s) => s.type === "handoff");
  assert.deepEqual(handoff.reasons, ["explicit_request"]);
  assert.ok(handoff.transcript.every((l) => !l.text.includes("13812345678")));
  assert.equal(session.state, "with_agent");

  // The encoder is asynchronous: a synchronous turn says what to call instead.
  assert.throws(() => new Session(bot).turn(bot, "hi"), (e) => e.code === "invalid_state" && /turnAsync/.test(e.message));
});

test("a broken encoder is a typed error at load and leaves turns to the n-grams", { skip }, async () => {
  const short = { embed: async (texts) => texts.slice(1).map(() => new Float32Array(4)) };
  await assert.rejects(Bot.fromYamlWithEncoder("shop.yaml", yaml, short), (e) => e.code === "encoder_failed" && /vectors for/.test(e.message));
  await assert.rejects(Bot.fromYamlWithEncoder("shop.yaml", yaml, {}), (e) => e.code === "invalid_input" && /embed/.test(e.message));
  await assert.rejects(Bot.fromYamlWithEncoder("shop.yaml", "version: 1\nintents: {}", encoder), (e) => e.code === "invalid_bot");

  // Empty and too-long utterances and turns with an agent are not embedded.
  let embedded = 0;
  const counting = { embed: (texts) => ((embedded += texts.length), encoder.embed(texts)) };
  const counted = await Bot.fromYamlWithEncoder("shop.yaml", yaml, counting);
  const atLoad = embedded;
  const s = new Session(counted);
  await s.turnAsync(counted, "  ");
  await assert.rejects(s.turnAsync(counted, "x".repeat(2_000_000)), (e) => e.code === "invalid_input");
  await s.turnAsync(counted, "转人工");
  await s.turnAsync(counted, "hello?");
  assert.equal(embedded - atLoad, 1);

  // An encoder that fails after loading: the turn still happens, on the n-gram features
  // alone (as on native builds), and rules still work.
  let calls = 0;
  const flaky = { embed: (texts) => (calls++ === 0 ? encoder.embed(texts) : Promise.reject(new Error("offline"))) };
  const bot = await Bot.fromYamlWithEncoder("shop.yaml", yaml, flaky);
  const session = new Session(bot);
  const turn = await session.turnAsync(bot, "转人工");
  assert.equal(calls, 2);
  assert.equal(turn.intent.source, "rule");
  assert.equal(session.state, "with_agent");
});

// The page's cache: a bundle the encoder writes holds every example's embedding, so the
// same bot loaded from it runs the model on none of them and answers the same.
test("a bundle the page saves spares the next load every example's embedding", { skip, timeout: 300_000 }, async () => {
  const fresh = await loadEncoder(encoderDir);
  const first = await Bot.fromYamlWithEncoder("shop.yaml", yaml, fresh);
  const examples = fresh.modelRuns;
  assert.ok(examples > 100, `${examples} texts embedded at load`);
  const bytes = await fresh.toBundle();
  const cached = await loadBundle(bytes);
  const again = await Bot.fromYamlWithEncoder("shop.yaml", yaml, cached);
  assert.equal(cached.modelRuns, 0, "every example came from the bundle");
  for (const text of ["我的包裹现在在哪里", "does this phone support 5G", "能用微信付款吗", "hello"]) {
    const [a, b] = [await new Session(first).turnAsync(first, text), await new Session(again).turnAsync(again, text)];
    assert.deepEqual([b.intent, b.alternatives, b.replies], [a.intent, a.alternatives, a.replies], text);
  }
  assert.equal(cached.modelRuns, 4, "turns run the model");
  assert.deepEqual(await cached.toBundle(), bytes, "saving again writes the same bytes");

  // An edited bot embeds only its new example.
  const edited = yaml.replace("我要退款", "我要退款\n      - 麻烦把货款原路退给我");
  assert.notEqual(edited, yaml);
  await Bot.fromYamlWithEncoder("shop.yaml", edited, cached);
  assert.equal(cached.modelRuns, 5);
});

// A bundle `kefu bundle` made (tools/test-all passes KEFU_TEST_BUNDLE) loads in the page:
// its embeddings serve the bot's load, its heads (for native builds) are kept when saved.
const nativeBundle = process.env.KEFU_TEST_BUNDLE;
if (!nativeBundle && process.env.KEFU_REQUIRE_ONNX === "1") throw new Error("KEFU_REQUIRE_ONNX=1 but KEFU_TEST_BUNDLE is not set");
test("a bundle kefu bundle made loads in the page", { skip: nativeBundle ? skip : "no KEFU_TEST_BUNDLE" }, async () => {
  const bytes = readFileSync(nativeBundle);
  const native = await loadBundle(bytes);
  const bot = await Bot.fromYamlWithEncoder("shop.yaml", yaml, native);
  assert.equal(native.modelRuns, 0);
  assert.equal((await new Session(bot).turnAsync(bot, "我想把钱退回来")).intent?.name, "refund");
  assert.deepEqual(await native.toBundle(), new Uint8Array(bytes), "the same content, written as kefu writes it");
});

// Bad bundle bytes are refused with a message saying what to do, before any model is run.
test("a damaged bundle is a typed error", async () => {
  const tiny = await loadEncoder(here("../../tests/fixtures/tiny-encoder"));
  await tiny.embed(["where is my order", "我要退款"], { examples: true });
  const good = await tiny.toBundle();
  const reloaded = await loadBundle(good);
  assert.deepEqual(await reloaded.embed(["我要退款"], { examples: true }), await tiny.embed(["我要退款"]));
  assert.equal(reloaded.modelRuns, 0);
  const refused = async (bytes, why) => assert.rejects(loadBundle(bytes), (e) => e.code === "invalid_input" && why.test(e.message) && /kefu bundle/.test(e.message), why.source);
  await refused(new TextEncoder().encode("model.onnx"), /KEFUMODL/);
  await refused(good.subarray(0, good.length - 1), /checksum/);
  const flipped = good.slice();
  flipped[40] ^= 1;
  await refused(flipped, /checksum/);
  const version = good.slice();
  version[8] = 9;
  await refused(version, /version 9/);
  // Damage behind a valid checksum: a value that is not a number, a section cut short.
  const body = (bytes) => {
    const out = bytes.slice();
    new DataView(out.buffer).setUint32(10, crc32(out.subarray(14)), true);
    return out;
  };
  const view = new DataView(good.buffer, good.byteOffset);
  let at = 14;
  for (let i = 0; i < 3; i++) at += 8 + Number(view.getBigUint64(at, true)); // metadata, model, tokenizer
  const nan = good.slice();
  new DataView(nan.buffer).setFloat32(at + 8 + 8, NaN, true); // the first embedding's first value
  await refused(body(nan), /finite/);
  await refused(body(good.subarray(0, good.length - 3)), /cut short/);
  await refused(body(Uint8Array.from([...good, 0])), /trailing/);
  await assert.rejects(loadBundle("not bytes"), (e) => e.code === "invalid_input" && /Uint8Array/.test(e.message));
  await assert.rejects(createOnnxEncoder({ ort, bundle: good, model: good }), (e) => e.code === "invalid_input" && /not both/.test(e.message));
});

// Any damage behind a valid checksum — random bytes changed anywhere in a small bundle —
// loads or is refused with invalid_input; nothing else escapes (a RangeError, an ONNX
// Runtime or tokenizer error without a code).
test("a bundle with random damage loads or is refused with invalid_input", async () => {
  const tiny = await loadEncoder(here("../../tests/fixtures/tiny-encoder"));
  await tiny.embed(["where is my order", "我要退款"], { examples: true });
  const good = await tiny.toBundle();
  let seed = 42;
  const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const outcomes = { loaded: 0, refused: 0 };
  for (let round = 0; round < 150; round++) {
    const bytes = good.slice();
    for (let k = 1 + random(3); k > 0; k--) bytes[14 + random(bytes.length - 14)] = random(256);
    new DataView(bytes.buffer).setUint32(10, crc32(bytes.subarray(14)), true);
    try {
      const encoder = await loadBundle(bytes);
      await encoder.embed(["hello"]);
      outcomes.loaded++;
    } catch (e) {
      assert.equal(e.code, "invalid_input", `round ${round}: ${e.stack}`);
      outcomes.refused++;
    }
  }
  assert.ok(outcomes.loaded > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});

// The pooling of several layers on the tiny fixture (tools/build-tiny-encoder.py): the
// first output and `layer0_hidden_state` join the embedding, `pooler_output` does not;
// the same numbers as the native test `extra_hidden_state_outputs_join_the_embedding`.
test("extra hidden-state outputs join the embedding, other outputs do not", async () => {
  const tiny = await loadEncoder(here("../../tests/fixtures/tiny-encoder"), "model-layers.onnx");
  const unit = (v) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
  const ids = [0, 4, 5, 6, 7, 8, 9, 2];
  const mean = ids.reduce((a, b) => a + b, 0) / ids.length;
  const last = unit([...Array(8).keys()].map((d) => mean + 0.1 * d));
  const layer0 = unit([...Array(8).keys()].map((d) => ids.filter((i) => i % 8 === d).length / 8));
  const expected = unit([...last.map((x) => 2 * x), ...layer0]);
  const [got] = await tiny.embed(["where is my order"]);
  assert.equal(got.length, 16);
  got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-5, `${i}: ${g} vs ${expected[i]}`));
});
