// A console chat with a kefu bot from Kotlin: the same calls an Android app makes.
// Build and run: bash examples/kotlin-chat/run [BOT.yaml [TABLE.kefustatic]]   (type a line,
// Enter; Ctrl-D ends)
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
    val bot = when (val table = args.getOrNull(1)) {
        null -> Bot.fromYaml(path, File(path).readText())
        else -> Bot.fromYamlWithStaticTable(path, File(path).readText(), StaticTable.fromBytes(File(table).readBytes()))
    }
    val session = Session(bot).apply { setHostAdapter(ConsoleHost()) }
    println("${bot.name()}: ready (${bot.intentNames().size} intents, ${bot.tier().name.lowercase()} tier)")
    while (true) {
        val line = readlnOrNull() ?: break
        val turn = try {
            session.turn(bot, line)
        } catch (e: KefuException) {
            println("! ${e.message}")
            continue
        }
        turn.replies.forEach { println("bot: $it") }
        turn.actions.forEach { println("  [action ${it.name} ${it.slots}]") }
        for (signal in turn.signals) when (signal) {
            is Signal.Handoff -> println("  [handoff to ${signal.handoff.route}: ${signal.handoff.summary}]")
            is Signal.AgentUnavailable -> println("  [no agent on ${signal.handoff.route}]")
            else -> {}
        }
        if (session.state() == SessionState.WITH_AGENT) {
            println("  [an agent takes over; the bot resumes after]")
            session.agentFinished()
        }
    }
}
