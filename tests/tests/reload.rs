//! Reloading the bot while sessions are live: a host swaps in a new `Bot` (an edited bot
//! file) and every session keeps working with it, also sessions in a form of an intent the
//! new file no longer has.

use std::sync::{Arc, RwLock};

use kefu_core::{Bot, DialogueState, Session};
use kefu_tests::repo_root;

fn shop_source() -> String {
    std::fs::read_to_string(repo_root().join("examples/bots/shop.yaml")).unwrap_or_default()
}

/// The shop bot without its `refund` intent (and the rules that name it).
fn shop_without_refund() -> Bot {
    let mut file: serde_yaml::Value = serde_yaml::from_str(&shop_source()).unwrap_or_default();
    if let Some(intents) = file.get_mut("intents").and_then(|i| i.as_mapping_mut()) {
        intents.remove("refund");
    }
    if let Some(handoff) = file.get_mut("handoff").and_then(|h| h.as_mapping_mut()) {
        handoff.remove("rules");
    }
    let source = serde_yaml::to_string(&file).unwrap_or_default();
    Bot::from_yaml("shop-v2.yaml", &source).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_form_of_a_removed_intent_starts_over() {
    let old = Bot::from_yaml("shop.yaml", &shop_source()).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::new(&old);
    session.turn(&old, "我要退款").unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(session.state(), DialogueState::Form { .. }));
    let new = shop_without_refund();
    let turn = session.turn(&new, "12345678").unwrap_or_else(|e| panic!("{e}"));
    assert!(!matches!(&turn.intent, Some(i) if i.name == "refund"), "{turn:?}");
    assert!(!matches!(session.state(), DialogueState::Form { intent, .. } if intent == "refund"));
    // A session saved under the old file restores under the new one (same bot name).
    let saved = session.to_bytes();
    assert!(Session::from_bytes(&new, &saved).is_ok());
}

#[test]
fn sessions_keep_working_while_the_bot_is_reloaded() {
    let current = Arc::new(RwLock::new(Arc::new(Bot::from_yaml("shop.yaml", &shop_source()).unwrap())));
    const SCRIPT: [&str; 7] = ["我要退款", "12345678", "是的", "where is my order", "87654321", "转人工", "谢谢"];
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let current = current.clone();
            std::thread::spawn(move || {
                let first = current.read().map(|b| b.clone()).unwrap_or_else(|p| p.into_inner().clone());
                let mut sessions: Vec<Session> = (0..25).map(|_| Session::new(&first)).collect();
                let mut turns = 0;
                for round in 0..40 {
                    for (i, session) in sessions.iter_mut().enumerate() {
                        let bot = current.read().map(|b| b.clone()).unwrap_or_else(|p| p.into_inner().clone());
                        let utterance = SCRIPT[(round + i + w) % SCRIPT.len()];
                        session.turn(&bot, utterance).unwrap_or_else(|e| panic!("{e}"));
                        if session.state() == &DialogueState::WithAgent {
                            session.agent_finished(&bot).unwrap_or_else(|e| panic!("{e}"));
                        }
                        turns += 1;
                    }
                }
                turns
            })
        })
        .collect();
    let versions = [shop_without_refund(), Bot::from_yaml("shop.yaml", &shop_source()).unwrap()];
    let versions: Vec<Arc<Bot>> = versions.into_iter().map(Arc::new).collect();
    for i in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(2));
        *current.write().unwrap_or_else(|p| p.into_inner()) = versions[i % 2].clone();
    }
    let total: usize = workers.into_iter().map(|w| w.join().unwrap_or_else(|_| panic!("a worker panicked"))).sum();
    assert_eq!(total, 4 * 25 * 40);
}

/// A session saved mid-form and restored into the same bot with the slot renamed waited for
/// the old slot until the re-prompt limit: now the form starts over.
#[test]
fn a_form_waiting_for_a_renamed_slot_starts_over() {
    let old = Bot::from_yaml("shop.yaml", &shop_source()).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::new(&old);
    session.turn(&old, "我要退款").unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(session.state(), DialogueState::Form { slot, .. } if slot == "order_id"));
    let renamed = shop_source().replace("order_id", "order_no");
    let new = Bot::from_yaml("shop.yaml", &renamed).unwrap_or_else(|e| panic!("{e}"));
    let mut restored = Session::from_bytes(&new, &session.to_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let turn = restored.turn(&new, "12345678").unwrap_or_else(|e| panic!("{e}"));
    let waits = |state: &DialogueState| matches!(state, DialogueState::Form { slot, .. } if slot == "order_id");
    assert!(!waits(restored.state()), "{turn:?}");
    assert!(!turn
        .signals
        .iter()
        .any(|s| matches!(s, kefu_core::Signal::SlotRequested { slot, .. } if slot == "order_id")));
}

