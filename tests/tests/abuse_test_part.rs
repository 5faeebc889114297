//! The held-out test part of the abuse corpus (issue 21), the third one: written on
//! 2026-12-07 from the categories before the next rule change, with other
//! templates, words, evasions and innocent lines than the three development parts
//! (`abuse.rs`, `abuse_second_dev_part.rs`, `abuse_third_dev_part.rs`). Insults customers
//! type at a shop's service in Chinese and English — plain, plural, as pinyin or its
//! abbreviations, homophones, spaced, dotted, with zero-width characters, in full width or
//! with digits for letters, and some the lexicon may not hold — and innocent lines that hold
//! an insult's characters across a word boundary (狗日常用品, 王八蛋白质), in a literal sense
//! (智障人士, 神经病医院, bitch for a breeding dog), in a name, place or product (oxymoron,
//! Fukuoka, SB-series). Writes `reports/abuse-test.json`; targets: recall ≥ 90 %,
//! precision ≥ 98 %, every detected line masked.
//!
//! Run on the rules as they stood when it was written and once after each rule change
//! made on the development parts; its lines are not read to shape a rule (its report's
//! examples of misses are for the record). First run, on the rules of 5a5f691: recall
//! 69.0 %, precision 80.5 %, every detected line masked. After the rules that the third
//! development part led to (plurals, words spelled out with dashes, a few insults more,
//! insults with a plain sense read as such where they begin another noun): recall 81.6 %,
//! precision 87.5 %, with 智障 among those words; taken out again because no development
//! line asked for it (this part's writer knew its innocent lines): precision 86.4 %.
//! Neither target is met; the checks below hold what was reached.

use kefu_tests::abuse::{check_part, Abusive, Part};
use kefu_tests::generate::Rng;
use kefu_tests::{full_width, in_contexts};

/// Chinese insults and curses as customers type them.
const ZH: &[&str] = &[
    "傻逼",
    "傻屌",
    "傻X",
    "沙比",
    "sb",
    "2B",
    "二货",
    "脑残",
    "智障",
    "白痴",
    "蠢货",
    "蠢驴",
    "猪脑子",
    "狗东西",
    "狗娘养的",
    "狗杂种",
    "王八蛋",
    "龟孙子",
    "滚你妈的",
    "他妈的",
    "妈的",
    "你妈的",
    "尼玛",
    "卧槽",
    "我操",
    "艹",
    "tmd",
    "nmsl",
    "cnm",
    "mlgb",
    "去死",
    "死全家",
    "贱人",
    "婊子",
    "混账东西",
    "混蛋",
    "人渣",
    "败类",
    "畜生",
    "饭桶",
    "废物",
    "狗屎",
    "神经病",
    "傻缺",
    "妈了个逼",
    "日了狗",
    "shabi",
    "caonima",
];

/// English insults and curses as customers type them.
const EN: &[&str] = &[
    "fuck",
    "f**k",
    "fuk",
    "fvck",
    "fucking",
    "fkn",
    "shit",
    "sh!t",
    "bullshit",
    "idiots",
    "idiot",
    "morons",
    "dumbass",
    "asshole",
    "a$$hole",
    "assholes",
    "bitch",
    "b!tch",
    "son of a b*tch",
    "bastards",
    "jerks",
    "scum",
    "scumbags",
    "retards",
    "dickhead",
    "prick",
    "cunt",
    "twats",
    "wankers",
    "stfu",
    "go to hell",
    "screw you",
    "piss off",
    "f off",
    "kys",
    "kill yourself",
    "wtf",
    "motherfuckers",
    "pieces of shit",
    "useless pricks",
];

const ZH_TEMPLATES: &[&str] = &[
    "{}，退款到底什么时候到",
    "客服都是{}吗",
    "{}！我要投诉你们",
    "你个{}，快点处理",
    "一群{}，东西都能发错",
    "说了八遍了{}",
];
const EN_TEMPLATES: &[&str] = &[
    "you {} can't even ship a box",
    "{}! where is my refund",
    "what a bunch of {}",
    "refund me now {}",
    "your support is run by {}",
    "{} bot, give me a person",
];

/// A zero-width space, which customers paste between letters to get past filters.
const ZERO_WIDTH: char = '\u{200b}';

fn zh_typed(r: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if word.is_ascii() {
        return match r.below(4) {
            0 => word.to_uppercase(),
            1 => full_width(word),
            _ => word.to_string(),
        };
    }
    if chars.len() < 2 {
        return word.to_string();
    }
    match r.below(8) {
        0 => join(&chars, " "),
        1 => join(&chars, &ZERO_WIDTH.to_string()),
        2 => join(&chars, "*"),
        3 => join(&chars, "~"),
        _ => word.to_string(),
    }
}

fn en_typed(r: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    match r.below(10) {
        0 => full_width(word),
        1 => word.to_uppercase(),
        2 if !word.contains(' ') => join(&chars, "."),
        3 if !word.contains(' ') => join(&chars, &ZERO_WIDTH.to_string()),
        4 if !word.contains(' ') => join(&chars, " "),
        _ => word.to_string(),
    }
}

