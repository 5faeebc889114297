//! The dialogue policy, one rule per test, each on a short inline bot whose intents are
//! keywords only, so that no model decides anything and each test shows its rule alone.
//! (The sample bot's goldens check the same rules end to end.)

use kefu_core::{AdapterError, Bot, HandoffReason, HostAdapter, Session, Signal, Turn, TurnContext};

fn bot(extra: &str) -> Bot {
    let source = format!(
        "version: 1\nlanguages: [en]\nintents:\n  hello:\n    keywords: [hello]\n    response: {{ en: Hi. }}\n  human:\n    keywords: [agent]\n    handoff: true\n{extra}"
    );
    Bot::from_yaml("policy.yaml", &source).unwrap_or_else(|e| panic!("{e}"))
}

fn say(session: &mut Session, bot: &Bot, text: &str) -> Turn {
    session.turn(bot, text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn reasons(turn: &Turn) -> Vec<&'static str> {
    turn.signals
        .iter()
        .find_map(|s| match s {
            Signal::Handoff(h) | Signal::AgentUnavailable(h) => {
                Some(h.reasons.iter().map(HandoffReason::code).collect())
            }
            _ => None,
        })
        .unwrap_or_default()
}

const REFUND: &str = "  refund:\n    keywords: [refund]\n    slots:\n      amount: { entity: number, required: true, prompt: { en: How much? } }\n    action: refund\n    response: { en: \"Refunded {amount}.\" }\n";

#[test]
fn fallback_streak_hands_off_at_its_limit() {
    let bot = bot("handoff:\n  fallback_streak: 2\n");
    let mut session = Session::new(&bot);
    let first = say(&mut session, &bot, "purple elephants");
    assert!(first.signals.contains(&Signal::Fallback { streak: 1 }) && reasons(&first).is_empty());
    let second = say(&mut session, &bot, "green giraffes");
    assert_eq!(reasons(&second), ["fallback_streak"]);
    assert_eq!(session.state().code(), "with_agent");
}

#[test]
fn a_slot_asked_for_too_often_hands_off() {
    let bot = bot(&format!("{REFUND}settings:\n  max_reprompts: 1\n"));
    let mut session = Session::new(&bot);
    let asked = say(&mut session, &bot, "refund");
    assert!(asked.signals.contains(&Signal::SlotRequested { intent: "refund".into(), slot: "amount".into() }));
    let again = say(&mut session, &bot, "blue");
    assert_eq!((session.state().code(), again.replies.last().map(String::as_str)), ("form", Some("How much?")));
    let gave_up = say(&mut session, &bot, "red");
    assert_eq!(reasons(&gave_up), ["reprompt_limit"]);
}

#[test]
fn confirmation_runs_the_action_on_yes_and_cancels_on_no() {
    let bot = bot(&format!("{REFUND}    confirm: {{ en: \"Refund {{amount}}?\" }}\n"));
    let mut session = Session::new(&bot);
    let asked = say(&mut session, &bot, "refund 30");
    assert_eq!(asked.replies, ["Refund 30?"]);
    let done = say(&mut session, &bot, "yes");
    assert_eq!((done.actions.len(), done.replies.as_slice()), (1, ["Refunded 30.".to_string()].as_slice()));
    say(&mut session, &bot, "refund 30");
    let no = say(&mut session, &bot, "no");
    assert!(no.signals.contains(&Signal::FormCancelled { intent: "refund".into() }) && no.actions.is_empty());
}

#[test]
fn a_new_value_while_confirming_corrects_the_slot() {
    let bot = bot(&format!("{REFUND}    confirm: {{ en: \"Refund {{amount}}?\" }}\n"));
    let mut session = Session::new(&bot);
    say(&mut session, &bot, "refund 30");
    let corrected = say(&mut session, &bot, "make it 50");
    assert_eq!(corrected.replies, ["Got it, I've corrected that.", "Refund 50?"]);
    assert_eq!(session.slots().get("amount").map(String::as_str), Some("50"));
}

#[test]
fn cancel_words_leave_a_form() {
    let bot = bot(REFUND);
    let mut session = Session::new(&bot);
    say(&mut session, &bot, "refund");
    let cancelled = say(&mut session, &bot, "never mind");
    assert!(cancelled.signals.contains(&Signal::FormCancelled { intent: "refund".into() }));
    assert_eq!(session.state().code(), "idle");
}

struct NoAgents;
impl HostAdapter for NoAgents {
    fn agent_available(&self, _route: &str) -> Result<bool, AdapterError> {
        Ok(false)
    }
}

#[test]
fn without_a_free_agent_the_bot_keeps_the_customer_in_the_message_form() {
    let message = "  leave_message:\n    slots:\n      phone: { entity: phone, required: true, prompt: { en: Your phone? } }\n    keywords: [message]\n";
    let bot = bot(&format!("{message}handoff:\n  when_unavailable: leave_message\n"));
    let mut session = Session::new(&bot);
    let ctx = TurnContext { adapter: &NoAgents, ..TurnContext::default() };
    let turn = session.turn_with(&bot, "agent", &ctx).unwrap();
    assert!(matches!(turn.signals.first(), Some(Signal::AgentUnavailable(_))), "{:?}", turn.signals);
    assert!(turn.signals.contains(&Signal::SlotRequested { intent: "leave_message".into(), slot: "phone".into() }));
    assert_eq!(session.state().code(), "form");
    // A negative line in the message form does not ask for an agent again (that would loop),
    // although the same line hands off anywhere else.
    let angry = "this is terrible and useless";
    let elsewhere = Session::new(&bot).turn_with(&bot, angry, &ctx).unwrap();
    assert!(reasons(&elsewhere).contains(&"negative_sentiment"), "{:?}", reasons(&elsewhere));
    let in_form = session.turn_with(&bot, angry, &ctx).unwrap();
    assert!(reasons(&in_form).is_empty(), "{:?}", reasons(&in_form));
}

#[test]
fn a_business_rule_hands_off_once_with_its_route_and_priority() {
    let rule = "handoff:\n  rules:\n    - { name: big_refund, when: { intent: refund, slot: amount, above: 1000 }, route: finance, priority: urgent }\n";
    let bot = bot(&format!("{REFUND}{rule}"));
    let mut session = Session::new(&bot);
    let small = say(&mut session, &bot, "refund 20");
    assert!(reasons(&small).is_empty());
    let big = say(&mut session, &bot, "refund 5000");
    let Some(Signal::Handoff(h)) = big.signals.iter().find(|s| matches!(s, Signal::Handoff(_))) else {
        panic!("no handoff: {:?}", big.signals)
    };
    assert_eq!((h.route.as_str(), h.priority.code(), h.rule.as_deref()), ("finance", "urgent", Some("big_refund")));
    assert_eq!(big.replies, ["Refunded 5000.", "I'm connecting you to a human agent, please hold on."]);
    // Built once, after every reason: the summary names the rule too.
    assert!(h.summary.contains("Handoff because: business rule big_refund (priority urgent)"), "{}", h.summary);
}

#[test]
fn the_same_intent_again_and_again_hands_off_as_a_loop() {
    let bot = bot("handoff:\n  loop_limit: 2\n");
    let mut session = Session::new(&bot);
    assert!(reasons(&say(&mut session, &bot, "hello")).is_empty());
    assert_eq!(reasons(&say(&mut session, &bot, "hello again")), ["loop"]);
}

#[test]
fn analysis_is_a_pure_value_the_policy_acts_on() {
    let bot = bot(REFUND);
    let ctx = TurnContext::default();
    let analysis = bot.analyze("Refund 30 to 13812345678", &ctx).unwrap();
    assert_eq!(bot.analyze("Refund 30 to 13812345678", &ctx).unwrap(), analysis, "same input, same value");
    assert_eq!(analysis.intent.as_ref().map(|i| i.name.as_str()), Some("refund"));
    assert_eq!(analysis.personal_data.iter().map(|e| e.entity.as_str()).collect::<Vec<_>>(), ["phone"]);
    let mut session = Session::new(&bot);
    let turn = say(&mut session, &bot, "Refund 30 to 13812345678");
    assert_eq!((turn.intent, turn.entities), (analysis.intent, analysis.entities));
    assert!(bot.analyze(&"x".repeat(5000), &ctx).is_err());
}
