//! The masking corpus: customer lines holding personal data in the formats people type —
//! written from the formats (docs/personal-data.md), not from the extractors' patterns —
//! and lines that must stay as typed (order numbers, amounts, dates, product codes). Each
//! line goes through a real turn; the transcript line is what an agent would read.
//! Writes `reports/masking.json` (recall per format, over-masking) and checks the formats
//! docs/personal-data.md says are masked; the formats it lists as not masked yet are
//! measured and reported, not checked.
//!
//! This is the development set: its formats were chosen, and the masking rules shaped,
//! while looking at it, so its figures say the claimed formats work. How masking fares on
//! lines nobody tuned on is the test part's figure (`masking_test_part.rs`).

use std::collections::BTreeMap;

use kefu_tests::generate::{self, Rng};
use kefu_tests::{agent_reads, digits_of, load_bot, write_report};

/// One digit changed: a typo, which fails the checksum.
fn typo(r: &mut Rng, value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let at = r.below(chars.len() as u64 - 1) as usize;
    let d = chars[at].to_digit(10).unwrap_or(0);
    chars[at] = char::from_digit((d + 1 + r.below(8) as u32) % 10, 10).unwrap_or('0');
    chars.into_iter().collect()
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap_or(c) } else { c })
        .collect()
}

fn grouped(s: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for &n in sizes {
        out.push(&s[at..(at + n).min(s.len())]);
        at += n;
    }
    if at < s.len() {
        out.push(&s[at..]);
    }
    out.join(sep)
}

