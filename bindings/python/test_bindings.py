"""The generated Python bindings against the real library: a second real client.

Core behaviour is tested in Rust; this proves the Python surface works."""
import pathlib

import pytest

import kefu_ffi as kefu

SHOP = (pathlib.Path(__file__).parents[2] / "examples/bots/shop.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bot():
    return kefu.Bot.from_yaml("shop.yaml", SHOP)


def test_turn_form_and_handoff(bot):
    session = kefu.Session(bot)
    ask = session.turn(bot, "我的快递怎么还没到")
    assert ask.intent.name == "order_status" and session.state() == kefu.SessionState.FORM
    done = session.turn(bot, "12345678")
    assert done.slots == {"order_id": "12345678"}
    assert [a.name for a in done.actions] == ["lookup_order"]
    turn = session.turn(bot, "转人工 电话13812345678")
    handoff = next(s.handoff for s in turn.signals if isinstance(s, kefu.Signal.HANDOFF))
    assert handoff.reasons == [kefu.HandoffReason.EXPLICIT_REQUEST] and handoff.route == "general"
    assert all("13812345678" not in line.text for line in handoff.transcript)
    session.agent_finished(bot)
    assert kefu.Session.restore(bot, session.save()).state() == kefu.SessionState.IDLE


def test_a_compiled_bot_answers_as_its_file(bot):
    compiled = kefu.Bot.from_compiled("shop.kefubot", bot.to_compiled(True), None)
    assert compiled.reused_heads() == 2
    for line in ["我的快递怎么还没到", "I want a refund", "转人工", "量子力学是什么"]:
        assert kefu.Session(compiled).turn(compiled, line) == kefu.Session(bot).turn(bot, line)
    with pytest.raises(kefu.KefuError.InvalidBot, match="kefu compile"):
        kefu.Bot.from_compiled("cut.kefubot", bot.to_compiled(True)[:1000], None)


def test_clarification(bot):
    session = kefu.Session(bot)
    asked = session.turn(bot, "the mug is broken, I want to send it back or get money")
    choices = next(s.choices for s in asked.signals if isinstance(s, kefu.Signal.CLARIFICATION_REQUESTED))
    assert [c.intent for c in choices] == ["warranty_repair", "refund"]
    assert choices[1].title == "get a refund" and session.state() == kefu.SessionState.CLARIFY
    picked = session.turn(bot, "the second one")
    assert picked.intent.name == "refund" and picked.intent.source == kefu.IntentSource.CLARIFIED


def test_follow_up(bot):
    session = kefu.Session(bot)
    session.turn(bot, "这款耳机防水吗")
    turn = session.turn(bot, "那手表呢")
    assert turn.intent.name == "product_question" and turn.intent.source == kefu.IntentSource.FOLLOW_UP
    assert turn.slots == {"product": "smartwatch"}


class Host(kefu.HostAdapter):
    """The app's own order lookup and agent queue."""

    def __init__(self, agents=True, broken=False):
        self.agents, self.broken = agents, broken

    def validate_slot(self, intent, slot, value):
        if self.broken:
            raise RuntimeError("order service down")
        return value != "99999999"

    def agent_available(self, route):
        return self.agents


def test_host_adapter(bot):
    session = kefu.Session(bot)
    session.set_host_adapter(Host(agents=False))
    session.turn(bot, "I want a refund")
    rejected = session.turn(bot, "99999999")
    assert any(isinstance(s, kefu.Signal.SLOT_REJECTED) for s in rejected.signals)
    session.turn(bot, "12345678")
    assert session.state() == kefu.SessionState.CONFIRM
    assert [a.name for a in session.turn(bot, "yes").actions] == ["start_refund"]
    no_agent = session.turn(bot, "talk to a human")
    assert any(isinstance(s, kefu.Signal.AGENT_UNAVAILABLE) for s in no_agent.signals)
    broken = kefu.Session(bot)
    broken.set_host_adapter(Host(broken=True))
    turn = broken.turn(bot, "please refund order 12345678")
    handoff = next(s.handoff for s in turn.signals if isinstance(s, kefu.Signal.HANDOFF))
    assert handoff.reasons == [kefu.HandoffReason.ADAPTER_FAILURE]


def test_errors_are_typed(bot):
    with pytest.raises(kefu.KefuError.InvalidBot, match="bad.yaml:3"):
        kefu.Bot.from_yaml("bad.yaml", "version: 1\nintents:\n  refund:\n    examples: [退款]\n")
    with pytest.raises(kefu.KefuError.InvalidInput):
        kefu.Session(bot).turn(bot, "x" * 5000)
    with pytest.raises(kefu.KefuError.InvalidSession):
        kefu.Session.restore(bot, b"\x01\x02")
    with pytest.raises(kefu.KefuError.InvalidBot, match="UTF-8"):
        kefu.Bot.from_bytes("bin.yaml", b"\xff\xfe\x00")
    with pytest.raises(kefu.KefuError.InvalidState):
        kefu.Session(bot).agent_message(bot, "hello")


def test_bot_file_limits_are_typed_errors():
    # Issue 21's limits on hostile bot files reach Python as InvalidBot with the fix to make.
    regexes = "".join(f"  e{i}: {{ regex: 'x{i}' }}\n" for i in range(21))
    with pytest.raises(kefu.KefuError.InvalidBot, match="21 `regex` entities; the limit is 20"):
        kefu.Bot.from_yaml("big.yaml", "version: 1\nentities:\n" + regexes + "intents:\n  a: { examples: [hi, hello] }\n")
    slots = "".join(f"      s{i}: {{ entity: number }}\n" for i in range(51))
    with pytest.raises(kefu.KefuError.InvalidBot, match="51 slots; the limit is 50"):
        kefu.Bot.from_yaml("big.yaml", "version: 1\nintents:\n  a:\n    examples: [hi, hello]\n    slots:\n" + slots)


def test_panic_is_an_exception(bot):
    with pytest.raises(kefu.InternalError, match="self-test panic"):
        kefu.selftest_panic()
    assert kefu.Session(bot).turn(bot, "thanks").intent.name == "thanks"
