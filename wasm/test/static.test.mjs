// The static tier of the npm package in Node: the table tools/build-static writes, passed in
// as bytes (a page fetches it once and keeps it in Cache Storage). No ONNX Runtime and no
// tokenizer package: the core's own tokenizer and table run inside kefu's wasm, and `turn`
// stays synchronous. Table: KEFU_TEST_STATIC_TABLE, else target/static/me5-small-enzh.kefustatic.
// Missing → the tests skip, unless KEFU_REQUIRE_STATIC=1 (tools/test-all) makes that a failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Bot, Session } from "../pkg/kefu_wasm.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const tablePath = process.env.KEFU_TEST_STATIC_TABLE ?? here("../../target/static/me5-small-enzh.kefustatic");
const present = existsSync(tablePath);
if (!present && process.env.KEFU_REQUIRE_STATIC === "1") {
  throw new Error(`KEFU_REQUIRE_STATIC=1 but ${tablePath} is missing`);
}
const skip = present ? false : "no static table (see tools/build-static)";

initSync({ module: readFileSync(here("../pkg/kefu_wasm_bg.wasm")) });
const yaml = readFileSync(here("../../examples/bots/shop.yaml"), "utf8");

test("a bot loads on the static table and turns synchronously", { skip }, () => {
  const started = performance.now();
  const bot = Bot.fromYamlWithStaticTable("shop.yaml", yaml, readFileSync(tablePath));
  const loadMs = performance.now() - started;
  assert.equal(bot.tier, "static");
  const session = new Session(bot);
  const turn = session.turn(bot, "where is my order 12345678");
  assert.equal(turn.intent?.name, "order_status");
  assert.equal(turn.slots.order_id, "12345678");
  const zh = new Session(bot).turn(bot, "我要退款，东西质量太差");
  assert.ok(zh.intent && zh.intent.name !== "greeting", JSON.stringify(zh.intent));
  console.log(`static tier in Node: table + bot load ${loadMs.toFixed(0)} ms`);
});

test("a damaged table is a typed error, not a crash", { skip }, () => {
  const table = new Uint8Array(readFileSync(tablePath));
  table[table.length - 10] ^= 1;
  assert.throws(
    () => Bot.fromYamlWithStaticTable("shop.yaml", yaml, table),
    (e) => e.code === "invalid_model" && /damaged/.test(e.message),
  );
  assert.throws(
    () => Bot.fromYamlWithStaticTable("shop.yaml", yaml, new Uint8Array([1, 2, 3])),
    (e) => e.code === "invalid_model" && /KEFUSTAT/.test(e.message),
  );
});
