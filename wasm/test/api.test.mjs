// The npm package exposes exactly the operations of bindings/api.txt that are not native-only
// (the native bindings are checked against the same list by bindings/check-api).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as kefu from "../pkg/kefu_wasm.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const entries = readFileSync(here("../../bindings/api.txt"), "utf8")
  .split("\n")
  .map((line) => line.split("#")[0].trim().split(/\s+/))
  .filter((words) => words[0])
  .map(([name, ...rest]) => {
    const [kind, op] = name.split(".");
    const platforms = rest.filter((w) => w === "native" || w === "js");
    return { kind, op, host: rest.includes("host"), js: platforms.length === 0 || platforms.includes("js") };
  })
  .filter((e) => e.js);
const statics = new Set(["fromYaml", "fromBytes", "fromCompiled", "fromYamlWithEncoder", "fromYamlWithStaticTable", "fromYamlWithDocuments", "restore"]);
const types = readFileSync(here("../pkg/kefu_wasm.d.ts"), "utf8");

test("every listed operation exists in the package", () => {
  for (const { kind, op, host } of entries) {
    if (host) {
      assert.ok(types.includes(`${op}?(`) || types.includes(`${op}(`), `${kind}.${op} is not in the TypeScript types`);
      continue;
    }
    const cls = kefu[kind];
    assert.equal(typeof cls, "function", `the package exports no ${kind}`);
    if (op === "new") continue;
    const found = statics.has(op) ? typeof cls[op] === "function" : op in cls.prototype;
    assert.ok(found, `${kind}.${op} is missing`);
  }
});

test("the package exposes no operation the list lacks", () => {
  const listed = new Set(entries.map((e) => `${e.kind}.${e.op}`));
  for (const kind of new Set(entries.filter((e) => !e.host).map((e) => e.kind))) {
    const cls = kefu[kind];
    const own = [
      ...Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== "constructor"),
      ...Object.getOwnPropertyNames(cls).filter((n) => !["length", "name", "prototype"].includes(n)),
    ].filter((n) => !n.startsWith("__") && n !== "free");
    for (const op of own) assert.ok(listed.has(`${kind}.${op}`), `${kind}.${op} is exposed but not in bindings/api.txt`);
  }
});