fn join(chars: &[char], separator: &str) -> String {
    chars.iter().map(char::to_string).collect::<Vec<_>>().join(separator)
}

fn abusive_lines(r: &mut Rng) -> Vec<Abusive> {
    let mut lines = Vec::new();
    for i in 0..155 {
        let word = r.pick(ZH);
        let typed = zh_typed(r, word);
        lines.push((ZH_TEMPLATES[i % ZH_TEMPLATES.len()].replace("{}", &typed), typed));
    }
    for i in 0..155 {
        let word = r.pick(EN);
        let typed = en_typed(r, word);
        lines.push((EN_TEMPLATES[i % EN_TEMPLATES.len()].replace("{}", &typed), typed));
    }
    lines
}

/// Innocent lines: an insult's characters across a word boundary, a word in its literal
/// sense, a name, a place or a product, and everyday lines near them.
const INNOCENT: &[&str] = &[
    "狗日常用品有打折吗",
    "王八蛋白质含量高吗",
    "遛狗东西都带齐了吗",
    "狗屁股上长了个包，用什么药膏",
    "我操心的是物流太慢",
    "我操作失误下错单了",
    "早操服有大码吗",
    "操场跑道用的钉鞋",
    "他妈妈说尺码偏小",
    "给妈的礼物怎么包装",
    "我姨妈的快递签收了吗",
    "其他妈妈推荐的奶瓶",
    "洗去死皮的搓澡巾",
    "过去死机的问题修好了吗",
    "删去死链接后还是打不开",
    "智障人士专用的手机有吗",
    "神经病医院附近的药店",
    "杂交种子发芽率高吗",
    "羊杂碎汤料包怎么煮",
    "家畜生长灯多少瓦",
    "傻瓜相机还有货吗",
    "垃圾桶的盖子坏了",
    "厨余垃圾袋加厚的有吗",
    "蠢萌的猫咪玩偶",
    "贱卖清仓的衣服能退吗",
    "白痴一样简单的操作说明",
    "靠谱的快递是哪家",
    "尼玛顿珠是收件人",
    "二手的还能保修吗",
    "混蛋白粉用哪个勺子",
    "人渣滓过滤网有吗",
    "滚蛋糕卷的模具",
    "日本狗粮有进口的吗",
    "草莓干什么时候补货",
    "卧室窗帘的尺寸",
    "SB系列的配件还有吗",
    "型号2B的铅笔有吗",
    "TMD-3型号的电源",
    "艹字头的字帖",
    "明日你们能发货吗",
    "an oxymoron on the t-shirt print",
    "ship to Fukuoka please",
    "Fukushima peaches in stock?",
    "whelping box for my bitch and her puppies",
    "a bastard sword replica for cosplay",
    "paint retarder for acrylics",
    "prickly pear seeds",
    "dumbbell set 20 kg",
    "beef jerky multipack",
    "jerk chicken seasoning",
    "Hellmann's mayo out of stock",
    "Hellboy comics box set",
    "the Complete Idiot's Guide to Investing",
    "is the Assam tea organic",
    "assembly instructions missing",
    "my assistant will pick it up",
    "bass strings for a 5-string",
    "honeysuckle scented candle",
    "suction cup hooks",
    "a painkiller is not in my order",
    "die-cast model cars",
    "scrap the first order, keep the second",
    "the Pissarro print arrived",
    "cocktail glasses set of 6",
    "Dick's Sporting Goods gift card",
    "Dickinson poetry collection",
    "Essex delivery zone",
    "Scunthorpe pickup point",
    "shih tzu shampoo",
    "pls ask sb to call back",
    "could sb check my parcel",
    "SB-200 speaker stand",
    "KYS-5 power bank",
    "position of the power button",
    "killer deals this week?",
    "I'm dying to try the new flavour",
    "the crap table felt for my casino night",
    "a screw you can use for the shelf",
    "fire retardant spray for curtains",
    "the hell of a good deal you had",
];

const INNOCENT_CONTEXTS: &[&str] = &["{}", "您好，{}", "{}？谢谢", "hi there, {}", "{} thanks", "问下，{}"];

fn innocent_lines() -> Vec<String> {
    in_contexts(INNOCENT, INNOCENT_CONTEXTS, 4)
}

#[test]
fn abuse_test_part_recall_precision_and_masking() {
    let mut r = Rng(0x7468_6972_6474_6573);
    let part = Part {
        written_from:
            "issue 21's categories, on 2026-12-07 before the next rule change; tests/tests/abuse_test_part.rs",
        part: "test, the third (held out: its lines are not read to shape a rule)",
        report: "reports/abuse-test.json",
        // The targets are 0.90 and 0.98 (see the module note); these hold what was reached.
        least_recall: 0.81,
        least_precision: 0.86,
    };
    check_part(&part, &abusive_lines(&mut r), &innocent_lines());
}
