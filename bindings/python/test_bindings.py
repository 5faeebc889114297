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
    assert ask.intent.name == "order_status" and session.state() == "form"
    done = session.turn(bot, "12345678")
    assert done.slots == {"order_id": "12345678"}
    assert [a.name for a in done.actions] == ["lookup_order"]
    turn = session.turn(bot, "转人工 电话13812345678")
    handoff = next(s.handoff for s in turn.signals if isinstance(s, kefu.Signal.HANDOFF))
    assert handoff.reasons == ["explicit_request"] and handoff.route == "general"
    assert all("13812345678" not in line.text for line in handoff.transcript)
    session.agent_finished()
    assert kefu.Session.restore(bot, session.save()).state() == "idle"


def test_errors_are_typed(bot):
    with pytest.raises(kefu.KefuError.InvalidBot, match="bad.yaml:3"):
        kefu.Bot.from_yaml("bad.yaml", "version: 1\nintents:\n  refund:\n    examples: [退款]\n")
    with pytest.raises(kefu.KefuError.InvalidInput):
        kefu.Session(bot).turn(bot, "x" * 5000)
    with pytest.raises(kefu.KefuError.InvalidSession):
        kefu.Session.restore(bot, b"\x01\x02")


def test_panic_is_an_exception(bot):
    with pytest.raises(kefu.InternalError, match="self-test panic"):
        kefu.selftest_panic()
    assert kefu.Session(bot).turn(bot, "thanks").intent.name == "thanks"
