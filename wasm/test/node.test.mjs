// The npm package in Node: load the wasm, chat, hand off, save/restore, typed errors.
// Core behaviour is tested in Rust; this proves the JS surface works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Analytics, Bot, Session } from "../pkg/kefu_wasm.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
initSync({ module: readFileSync(here("../pkg/kefu_wasm_bg.wasm")) });
const yaml = readFileSync(here("../../examples/bots/shop.yaml"), "utf8");
const bot = Bot.fromYaml("shop.yaml", yaml);

test("a turn is a plain object with the documented shape", () => {
  const session = new Session(bot);
  const turn = session.turn(bot, "where is my order 12345678");
  assert.equal(turn.language, "en");
  assert.equal(turn.intent.name, "order_status");
  assert.equal(turn.intent.source, "model");
  assert.deepEqual(turn.slots, { order_id: "12345678" });
  assert.deepEqual(turn.actions, [{ name: "lookup_order", slots: { order_id: "12345678" } }]);
  assert.ok(turn.replies[0].includes("12345678"));
  assert.ok(turn.entities.some((e) => e.entity === "order_id" && e.raw === "12345678"));
  assert.equal(session.state, "idle");
  assert.equal(new Session(bot).turn(bot, "量子力学的波函数坍缩是什么意思").intent, null);
});

test("handoff signal, with-agent state and resume", () => {
  const session = new Session(bot);
  const turn = session.turn(bot, "转人工，电话13812345678");
  const handoff = turn.signals.find((s) => s.type === "handoff");
  assert.deepEqual(handoff.reasons, ["explicit_request"]);
  assert.equal(handoff.route, "general");
  assert.equal(handoff.priority, "normal");
  assert.ok(handoff.transcript.every((l) => !l.text.includes("13812345678")));
  assert.equal(session.state, "with_agent");
  assert.deepEqual(session.turn(bot, "hello?").signals, [{ type: "with_agent" }]);
  const review = session.agentMessage(bot, "您好，我是客服小李，回电 13812345678");
  assert.deepEqual(review.findings, [{ kind: "personal_data", kinds: ["phone"] }]);
  assert.ok(!review.masked.includes("13812345678"), review.masked);
  assert.deepEqual(session.agentFinished(bot), [{ kind: "missing_closing" }]);
  assert.equal(session.state, "idle");
  // The survey after the agent; the conversation counted as one.
  assert.deepEqual(session.askSurvey(bot).signals, [{ type: "survey_requested" }]);
  assert.equal(session.state, "survey");
  const rated = session.turn(bot, "4分，挺好");
  assert.deepEqual(rated.signals, [{ type: "survey_answered", score: 4, comment: "4分，挺好" }]);
  const analytics = new Analytics();
  analytics.recordConversation(session.outcome(), 2_000_000_000, 480, "customer-1");
  const { conversations } = analytics.report();
  assert.equal(conversations.conversations, 1);
  assert.equal(conversations.handoff_rate, 1);
  assert.equal(conversations.satisfaction, 4);
  assert.deepEqual(conversations.handoffs_by_reason, [["explicit_request", 1]]);
});

test("sentiment and abuse", () => {
  const turn = new Session(bot).turn(bot, "you stupid bot, where the fuck is my package");
  const handoff = turn.signals.find((s) => s.type === "handoff");
  assert.deepEqual(handoff.reasons, ["abuse", "negative_sentiment"]);
  assert.equal(handoff.priority, "high");
  assert.ok(handoff.transcript.every((l) => !l.text.includes("fuck")));
  assert.ok(turn.sentiment < 0);
});

test("relative dates resolve against the page's time", () => {
  // Saturday 2026-11-21 10:00 in UTC+8.
  const turn = new Session(bot).turnAt(bot, "明天下午三点能送到吗", 1795226400, 480);
  assert.ok(turn.entities.some((e) => e.entity === "datetime" && e.value === "2026-11-22T15:00"), JSON.stringify(turn.entities));
});

test("save and restore", () => {
  const session = new Session(bot);
  session.turn(bot, "我要退款");
  const restored = Session.restore(bot, session.save());
  assert.equal(restored.state, "form");
  restored.turn(bot, "66668888");
  const again = Session.restore(bot, restored.save());
  assert.equal(again.state, "confirm");
  assert.deepEqual(again.turn(bot, "是的").actions.map((a) => a.name), ["start_refund"]);
});

test("a compiled bot answers as its file, without YAML or training", () => {
  const bytes = bot.toCompiled(true);
  const compiled = Bot.fromCompiled("shop.kefubot", bytes);
  assert.deepEqual(compiled.toCompiled(true), bytes);
  const small = bot.toCompiled(false);
  assert.ok(small.length * 20 < bytes.length, `${small.length} against ${bytes.length}`);
  const trained = Bot.fromCompiled("small.kefubot", small);
  assert.deepEqual(new Session(trained).turn(trained, "转人工"), new Session(bot).turn(bot, "转人工"));
  for (const line of ["我的快递怎么还没到", "I want a refund", "转人工", "量子力学是什么"]) {
    assert.deepEqual(new Session(compiled).turn(compiled, line), new Session(bot).turn(bot, line), line);
  }
  assert.throws(() => Bot.fromCompiled("cut.kefubot", bytes.slice(0, bytes.length >> 1)),
    (e) => e.code === "invalid_bot" && e.message.includes("kefu compile"));
  assert.throws(() => Bot.fromCompiled("shop.yaml", new TextEncoder().encode(yaml)),
    (e) => e.code === "invalid_bot" && e.message.includes("not a compiled kefu bot"));
});

