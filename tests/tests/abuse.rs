//! The development part of the abuse corpus: other templates, other evasions and other
//! innocent words than the test part (`abuse_test_part.rs`); the detection rules were shaped
//! while looking at it. Writes `reports/abuse.json`; same targets as the test part.

use kefu_tests::abuse::{check_part, Abusive, Part};
use kefu_tests::generate::Rng;
use kefu_tests::in_contexts;

/// (the word as customers type it, how often): plain words, then their disguises.
const ZH: &[&str] = &[
    "傻逼",
    "傻-逼",
    "傻  逼",
    "傻＊逼",
    "ＳＢ",
    "sb",
    "妈的",
    "他妈",
    "他 妈 的",
    "操你",
    "操你大爷",
    "去死",
    "滚蛋",
    "混蛋",
    "白痴",
    "脑残",
    "贱人",
    "狗东西",
    "王八蛋",
    "蠢货",
    "废物",
    "神经病",
    "日尼玛",
    "草拟吗",
    "草泥马",
    "cnm",
    "tmd",
    "TMD",
    "nmsl",
    "mlgb",
    "傻缺",
    "二逼",
    "狗娘养的",
    "滚犊子",
    "去你妈的",
    "你妈逼",
    "逼样",
    "傻。逼",
    "傻、逼",
    "傻  B",
    "shabi",
    "caonima",
    "tamade",
    "qnmd",
];
const EN: &[&str] = &[
    "fuck",
    "f-u-c-k",
    "f u c k",
    "fvck",
    "phuck",
    "f**k",
    "fck",
    "fuk",
    "fucking",
    "fking",
    "shit",
    "s h i t",
    "5hit",
    "sh!t",
    "bullsh1t",
    "idiot",
    "1diot",
    "moron",
    "asshole",
    "a$$hole",
    "a-hole",
    "bastard",
    "bitch",
    "b!tch",
    "biatch",
    "dumbass",
    "motherfucker",
    "mofo",
    "cunt",
    "dick",
    "dickhead",
    "prick",
    "wanker",
    "twat",
    "douchebag",
    "piece of shit",
    "son of a bitch",
    "f*cking",
    "bullsh*t",
    "motherf*cker",
    "screw you",
    "piss off",
    "go to hell",
    "f off",
    "stfu",
];

const ZH_TEMPLATES: &[&str] =
    &["{}，我都等了一周了", "你们公司全是{}", "回个话啊{}", "退款呢？{}", "{}客服，听不懂人话吗", "说的什么{}话"];
const EN_TEMPLATES: &[&str] = &[
    "{}, I've waited a week",
    "your company is full of {}",
    "answer me {}",
    "where's my refund {}",
    "{} support, can't you read",
    "what {} answer is that",
];

fn abusive_lines(r: &mut Rng) -> Vec<Abusive> {
    let mut lines = Vec::new();
    for i in 0..160 {
        let word = r.pick(ZH);
        lines.push((ZH_TEMPLATES[i % ZH_TEMPLATES.len()].replace("{}", word), word.to_string()));
    }
    for i in 0..160 {
        let word = r.pick(EN);
        let typed = if i % 4 == 3 { word.to_uppercase() } else { word.to_string() };
        lines.push((EN_TEMPLATES[i % EN_TEMPLATES.len()].replace("{}", &typed), typed));
    }
    lines
}

const INNOCENT: &[&str] = &[
    "操场上捡到的",
    "不用操心，我自己来",
    "去死角的清洁刷",
    "电脑死机了",
    "狗粮到了吗",
    "鼠标滚轮坏了",
    "二百五十克的那袋",
    "草地上用的帐篷",
    "妈妈的生日礼物",
    "我妈的手机号变了",
    "他妈妈让我来问",
    "傻瓜相机还有吗",
    "牛逼哄哄的广告词",
    "这件事太逼真了",
    "死活打不开",
    "吓死我了，还以为丢了",
    "笑死，物流显示在火星",
    "过去死了一台，现在又坏了",
    "he said sb would call",
    "the assessment form",
    "cockroach trap refill",
    "Shih Tzu dog bed",
    "Matsushita rice cooker",
    "the hello kitty case",
    "Arsenal shirt size",
    "ship to Sussex",
    "a mishit golf ball",
    "scrap the old order",
    "Assam tea leaves",
    "my glasses broke",
    "compass is off",
    "bassinet sheets",
    "the ass-ociated fees",
    "cocky? no, just asking",
    "Dick's Sporting Goods gift card",
    "pussy willow seeds",
    "a bitchin' guitar pedal",
    "hit the shift key",
    "I'm so pissed the parcel is late",
    "fudge brownie mix",
    "what the heck",
    "shoot, I typed the wrong address",
    "frick, it broke again",
    "oh crap, wrong size",
    "Wanchai store hours",
    "prickly pear jam",
    "the dickens of a time",
    "twatch strap size",
    "cunning little device",
    "is fuchsia the same as pink",
    "我姨妈的快递到了吗",
    "老妈的生日礼物",
    "其他妈咪推荐的奶瓶",
    "给格桑尼玛的包裹",
    "网速弱智能电视卡顿",
    "牲畜生长用的饲料",
    "混蛋白粉有没有",
    "神经病理检查的预约",
    "a Dick Francis paperback",
    "the Jackass Penguin plush toy",
    "ask Mr. Dick Jones in sales",
    "SB-300 的电源",
    "TMD-5 风扇",
    "let sb in accounts know",
];

const INNOCENT_CONTEXTS: &[&str] = &["{}", "您好，{}", "{}。", "hello, {}", "{} thanks", "麻烦问下，{}"];

fn innocent_lines() -> Vec<String> {
    in_contexts(INNOCENT, INNOCENT_CONTEXTS, 7)
}

#[test]
fn abuse_development_part_recall_precision_and_masking() {
    let mut r = Rng(0x6162_7573_6564_6576);
    let part = Part {
        written_from: "tests/tests/abuse.rs; the rules were shaped while looking at it",
        part: "development (the test part: reports/abuse-test.json)",
        report: "reports/abuse.json",
        least_recall: 0.90,
        least_precision: 0.98,
    };
    check_part(&part, &abusive_lines(&mut r), &innocent_lines());
}
