//! The third development part of the abuse corpus (issue 21): the test part from
//! 2026-12-07 until a fresh one (`abuse_test_part.rs`) was written on the same day, before
//! the next rule change. It was written before the rules changed for the false alarms of
//! the earlier test part (now `abuse_second_dev_part.rs`). Other templates, other evasions and
//! other innocent lines than both development parts: insults customers type in Chinese
//! and English — some the lexicon does not hold, so recall is measured, not assumed — and
//! innocent lines where an abusive word is read across a word boundary (今日你妈妈,
//! 信号弱智能), inside a name or a title (尼玛次仁, Moby Dick, The Idiot), a product code
//! or a trade word (bastard file, TMD mouth guard). Writes `reports/abuse-dev-3.json`;
//! targets: recall ≥ 90 %, precision ≥ 98 %, every detected line masked.
//!
//! Neither target is met. Its first run, on the rules before 2026-12-07's changes (with
//! three contexts per innocent phrase, 276 lines; four since, to reach 300): recall
//! 71.5 %, precision 68.8 %. After the changes made on the development parts (words an
//! insult ends inside from a public word list, codes, names, "somebody", more separators,
//! starred vowels, pinyin): recall 85.6 %, precision 82.3 %. The checks below hold what
//! was reached; issue 21 stays open on the targets.
//!
//! Not a clean held-out figure: the first run's false alarms were read before the rules
//! changed, and some of the new rules answer kinds of them (kin words before 妈的, Tibetan
//! names, capitalised names, product codes). Each rule is general and was checked on
//! development lines of other words; no line or word of this part was added to a rule. The
//! next test part should be written, and run once, before any rule change: that is
//! `abuse_test_part.rs`, and this part is for development since.

use kefu_tests::abuse::{check_part, Abusive, Part};
use kefu_tests::generate::Rng;
use kefu_tests::{full_width, in_contexts};

/// Chinese insults as typed: plain, homophones, pinyin and its abbreviations.
const ZH: &[&str] = &[
    "傻逼",
    "傻B",
    "傻13",
    "煞笔",
    "shabi",
    "SB",
    "二逼",
    "他妈的",
    "特么",
    "TMD",
    "qnmd",
    "cnm",
    "caonima",
    "草泥马",
    "卧槽",
    "尼玛",
    "你妈逼",
    "去你妈的",
    "滚蛋",
    "滚犊子",
    "混蛋",
    "王八蛋",
    "白痴",
    "弱智",
    "智障",
    "脑残",
    "废物",
    "蠢货",
    "蠢猪",
    "贱人",
    "狗东西",
    "狗日的",
    "畜生",
    "人渣",
    "神经病",
    "去死吧",
    "狗屁",
    "垃圾东西",
    "沙雕",
    "你妹",
];

/// English insults as typed: plain and the ways customers hide them.
const EN: &[&str] = &[
    "fuck",
    "f*cking",
    "fuuuuck",
    "phuk",
    "FUCK",
    "fucking",
    "motherf*cker",
    "shit",
    "sh*t",
    "bullsh*t",
    "piece of sh1t",
    "a55hole",
    "assh0le",
    "asshole",
    "b1tch",
    "biotch",
    "bitch",
    "bastard",
    "d1ck",
    "dickhead",
    "id10t",
    "idiot",
    "m0ron",
    "moron",
    "dumbass",
    "jackass",
    "retard",
    "scumbag",
    "wanker",
    "twat",
    "stfu",
    "gtfo",
    "wtf",
    "piss off",
    "screw you",
    "go to hell",
    "kys",
    "cunt",
    "loser",
    "POS",
];

const ZH_TEMPLATES: &[&str] = &[
    "{}，三天了还没发货",
    "你们是不是{}，一直让我等",
    "我真是服了，{}",
    "{}客服能不能快点",
    "退货退了一个月，{}",
    "这什么{}态度",
];
const EN_TEMPLATES: &[&str] = &[
    "{} you people",
    "seriously {}, where is it",
    "you guys are {}",
    "{} i want a manager",
    "this {} app keeps crashing",
    "get me a human {}",
];

/// Evasions the development parts type less or not at all: one character doubled, a
/// space or a dot inside a Chinese word, full-width letters.
fn zh_typed(r: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 || word.is_ascii() {
        return if r.below(3) == 0 { full_width(word) } else { word.to_string() };
    }
    match r.below(6) {
        0 => chars.iter().map(char::to_string).collect::<Vec<_>>().join("  "),
        1 => chars.iter().map(char::to_string).collect::<Vec<_>>().join("。"),
        _ => word.to_string(),
    }
}

fn en_typed(r: &mut Rng, word: &str) -> String {
    match r.below(8) {
        0 => full_width(word),
        1 => word
            .split(' ')
            .map(|w| w.chars().map(String::from).collect::<Vec<_>>().join("-"))
            .collect::<Vec<_>>()
            .join(" "),
        2 => word.to_uppercase(),
        _ => word.to_string(),
    }
}

