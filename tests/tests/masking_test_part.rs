//! The held-out test part of the masking corpus (issue 21): written from the list of kinds
//! kefu promises to mask — phones (mobile, landline, international, Chinese numerals), ID
//! cards, bank cards, e-mails (obfuscated forms), names after cue words, addresses,
//! passports, QQ / WeChat ids — in contexts and formats the development part
//! (`masking.rs`) does not use, before the masking rules for the new kinds were written,
//! and never tuned on. Each line goes through a real turn of the sample bot; the
//! transcript line is what an agent would read. Writes `reports/masking-test.json`.
//!
//! Masked means: of a number of 10 or more digits no more than the last 4 are readable, of a
//! shorter identifier (QQ number, passport, local phone, WeChat id) no more than the last 2;
//! of a name, nothing but the surname (zh) or the initials (en); of an address, neither the
//! street nor the house number; of an e-mail, not the part before the `@`.

use std::collections::BTreeMap;

use kefu_core::AgentFinding;
use kefu_tests::generate::{self, Rng};
use kefu_tests::{agent_reads, agent_writes, digits_of, load_bot, write_report};

/// What must not reach the agent.
enum Secret {
    /// Digits (compared with the digits of what the agent sees, whatever their script).
    Digits(String),
    /// Text (compared case-insensitively).
    Text(String),
}

/// A value and how it is written: (what the customer types, what must stay hidden).
type Written = (String, Vec<Secret>);

const ZH_DIGITS: &str = "零一二三四五六七八九";

fn zh_digits(s: &str) -> String {
    s.chars().map(|c| c.to_digit(10).and_then(|d| ZH_DIGITS.chars().nth(d as usize)).unwrap_or(c)).collect()
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap_or(c) } else { c })
        .collect()
}

/// All but the last 4 (long numbers) or 2 (short identifiers) characters.
fn hidden_part(value: &str) -> String {
    let n = value.chars().count();
    let keep = if n >= 10 { 4 } else { 2 };
    value.chars().take(n - keep).collect()
}

fn digits(value: &str) -> Vec<Secret> {
    vec![Secret::Digits(hidden_part(value))]
}

fn mobile(r: &mut Rng) -> String {
    format!("1{}{}", r.pick(&["30", "39", "51", "58", "77", "86", "99"]), r.digits(8))
}

fn card(r: &mut Rng) -> String {
    let body = format!("{}{}", r.pick(&["6217", "6228", "4392", "5187"]), r.digits(11));
    generate::with_luhn_digit(&body)
}

fn typo(r: &mut Rng, value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let at = r.below(chars.len() as u64 - 2) as usize + 1;
    let d = chars[at].to_digit(10).unwrap_or(0);
    chars[at] = char::from_digit((d + 3) % 10, 10).unwrap_or('0');
    chars.into_iter().collect()
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "郭", "何", "罗", "欧阳",
    "诸葛",
];
const GIVEN: &[&str] = &["小明", "雪梅", "建国", "洋", "婷婷", "志强", "晓东", "丽", "俊杰", "思琪", "浩然", "静"];
const FIRST: &[&str] = &["Emily", "David", "Sarah", "Michael", "Olivia", "James", "Sophie", "Daniel"];
const LAST: &[&str] = &["Carter", "Chen", "Lee", "Brown", "Wong", "Miller", "Garcia", "Nguyen"];

fn zh_name(r: &mut Rng) -> (String, Vec<Secret>) {
    let given = r.pick(GIVEN);
    (format!("{}{given}", r.pick(SURNAMES)), vec![Secret::Text(given.to_string())])
}

fn en_name(r: &mut Rng) -> (String, Vec<Secret>) {
    let (first, last) = (r.pick(FIRST), r.pick(LAST));
    let secrets = [first, last].iter().map(|w| Secret::Text(w[1..].to_string())).collect();
    (format!("{first} {last}"), secrets)
}

const ROADS: &[&str] = &["建国路", "文三路", "天河北路", "世纪大道", "中山东一路", "解放大街", "长寿路", "南京西路"];
const STREETS: &[&str] = &["Baker Street", "Oak Lane", "Maple Avenue", "Sunset Boulevard", "King Road", "Elm Drive"];

