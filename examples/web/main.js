// The customer-side chat widget: the whole bot runs in this page through the kefu package.
import init, { Bot, Session } from "./pkg/kefu_wasm.js";

const $ = (id) => document.getElementById(id);

function say(text, who) {
  const li = document.createElement("li");
  li.className = who;
  li.textContent = text;
  $("log").append(li);
  li.scrollIntoView();
}

// `?tier=onnx` runs the ONNX tier: the encoder on ONNX Runtime Web, served by this page's
// own server (serve.mjs), like everything else here. The first visit saves a model bundle
// (model, tokenizer, the examples' embeddings) in the page's Cache Storage; later visits
// load from it and embed no example again.
async function loadBot(yaml) {
  const tier = new URLSearchParams(location.search).get("tier");
  const documents = await fetchDocuments(yaml);
  if (documents.length) return Bot.fromYamlWithDocuments(botFile, yaml, documents, tier === "static" ? await fetchTable() : null);
  if (tier === "static") return loadStatic(yaml);
  if (tier !== "onnx") return Bot.fromYaml("shop.yaml", yaml);
  const ort = await import("./ort/ort.min.mjs");
  ort.env.wasm.wasmPaths = new URL("./ort/", location.href).href;
  ort.env.wasm.numThreads = 1; // threads would need a cross-origin-isolated page
  const { createOnnxEncoder } = await import("./pkg/encoder.js");
  const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  $("status").textContent = "loading the encoder…";
  const store = await caches.open("kefu-demo");
  const saved = await store.match("encoder.kefumodl");
  // A damaged bundle (invalid_input) is replaced by a fresh encoder and saved again.
  const cached = saved && await createOnnxEncoder({ ort, bundle: new Uint8Array(await saved.arrayBuffer()) }).catch(() => null);
  const encoder = cached || await createOnnxEncoder({
    ort, model: await bytes("./encoder/model.onnx"), tokenizer: await bytes("./encoder/tokenizer.json"),
  });
  const bot = await Bot.fromYamlWithEncoder("shop.yaml", yaml, encoder);
  // Save when the load had to run the model (first visit, an edited bot, a damaged bundle).
  if (encoder.modelRuns > 0) await store.put("encoder.kefumodl", new Response(await encoder.toBundle()));
  document.body.dataset.embeddedAtLoad = encoder.modelRuns;
  return bot;
}

// `?tier=static` runs the static tier: a table of a few MB, fetched once from this page's
// server and kept in Cache Storage; kefu's own wasm does the rest (no ONNX Runtime).
async function loadStatic(yaml) {
  const started = performance.now();
  const store = await caches.open("kefu-demo");
  const saved = await store.match("table.kefustatic");
  if (saved) {
    try {
      const bot = Bot.fromYamlWithStaticTable("shop.yaml", yaml, new Uint8Array(await saved.arrayBuffer()));
      document.body.dataset.tableFrom = "cache";
      document.body.dataset.loadMs = Math.round(performance.now() - started);
      return bot;
    } catch {
      // A damaged copy (invalid_model) is fetched again below.
    }
  }
  $("status").textContent = "loading the table…";
  const response = await fetch("./static/table.kefustatic");
  const table = new Uint8Array(await response.clone().arrayBuffer());
  const bot = Bot.fromYamlWithStaticTable("shop.yaml", yaml, table);
  await store.put("table.kefustatic", response);
  document.body.dataset.tableFrom = "network";
  document.body.dataset.loadMs = Math.round(performance.now() - started);
  return bot;
}

// `?bot=help-desk` loads examples/bots/help-desk.yaml and the help-centre documents it names
// (knowledge.documents), served beside it: answers quote them with their source.
const botFile = `${new URLSearchParams(location.search).get("bot") ?? "shop"}.yaml`;

async function fetchDocuments(yaml) {
  const names = [...yaml.matchAll(/^\s*-\s*name:\s*(\S+\.(?:md|txt))\s*$/gm)].map((m) => m[1]);
  return Promise.all(names.map(async (name) => ({ name, text: await (await fetch(`./bots/${name}`)).text() })));
}

async function fetchTable() {
  return new Uint8Array(await (await fetch("./static/table.kefustatic")).arrayBuffer());
}

await init();
const bot = await loadBot(await (await fetch(`./bots/${botFile}`)).text());
const session = new Session(bot);
$("status").textContent = `online · ${bot.tier}`;

for (const { question } of bot.faqSuggestions("zh").slice(0, 4)) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = question;
  b.onclick = () => send(question);
  $("suggestions").append(b);
}

async function send(text) {
  if (!text.trim()) return;
  say(text, "customer");
  let turn;
  try {
    turn = await session.turnAsync(bot, text); // async: the ONNX tier's encoder is
  } catch (e) {
    say(`(${e.code}) ${e.message}`, "bot");
    return;
  }
  turnLog.push(session.lastTurnLog());
  document.body.dataset.intent = turn.intent?.name ?? "";
  showSuggestions(turn.suggestions ?? []);
  turn.replies.forEach((r) => say(r, "bot"));
  // A quoted answer names its source, for a link to the help page.
  const source = turn.citations?.[0];
  if (source) say(`source: ${[source.title, ...source.heading].join(" › ")} (${source.document})`, "source");
  const handoff = turn.signals.find((s) => s.type === "handoff");
  if (handoff) {
    $("handoff-route").textContent = `route: ${handoff.route} · priority: ${handoff.priority} · ${handoff.reasons.join(", ")}`;
    $("handoff-summary").textContent = handoff.summary;
    $("handoff").hidden = false;
  }
  document.body.dataset.state = session.state;
}

// The page's own log lines (masked), for the back office.
const turnLog = [];
$("office-refresh").onclick = () => {
  const rows = [];
  for (const [kind, title] of [["questions", "Top questions"], ["complaints", "Top complaints"]]) {
    for (const t of bot.topTopics(turnLog, kind, 5)) rows.push(`${title}: ${t.label} × ${t.count} — ${t.examples.join(" | ")}`);
  }
  $("office-topics").replaceChildren(...rows.map((r) => Object.assign(document.createElement("li"), { textContent: r })));
  const mining = bot.mine(turnLog);
  $("office-mined").textContent = mining.candidates.length ? mining.bot_file : `${mining.unanswered} unanswered lines, no group of 3 yet`;
};

// What a supervisor sees about the agent's lines (abuse, personal data, forbidden phrases,
// a missing greeting or closing).
function showFindings(findings) {
  for (const f of findings) say(`(supervisor) ${f.kind}${f.phrase ? `: ${f.phrase}` : ""}`, "bot");
}

// The agent's panel: a click sends the suggestion as the agent's line (kefu records it in
// the transcript, masked).
function showSuggestions(suggestions) {
  $("agent-suggestions").replaceChildren(...suggestions.map(({ text, id }) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.dataset.id = id;
    b.onclick = () => {
      const { findings } = session.agentMessage(bot, text);
      say(`(agent) ${text}`, "bot");
      showFindings(findings);
      showSuggestions([]);
    };
    li.append(b);
    return li;
  }));
}

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  send($("input").value);
  $("input").value = "";
});
$("resume").onclick = () => {
  showFindings(session.agentFinished(bot));
  showSuggestions([]);
  $("handoff").hidden = true;
  document.body.dataset.state = session.state;
  say("(agent finished: the bot is back)", "bot");
};