/// A format: its name, whether docs/personal-data.md says it is masked, and a generator of
/// (what the customer types, the digits that must not reach the agent).
type Format = (&'static str, bool, fn(&mut Rng) -> (String, String));

fn mobile(r: &mut Rng) -> String {
    format!("1{}{}", ["3", "5", "7", "8", "9"][r.below(5) as usize], r.digits(9))
}

fn card(r: &mut Rng) -> String {
    let body = format!("{}{}", r.pick(&["4", "5", "62"]), r.digits(14));
    generate::with_luhn_digit(&body[..15])
}

const FORMATS: &[Format] = &[
    ("mobile", true, |r| {
        let m = mobile(r);
        (m.clone(), m)
    }),
    ("mobile 3-4-4 spaced", true, |r| {
        let m = mobile(r);
        (grouped(&m, &[3, 4], " "), m)
    }),
    ("mobile 3-4-4 hyphens", true, |r| {
        let m = mobile(r);
        (grouped(&m, &[3, 4], "-"), m)
    }),
    ("mobile +86", true, |r| {
        let m = mobile(r);
        (format!("+86 {m}"), m)
    }),
    ("mobile 0086 prefix", true, |r| {
        let m = mobile(r);
        (format!("0086 {m}"), m)
    }),
    ("mobile full-width", true, |r| {
        let m = mobile(r);
        (full_width(&m), m)
    }),
    ("mobile with extra digits", true, |r| {
        let m = mobile(r);
        (format!("{m}{}", r.digits(2)), m)
    }),
    ("mobile dotted", true, |r| {
        let m = mobile(r);
        (grouped(&m, &[3, 4], "."), m)
    }),
    ("landline with area code", true, |r| {
        let n = format!("0{}{}", 10 + r.below(90), r.digits(8));
        (grouped(&n, &[3], "-"), n)
    }),
    ("US phone", true, |r| {
        let n = format!("{}{}", 200 + r.below(700), r.digits(7));
        (grouped(&n, &[3, 3], "-"), n)
    }),
    ("ID card", true, |r| {
        let id = generate::id_card(r);
        (id.clone(), id)
    }),
    ("ID card with a typo", true, |r| {
        let valid = generate::id_card(r);
        let id = typo(r, &valid);
        (id.clone(), id)
    }),
    ("ID card spaced 6-8-4", true, |r| {
        let id = generate::id_card(r);
        (grouped(&id, &[6, 8], " "), id)
    }),
    ("old 15-digit ID", true, |r| {
        let id = format!("{}{}", 110105 + r.below(400_000), r.digits(9));
        (id.clone(), id)
    }),
    ("bank card", true, |r| {
        let c = card(r);
        (c.clone(), c)
    }),
    ("bank card in groups of 4", true, |r| {
        let c = card(r);
        (grouped(&c, &[4, 4, 4], " "), c)
    }),
    ("bank card with a typo", true, |r| {
        let valid = card(r);
        let c = typo(r, &valid);
        (c.clone(), c)
    }),
    ("bank card with CVV beside", true, |r| {
        let c = card(r);
        (format!("{} {}", grouped(&c, &[4, 4, 4], " "), r.digits(3)), c)
    }),
    ("19-digit card", true, |r| {
        let c = generate::with_luhn_digit(&format!("62{}", r.digits(16)));
        (c.clone(), c)
    }),
    ("mobile 3-4-4 with \" - \"", true, |r| {
        let m = mobile(r);
        (grouped(&m, &[3, 4], " - "), m)
    }),
    ("mobile 3-4-4 underscores", true, |r| {
        let m = mobile(r);
        (grouped(&m, &[3, 4], "_"), m)
    }),
    ("US phone (415) 555-2671", true, |r| {
        let n = format!("{}{}", 200 + r.below(700), r.digits(7));
        (format!("({}) {}-{}", &n[..3], &n[3..6], &n[6..]), n)
    }),
    ("landline (010) 6552-1234", true, |r| {
        let n = r.digits(8);
        (format!("(010) {}", grouped(&n, &[4], "-")), format!("010{n}"))
    }),
    ("mobile in Chinese numerals", true, |r| {
        let m = mobile(r);
        let zh: String =
            m.chars().map(|c| "零一二三四五六七八九".chars().nth(c as usize - 48).unwrap_or('零')).collect();
        (zh, m)
    }),
    ("mobile half in Chinese numerals", true, |r| {
        let m = mobile(r);
        let zh: String =
            m[3..].chars().map(|c| "零一二三四五六七八九".chars().nth(c as usize - 48).unwrap_or('零')).collect();
        (format!("{}{zh}", &m[..3]), m)
    }),
];

/// Identifiers too short to be masked by their digits alone, written after the cue word
/// that says what they are: (what the customer types, what must not reach the agent).
/// A named generator of (what the customer types, what must not reach the agent).
type Named = (&'static str, fn(&mut Rng) -> (String, String));

const SHORT_FORMATS: &[Named] = &[
    ("local phone after 电话 / phone", |r| {
        let len = 6 + r.below(2) as usize;
        let n = format!("{}{}", 2 + r.below(7), r.digits(len));
        (
            format!(
                "{}{}",
                r.pick(&["电话 ", "phone ", "联系电话：", "call me on "]),
                grouped(&n, &[n.len() - 4], " ")
            ),
            n,
        )
    }),
    ("QQ number", |r| {
        let len = 6 + r.below(4) as usize;
        let n = format!("{}{}", 1 + r.below(9), r.digits(len));
        (format!("{}{n}", r.pick(&["QQ:", "qq 号 ", "QQ是", "my QQ is "])), n)
    }),
];

/// Text identifiers: (what the customer types, what must not reach the agent).
const TEXT_FORMATS: &[Named] = &[
    ("WeChat id", |r| {
        let len = 3 + r.below(3) as usize;
        let id = format!("{}{}", r.pick(&["abc_", "tom_cat", "xiaoli", "Kevin-"]), r.digits(len));
        let cue = r.pick(&["微信号 ", "wechat: ", "我微信是", "weixin "]);
        (format!("{cue}{id}"), id[..id.len() - 2].to_string())
    }),
    ("passport", |r| {
        let p = format!("{}{}", r.pick(&["E", "G", "K"]), r.digits(8));
        (
            format!("{}{p}", r.pick(&["护照 ", "passport no. ", "护照是", "my passport is "])),
            p[..p.len() - 2].to_string(),
        )
    }),
    ("Chinese name", |r| {
        let given = r.pick(&["伟", "娜", "芳", "秀英", "敏", "强", "磊", "军", "洁", "佳怡"]);
        let surname = r.pick(&["张", "王", "李", "赵", "马", "孙", "郑", "谢", "韩", "司马"]);
        (format!("{}{surname}{given}", r.pick(&["我叫", "姓名 ", "我的名字是", "名字叫"])), given.to_string())
    }),
    ("English name", |r| {
        let (first, last) =
            (r.pick(&["John", "Anna", "Peter", "Grace"]), r.pick(&["Smith", "Lopez", "Taylor", "Zhang"]));
        let cue = r.pick(&["my name is ", "I am ", "My name's ", "name - "]);
        (format!("{cue}{first} {last}"), last[1..].to_string())
    }),
    ("Chinese address", |r| {
        let road = r.pick(&["科技园路", "人民路", "和平街", "学院路", "滨江大道"]);
        let n = 1 + r.below(500);
        let rest = r.pick(&["", "5栋302", "2号楼1单元601室"]);
        (format!("{}{road}{n}号{rest}", r.pick(&["住址：南山区", "寄到", "家住", "地址 "])), road.to_string())
    }),
    ("Chinese housing estate", |r| {
        let estate = r.pick(&["阳光小区", "锦绣花园", "万科城市花园", "翠苑"]);
        (format!("寄到{estate}{}栋{}", 1 + r.below(30), 101 + r.below(2000)), estate.to_string())
    }),
    ("English address", |r| {
        let street = r.pick(&["Queen Street", "Park Road", "Cedar Ave", "Hill Lane"]);
        let n = 1 + r.below(900);
        (
            format!("{}{n} {street}{}", r.pick(&["ship to ", "address: ", ""]), r.pick(&["", ", Unit 3", " #12"])),
            street.split(' ').next().unwrap_or("").to_string(),
        )
    }),
    ("e-mail spelled out", |r| {
        let local = format!("{}{}", r.pick(&["zhangsan", "li_na", "petew", "g.ho"]), r.digits(2));
        let written = match r.below(4) {
            0 => format!("{local} at qq.com"),
            1 => format!("{local}(at)163(dot)com"),
            2 => format!("{local}艾特qq点com"),
            _ => format!("{local} AT hotmail DOT com"),
        };
        (written, local)
    }),
    ("e-mail with full-width punctuation", |r| {
        let local = format!("{}{}", r.pick(&["wang", "amy.l", "k_chen"]), r.digits(3));
        (format!("{local}{}", r.pick(&["＠qq.com", "@163。com", "＠gmail．com"])), local)
    }),
];

const CONTEXTS: &[&str] = &[
    "我的手机号是{}",
    "电话{}，麻烦尽快联系我",
    "号码 {} 请记一下",
    "卡号{}，帮我查一下",
    "身份证{}",
    "my number is {}",
    "please call {} after 6pm",
    "card {} was charged twice",
    "here it is: {}.",
    "{}",
];

/// Lines that hold no personal data and must reach the agent as typed.
fn keep_lines(r: &mut Rng) -> Vec<String> {
    let mut lines = Vec::new();
    for _ in 0..60 {
        lines.push(format!("订单{}到哪了", r.digits(8)));
        lines.push(format!("order {} has not arrived", r.digits(8)));
        lines.push(format!("退款 {},{:03} 元什么时候到", 1 + r.below(99), r.below(1000)));
        lines.push(format!("{}-{:02}-{:02} 下的单", 2020 + r.below(7), 1 + r.below(12), 1 + r.below(28)));
        lines.push(format!("型号 SKU-{}-{} 有货吗", 2020 + r.below(7), r.digits(4)));
        lines.push(KEPT_WITH_CUES[r.below(KEPT_WITH_CUES.len() as u64) as usize].to_string());
        lines.push(format!(
            "{}-{:02}-01 到 {}-{:02}-28 不在家",
            2020 + r.below(7),
            1 + r.below(12),
            2020 + r.below(7),
            1 + r.below(12)
        ));
    }
    lines
}

/// Lines with the cue words of names, addresses and identifiers but none after them.
const KEPT_WITH_CUES: &[&str] = &[
    "我叫你们经理来",
    "我是第一次买",
    "姓名栏填错了",
    "我的名字打错了",
    "my name is not on the order",
    "I am not happy with this",
    "This is the second time",
    "微信登录不了",
    "qq邮箱收不到验证码",
    "护照可以当身份证明吗",
    "路上堵车了吗",
    "the phone is broken",
    "电话打不通",
    "寄到公司可以吗",
    "I'm still waiting",
];

#[test]
fn masking_corpus_recall_and_over_masking() {
    let bot = load_bot("examples/bots/shop.yaml");
    let agent_sees = |line: &str| agent_reads(&bot, line);
    let mut r = Rng(0x6B65_6675_6D61_736B);
    let mut report = BTreeMap::new();
    let (mut claimed, mut claimed_masked, mut leaks) = (0, 0, Vec::new());
    for &(name, documented, generate) in FORMATS {
        let (mut n, mut masked) = (0, 0);
        for i in 0..60 {
            let (written, bare) = generate(&mut r);
            let line = CONTEXTS[i % CONTEXTS.len()].replace("{}", &written);
            // Masked: no more than the last 4 digits of the value are left readable.
            let hidden = &bare[..bare.len() - 4];
            let ok = !digits_of(&agent_sees(&line)).contains(hidden);
            n += 1;
            masked += usize::from(ok);
            if documented && !ok && leaks.len() < 10 {
                leaks.push(line);
            }
        }
        if documented {
            claimed += n;
            claimed_masked += masked;
        }
        report.insert(name, serde_json::json!({ "lines": n, "masked": masked, "documented_as_masked": documented }));
    }
    let mut check = |name: &'static str, generate: &dyn Fn(&mut Rng) -> (String, String), digits: bool| {
        let (mut n, mut masked) = (0, 0);
        for i in 0..60 {
            let (written, secret) = generate(&mut r);
            let line = CONTEXTS[i % CONTEXTS.len()].replace("{}", &written);
            let seen = agent_sees(&line);
            let ok = if digits {
                !digits_of(&seen).contains(&secret[..secret.len() - 2])
            } else {
                !seen.to_lowercase().contains(&secret.to_lowercase())
            };
            n += 1;
            masked += usize::from(ok);
            if !ok && leaks.len() < 10 {
                leaks.push(line);
            }
        }
        claimed += n;
        claimed_masked += masked;
        report.insert(name, serde_json::json!({ "lines": n, "masked": masked, "documented_as_masked": true }));
    };
    for &(name, generate) in SHORT_FORMATS {
        check(name, &generate, true);
    }
    for &(name, generate) in TEXT_FORMATS {
        check(name, &generate, false);
    }
    let keep = keep_lines(&mut r);
    let over: Vec<&String> = keep.iter().filter(|l| agent_sees(l) != **l).collect();
    let recall = claimed_masked as f64 / claimed as f64;
    let over_masking = over.len() as f64 / keep.len() as f64;
    let json = serde_json::json!({
        "written_from": "docs/personal-data.md (formats), tests/tests/masking.rs (generators)",
        "part": "development: formats chosen alongside the masking rules (the test part: reports/masking-test.json)",
        "documented_formats_lines": claimed,
        "documented_formats_recall": recall,
        "kept_lines": keep.len(),
        "over_masking": over_masking,
        "formats": report,
    });
    write_report("reports/masking.json", &json);
    assert!(claimed >= 1_000 && keep.len() >= 300, "{claimed} lines, {} kept", keep.len());
    assert!(recall >= 0.995, "recall {recall}; leaks: {leaks:#?}");
    assert!(over_masking <= 0.01, "over-masking {over_masking}: {over:#?}");
}