fn abusive_lines(r: &mut Rng) -> Vec<Abusive> {
    let mut lines = Vec::new();
    for i in 0..150 {
        let word = r.pick(ZH);
        let typed = zh_typed(r, word);
        lines.push((ZH_TEMPLATES[i % ZH_TEMPLATES.len()].replace("{}", &typed), typed));
    }
    for i in 0..150 {
        let word = r.pick(EN);
        let typed = en_typed(r, word);
        lines.push((EN_TEMPLATES[i % EN_TEMPLATES.len()].replace("{}", &typed), typed));
    }
    for (line, emoji) in [
        ("🖕🖕🖕 三天了", "🖕🖕🖕"),
        ("客服 🖕", "🖕"),
        ("🖕🏼 your refund policy", "🖕🏼"),
        ("still no parcel 🖕", "🖕"),
        ("退款呢🖕🏿", "🖕🏿"),
    ] {
        lines.push((line.to_string(), emoji.to_string()));
    }
    lines
}

/// Innocent lines: an abusive word read across a word boundary, inside a name, a title, a
/// product code or a trade word, and everyday lines around them.
const INNOCENT: &[&str] = &[
    "今日你妈妈来取件吗",
    "快递送回去你妈妈家了吗",
    "吉他妈妈也能学吗",
    "其他妈咪包有现货吗",
    "姑妈的地址写错了",
    "舅妈的快递还没到",
    "她妈妈的订单能合并吗",
    "尼玛次仁的包裹到了吗",
    "收件人是扎西尼玛",
    "信号弱智能手表连不上",
    "网络弱智能家居老掉线",
    "家畜生产设备有保修吗",
    "杂种玫瑰的种子有吗",
    "狗日粮多少钱一袋",
    "糖尿病神经病变用的袜子",
    "废物箱的盖子坏了",
    "厨房废物处理器多少钱",
    "我在操办婚礼，要订喜糖",
    "体操垫有几种厚度",
    "操作系统要升级吗",
    "去死海旅游用的泳衣",
    "洗去死细胞的磨砂膏",
    "除去死角还能清洁哪里",
    "滚筒刷怎么拆",
    "混合肥料有吗",
    "傻瓜式操作的相机",
    "牛逼的配置能便宜点吗",
    "逼真的仿真花",
    "草莓味的有吗",
    "草地用的割草机",
    "卧室用的床头灯",
    "蠢蠢欲动想买",
    "贱卖的库存还有吗",
    "王八的饲料有吗",
    "鸡蛋和鸭蛋哪个好",
    "这个混纺面料起球吗",
    "人参渣可以退吗",
    "滚动条拖不动",
    "我妈说质量不错",
    "他妈妈让我问下发票",
    "其他妈妈都买了",
    "我妈的手机怎么绑定",
    "型号是SB12的那款",
    "SB2000 蓝牙音箱",
    "TMD 护齿牙套有吗",
    "CNM-20 型号的滤芯",
    "KYS-100 充电宝",
    "pos机怎么申请",
    "POS terminal is offline",
    "is this POS compatible with my shop",
    "do you have Moby Dick in paperback",
    "Philip K. Dick box set",
    "Dick Smith electronics voucher",
    "do you have The Idiot by Dostoevsky",
    "the idiot lights on my dashboard are on",
    "a bastard file for metalwork",
    "bastard cut file 10 inch",
    "flame retardant blanket",
    "the Jackass DVD collection",
    "I pricked my finger on the staple",
    "can I go to Hell's Kitchen store",
    "the Hell's Kitchen branch hours",
    "fire-retardant spray",
    "Scunthorpe delivery time",
    "my address is Penistone Road",
    "cocktail shaker set",
    "Matsushita hairdryer",
    "shiitake mushroom pack",
    "the assessment is done",
    "a class assignment kit",
    "compass watch strap",
    "massage chair warranty",
    "the bass guitar strings",
    "passport cover size",
    "hancock park store",
    "my cat Dickens needs food",
    "Lake Titicaca travel guide",
    "the dickey bow tie",
    "scrap metal bin",
    "wanna check my order",
    "the hell of it, just cancel",
    "screw your cap on tight",
    "it's a screwdriver set",
    "kill switch for the engine",
    "the killer feature is the battery",
    "I'm dying to know the price",
    "the loser's bracket poster",
    "Sb is the symbol for antimony",
    "notify sb in billing please",
    "sb from your team called me",
    "S.B. Lee is the recipient",
    "size S B C D available?",
];

const INNOCENT_CONTEXTS: &[&str] = &["{}", "在吗，{}", "{}，急", "hey, {}", "{} pls", "想问一下{}"];

fn innocent_lines() -> Vec<String> {
    in_contexts(INNOCENT, INNOCENT_CONTEXTS, 4)
}

#[test]
fn abuse_third_development_part_recall_precision_and_masking() {
    let mut r = Rng(0x7465_7374_3230_3236);
    let part = Part {
        written_from: "issue 21's categories, on 2026-12-07 before the rules changed for the earlier test part's false alarms; tests/tests/abuse_third_dev_part.rs",
        part: "development, third (the test part until a fresh one was written on 2026-12-07: reports/abuse-test.json)",
        report: "reports/abuse-dev-3.json",
        // The targets are 0.90 and 0.98 (see the module note); these hold what was reached.
        least_recall: 0.855,
        least_precision: 0.82,
    };
    check_part(&part, &abusive_lines(&mut r), &innocent_lines());
}
