//! The second development part of the abuse corpus (issue 21): abusive lines in Chinese
//! and English with the evasions customers use (spaces, dots, zero-width and full-width
//! characters, digits and symbols for letters, pinyin abbreviations, homophones, emoji),
//! and innocent lines that hold an abusive word inside an innocent one. It was the test
//! part until 2026-12-07: written from the categories before the detection rules
//! for them, it gave 95.2 % precision on its first run (three innocent phrases in five
//! contexts each). Its false alarms having been read, it became a development part and a
//! new test part was written (`abuse_test_part.rs`) before the rules changed again.
//! Writes `reports/abuse-dev-2.json`; same targets.

use kefu_tests::abuse::{check_part, Abusive, Part};
use kefu_tests::generate::Rng;
use kefu_tests::in_contexts;

const ZH_INSULTS: &[&str] = &[
    "傻逼",
    "草泥马",
    "他妈的",
    "操你妈",
    "去死吧",
    "滚蛋",
    "混蛋",
    "白痴",
    "脑残",
    "贱人",
    "狗东西",
    "王八蛋",
    "废物",
    "弱智",
    "智障",
    "畜生",
    "人渣",
    "日你妈",
    "狗日的",
    "傻叉",
    "婊子",
    "杂种",
];
/// Homophones and pinyin abbreviations, written as customers type them.
const ZH_DISGUISED: &[&str] = &[
    "傻比",
    "煞笔",
    "沙比",
    "傻B",
    "艹",
    "草你妈",
    "尼玛",
    "你麻痹",
    "卧槽",
    "特么的",
    "泥马",
    "妈蛋",
    "sb",
    "SB",
    "cnm",
    "CNM",
    "tmd",
    "nmsl",
    "wcnm",
    "mlgb",
    "nmb",
];
const EN_INSULTS: &[&str] = &[
    "fuck",
    "fucking",
    "shit",
    "bullshit",
    "idiot",
    "moron",
    "asshole",
    "bastard",
    "bitch",
    "dumbass",
    "motherfucker",
    "cunt",
    "dickhead",
    "scumbag",
    "jackass",
    "retard",
    "wtf",
    "stfu",
];

const ZH_TEMPLATES: &[&str] =
    &["你们这些{}", "{}，东西到底什么时候到", "客服是{}吧", "什么{}服务，退钱", "{}！！我要投诉", "你个{}"];
const EN_TEMPLATES: &[&str] = &[
    "{} this service",
    "you {}",
    "where is my {} order",
    "this is {} service",
    "{}!! refund me now",
    "what the {} is going on",
];

fn zh_evasion(r: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let joined = |sep: &str| chars.iter().map(char::to_string).collect::<Vec<_>>().join(sep);
    match r.below(5) {
        0 | 1 => word.to_string(),
        2 => joined(" "),
        3 => joined("\u{200B}"),
        _ => joined("."),
    }
}

fn en_evasion(r: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let joined = |sep: &str| chars.iter().map(char::to_string).collect::<Vec<_>>().join(sep);
    let leet = |c: char| match c {
        'i' => '1',
        's' => '$',
        'a' => '4',
        'e' => '3',
        'o' => '0',
        _ => c,
    };
    match r.below(10) {
        0 => word.to_string(),
        1 => word.to_uppercase(),
        2 => joined(" "),
        3 => joined("."),
        4 => joined("\u{200B}"),
        5 => word.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect(),
        6 => word.chars().map(leet).collect(),
        // The first vowel starred: f*ck, sh*t, b*tch.
        7 => {
            let at = word.find(['a', 'e', 'i', 'o', 'u']).unwrap_or(1);
            format!("{}*{}", &word[..at], &word[at + 1..])
        }
        // A letter held down: fuuuuck.
        8 => {
            let at = word.find(['a', 'e', 'i', 'o', 'u']).unwrap_or(0);
            let held = word[at..].chars().next().map(|c| c.to_string().repeat(4)).unwrap_or_default();
            format!("{}{held}{}", &word[..at], &word[at + 1..])
        }
        _ => {
            let mut s = word.to_string();
            s[..1].make_ascii_uppercase();
            s
        }
    }
}

