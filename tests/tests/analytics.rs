//! Analytics over real conversations with the sample bot: rates, reasons and topics add
//! up, merging equals recording in one place, and no personal data gets in.

use kefu_core::{Analytics, Session};
use kefu_tests::load_bot;

#[test]
fn reports_containment_reasons_intents_and_complaints() {
    let bot = load_bot("examples/bots/shop.yaml");
    let script: &[&[&str]] = &[
        &["你好", "运费多少", "订单12345678到哪了", "谢谢"],
        &["我要投诉你们的快递员，电话13812345678"],
        &["how much is shipping", "转人工"],
        &["量子力学是什么", "月球背面有什么", "帮我写首诗"],
    ];
    let mut all = Analytics::default();
    let mut parts = vec![Analytics::default(), Analytics::default()];
    for (i, conversation) in script.iter().enumerate() {
        let mut session = Session::new(&bot);
        for u in *conversation {
            let turn = session.turn(&bot, u).unwrap();
            all.record(&turn);
            parts[i % 2].record(&turn);
        }
    }
    let report = all.report();
    assert_eq!(report.turns, 10);
    assert_eq!(report.faq_answered, 2);
    // Three handoffs: complaint, explicit request, fallback streak.
    assert!((report.containment_rate - 0.7).abs() < 1e-9, "{report:?}");
    assert!((report.fallback_rate - 0.3).abs() < 1e-9, "{report:?}");
    let reasons: Vec<&str> = report.escalation_reasons.iter().map(|(r, _)| r.as_str()).collect();
    for r in ["sensitive_intent", "explicit_request", "fallback_streak"] {
        assert!(reasons.contains(&r), "{reasons:?}");
    }
    assert_eq!(report.top_complaint_topics.first().map(|t| t.0.as_str()), Some("complaint"));
    let mut merged = parts.remove(0);
    merged.merge(&parts[0]);
    assert_eq!(merged, all);
    let json = format!("{all:?}");
    assert!(!json.contains("13812345678") && !json.contains("12345678"));
}

/// Conversation-level figures (#27): the same four conversations are 25 % contained (three
/// of four reached a person), not the 70 % of turns; per day and segment; first-contact
/// resolution counts a customer's return on the same need within the window; the survey's
/// scores; merging equals recording in one place; ids are kept only as hashes.
#[test]
fn conversations_are_counted_as_conversations() {
    use kefu_core::ReferenceTime;
    let bot = load_bot("examples/bots/shop.yaml");
    let day = |n: i64| ReferenceTime { unix_seconds: 1_780_000_000 + n * 86_400, utc_offset_minutes: 480 };
    // (lines, day, customer, the survey's answer)
    let script: &[(&[&str], i64, Option<&str>)] = &[
        (&["你好", "运费多少", "订单12345678到哪了", "谢谢", "5分"], 0, Some("customer-a")),
        (&["我要投诉你们的快递员，电话13812345678"], 0, Some("customer-b")),
        (&["how much is shipping", "转人工"], 1, None),
        (&["量子力学是什么", "月球背面有什么", "帮我写首诗"], 1, Some("customer-a")),
        // customer-a back on the same need within a week: the first contact did not resolve it.
        (&["订单12345678还没到"], 3, Some("customer-a")),
    ];
    let mut all = Analytics::default();
    let mut parts = vec![Analytics::default(), Analytics::default()];
    for (i, &(lines, n, customer)) in script.iter().enumerate() {
        let mut session = Session::new(&bot);
        if customer == Some("customer-b") {
            session.set_segment(Some("vip".into()));
        }
        for u in lines {
            session.turn(&bot, u).unwrap();
        }
        let outcome = session.outcome();
        all.record_conversation(&outcome, day(n), customer);
        parts[i % 2].record_conversation(&outcome, day(n), customer);
    }
    let report = all.report();
    let c = &report.conversations;
    assert_eq!(c.conversations, 5);
    assert!((c.containment_rate - 0.4).abs() < 1e-9, "two of five without a person: {c:?}");
    assert!((c.fallback_rate - 0.2).abs() < 1e-9, "{c:?}");
    let reasons: Vec<&str> = c.handoffs_by_reason.iter().map(|(r, _)| r.as_str()).collect();
    for r in ["sensitive_intent", "explicit_request", "fallback_streak"] {
        assert!(reasons.contains(&r), "{reasons:?}");
    }
    assert_eq!(c.handoffs_by_route.iter().map(|(_, n)| n).sum::<u64>(), 3);
    assert_eq!((c.surveys_asked, c.surveys_answered, c.satisfaction, c.csat), (1, 1, Some(5.0), Some(1.0)));
    // Known customers' conversations with a need: a's first (returned), b's, a's last.
    assert_eq!(c.first_contact_resolution, Some(2.0 / 3.0), "{c:?}");
    let narrow = all.report_with_window(1).conversations.first_contact_resolution;
    assert_eq!(narrow, Some(1.0), "a came back after 3 days, outside a 1-day window");

    let days: Vec<(&str, u64)> =
        report.conversations_by_day.iter().map(|(d, m)| (d.as_str(), m.conversations)).collect();
    assert_eq!(days, [("2026-05-29", 2), ("2026-05-30", 2), ("2026-06-01", 1)]);
    let vip = report.conversations_by_segment.iter().find(|(s, _)| s == "vip").map(|(_, m)| m);
    assert_eq!(vip.map(|m| (m.conversations, m.handoff_rate)), Some((1, 1.0)), "{:?}", report.conversations_by_segment);

    let mut merged = parts.remove(0);
    merged.merge(&parts[0]);
    assert_eq!(merged.report(), report);
    let json = serde_json::to_string(&all).unwrap();
    assert!(!json.contains("customer-a") && !json.contains("13812345678"), "{json}");
}
