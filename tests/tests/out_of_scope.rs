//! The bot file's `out_of_scope` examples: a turn like them falls back instead of landing on
//! the nearest intent, in both languages, while the intents still answer.

use kefu_core::{Bot, Session, Signal};

/// Without kefu's built-in background: these tests are about the bot's own list.
const INTENTS: &str = r#"
version: 1
settings: { background: false }
intents:
  order_status:
    examples: [我的订单到哪了, 查一下物流, 快递什么时候到, where is my order, track my package, when will my parcel arrive]
    response: { zh: 正在查询。, en: Looking it up. }
  refund:
    examples: [我要退款, 申请退款, 钱什么时候退回来, i want a refund, refund my order, give me my money back]
    response: { zh: 已为您申请退款。, en: Refund requested. }
"#;

const OUT_OF_SCOPE: &str = r#"
out_of_scope:
  - 明天天气怎么样
  - 会下雨吗
  - 给我讲个笑话
  - what is the weather tomorrow
  - will it rain today
  - tell me a joke
"#;

fn bot(source: &str) -> Bot {
    Bot::from_yaml("bot.yaml", source).unwrap_or_else(|e| panic!("{e}"))
}

fn first_turn(bot: &Bot, utterance: &str) -> kefu_core::Turn {
    Session::new(bot).turn(bot, utterance).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn turns_like_the_out_of_scope_examples_fall_back() {
    let plain = bot(INTENTS);
    let with_background = bot(&format!("{INTENTS}{OUT_OF_SCOPE}"));
    for utterance in ["后天天气怎么样", "what is the weather like tomorrow"] {
        let confidence = |b: &Bot| first_turn(b, utterance).alternatives.first().map_or(0.0, |c| c.confidence);
        // Without the background class, one of the two intents takes most of the mass.
        assert!(confidence(&plain) > 0.5, "{utterance}: {}", confidence(&plain));
        let turn = first_turn(&with_background, utterance);
        assert_eq!(turn.intent, None, "{utterance}");
        assert!(turn.signals.iter().any(|s| matches!(s, Signal::Fallback { .. })), "{utterance}");
        assert!(turn.alternatives.iter().all(|c| c.name != kefu_core::models::OUT_OF_SCOPE_LABEL));
    }
    for (utterance, intent) in [("我的快递到哪了", "order_status"), ("refund please", "refund")] {
        let turn = first_turn(&with_background, utterance);
        assert_eq!(turn.intent.map(|i| i.name).as_deref(), Some(intent), "{utterance}");
    }
}

#[test]
fn trains_on_tells_examples_from_new_text_after_normalisation() {
    let bot = bot(&format!("{INTENTS}{OUT_OF_SCOPE}"));
    assert!(bot.trains_on("Track my  package"));
    assert!(bot.trains_on("ＴＥＬＬ ME A JOKE"), "full-width and upper case fold as in the duplicate check");
    assert!(bot.trains_on("我要退款"));
    assert!(!bot.trains_on("track my parcel"));
}

#[test]
fn a_bot_without_an_out_of_scope_list_still_turns_other_businesses_away() {
    let with_builtin = bot(&INTENTS.replace("settings: { background: false }\n", ""));
    let without = bot(INTENTS);
    for utterance in ["what is the weather like tomorrow", "book me a table for two tonight", "帮我订一家五星级酒店"]
    {
        let confidence = |b: &Bot| first_turn(b, utterance).alternatives.first().map_or(0.0, |c| c.confidence);
        assert!(confidence(&without) > 0.5, "{utterance}: the two intents share all the mass without it");
        let turn = first_turn(&with_builtin, utterance);
        assert_eq!(turn.intent, None, "{utterance}: {turn:?}");
    }
    for (utterance, intent) in [("我的快递到哪了", "order_status"), ("refund please", "refund")] {
        let turn = first_turn(&with_builtin, utterance);
        assert_eq!(turn.intent.map(|i| i.name).as_deref(), Some(intent), "{utterance}");
    }
}
