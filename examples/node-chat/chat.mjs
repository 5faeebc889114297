// A console chat with the sample bot through the kefu npm package:
//   bash wasm/build && cd examples/node-chat && npm install --no-package-lock && node chat.mjs
// Type a line (or pipe lines in); the bot answers, and says when it hands off to an agent.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { initSync, Bot, Session } from "kefu";

// In Node the wasm is read from disk; a page calls `await init()` and the browser fetches it.
initSync({ module: readFileSync(new URL(import.meta.resolve("kefu/kefu_wasm_bg.wasm"))) });
const bot = Bot.fromYaml("shop.yaml", readFileSync(new URL("../bots/shop.yaml", import.meta.url), "utf8"));
const session = new Session(bot);

for await (const line of createInterface({ input: process.stdin })) {
  const turn = session.turn(bot, line);
  for (const reply of turn.replies) console.log(`bot> ${reply}`);
  const handoff = turn.signals.find((s) => s.type === "handoff");
  if (handoff) {
    console.log(`[handed off to ${handoff.route} (${handoff.reasons.join(", ")})]\n${handoff.summary}`);
    session.agentFinished(bot); // a real app waits for its agent; this demo takes the chat back
  }
}
