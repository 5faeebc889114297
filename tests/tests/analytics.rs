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
