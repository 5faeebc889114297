// A console chat with a kefu bot from Kotlin: the same calls an Android app makes.
// Build and run: bash examples/kotlin-chat/run [BOT.yaml [TABLE.kefustatic]]   (type a line,
// Enter; `/mine` and `/top` show the back office's view of the lines so far; Ctrl-D ends)
import dev.kefu.*
import java.io.File

// The app's side: a real app would ask its order service and its agent queue here.
class ConsoleHost : HostAdapter {
    override fun validateSlot(intent: String, slot: String, value: String) = true
    override fun agentAvailable(route: String) = System.getenv("KEFU_AGENTS_OFFLINE") == null
}

fun main(args: Array<String>) {
    val path = args.firstOrNull() ?: "examples/bots/shop.yaml"
    // A second argument names a static table (tools/build-static): the static tier, read as
    // an app reads it from its assets.
    val source = File(path).readText()
    val table = args.getOrNull(1)?.let { StaticTable.fromBytes(File(it).readBytes()) }
    // The help-centre documents the bot file names (knowledge.documents), read beside it as an
    // app reads them from its assets.
    val dir = File(path).absoluteFile.parentFile
    val documents = dir.walk().filter { it.isFile && it.extension in setOf("md", "txt") }
        .map { it.relativeTo(dir).path }.filter { "name: $it" in source }
        .map { Document(it, File(dir, it).readText()) }.toList()
    val bot = when {
        documents.isNotEmpty() -> Bot.fromYamlWithDocuments(path, source, documents, table)
        table != null -> Bot.fromYamlWithStaticTable(path, source, table)
        else -> Bot.fromYaml(path, source)
    }
    val session = Session(bot).apply { setHostAdapter(ConsoleHost()) }
    // The app's back office: each turn's log line (masked), from which `/mine` groups what
    // the bot could not answer into candidate intents and `/top` counts the frequent questions.
    val logs = mutableListOf<TurnLog>()
    println("${bot.name()}: ready (${bot.intentNames().size} intents, ${bot.tier().name.lowercase()} tier)")
    while (true) {
        val line = readlnOrNull() ?: break
        when (line.trim()) {
            "/mine" -> {
                val mined = bot.mine(logs)
                println("  [${mined.unanswered} unanswered lines]")
                mined.candidates.forEach { println("  [candidate ${it.kind} ${it.name}: ${it.label}]") }
                continue
            }
            "/top" -> {
                bot.topTopics(logs, TopicKind.QUESTIONS, 3u).forEach { println("  [top ${it.count}x ${it.label}]") }
                continue
            }
        }
        val turn = try {
            session.turn(bot, line)
        } catch (e: KefuException) {
            println("! ${e.message}")
            continue
        }
        session.lastTurnLog()?.let { logs += it }
        turn.replies.forEach { println("bot: $it") }
        // A quoted answer says where it is from, for the app to link to the help page.
        turn.citations.firstOrNull()?.let { c ->
            println("  [source ${(listOf(c.document) + c.heading).joinToString(" › ")}, characters ${c.start}..${c.end}]")
        }
        turn.actions.forEach { println("  [action ${it.name} ${it.slots}]") }
        for (signal in turn.signals) when (signal) {
            is Signal.Handoff -> {
                // The brief as data, for an agent console's own layout; `summary` renders it.
                val brief = signal.handoff.brief
                println("  [handoff to ${signal.handoff.route}, ${signal.handoff.priority.name.lowercase()}]")
                println("  [brief: issue ${brief.issue}, needs ${brief.needs}, bot did ${brief.botDid}, mood ${brief.mood}]")
            }
            is Signal.AgentUnavailable -> println("  [no agent on ${signal.handoff.route}]")
            else -> {}
        }
        if (session.state() == SessionState.WITH_AGENT) {
            println("  [an agent takes over; the bot resumes after]")
            session.agentFinished(bot)
        }
    }
}
