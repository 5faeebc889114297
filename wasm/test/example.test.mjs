// The packed npm tarball as an app gets it: examples/node-chat installs it (offline, from
// wasm/pkg/kefu-0.1.0.tgz) and chats through the package's public entry points only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const app = fileURLToPath(new URL("../../examples/node-chat/", import.meta.url));

test("an app installs the tarball and chats", { timeout: 120_000 }, () => {
  // Fresh each time: npm would keep an earlier build's copy of the same version.
  rmSync(`${app}/node_modules`, { recursive: true, force: true });
  execFileSync("npm", ["install", "--no-package-lock", "--no-audit", "--no-fund", "--offline"], { cwd: app, stdio: "pipe" });
  const out = execFileSync("node", ["chat.mjs"], { cwd: app, input: "where is my order 12345678\n转人工\n", encoding: "utf8" });
  assert.match(out, /bot> .*12345678/);
  assert.match(out, /\[handed off to general \(explicit_request\)\]/);
  assert.match(out, /客户问题：“where is my order 12345678”/);
  assert.match(out, /转人工原因：客户要求人工/);
});
