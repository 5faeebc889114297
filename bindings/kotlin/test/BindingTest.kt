// Proves the generated Kotlin bindings work on a real JVM through JNA: every exported item,
// error mapping, and a Rust panic surfacing as an exception. Core behaviour is tested in Rust.
import dev.kefu.*
import java.io.File

var passed = 0
var failed = 0

fun check(name: String, ok: Boolean, detail: () -> String = { "" }) {
    if (ok) passed++ else { failed++; println("FAIL $name ${detail()}") }
}

// A host adapter implemented in Kotlin: the app's own order lookup and agent queue.
class ShopHost(private val agentsOnline: Boolean, private val broken: Boolean = false) : HostAdapter {
    val asked = mutableListOf<String>()
    override fun validateSlot(intent: String, slot: String, value: String): Boolean {
        asked += "$slot=$value"
        if (broken) throw IllegalStateException("order service down")
        return value != "99999999"
    }
    override fun agentAvailable(route: String): Boolean = agentsOnline
}

inline fun <reified E : Throwable> throws(block: () -> Unit): E? =
    try { block(); null } catch (e: Throwable) { e as? E }

fun main(args: Array<String>) {
    val yaml = File(args[0]).readText()
    val bot = Bot.fromYaml("shop.yaml", yaml)
    check("name", bot.name() == "shop")
    check("intents", "order_status" in bot.intentNames())
    check("languages", bot.languages() == listOf("zh", "en"))
    check("fromBytes", Bot.fromBytes("shop.yaml", yaml.toByteArray()).name() == "shop")
    // A compiled bot: no YAML, no training, the same answers; damaged bytes are a typed error.
    val compiled = bot.toCompiled(true)
    val fromCompiled = Bot.fromCompiled("shop.kefubot", compiled, null)
    check("fromCompiled", fromCompiled.reusedHeads() == 2U && fromCompiled.toCompiled(true).contentEquals(compiled))
    check("fromCompiled without models", Bot.fromCompiled("shop.kefubot", bot.toCompiled(false), null).reusedHeads() == 0U)
    for (line in listOf("我的快递怎么还没到", "I want a refund", "转人工", "量子力学是什么")) {
        check("compiled answers $line", Session(fromCompiled).turn(fromCompiled, line) == Session(bot).turn(bot, line))
    }
    val cut = throws<KefuException.InvalidBot> { Bot.fromCompiled("cut.kefubot", compiled.copyOf(compiled.size / 2), null) }
    check("compiled cut short", cut?.message?.contains("kefu compile") == true) { "$cut" }

    val session = Session(bot)
    val hello = session.turn(bot, "你好")
    check("greeting", hello.intent?.name == "greeting" && hello.language == "zh") { "$hello" }
    check("alternatives", hello.alternatives.isNotEmpty())

    val ask = session.turn(bot, "我的快递怎么还没到")
    check("form asks", session.state() == SessionState.FORM && ask.signals.any { it is Signal.SlotRequested }) { "$ask" }
    val done = session.turn(bot, "12345678")
    check("slot filled", done.slots["order_id"] == "12345678") { "$done" }
    check("action", done.actions.singleOrNull()?.name == "lookup_order") { "${done.actions}" }
    check("entity", done.entities.any { it.entity == "order_id" && it.start == 0u && it.end == 8u }) { "${done.entities}" }

    val dated = Session(bot).turnAt(bot, "明天下午三点能送到吗", 1795226400L, 480)
    check("turnAt", dated.entities.any { it.entity == "datetime" && it.value == "2026-11-22T15:00" }) { "${dated.entities}" }

    val faq = session.turn(bot, "运费多少")
    check("faq", faq.signals.any { it is Signal.FaqAnswered && it.id == "shipping_fee" }) { "$faq" }

    // Two close intents: the bot asks, the app shows the choices, the customer picks one.
    val unsure = Session(bot)
    val asked = unsure.turn(bot, "东西不想要了，钱能退吗")
    val offered = asked.signals.filterIsInstance<Signal.ClarificationRequested>().firstOrNull()?.choices
    check("clarification", offered?.map { it.intent } == listOf("return_item", "refund") && offered[0].title == "退货" &&
        unsure.state() == SessionState.CLARIFY) { "$asked" }
    val picked = Session.restore(bot, unsure.save()).turn(bot, offered!![1].title)
    check("choice", picked.intent?.name == "refund" && picked.intent?.source == IntentSource.CLARIFIED) { "$picked" }

    // Save and restore in the middle of the conversation.
    val restored = Session.restore(bot, session.save())
    check("restore", restored.state() == session.state())

    val human = restored.turn(bot, "转人工，我的电话是13812345678")
    val handoff = human.signals.filterIsInstance<Signal.Handoff>().firstOrNull()?.handoff
    check("handoff", handoff?.reasons == listOf(HandoffReason.EXPLICIT_REQUEST) && handoff.route == "general") { "$human" }
    check("handoff masks phone", handoff?.transcript?.none { "13812345678" in it.text } == true &&
        handoff.transcript.any { "*******5678" in it.text }) { "${handoff?.transcript}" }
    check("priority", handoff?.priority == Priority.NORMAL)
    val angry = Session(bot).turn(bot, "this is terrible, I'm so angry and disappointed!!!")
    check("sentiment", angry.sentiment < -0.5f) { "${angry.sentiment}" }
    val upset = angry.signals.filterIsInstance<Signal.Handoff>().firstOrNull()?.handoff
    val legal = Session(bot).turn(bot, "I will sue you").signals.filterIsInstance<Signal.Handoff>().firstOrNull()?.handoff
    check("legal threat handoff", legal?.reasons?.contains(HandoffReason.LEGAL_THREAT) == true && legal.priority == Priority.URGENT) { "$legal" }
    check("negative sentiment handoff", upset?.reasons == listOf(HandoffReason.NEGATIVE_SENTIMENT) && upset.priority == Priority.HIGH) { "$upset" }
    // The agent's brief: the issue in the customer's own words, the mood in words.
    check("brief", upset?.brief?.issue == listOf("this is terrible, I'm so angry and disappointed!!!") &&
        upset.brief.mood == "angry" && "Issue: \"this is terrible" in upset.summary) { "${upset?.brief}" }
    check("with agent", restored.state() == SessionState.WITH_AGENT && restored.turn(bot, "hello?").signals.contains(Signal.WithAgent))
    // With an agent: suggested replies for the agent's console.
    val suggested = restored.turn(bot, "退款多久能到账").suggestions
    check("suggestions", suggested.firstOrNull()?.id == "faq/refund_time" && suggested.first().source == "faq") { "$suggested" }
    val usage = Analytics().apply { suggestionUsed("faq/refund_time") }.report().suggestions
    check("suggestion analytics", usage.singleOrNull()?.let { it.id == "faq/refund_time" && it.used == 1uL } == true) { "$usage" }
    // Quality checks on the agent's own lines, for a supervisor.
    val review = restored.agentMessage(bot, "您好，我是客服小李，这个不归我们管")
    check("agent review", review.findings == listOf(AgentFinding.ForbiddenPhrase("不归我们管"))) { "$review" }
    val slow = restored.agentMessageAt(bot, "还有其他可以帮您的吗？", 2_000_000_000L, 480)
    check("agent closing", slow.findings.isEmpty()) { "$slow" }
    check("agent finished", restored.agentFinished(bot).isEmpty())
    check("resumed", restored.state() == SessionState.IDLE)
    // The survey after the agent; the conversation counted as one, per day and segment.
    val survey = restored.askSurvey(bot)
    check("survey asked", restored.state() == SessionState.SURVEY && survey.signals.contains(Signal.SurveyRequested)) { "$survey" }
    val rated = restored.turn(bot, "5分")
    check("survey answered", rated.signals.any { it is Signal.SurveyAnswered && it.score == 5.toUByte() }) { "${rated.signals}" }
    val conversations = Analytics()
    conversations.recordConversation(restored.outcome(), 2_000_000_000L, 480, "customer-1")
    val metrics = conversations.report().conversations
    check("conversation analytics", metrics.conversations == 1uL && metrics.handoffRate == 1.0 && metrics.satisfaction == 5.0) { "$metrics" }
    // Knowledge-gap mining over the app's own log lines (masked), and the TOP-N.
    val logs = listOf("where can I rent a car", "where can I rent a car today", "I want to rent a car", "运费多少").map { line ->
        Session(bot).let { s -> s.turn(bot, line); s.lastTurnLog()!! }
    }
    val mined = bot.mine(logs)
    check("mining", mined.unanswered == 3uL && mined.candidates.singleOrNull()?.label?.contains("car") == true &&
        runCatching { Bot.fromYaml("mined.yaml", mined.botFile) }.isSuccess) { "$mined" }
    val questions = bot.topTopics(logs, TopicKind.QUESTIONS, 3u)
    check("top topics", questions.any { "运费多少" in it.examples }) { "$questions" }

    // The app's adapter validates slot values and says whether an agent is free.
    val host = ShopHost(agentsOnline = false)
    val analytics = Analytics()
    val withHost = Session(bot).apply { setHostAdapter(host); attachAnalytics(analytics) }
    withHost.turn(bot, "我要退款")
    val rejected = withHost.turn(bot, "99999999")
    check("adapter rejects", rejected.signals.any { it is Signal.SlotRejected } && withHost.state() == SessionState.FORM) { "$rejected" }
    check("adapter saw raw value", host.asked == listOf("order_id=99999999")) { "${host.asked}" }
    val confirm = withHost.turn(bot, "12345678")
    check("confirmation", confirm.signals.any { it is Signal.ConfirmationRequested } && withHost.state() == SessionState.CONFIRM) { "$confirm" }
    check("confirmed", withHost.turn(bot, "是的").actions.singleOrNull()?.name == "start_refund")
    val noAgent = withHost.turn(bot, "转人工")
    val ticket = noAgent.signals.filterIsInstance<Signal.AgentUnavailable>().firstOrNull()?.handoff
    check("no agent", ticket?.reasons == listOf(HandoffReason.EXPLICIT_REQUEST) && withHost.state() == SessionState.FORM) { "$noAgent" }
    val broken = Session(bot).apply { setHostAdapter(ShopHost(agentsOnline = true, broken = true)) }
    val failure = broken.turn(bot, "订单12345678退款").signals.filterIsInstance<Signal.Handoff>().firstOrNull()?.handoff
    check("throwing adapter hands off", failure?.reasons == listOf(HandoffReason.ADAPTER_FAILURE)) { "$failure" }
    val report = analytics.report()
    check("analytics", report.turns == 5uL && report.formsCompleted == 1uL && report.topIntents.any { it.name == "refund" }) { "$report" }
    Analytics().merge(analytics)

    // Values the app adds at run time, and the customer segment it knows.
    val catalogue = Session(bot)
    catalogue.setEntityValues(bot, "product", mapOf("kettle" to listOf("电水壶")))
    check("entity values", catalogue.turn(bot, "这款电水壶防水吗").slots["product"] == "kettle")
    catalogue.setSegment("vip")
    check("segment", catalogue.segment() == "vip")
    val vip = catalogue.turn(bot, "我要退款").signals.filterIsInstance<Signal.Handoff>().firstOrNull()?.handoff
    check("business rule", vip?.rule == "vip_refund" && vip.route == "vip_desk") { "$vip" }
    check("unknown entity", throws<KefuException.InvalidState> { catalogue.setEntityValues(bot, "nope", mapOf()) } != null)

    // The ONNX tier from Kotlin: the real encoder through ONNX Runtime (when it is set up).
    val encoderDir = System.getenv("KEFU_TEST_ENCODER_DIR")
    if (System.getenv("KEFU_ONNXRUNTIME") != null && encoderDir != null) {
        val encoder = Encoder.fromBytes(File("$encoderDir/model.onnx").readBytes(), File("$encoderDir/tokenizer.json").readBytes())
        val onnxBot = Bot.fromYamlWithEncoder("shop.yaml", yaml, encoder)
        // 1152: the last layer and layers 7 and 8 pooled side by side (tools/build-encoder).
        check("onnx tier", onnxBot.tier() == Tier.ONNX && encoder.dimension() == 1152u)
        val onnxTurn = Session(onnxBot).turn(onnxBot, "where is my order 12345678")
        check("onnx turn", onnxTurn.intent?.name == "order_status" && onnxTurn.slots["order_id"] == "12345678") { "$onnxTurn" }
        val reported = mutableListOf<Pair<UInt, UInt>>()
        val progress = object : LoadProgress {
            override fun onProgress(done: UInt, total: UInt) { reported.add(done to total) }
        }
        val tracked = Bot.fromYamlWithEncoderProgress("shop.yaml", yaml, encoder, progress)
        check("load progress", tracked.tier() == Tier.ONNX && reported.size > 1 &&
            reported.last().let { it.first == it.second } && reported.map { it.first } == (1u..reported.last().second).toList()) { "$reported" }
        check("bad model", throws<KefuException.Onnx> { Encoder.fromBytes(byteArrayOf(1, 2), byteArrayOf()) } != null)
        // A model bundle of this bot (bindings/test-kotlin runs `kefu bundle`): the bot
        // loads on it with both its models reused, and answers as the freshly trained one.
        System.getenv("KEFU_TEST_BUNDLE")?.let { path ->
            val bundled = Encoder.fromBundle(File(path).readBytes())
            val reloaded = Bot.fromYamlWithEncoder("shop.yaml", yaml, bundled)
            val again = Session(reloaded).turn(reloaded, "where is my order 12345678")
            check("bundle", reloaded.reusedHeads() == 2u && onnxBot.reusedHeads() == 0u && again.intent == onnxTurn.intent) { "$again" }
            check("bad bundle", throws<KefuException.Onnx> { Encoder.fromBundle(byteArrayOf(1, 2)) } != null)
        }
    } else {
        println("kotlin: ONNX tier skipped (set KEFU_ONNXRUNTIME and KEFU_TEST_ENCODER_DIR)")
    }

    // The static tier from Kotlin: the table tools/build-static writes, read as an app reads
    // its assets; no ONNX Runtime involved.
    val tablePath = System.getenv("KEFU_TEST_STATIC_TABLE")
    if (tablePath != null) {
        val table = StaticTable.fromBytes(File(tablePath).readBytes())
        val staticBot = Bot.fromYamlWithStaticTable("shop.yaml", yaml, table)
        check("static tier", staticBot.tier() == Tier.STATIC && table.dimension() > 0u)
        val staticTurn = Session(staticBot).turn(staticBot, "where is my order 12345678")
        check("static turn", staticTurn.intent?.name == "order_status" && staticTurn.slots["order_id"] == "12345678") { "$staticTurn" }
        check("bad table", throws<KefuException.Onnx> { StaticTable.fromBytes(byteArrayOf(1, 2)) }?.message?.contains("KEFUSTAT") == true)
    } else {
        println("kotlin: static tier skipped (set KEFU_TEST_STATIC_TABLE; tools/build-static builds the table)")
    }

    // Answers from the host's documents, quoted with where they are from; a document the
    // bot file names but the host did not pass is a typed error that names it.
    val helpYaml = "version: 1\nname: help\nknowledge:\n  documents:\n    - name: returns.md\n"
    val returns = "# 退货\n\n## 退货运费\n质量问题退货的运费由我们承担。无理由退货的运费由您承担。\n\n## Refund timing\nRefunds to bank cards take 3 to 7 working days.\n"
    val helpBot = Bot.fromYamlWithDocuments("help.yaml", helpYaml, listOf(Document("returns.md", returns)), null)
    val quoted = Session(helpBot).turn(helpBot, "how long do refunds to my bank card take")
    val cite = quoted.citations.firstOrNull()
    check("knowledge answer", quoted.replies == listOf("Refunds to bank cards take 3 to 7 working days.") && cite?.heading == listOf("Refund timing")) { "$quoted" }
    check("citation span", cite != null && returns.codePoints().toArray().copyOfRange(cite.start.toInt(), cite.end.toInt()).let { String(it, 0, it.size) } == cite.text) { "$cite" }
    check("knowledge signal", quoted.signals.any { it is Signal.KnowledgeAnswered && it.document == "returns.md" })
    check("knowledge search", helpBot.searchKnowledge("退货运费", 2u).first().passage.heading == listOf("退货运费"))
    val missingDoc = throws<KefuException.InvalidBot> { Bot.fromYamlWithDocuments("help.yaml", helpYaml, listOf(), null) }
    check("missing document", missingDoc?.message?.contains("returns.md") == true) { "${missingDoc?.message}" }

    // Errors become typed KefuException subclasses with a message that says what to fix.
    val bad = throws<KefuException.InvalidBot> { Bot.fromYaml("bad.yaml", "version: 1\nintents:\n  refund:\n    examples: [退款]\n") }
    check("invalid bot", bad?.message?.contains("bad.yaml:3") == true) { "${bad?.message}" }
    check("invalid input", throws<KefuException.InvalidInput> { session.turn(bot, "x".repeat(5000)) } != null)
    check("invalid session", throws<KefuException.InvalidSession> { Session.restore(bot, byteArrayOf(1, 2, 3)) } != null)
    val notUtf8 = throws<KefuException.InvalidBot> { Bot.fromBytes("bin.yaml", byteArrayOf(0xff.toByte(), 0xfe.toByte())) }
    check("invalid UTF-8", notUtf8?.message?.contains("UTF-8") == true) { "${notUtf8?.message}" }
    check("invalid state", throws<KefuException.InvalidState> { session.agentFinished(bot) } != null)
    // The limits on hostile bot files (issue 21) are typed errors with the fix to make.
    val regexes = (0 until 21).joinToString("") { "  e$it: { regex: 'x$it' }\n" }
    val tooManyRegexes = throws<KefuException.InvalidBot> {
        Bot.fromYaml("big.yaml", "version: 1\nentities:\n${regexes}intents:\n  a: { examples: [hi, hello] }\n")
    }
    check("regex limit", tooManyRegexes?.message?.contains("21 `regex` entities; the limit is 20") == true) { "${tooManyRegexes?.message}" }
    val slots = (0 until 51).joinToString("") { "      s$it: { entity: number }\n" }
    val tooManySlots = throws<KefuException.InvalidBot> {
        Bot.fromYaml("big.yaml", "version: 1\nintents:\n  a:\n    examples: [hi, hello]\n    slots:\n$slots")
    }
    check("slot limit", tooManySlots?.message?.contains("51 slots; the limit is 50") == true) { "${tooManySlots?.message}" }

    // A panic inside Rust is an exception here, not a crashed JVM.
    val panic = throws<InternalException> { selftestPanic() }
    check("panic surfaces", panic?.message?.contains("self-test panic") == true) { "${panic?.message}" }
    check("still alive after panic", session.turn(bot, "thanks").intent?.name == "thanks")

    println("kotlin: $passed passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}
