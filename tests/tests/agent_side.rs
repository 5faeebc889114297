//! The agent's side of a handoff: while an agent has the conversation, each customer line
//! comes back with suggested replies — FAQ answers and intent responses by the model's
//! ranking, the bot file's canned `agent_replies` by their `when` lines — in the customer's
//! language, at most three, best first; none when the bot itself answers.

use kefu_core::{DialogueState, Session, SuggestionSource};
use kefu_tests::load_bot;

#[test]
fn lines_during_an_agent_session_get_suggested_replies() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    let first = session.turn(&bot, "退款多久能到账").unwrap();
    assert!(first.suggestions.is_empty(), "the bot answers itself: {:?}", first.suggestions);
    session.turn(&bot, "转人工").unwrap();
    assert_eq!(session.state(), &DialogueState::WithAgent);

    let faq = session.turn(&bot, "退款多久能到账").unwrap();
    assert!(faq.replies.is_empty(), "the agent answers, not the bot");
    let best = &faq.suggestions[0];
    assert_eq!((best.id.as_str(), best.source), ("faq/refund_time", SuggestionSource::Faq), "{:?}", faq.suggestions);
    assert!(best.text.contains("工作日"), "in the customer's language: {}", best.text);

    let broken = session.turn(&bot, "我的耳机坏了，充不进电").unwrap();
    let ids: Vec<&str> = broken.suggestions.iter().map(|s| s.id.as_str()).collect();
    assert!(ids.contains(&"photo"), "{ids:?}");
    assert!(broken.suggestions.len() <= 3);
    assert!(broken.suggestions.windows(2).all(|w| w[0].score >= w[1].score), "best first");

    let bye = session.turn(&bot, "ok thanks, that's all").unwrap();
    assert_eq!(bye.suggestions[0].source, SuggestionSource::AgentReply);
    assert!(bye.suggestions[0].text.starts_with("Is there anything else"), "{:?}", bye.suggestions);
}
