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

await init();
const bot = Bot.fromYaml("shop.yaml", await (await fetch("./shop.yaml")).text());
const session = new Session(bot);
$("status").textContent = "online";

for (const { question } of bot.faqSuggestions("zh").slice(0, 4)) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = question;
  b.onclick = () => send(question);
  $("suggestions").append(b);
}

function send(text) {
  if (!text.trim()) return;
  say(text, "customer");
  let turn;
  try {
    turn = session.turn(bot, text);
  } catch (e) {
    say(`(${e.code}) ${e.message}`, "bot");
    return;
  }
  turn.replies.forEach((r) => say(r, "bot"));
  const handoff = turn.signals.find((s) => s.type === "handoff");
  if (handoff) {
    $("handoff-route").textContent = `route: ${handoff.route} · priority: ${handoff.priority} · ${handoff.reasons.join(", ")}`;
    $("handoff-summary").textContent = handoff.summary;
    $("handoff").hidden = false;
  }
  document.body.dataset.state = session.state;
}

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  send($("input").value);
  $("input").value = "";
});
$("resume").onclick = () => {
  session.agentFinished();
  $("handoff").hidden = true;
  document.body.dataset.state = session.state;
  say("(agent finished: the bot is back)", "bot");
};