test("errors carry a code and say what to fix", () => {
  assert.throws(() => Bot.fromYaml("bad.yaml", "version: 1\nintents:\n  refund:\n    examples: [退款]\n"),
    (e) => e.code === "invalid_bot" && e.message.includes("bad.yaml:3"));
  assert.throws(() => Bot.fromBytes("bin.yaml", new Uint8Array([0xff, 0xfe, 0x00])),
    (e) => e.code === "invalid_bot" && e.message.includes("UTF-8"));
  assert.throws(() => new Session(bot).turn(bot, "x".repeat(5000)), (e) => e.code === "invalid_input");
  assert.throws(() => Session.restore(bot, new Uint8Array([1, 2, 3])), (e) => e.code === "invalid_session");
  assert.throws(() => new Session(bot).agentFinished(bot), (e) => e.code === "invalid_state");
  // The limits on hostile bot files (issue 21) are typed errors with the fix to make.
  const regexes = Array.from({ length: 21 }, (_, i) => `  e${i}: { regex: 'x${i}' }\n`).join("");
  assert.throws(() => Bot.fromYaml("big.yaml", `version: 1\nentities:\n${regexes}intents:\n  a: { examples: [hi, hello] }\n`),
    (e) => e.code === "invalid_bot" && e.message.includes("21 `regex` entities; the limit is 20"));
  const slots = Array.from({ length: 51 }, (_, i) => `      s${i}: { entity: number }\n`).join("");
  assert.throws(() => Bot.fromYaml("big.yaml", `version: 1\nintents:\n  a:\n    examples: [hi, hello]\n    slots:\n${slots}`),
    (e) => e.code === "invalid_bot" && e.message.includes("51 slots; the limit is 50"));
});

test("clarification: close intents are offered as choices; a chosen title settles it", () => {
  const session = new Session(bot);
  const asked = session.turn(bot, "东西不想要了，钱能退吗");
  const { choices } = asked.signals.find((s) => s.type === "clarification_requested");
  assert.deepEqual(choices, [{ intent: "return_item", title: "退货" }, { intent: "refund", title: "申请退款" }]);
  assert.equal(session.state, "clarify");
  const picked = session.turn(bot, choices[1].title);
  assert.equal(picked.intent.name, "refund");
  assert.equal(picked.intent.source, "clarified");
});

test("follow-up: a cue and a new value keep the previous intent", () => {
  const session = new Session(bot);
  session.turn(bot, "where is order 12345678");
  const turn = session.turn(bot, "what about 87654321?");
  assert.equal(turn.intent.name, "order_status");
  assert.equal(turn.intent.source, "follow_up");
  assert.deepEqual(turn.slots, { order_id: "87654321" });
});

test("host adapter: sync answers validate slots and report agent availability", () => {
  const session = new Session(bot);
  const asked = [];
  session.setHostAdapter({
    validateSlot(intent, slot, value) { asked.push(`${intent}.${slot}=${value}`); return value !== "99999999"; },
    agentAvailable: () => false,
  });
  session.turn(bot, "I want a refund");
  const rejected = session.turn(bot, "99999999");
  assert.ok(rejected.signals.some((s) => s.type === "slot_rejected"));
  assert.deepEqual(asked, ["refund.order_id=99999999"]);
  assert.ok(session.turn(bot, "12345678").signals.some((s) => s.type === "confirmation_requested"));
  assert.equal(session.state, "confirm");
  assert.deepEqual(session.turn(bot, "yes").actions.map((a) => a.name), ["start_refund"]);
  const noAgent = session.turn(bot, "talk to a human");
  const ticket = noAgent.signals.find((s) => s.type === "agent_unavailable");
  assert.deepEqual(ticket.reasons, ["explicit_request"]);
  assert.equal(session.state, "form");
});

test("host adapter: a throwing adapter hands off; a Promise needs turnAsync", () => {
  const broken = new Session(bot);
  broken.setHostAdapter({ validateSlot() { throw new Error("order service down"); } });
  const turn = broken.turn(bot, "please refund order 12345678");
  assert.deepEqual(turn.signals.find((s) => s.type === "handoff").reasons, ["adapter_failure"]);

  const session = new Session(bot);
  session.setHostAdapter({ validateSlot: async () => true });
  assert.throws(() => session.turn(bot, "please refund order 12345678"), (e) => e.code === "invalid_state");
  assert.equal(session.state, "idle", "a rejected turn leaves the session as it was");
});

