// The static tier's bot load in headless Chromium (Debian's, driven by playwright-core), on
// the demo page: the first visit fetches the table from the page's own server, the next one
// reads it from Cache Storage. Each round is a fresh browser (an empty cache); the page
// times its own load (`data-load-ms`: the table read and the bot's load and training).
// Writes a JSON report.
// Usage: node wasm/bench/static-load.mjs [--rounds N] [--out FILE]
// (after `bash wasm/build` and tools/build-static, or KEFU_TEST_STATIC_TABLE).
import { statSync, writeFileSync } from "node:fs";
import { launchChromium } from "./chromium.mjs";
import { serve, staticTable } from "../../examples/web/serve.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const rounds = Number(option("--rounds", "5"));
const out = option("--out", "reports/bench-web-static.json");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { network: [], cache: [] };
let version;
const server = await serve(0);
const origin = `http://127.0.0.1:${server.address().port}`;
try {
  for (let round = 0; round < rounds; round++) {
    const browser = await launchChromium();
    version = browser.version();
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(60_000);
      const visit = async (expectedFrom) => {
        await page.locator("#status", { hasText: "online · static" }).waitFor();
        const from = await page.getAttribute("body", "data-table-from");
        if (from !== expectedFrom) throw new Error(`the table came from ${from}, not ${expectedFrom}`);
        return Number(await page.getAttribute("body", "data-load-ms"));
      };
      await page.goto(`${origin}/?tier=static`);
      runs.network.push(await visit("network"));
      await page.reload();
      runs.cache.push(await visit("cache"));
    } finally {
      await browser.close();
    }
    console.error(`round ${round + 1}: from the network ${runs.network.at(-1)} ms, from Cache Storage ${runs.cache.at(-1)} ms`);
  }
} finally {
  server.close();
}
const report = {
  what: "sample bot (examples/bots/shop.yaml) on the static tier on the demo page in headless Chromium: the table read and Bot.fromYamlWithStaticTable, as the page times it",
  chromium: version,
  rounds,
  table_bytes: statSync(staticTable).size,
  load_ms_from_network: runs.network,
  load_ms_from_cache: runs.cache,
  median_ms_from_network: median(runs.network),
  median_ms_from_cache: median(runs.cache),
};
writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
console.error(`median ${report.median_ms_from_network} ms from the network, ${report.median_ms_from_cache} ms from Cache Storage; ${out}`);
