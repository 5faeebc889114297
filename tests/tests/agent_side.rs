//! The agent's side of a handoff: while an agent has the conversation, each customer line
//! comes back with suggested replies — FAQ answers and intent responses by the model's
//! ranking, the bot file's canned `agent_replies` by their `when` lines — in the customer's
//! language, at most three, best first; none when the bot itself answers.

use kefu_core::{DialogueState, HandoffReason, Priority, Session, Signal, SuggestionSource};
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

/// Still listening after the handoff: a customer line with an agent that adds a reason
/// (abuse, a sensitive matter) updates the handoff — every reason, the higher priority, the
/// sensitive intent's route, the line quoted in the brief — once per new reason.
#[test]
fn a_later_insult_or_complaint_updates_the_handoff() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    session.turn(&bot, "我的快递三天没动了，转人工").unwrap();
    let calm = session.turn(&bot, "好的，我等一下").unwrap();
    assert!(!calm.signals.iter().any(|s| matches!(s, Signal::HandoffUpdated(_))), "{:?}", calm.signals);

    let angry = session.turn(&bot, "你们服务太差了，我要投诉").unwrap();
    let Some(Signal::HandoffUpdated(h)) = angry.signals.iter().find(|s| matches!(s, Signal::HandoffUpdated(_))) else {
        panic!("no update: {:?}", angry.signals)
    };
    assert_eq!(h.reasons[0], HandoffReason::ExplicitRequest);
    assert!(h.reasons.contains(&HandoffReason::SensitiveIntent), "{:?}", h.reasons);
    assert_eq!((h.route.as_str(), h.priority), ("complaints", Priority::High));
    assert!(h.brief.issue.iter().any(|l| l.contains("我要投诉")), "{:?}", h.brief.issue);
    assert!(angry.replies.is_empty(), "the bot stays silent with an agent");

    // The same reason again does not update it again.
    let again = session.turn(&bot, "我要投诉你们").unwrap();
    assert!(!again.signals.iter().any(|s| matches!(s, Signal::HandoffUpdated(_))), "{:?}", again.signals);
    // Nor does anything once the agent has finished and the bot has the conversation.
    session.agent_finished(&bot).unwrap();
    assert_eq!(session.state(), &DialogueState::Idle);
}

/// The agent's choice reported back: analytics count the suggestions shown and the ones
/// used, per id, across sessions and devices.
#[test]
fn analytics_learn_which_suggestions_agents_use() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut analytics = kefu_core::Analytics::default();
    let mut session = Session::new(&bot);
    analytics.record(&session.turn(&bot, "转人工").unwrap());
    let turn = session.turn(&bot, "退款多久能到账").unwrap();
    analytics.record(&turn);
    analytics.suggestion_used(&turn.suggestions[0].id);
    let mut other = kefu_core::Analytics::default();
    other.suggestion_used("faq/refund_time");
    analytics.merge(&other);
    let report = analytics.report();
    let used = &report.suggestions[0];
    assert_eq!((used.id.as_str(), used.shown, used.used), ("faq/refund_time", 1, 2), "{:?}", report.suggestions);
}

/// A legal or regulatory threat hands off urgently, whatever else the line is, and while
/// an agent has the conversation it updates the handoff; a bot may turn it off.
#[test]
fn legal_threats_go_to_a_person_urgently() {
    let bot = load_bot("examples/bots/shop.yaml");
    let handoff_of = |turn: &kefu_core::Turn| {
        turn.signals.iter().find_map(|s| match s {
            Signal::Handoff(h) | Signal::HandoffUpdated(h) => Some(h.clone()),
            _ => None,
        })
    };
    for line in ["订单12345678再不退款我就去法院起诉你们", "my lawyer will be in touch about order 12345678"]
    {
        let turn = Session::new(&bot).turn(&bot, line).unwrap();
        let h = handoff_of(&turn).unwrap_or_else(|| panic!("{line}: no handoff: {turn:?}"));
        assert!(h.reasons.contains(&HandoffReason::LegalThreat), "{line}: {:?}", h.reasons);
        assert_eq!(h.priority, Priority::Urgent, "{line}");
    }
    // Innocent neighbours do not.
    for line in ["告诉我订单到哪了", "I'm sure the suede shoes shipped"] {
        let turn = Session::new(&bot).turn(&bot, line).unwrap();
        assert!(handoff_of(&turn).is_none(), "{line}: {turn:?}");
    }
    // With an agent: the handoff is updated with the new reason.
    let mut session = Session::new(&bot);
    session.turn(&bot, "转人工").unwrap();
    let later = session.turn(&bot, "你们再拖我就打12315").unwrap();
    let updated = later.signals.iter().find_map(|s| if let Signal::HandoffUpdated(h) = s { Some(h) } else { None });
    let updated = updated.expect("handoff_updated");
    assert!(updated.reasons.contains(&HandoffReason::LegalThreat) && updated.priority == Priority::Urgent);
    // Turned off in the bot file.
    let src = "version: 1\nintents:\n  hi:\n    examples: [hello, hi there]\nhandoff:\n  on_legal_threat: false\n";
    let quiet = kefu_core::Bot::from_yaml("quiet.yaml", src).unwrap();
    assert!(handoff_of(&Session::new(&quiet).turn(&quiet, "I will sue you").unwrap()).is_none());
}

/// Quality checks on the agent's own lines: forbidden phrases, personal data, a missing
/// greeting or closing, a slow reply — as findings a supervisor can see; the line is
/// recorded masked either way, and what the checks remember survives a save and restore.
#[test]
fn agents_lines_are_checked_for_a_supervisor() {
    use kefu_core::{AgentFinding, ReferenceTime};
    let at = |unix_seconds| ReferenceTime { unix_seconds, utc_offset_minutes: 480 };
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    session.turn_at(&bot, "我的快递三天没动了，转人工", at(1_000)).unwrap();
    session.turn_at(&bot, "人呢？", at(1_010)).unwrap();
    session.turn_at(&bot, "还在吗", at(1_050)).unwrap();

    let first = session.agent_message_at(&bot, "物流的事不归我们管", at(1_100)).unwrap();
    assert_eq!(
        first.findings,
        [
            AgentFinding::ForbiddenPhrase { phrase: "不归我们管".into() },
            AgentFinding::MissingGreeting,
            AgentFinding::SlowReply { waited_seconds: 90 },
        ],
        "measured from the first unanswered line"
    );
    let mut session = Session::from_bytes(&bot, &session.to_bytes()).unwrap();
    session.turn_at(&bot, "那怎么办", at(1_120)).unwrap();
    let second = session.agent_message_at(&bot, "您留个电话 13812345678，我让快递联系您", at(1_150)).unwrap();
    assert_eq!(
        second.findings,
        [AgentFinding::PersonalData { kinds: vec!["phone".into()] }],
        "no second greeting check"
    );
    assert!(!second.masked.contains("13812345678"), "{}", second.masked);
    assert_eq!(session.transcript().last().unwrap().text, second.masked);
    assert_eq!(session.agent_finished(&bot).unwrap(), [AgentFinding::MissingClosing]);

    session.turn(&bot, "转人工").unwrap();
    let polite = session.agent_message(&bot, "您好，我是客服小李，我来帮您查").unwrap();
    assert!(polite.findings.is_empty(), "{:?}", polite.findings);
    session.agent_message(&bot, "已经催了，还有其他可以帮您的吗？").unwrap();
    assert!(session.agent_finished(&bot).unwrap().is_empty(), "closed properly");
}