test("host adapter: turnAsync awaits Promise answers", async () => {
  const session = new Session(bot);
  const known = new Set(["12345678"]);
  session.setHostAdapter({
    validateSlot: (intent, slot, value) => new Promise((resolve) => setTimeout(() => resolve(known.has(value)), 5)),
    agentAvailable: async () => { throw new Error("queue service unreachable"); },
  });
  const unknown = await session.turnAsync(bot, "please refund order 99999999");
  assert.ok(unknown.signals.some((s) => s.type === "slot_rejected"));
  assert.equal(session.state, "form");
  const pending = session.turnAsync(bot, "12345678");
  assert.throws(() => session.turn(bot, "hello"), (e) => e.code === "invalid_state");
  assert.equal((await pending).signals.some((s) => s.type === "confirmation_requested"), true);
  const human = await session.turnAsync(bot, "talk to a human");
  assert.deepEqual(human.signals.find((s) => s.type === "handoff").reasons, ["explicit_request", "adapter_failure"]);
});

test("analytics counts turns without the customer's text", () => {
  const analytics = new Analytics();
  const session = new Session(bot);
  session.attachAnalytics(analytics);
  for (const text of ["你好", "运费多少", "转人工 13812345678"]) session.turn(bot, text);
  const report = analytics.report();
  assert.equal(report.turns, 3);
  assert.equal(report.faq_answered, 1);
  assert.deepEqual(report.escalation_reasons, [["explicit_request", 1]]);
  assert.ok(!JSON.stringify(report).includes("13812345678"));
  const total = new Analytics();
  total.merge(analytics);
  total.merge(analytics);
  assert.equal(total.report().turns, 6);
});

test("segments, business rules and values the page adds at run time", () => {
  const session = new Session(bot);
  session.setEntityValues(bot, "product", { kettle: ["电水壶"] });
  assert.equal(session.turn(bot, "这款电水壶防水吗").slots.product, "kettle");
  session.setSegment("vip");
  assert.equal(session.segment, "vip");
  const handoff = session.turn(bot, "我要退款").signals.find((s) => s.type === "handoff");
  assert.equal(handoff.rule, "vip_refund");
  assert.equal(handoff.route, "vip_desk");
  assert.throws(() => session.setEntityValues(bot, "nope", {}), (e) => e.code === "invalid_state");
  const dealer = new Session(bot).turn(bot, "we are a reseller and want to order in bulk");
  assert.equal(dealer.segment, "dealer");
});

test("answers from documents, with citations that are the documents' own text", () => {
  const help = readFileSync(here("../../examples/bots/help-desk.yaml"), "utf8");
  const documents = ["help/returns.md", "help/shipping.md"].map((name) => ({
    name, text: readFileSync(here(`../../examples/bots/${name}`), "utf8"),
  }));
  const desk = Bot.fromYamlWithDocuments("help-desk.yaml", help, documents, null);
  const turn = new Session(desk).turn(desk, "how long do refunds to a bank card take");
  assert.equal(turn.intent, null);
  const [first] = turn.citations;
  assert.equal(first.document, "help/returns.md");
  assert.deepEqual(first.heading, ["Refund timing"]);
  // start/end count code points of the document's text.
  const text = [...documents[0].text].slice(first.start, first.end).join("");
  assert.equal(text, first.text);
  assert.ok(turn.replies[0].startsWith(first.text));
  assert.ok(turn.signals.some((s) => s.type === "knowledge_answered" && s.document === "help/returns.md"));
  const hits = desk.searchKnowledge("运费", 2);
  assert.equal(hits.length, 2);
  assert.ok(hits[0].score > 0 && hits[0].passage.document === "help/shipping.md");
  // Named without its text and not passed in: a bot-file error that names it.
  assert.throws(() => Bot.fromYamlWithDocuments("help-desk.yaml", help, [], null),
    (e) => e.code === "invalid_bot" && /help\/returns\.md/.test(e.message));
  assert.throws(() => Bot.fromYamlWithDocuments("help-desk.yaml", help, "not a list", null),
    (e) => e.code === "invalid_input");
});

test("mining and TOP-N over the page's own log lines", () => {
  const lines = ["where can I rent a car", "where can I rent a car today", "I want to rent a car", "运费多少"];
  const logs = lines.map((line) => {
    const session = new Session(bot);
    session.turn(bot, line);
    return session.lastTurnLog();
  });
  assert.equal(logs[3].outcome, "faq");
  const mining = bot.mine(logs);
  assert.equal(mining.unanswered, 3);
  assert.equal(mining.candidates.length, 1);
  assert.match(mining.candidates[0].label, /car/);
  assert.doesNotThrow(() => Bot.fromYaml("mined.yaml", mining.bot_file), mining.bot_file);
  const questions = bot.topTopics(logs, "questions", 3);
  assert.ok(questions.some((t) => t.examples.includes("运费多少")), JSON.stringify(questions));
  assert.throws(() => bot.mine([{ text: 1 }]), (e) => e.code === "invalid_input");
  assert.throws(() => bot.topTopics(logs, "moods", 3), (e) => e.code === "invalid_input");
});