/// A session saved mid-form and restored into a bot whose slot now takes another entity
/// went on asking under the old check: the bytes now carry a fingerprint of the bot's
/// intents and slots, and a form of another structure starts over (everything else kept).
/// Restored into the same structure — even with other replies — it continues.
#[test]
fn a_form_restored_into_a_changed_structure_starts_over() {
    let old = Bot::from_yaml("shop.yaml", &shop_source()).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::new(&old);
    session.turn(&old, "我要退款").unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(session.state(), DialogueState::Form { slot, .. } if slot == "order_id"));
    let saved = session.to_bytes();

    let reworded = shop_source().replacen("route: after_sales", "route: refunds", 1);
    let same = Bot::from_yaml("shop.yaml", &reworded).unwrap_or_else(|e| panic!("{e}"));
    let restored = Session::from_bytes(&same, &saved).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(restored.state(), DialogueState::Form { slot, .. } if slot == "order_id"));

    let changed = shop_source().replacen(
        "        entity: order_id\n        required: true",
        "        entity: number\n        required: true",
        1,
    );
    assert_ne!(changed, shop_source());
    let new = Bot::from_yaml("shop.yaml", &changed).unwrap_or_else(|e| panic!("{e}"));
    let restored = Session::from_bytes(&new, &saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restored.state(), &DialogueState::Idle);
    assert_eq!(
        (restored.turn_count(), restored.transcript().len()),
        (session.turn_count(), session.transcript().len())
    );
    // A live session meets the edited bot the same way.
    let mut live = session.clone();
    live.turn(&new, "算了").unwrap_or_else(|e| panic!("{e}"));
    assert!(!matches!(live.state(), DialogueState::Form { slot, .. } if slot == "order_id"));
}

/// Bytes of format version 1 (no fingerprint) still restore, their form kept.
#[test]
fn version_1_sessions_still_restore() {
    let bot = Bot::from_yaml("shop.yaml", &shop_source()).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::new(&bot);
    session.turn(&bot, "我要退款").unwrap_or_else(|e| panic!("{e}"));
    let v2 = session.to_bytes();
    let payload = &v2[14..];
    let mut v1 = b"KEFU".to_vec();
    v1.extend_from_slice(&1u16.to_le_bytes());
    v1.extend_from_slice(&kefu_core::crc32(payload).to_le_bytes());
    v1.extend_from_slice(payload);
    let restored = Session::from_bytes(&bot, &v1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restored, session);
    assert!(Session::from_bytes(&bot, &v1[..12]).is_err());
}

#[test]
fn a_question_which_intent_is_meant_survives_a_restore_but_not_an_edit_that_removes_a_choice() {
    let old = Bot::from_yaml("shop.yaml", &shop_source()).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::new(&old);
    session.turn(&old, "东西不想要了，钱能退吗").unwrap_or_else(|e| panic!("{e}"));
    let asked = DialogueState::Clarify { choices: vec!["return_item".into(), "refund".into()], resume: None };
    assert_eq!(session.state(), &asked);
    let saved = session.to_bytes();
    let mut same = Session::from_bytes(&old, &saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same.state(), &asked);
    let turn = same.turn(&old, "第二个").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(turn.intent.map(|i| i.name).as_deref(), Some("refund"));
    // Under a file without `refund`, the question is forgotten, not answered with an
    // intent the bot no longer has.
    let new = shop_without_refund();
    let mut edited = Session::from_bytes(&new, &saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(edited.state(), &DialogueState::Idle);
    let turn = edited.turn(&new, "第二个").unwrap_or_else(|e| panic!("{e}"));
    assert!(!matches!(&turn.intent, Some(i) if i.name == "refund"), "{turn:?}");
}
