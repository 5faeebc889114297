//! The satisfaction survey: asked by the bot after thanks or goodbye once it served a need
//! (the sample bot's `survey.after_intents`), or by the host (`ask_survey`, e.g. after an
//! agent); the next line is a score of 1–5 with an optional comment, a skip, or a new
//! question the bot then handles.

use kefu_core::{DialogueState, Error, Session, Signal};
use kefu_tests::load_bot;

fn answered(signals: &[Signal]) -> Option<(u8, Option<String>)> {
    signals.iter().find_map(|s| match s {
        Signal::SurveyAnswered { score, comment } => Some((*score, comment.clone())),
        _ => None,
    })
}

#[test]
fn the_bot_asks_after_thanks_once_it_served_a_need() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    let hello = session.turn(&bot, "你好").unwrap();
    assert!(!hello.signals.contains(&Signal::SurveyRequested));
    let early = session.turn(&bot, "谢谢").unwrap();
    assert!(!early.signals.contains(&Signal::SurveyRequested), "no need served yet: {:?}", early.signals);

    session.turn(&bot, "退款多久能到账").unwrap();
    let thanks = session.turn(&bot, "好的谢谢").unwrap();
    assert!(thanks.signals.contains(&Signal::SurveyRequested), "{:?}", thanks.signals);
    assert!(thanks.replies.last().unwrap().contains("1–5"), "{:?}", thanks.replies);
    assert_eq!(session.state(), &DialogueState::Survey);
    // Saved and restored while the question waits.
    let mut session = Session::from_bytes(&bot, &session.to_bytes()).unwrap();

    let answer = session.turn(&bot, "4分，回复挺快的，电话13812345678").unwrap();
    let (score, comment) = answered(&answer.signals).expect("answered");
    let comment = comment.expect("a comment");
    assert_eq!(score, 4);
    assert!(comment.contains("回复挺快的") && !comment.contains("13812345678"), "masked: {comment}");
    assert_eq!(answer.replies, ["感谢您的评价！"]);
    assert_eq!(session.state(), &DialogueState::Idle);
    assert_eq!(session.outcome().survey_score, Some(4));

    session.turn(&bot, "运费多少").unwrap();
    let again = session.turn(&bot, "谢谢").unwrap();
    assert!(!again.signals.contains(&Signal::SurveyRequested), "once per conversation");
}

#[test]
fn a_skip_or_a_new_question_ends_the_survey() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    session.turn(&bot, "how much is shipping").unwrap();
    session.turn(&bot, "thanks").unwrap();
    assert_eq!(session.state(), &DialogueState::Survey);
    let skip = session.turn(&bot, "skip").unwrap();
    assert!(skip.signals.contains(&Signal::SurveySkipped), "{:?}", skip.signals);
    assert_eq!(skip.replies, ["OK, have a nice day!"]);

    let mut session = Session::new(&bot);
    session.turn(&bot, "运费多少").unwrap();
    session.turn(&bot, "谢谢").unwrap();
    let moved_on = session.turn(&bot, "我的快递怎么还没到").unwrap();
    assert!(moved_on.signals.contains(&Signal::SurveySkipped), "{:?}", moved_on.signals);
    assert_eq!(moved_on.intent.map(|i| i.name).as_deref(), Some("order_status"), "handled as any line");
    assert!(matches!(session.state(), DialogueState::Form { .. }), "{:?}", session.state());
}

#[test]
fn the_host_asks_after_its_agent() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    session.turn(&bot, "I want to talk to a human").unwrap();
    assert_eq!(session.state(), &DialogueState::WithAgent);
    assert!(matches!(session.ask_survey(&bot), Err(Error::InvalidState(_))), "not while the agent has it");
    session.agent_message(&bot, "Hi, this is Li. Done — anything else?").unwrap();
    session.agent_finished(&bot).unwrap();

    let ask = session.ask_survey(&bot).unwrap();
    assert_eq!(ask.signals, [Signal::SurveyRequested]);
    assert!(ask.replies[0].starts_with("How satisfied"), "in the conversation's language: {:?}", ask.replies);
    assert_eq!(session.transcript().last().unwrap().text, ask.replies[0], "the question joins the transcript");
    let answer = session.turn(&bot, "★★★★★").unwrap();
    assert_eq!(answered(&answer.signals), Some((5, None)));
    let outcome = session.outcome();
    assert!(outcome.handed_off && outcome.survey_asked && outcome.survey_score == Some(5), "{outcome:?}");
}