fn zh_address(r: &mut Rng) -> (String, Vec<Secret>) {
    let road = r.pick(ROADS);
    let number = 1 + r.below(300);
    let city = r.pick(&["北京市朝阳区", "上海市浦东新区", "广州市天河区", "杭州市西湖区", "成都市武侯区", ""]);
    let rest = match r.below(3) {
        0 => String::new(),
        1 => format!("{}栋{}单元{}室", 1 + r.below(20), 1 + r.below(6), 101 + r.below(1500)),
        _ => format!("{}号楼{}", 1 + r.below(12), 201 + r.below(900)),
    };
    (format!("{city}{road}{number}号{rest}"), vec![Secret::Text(road.to_string()), Secret::Text(format!("{number}号"))])
}

fn en_address(r: &mut Rng) -> (String, Vec<Secret>) {
    let street = r.pick(STREETS);
    let number = 2 + r.below(2000);
    let unit =
        if r.below(2) == 0 { format!(", Apt {}{}", 1 + r.below(20), r.pick(&["A", "B", "C"])) } else { String::new() };
    let name = street.split(' ').next().unwrap_or(street).to_string();
    (format!("{number} {street}{unit}"), vec![Secret::Text(name), Secret::Text(format!("{number} "))])
}

/// A kind of personal data in one format: its name and a generator.
type Format = (&'static str, fn(&mut Rng) -> Written);

const FORMATS: &[Format] = &[
    ("mobile +86-xxx-xxxx-xxxx", |r| {
        let m = mobile(r);
        (format!("+86-{}-{}-{}", &m[..3], &m[3..7], &m[7..]), digits(&m))
    }),
    ("mobile (+86) prefix", |r| {
        let m = mobile(r);
        (format!("(+86){m}"), digits(&m))
    }),
    ("mobile full-width in groups", |r| {
        let m = mobile(r);
        (full_width(&format!("{} {} {}", &m[..3], &m[3..7], &m[7..])), digits(&m))
    }),
    ("mobile in Chinese numerals", |r| {
        let m = mobile(r);
        (zh_digits(&m), digits(&m))
    }),
    ("mobile in Chinese numerals with 幺, spaced", |r| {
        let m = mobile(r);
        let zh = zh_digits(&format!("{} {} {}", &m[..3], &m[3..7], &m[7..])).replace('一', "幺");
        (zh, digits(&m))
    }),
    ("landline 0755-8888 6666", |r| {
        let area = r.pick(&["0755", "0571", "0512", "020", "021"]);
        let n = r.digits(8);
        (format!("{area}-{} {}", &n[..4], &n[4..]), digits(&format!("{area}{n}")))
    }),
    ("landline (0755)88886666", |r| {
        let area = r.pick(&["0755", "0571", "0512"]);
        let n = r.digits(8);
        (format!("({area}){n}"), digits(&format!("{area}{n}")))
    }),
    ("local landline after a cue", |r| {
        let n = format!("{}{}", 2 + r.below(7), r.digits(7));
        let cue = r.pick(&["座机 ", "固话：", "办公室电话是", "tel ", "office phone "]);
        (format!("{cue}{}-{}", &n[..4], &n[4..]), digits(&n))
    }),
    ("international +44 / +1 in groups", |r| {
        if r.below(2) == 0 {
            let n = format!("20{}", r.digits(8));
            (format!("+44 {} {} {}", &n[..2], &n[2..6], &n[6..]), digits(&n))
        } else {
            let n = format!("{}{}", 201 + r.below(700), r.digits(7));
            (format!("+1 ({}) {}-{}", &n[..3], &n[3..6], &n[6..]), digits(&n))
        }
    }),
    ("US number with 001 prefix", |r| {
        let n = format!("{}{}", 201 + r.below(700), r.digits(7));
        (format!("001-{}-{}-{}", &n[..3], &n[3..6], &n[6..]), digits(&n))
    }),
    ("ID card with lower-case x or spaced 6-8-4", |r| {
        let id = generate::id_card(r);
        let written =
            if r.below(2) == 0 { id.to_lowercase() } else { format!("{} {} {}", &id[..6], &id[6..14], &id[14..]) };
        (written, digits(&id))
    }),
    ("ID card with a typo", |r| {
        let valid = generate::id_card(r);
        let id = typo(r, &valid);
        (id.clone(), digits(&id))
    }),
    ("bank card dashed", |r| {
        let c = card(r);
        (format!("{}-{}-{}-{}", &c[..4], &c[4..8], &c[8..12], &c[12..]), digits(&c))
    }),
    ("bank card with expiry beside", |r| {
        let c = card(r);
        let exp = format!("{:02}/{}", 1 + r.below(12), 26 + r.below(6));
        (format!("{c} 有效期{exp}"), digits(&c))
    }),
    ("bank card with a typo in groups", |r| {
        let valid = card(r);
        let c = typo(r, &valid);
        (format!("{} {} {} {}", &c[..4], &c[4..8], &c[8..12], &c[12..]), digits(&c))
    }),
    ("e-mail with full-width or 。 punctuation", |r| {
        let local = format!("{}{}", r.pick(&["zhangsan", "li.lei", "wangfang", "chen_yu"]), r.digits(3));
        let written = match r.below(3) {
            0 => format!("{local}＠qq．com"),
            1 => format!("{local}@163。com"),
            _ => format!("{local}@gmail.com"),
        };
        (written, vec![Secret::Text(local)])
    }),
    ("e-mail spelled out (at, dot, [at], 艾特)", |r| {
        let local = format!("{}{}", r.pick(&["zhangsan", "lilei", "tom.w", "amy_k"]), r.digits(2));
        let written = match r.below(4) {
            0 => format!("{local} at gmail dot com"),
            1 => format!("{local} [at] outlook [dot] com"),
            2 => format!("{local}(at)126.com"),
            _ => format!("{local}艾特qq.com"),
        };
        (written, vec![Secret::Text(local)])
    }),
    ("Chinese name after a cue", |r| {
        let (name, secrets) = zh_name(r);
        let cue = r.pick(&["我叫", "本人", "姓名：", "收件人是", "联系人 "]);
        (format!("{cue}{name}"), secrets)
    }),
    ("English name after a cue", |r| {
        let (name, secrets) = en_name(r);
        let cue = r.pick(&["my name is ", "this is ", "name: ", "I'm "]);
        (format!("{cue}{name}"), secrets)
    }),
    ("Chinese street address", |r| {
        let (address, secrets) = zh_address(r);
        (format!("{}{address}", r.pick(&["地址是", "送到", "收货地址：", "我住在"])), secrets)
    }),
    ("English street address", |r| {
        let (address, secrets) = en_address(r);
        (format!("{}{address}", r.pick(&["ship it to ", "my address is ", "I live at "])), secrets)
    }),
    ("passport number", |r| {
        let p = match r.below(3) {
            0 => format!("E{}", r.digits(8)),
            1 => format!("EA{}", r.digits(7)),
            _ => format!("G{}", r.digits(8)),
        };
        let cue = r.pick(&["护照号 ", "护照号码是", "passport number ", "passport: "]);
        (format!("{cue}{p}"), vec![Secret::Text(hidden_part(&p))])
    }),
    ("QQ number", |r| {
        let len = 5 + r.below(5) as usize;
        let qq = format!("{}{}", 1 + r.below(9), r.digits(len));
        let cue = r.pick(&["QQ ", "qq号：", "我的扣扣是", "QQ号码"]);
        (format!("{cue}{qq}"), digits(&qq))
    }),
    ("WeChat id", |r| {
        let id = format!("{}{}", r.pick(&["zhang_san", "lilei", "amy-w", "wxid_k"]), r.digits(4));
        let cue = r.pick(&["微信 ", "加我微信：", "vx: ", "WeChat ID "]);
        (format!("{cue}{id}"), vec![Secret::Text(hidden_part(&id))])
    }),
];

/// Contexts the development part does not use, in the customers' own phrasing.
const CONTEXTS: &[&str] = &[
    "你好，{}，退款的事麻烦跟进一下",
    "快递一直没到，{}",
    "{}，有问题随时联系",
    "麻烦改一下信息：{}",
    "hi, {} — can someone call me back about the refund",
    "the parcel never came. {}",
    "{} thanks",
    "please update my details, {}",
];

/// Lines that hold no personal data and must reach the agent as typed: the sample bot's
/// order numbers, amounts, dates, product codes, and lines with the cue words of the kinds
/// above but no personal data after them.
fn keep_lines(r: &mut Rng) -> Vec<String> {
    let mut lines = Vec::new();
    for _ in 0..40 {
        let len = 6 + r.below(5) as usize;
        lines.push(format!("单号{}，还没发货", r.digits(len)));
        lines.push(format!("where is order #{}", r.digits(7)));
        lines.push(format!("¥{},{:03}.00 的那笔什么时候退", 1 + r.below(9), r.below(1000)));
        lines.push(format!("{}年{}月{}日买的", 2021 + r.below(5), 1 + r.below(12), 1 + r.below(28)));
        lines.push(format!("型号 XR-{} 还有货吗", 100 + r.below(9000)));
        lines.push(format!(
            "bought {} items on {}/{}, paid ${}.99",
            1 + r.below(5),
            1 + r.below(12),
            1 + r.below(28),
            10 + r.below(300)
        ));
    }
    const CUE_LINES: &[&str] = &[
        "我叫了三次客服都没人理",
        "我是老客户了",
        "我是在你们app上买的",
        "名字写错了怎么改",
        "收件人写错了能改吗",
        "地址写错了能改吗",
        "路由器连不上网",
        "微信支付失败了",
        "QQ音乐会员怎么退",
        "护照丢了还能退税吗",
        "送到公司前台就行",
        "本人已经签收了",
        "my name is wrong on the invoice",
        "this is ridiculous",
        "I'm waiting for my order",
        "the street address on the label is wrong",
        "can I pay with WeChat",
        "passport photo service available?",
        "联系人信息要怎么改",
        "座机打不通怎么办",
    ];
    for _ in 0..6 {
        lines.extend(CUE_LINES.iter().map(|s| s.to_string()));
    }
    lines
}

fn hidden(seen: &str, secrets: &[Secret]) -> bool {
    let (seen_digits, seen_lower) = (digits_of(seen), seen.to_lowercase());
    secrets.iter().all(|s| match s {
        Secret::Digits(d) => !seen_digits.contains(d.as_str()),
        Secret::Text(t) => !seen_lower.contains(&t.to_lowercase()),
    })
}

#[test]
fn masking_test_part_recall_and_over_masking() {
    let bot = load_bot("examples/bots/shop.yaml");
    let agent_sees = |line: &str| agent_reads(&bot, line);
    let mut r = Rng(0x7465_7374_7061_7274);
    let (mut lines, mut masked_lines, mut report, mut leaks) = (0, 0, BTreeMap::new(), Vec::new());
    // The same lines typed by an agent (#25): masked alike and flagged as personal data,
    // names excepted (an agent's line names the agent).
    let (mut agent_lines, mut agent_masked, mut agent_flagged, mut agent_leaks) = (0, 0, 0, Vec::new());
    for &(name, generate) in FORMATS {
        let mut masked = 0;
        for i in 0..50 {
            let (written, secrets) = generate(&mut r);
            let line = CONTEXTS[i % CONTEXTS.len()].replace("{}", &written);
            let ok = hidden(&agent_sees(&line), &secrets);
            masked += usize::from(ok);
            if !ok && leaks.len() < 40 {
                leaks.push(line.clone());
            }
            if !name.contains("name") {
                let review = agent_writes(&bot, &line);
                let ok = hidden(&review.masked, &secrets);
                agent_lines += 1;
                agent_masked += usize::from(ok);
                agent_flagged +=
                    usize::from(review.findings.iter().any(|f| matches!(f, AgentFinding::PersonalData { .. })));
                if !ok && agent_leaks.len() < 40 {
                    agent_leaks.push(line);
                }
            }
        }
        lines += 50;
        masked_lines += masked;
        report.insert(name, serde_json::json!({ "lines": 50, "masked": masked }));
    }
    let keep = keep_lines(&mut r);
    let over: Vec<&String> = keep.iter().filter(|l| agent_sees(l) != **l).collect();
    let agent_over: Vec<&String> = keep
        .iter()
        .filter(|l| agent_writes(&bot, l).findings.iter().any(|f| matches!(f, AgentFinding::PersonalData { .. })))
        .collect();
    let recall = masked_lines as f64 / lines as f64;
    let over_masking = over.len() as f64 / keep.len() as f64;
    let json = serde_json::json!({
        "written_from": "the kinds issue 21 lists, before their masking rules; tests/tests/masking_test_part.rs",
        "part": "test: never tuned on",
        "lines": lines,
        "recall": recall,
        "kept_lines": keep.len(),
        "over_masking": over_masking,
        "formats": report,
        "agent_lines": {
            "lines": agent_lines,
            "recall": agent_masked as f64 / agent_lines as f64,
            "flagged_personal_data": agent_flagged as f64 / agent_lines as f64,
            "kept_lines_flagged": agent_over.len() as f64 / keep.len() as f64,
        },
    });
    write_report("reports/masking-test.json", &json);
    assert!(lines >= 1_000 && keep.len() >= 300, "{lines} lines, {} kept", keep.len());
    assert!(recall >= 0.995, "recall {recall}; leaks: {leaks:#?}");
    assert!(over_masking <= 0.01, "over-masking {over_masking}: {over:#?}");
    let agent_recall = agent_masked as f64 / agent_lines as f64;
    assert!(agent_recall >= 0.995, "agents' lines: recall {agent_recall}; leaks: {agent_leaks:#?}");
    assert!(agent_over.len() * 100 <= keep.len(), "agents' lines flagged wrongly: {agent_over:#?}");
}
