//! Knowledge-gap mining and TOP-N on the sample bot (#27): each line in a new session, its
//! log line taken with `Session::log_turn`; the lines it cannot answer become candidates in
//! a bot file that loads; complaints group by cause; nothing in a log is unmasked.

use kefu_core::{mine, top_topics, Bot, CandidateKind, HandoffReason, Session, TopicKind, TurnLog, TurnOutcome};
use kefu_tests::load_bot;

fn logs(bot: &Bot, lines: &[&str]) -> Vec<TurnLog> {
    lines
        .iter()
        .map(|line| {
            let mut session = Session::new(bot);
            let turn = session.turn(bot, line).unwrap();
            session.log_turn(&turn)
        })
        .collect()
}

#[test]
fn unanswered_lines_become_candidates_the_bot_file_accepts() {
    let bot = load_bot("examples/bots/shop.yaml");
    let logs = logs(
        &bot,
        &[
            "where can I rent a car",
            "car rental near me",
            "I want to rent a car for the weekend",
            "运费多少",
            "退款多久能到账",
            "你们招聘吗，我想应聘客服",
            "应聘客服需要什么条件",
            "招聘客服吗，我想应聘",
            "我的手机号13812345678，帮我查下积分",
        ],
    );
    assert_eq!(logs[3].outcome, TurnOutcome::Faq);
    assert!(logs.iter().all(|l| !l.text.contains("13812345678")), "logs are masked");
    let mining = mine(&bot, &logs);
    let labels: Vec<&str> = mining.candidates.iter().map(|c| c.label.as_str()).collect();
    let car = mining.candidates.iter().find(|c| c.label.contains("car")).unwrap_or_else(|| panic!("{mining:#?}"));
    assert_eq!((car.lines, car.kind), (3, CandidateKind::Intent), "{labels:?}");
    let jobs = mining.candidates.iter().find(|c| c.label.contains("应聘")).unwrap_or_else(|| panic!("{labels:?}"));
    assert_eq!(jobs.lines, 3);
    let yaml = mining.to_bot_file();
    let patch = Bot::from_yaml("mined.yaml", &yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(patch.intent_names().count() + patch.faq_count(), mining.candidates.len(), "{yaml}");
}

#[test]
fn complaints_group_by_cause() {
    let bot = load_bot("examples/bots/shop.yaml");
    let logs = logs(
        &bot,
        &[
            "我要投诉你们的快递员，态度太差了",
            "投诉快递员，把我的包裹扔在门口",
            "快递员服务太差，我要投诉",
            "耳机用了三天就坏了，太差了，我要投诉",
            "质量太差了，耳机坏了，投诉",
            "投诉！耳机刚买就坏了",
            "运费多少",
        ],
    );
    // The lines that handed off as complaints (the bot does not take every line above as one).
    let complaint = [HandoffReason::SensitiveIntent, HandoffReason::NegativeSentiment];
    let complaints = logs.iter().filter(|l| l.handoff_reasons.iter().any(|r| complaint.contains(r))).count();
    assert!(complaints >= 4, "{logs:#?}");
    let top = top_topics(&bot, &logs, TopicKind::Complaints, 5);
    assert_eq!(top.iter().map(|t| t.count).sum::<usize>(), complaints, "{top:#?}");
    // Two causes: no group mixes them, and each has a group labelled by it (a line worded
    // apart from the others of its cause, "投诉快递员，把我的包裹扔在门口", may stand alone).
    assert!(top.len() <= 3, "{top:#?}");
    for t in &top {
        let causes = ["快递", "耳机"].iter().filter(|c| t.examples.iter().any(|e| e.contains(*c))).count();
        assert_eq!(causes, 1, "{t:#?}");
    }
    for cause in ["快递", "耳机"] {
        let t = top.iter().find(|t| t.label.contains(cause)).unwrap_or_else(|| panic!("{cause}: {top:#?}"));
        assert!(t.examples.len() <= 3 && t.examples.iter().all(|e| e.contains(cause)), "{t:#?}");
    }
    let questions = top_topics(&bot, &logs, TopicKind::Questions, 5);
    assert!(questions.iter().any(|t| t.examples.contains(&"运费多少".to_string())), "{questions:#?}");
}
