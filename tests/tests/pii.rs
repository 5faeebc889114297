//! Property test: no phone number, ID-card number, bank-card number or e-mail address a
//! customer types appears unmasked in what the agent, the host's logs or operators see —
//! handoff summaries and transcripts, saved sessions' transcripts, analytics reports,
//! `Debug` output of public types, and error messages. Values are generated (valid
//! checksums) and embedded in generated conversations; a fixed seed keeps runs repeatable.

use kefu_core::{Analytics, Bot, Session, Signal};
use kefu_tests::generate::{self, Rng};
use kefu_tests::load_bot;

/// A personal value: how the customer writes it, and the bare value that must not leak.
struct Pii {
    written: String,
    bare: String,
}

fn phone(r: &mut Rng) -> Pii {
    let bare = format!("1{}{}", r.pick(&["3", "5", "7", "8", "9"]), r.digits(9));
    let written = match r.below(3) {
        0 => bare.clone(),
        1 => format!("+86 {} {} {}", &bare[..3], &bare[3..7], &bare[7..]),
        _ => format!("{}-{}-{}", &bare[..3], &bare[3..7], &bare[7..]),
    };
    Pii { written, bare }
}

fn id_card(r: &mut Rng) -> Pii {
    let bare = generate::id_card(r);
    Pii { written: bare.clone(), bare }
}

fn bank_card(r: &mut Rng) -> Pii {
    let len = if r.below(2) == 0 { 16 } else { 19 };
    let bare = generate::with_luhn_digit(&format!("62{}", r.digits(len - 3)));
    let written = if len == 16 && r.below(2) == 0 {
        bare.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join(" ")
    } else {
        bare.clone()
    };
    Pii { written, bare }
}

fn email(r: &mut Rng) -> Pii {
    let user = format!("{}.{}{}", r.pick(&["li", "wang", "anna", "bob"]), r.pick(&["x", "mei", "k"]), r.digits(3));
    let bare = format!("{user}@{}", r.pick(&["example.com", "qq.com", "mail.example.org"]));
    Pii { written: bare.clone(), bare: user }
}

const TEMPLATES: &[&str] = &[
    "我的手机号是{}，转人工",
    "身份证号{}，我要投诉",
    "卡号{}扣款失败了",
    "my email is {}, let me talk to a person",
    "call me on {} please",
    "忘记密码了",
    "{}",
    "我要退款",
    "你们这服务太差了！！！{}",
    "what is this {} nonsense",
    "转人工",
    // Inside a longer entity of another kind: an amount, a URL.
    "转账{}元",
    "see https://example.com/u/{}",
];

#[test]
fn personal_data_never_leaks_unmasked() {
    let bot: Bot = load_bot("examples/bots/shop.yaml");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut analytics = Analytics::default();
    let makers: [fn(&mut Rng) -> Pii; 4] = [phone, id_card, bank_card, email];
    let mut checked = 0;
    let mut all_secrets = Vec::new();
    for conversation in 0..300 {
        let mut session = Session::new(&bot);
        let mut secrets: Vec<String> = Vec::new();
        let mut seen = String::new();
        for _ in 0..1 + rng.below(6) {
            let pii = makers[rng.below(4) as usize](&mut rng);
            let utterance = rng.pick(TEMPLATES).replace("{}", &pii.written);
            secrets.push(pii.bare);
            let turn = match session.turn(&bot, &utterance) {
                Ok(turn) => turn,
                Err(e) => panic!("conversation {conversation}: {e}"),
            };
            analytics.record(&turn);
            seen.push_str(&format!("{turn:?}\n{session:?}\n"));
            for signal in &turn.signals {
                if let Signal::Handoff(h) | Signal::AgentUnavailable(h) = signal {
                    seen.push_str(&format!("{h:?}\n{}\n", h.summary));
                    for line in &h.transcript {
                        seen.push_str(&line.text);
                    }
                }
            }
            if session.state() == &kefu_core::DialogueState::WithAgent {
                session.agent_finished(&bot).ok();
            }
            // An over-long utterance carrying the value: the error must not quote it.
            let long = format!("{utterance}{}", "啊".repeat(kefu_core::MAX_UTTERANCE_CHARS));
            if let Err(e) = session.turn(&bot, &long) {
                seen.push_str(&format!("{e}\n{e:?}\n"));
            }
        }
        for line in session.transcript() {
            seen.push_str(&line.text);
        }
        for secret in &secrets {
            assert!(!seen.contains(secret.as_str()), "conversation {conversation}: {secret:?} leaked:\n{seen}");
            checked += 1;
        }
        all_secrets.extend(secrets);
    }
    assert!(checked > 500, "only {checked} values checked");
    let report = format!("{:?}{}", analytics.report(), serde_json::to_string(&analytics).unwrap_or_default());
    assert!(all_secrets.iter().all(|s| !report.contains(s.as_str())), "{report}");
}

/// Full-width digits were found as a phone but left as typed in the transcript: masking only
/// starred ASCII characters.
#[test]
fn full_width_digits_are_masked_in_the_handoff_transcript() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    session.turn(&bot, "我的手机号是１３８１２３４５６７８").unwrap();
    let turn = session.turn(&bot, "转人工").unwrap();
    let Some(Signal::Handoff(h)) = turn.signals.iter().find(|s| matches!(s, Signal::Handoff(_))) else {
        panic!("no handoff: {:?}", turn.signals)
    };
    let transcript: String = h.transcript.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    assert!(transcript.contains("*******５６７８"), "{transcript}");
    assert!(!transcript.contains("１３８１２３４"), "{transcript}");
}

/// Numbers that failed their checksum or had extra digits beside them reached the handoff
/// transcript in full; masking now fails closed on long digit runs.
#[test]
fn typo_cards_and_phones_with_extra_digits_are_masked_in_the_transcript() {
    let bot = load_bot("examples/bots/shop.yaml");
    let leaks =
        ["卡号 6222020200112233445", "卡号 4111 1111 1111 1111 123", "电话0086 13812345678", "call me at 415-555-2671"];
    for line in leaks {
        let mut session = Session::new(&bot);
        session.turn(&bot, line).unwrap();
        let turn = session.turn(&bot, "转人工").unwrap();
        let Some(Signal::Handoff(h)) = turn.signals.iter().find(|s| matches!(s, Signal::Handoff(_))) else {
            panic!("no handoff: {:?}", turn.signals)
        };
        let said = &h.transcript[0].text;
        let digits: String = said.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(digits.len(), 4, "{line} → {said}");
        assert!(!said.contains("0200112233") && !said.contains("1111 1111 1111") && !said.contains("555"), "{said}");
    }
}

/// 我妈妈的手机坏了 handed off for abuse with high priority and reached the agent as
/// 我妈***手机坏了; ｆｕｃｋ was detected but reached the agent unmasked.
#[test]
fn innocent_chinese_is_not_abuse_and_evasive_abuse_is_masked() {
    let bot = load_bot("examples/bots/shop.yaml");
    let mut session = Session::new(&bot);
    let turn = session.turn(&bot, "我妈妈的手机坏了").unwrap();
    assert!(!turn.signals.iter().any(|s| matches!(s, Signal::Handoff(_))), "{:?}", turn.signals);
    session.turn(&bot, "ｆｕｃｋ").unwrap();
    let transcript: Vec<String> = session.transcript().iter().map(|l| l.text.clone()).collect();
    assert!(transcript.contains(&"我妈妈的手机坏了".to_string()), "{transcript:?}");
    assert!(transcript.iter().all(|l| !l.contains("ｆｕｃｋ")), "{transcript:?}");
}
