//! `settings.form_exit_threshold`: while a form waits for a slot, another intent takes the
//! turn only when the model is that sure of it (or a rule matched); otherwise the reply is
//! the form's, and it asks again.

use kefu_core::{Bot, DialogueState, Session, Signal, Turn};

fn bot(form_exit_threshold: f32) -> Bot {
    let source = format!(
        r#"
version: 1
settings:
  form_exit_threshold: {form_exit_threshold}
  background: false
entities:
  order_id:
    regex: '(\d{{6,10}})'
intents:
  refund:
    examples: [我要退款, 申请退款, 钱能退给我吗, i want a refund, refund my order, can i get my money back]
    slots:
      order_id:
        entity: order_id
        required: true
        prompt: {{ zh: 请问订单号是多少？, en: Which order? }}
    response: {{ zh: 已为您申请退款。, en: Refund requested. }}
  order_status:
    examples: [我的订单到哪了, 查一下物流, 快递什么时候到, where is my order, track my package, when will my parcel arrive]
    response: {{ zh: 正在查询。, en: Looking it up. }}
  human_agent:
    examples: [转人工, 我要找人工客服]
    keywords: [转人工]
    response: {{ zh: 正在为您转接。, en: Connecting you. }}
"#
    );
    Bot::from_yaml("bot.yaml", &source).unwrap_or_else(|e| panic!("{e}"))
}

/// The turn that follows "我要退款" (which opens the form) in a new session.
fn mid_form(bot: &Bot, utterance: &str) -> (Turn, Session) {
    let mut session = Session::new(bot);
    let opened = session.turn(bot, "我要退款").unwrap();
    assert!(opened.signals.iter().any(|s| matches!(s, Signal::SlotRequested { .. })), "{opened:?}");
    let turn = session.turn(bot, utterance).unwrap();
    (turn, session)
}

fn cancelled(turn: &Turn) -> bool {
    turn.signals.iter().any(|s| matches!(s, Signal::FormCancelled { .. }))
}

#[test]
fn a_confident_new_request_leaves_the_form_a_weaker_one_does_not() {
    let utterance = "我的快递到哪了";
    let (turn, session) = mid_form(&bot(0.5), utterance);
    let confidence = turn.alternatives.first().map_or(0.0, |c| c.confidence);
    assert!((0.5..1.0).contains(&confidence), "the model's confidence: {confidence}");
    assert!(cancelled(&turn), "{turn:?}");
    assert_eq!(turn.intent.map(|i| i.name).as_deref(), Some("order_status"));
    assert!(matches!(session.state(), DialogueState::Idle));

    // The same guess below the bar: the form keeps the turn and asks again.
    let (turn, session) = mid_form(&bot(confidence + 0.01), utterance);
    assert!(!cancelled(&turn), "{turn:?}");
    assert_eq!(turn.intent.map(|i| i.name).as_deref(), Some("refund"));
    assert!(turn.signals.iter().any(|s| matches!(s, Signal::SlotRequested { slot, .. } if slot == "order_id")));
    assert!(matches!(session.state(), DialogueState::Form { .. }), "{:?}", session.state());
}

#[test]
fn rules_leave_the_form_whatever_the_threshold() {
    let (turn, _) = mid_form(&bot(1.0), "转人工");
    assert!(cancelled(&turn), "{turn:?}");
    assert_eq!(turn.intent.map(|i| i.name).as_deref(), Some("human_agent"));
}

#[test]
fn the_threshold_is_validated_like_the_others() {
    let err = Bot::from_yaml(
        "bot.yaml",
        "version: 1\nsettings:\n  form_exit_threshold: 2\nintents:\n  hi:\n    examples: [hello, hi]\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("bot.yaml:3") && err.contains("form_exit_threshold") && err.contains("between 0 and 1"),
        "{err}"
    );
}