fn abusive_lines(r: &mut Rng) -> Vec<Abusive> {
    let mut lines = Vec::new();
    for i in 0..140 {
        let word = if i % 3 == 2 { r.pick(ZH_DISGUISED) } else { r.pick(ZH_INSULTS) };
        let typed = if word.is_ascii() { word.to_string() } else { zh_evasion(r, word) };
        lines.push((ZH_TEMPLATES[i % ZH_TEMPLATES.len()].replace("{}", &typed), typed));
    }
    for i in 0..160 {
        let word = r.pick(EN_INSULTS);
        let typed = en_evasion(r, word);
        lines.push((EN_TEMPLATES[i % EN_TEMPLATES.len()].replace("{}", &typed), typed));
    }
    for emoji in ["🖕", "🖕🏻", "🖕🖕"] {
        for template in ["{} 客服", "{} to your support team", "发货这么慢 {}", "{}{}"] {
            let line = template.replace("{}", emoji);
            lines.push((line, emoji.to_string()));
        }
    }
    lines.truncate(310);
    lines
}

/// Innocent lines, most with an abusive word inside an innocent one.
const INNOCENT: &[&str] = &[
    "我妈妈的手机坏了",
    "他妈妈下的单，收货人写的她",
    "其他妈妈都说好用",
    "打电话过去死活没人接",
    "手机过去死机了",
    "去死皮膏还有货吗",
    "操作失败怎么办",
    "我操作了半天还是不行",
    "草莓什么时候到",
    "我草稿箱里的订单不见了",
    "傻傻分不清哪个型号",
    "这个逼真度怎么样",
    "滚筒洗衣机漏水",
    "页面滚动不了",
    "混合蛋白粉有没有",
    "二百五十元的那个套餐",
    "250元的券怎么用",
    "废物利用的收纳盒",
    "垃圾分类的垃圾桶",
    "给狗东西吃的碗坏了",
    "便宜贱卖了吗",
    "SB-200 充电器有货吗",
    "白痴呆呆的玩偶还有吗",
    "这款屏幕会不会烧屏",
    "快递员说他妈妈生病了今天不送",
    "please tell sb to call me",
    "can you ask sb about it",
    "is it idiot-proof",
    "I live in Scunthorpe",
    "do you sell shitake mushrooms",
    "a cocktail glass arrived broken",
    "the Dickens box set is missing a book",
    "the class assessment kit",
    "I forgot my pass",
    "your assistant was helpful",
    "the analysis report",
    "my therapist recommended it",
    "I hit the button twice",
    "the shift key is stuck",
    "the bass speaker rattles",
    "fire retardant spray",
    "the battery died",
    "I'm dying to get it",
    "kill the app and restart?",
    "this crap phone case cracked",
    "damn, the parcel is late again",
    "it's freaking cold, where is my jacket",
    "the hell of a long wait",
    "shut up and take my money",
    "Hancock street store",
    "the cockpit model kit",
    "Essex address please",
    "assume I paid",
    "pass me to billing",
    "the title is wrong",
    "grape juice order",
    "snigger doll",
    "button mushrooms",
    "a document about the refund",
    "the peacock feather",
];

const INNOCENT_CONTEXTS: &[&str] = &["{}", "你好，{}", "{}，谢谢", "hi, {}", "{}?", "请问{}"];

fn innocent_lines() -> Vec<String> {
    let mut lines = in_contexts(INNOCENT, INNOCENT_CONTEXTS, 5);
    lines.truncate(300);
    lines
}

#[test]
fn abuse_second_development_part_recall_precision_and_masking() {
    let mut r = Rng(0x6162_7573_6574_7374);
    let part = Part {
        written_from:
            "issue 21's categories, before the detection rules for them; tests/tests/abuse_second_dev_part.rs",
        part: "development, second (the test part until 2026-12-07; the test part: reports/abuse-test.json)",
        report: "reports/abuse-dev-2.json",
        least_recall: 0.90,
        least_precision: 0.98,
    };
    check_part(&part, &abusive_lines(&mut r), &innocent_lines());
}
