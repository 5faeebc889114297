//! Personal data found by the word that introduces it: names after 我叫 / "my name is",
//! passport numbers, QQ numbers and WeChat ids after their names, and Chinese passport
//! numbers on their own (their letter-and-digits shape is distinctive).

use std::sync::OnceLock;

use regex::Regex;

use super::{char_span, Found};

/// Common Chinese surnames, two-character ones first so 欧阳 wins over 欧.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯", "端木", "长孙", "宇文",
    "司徒", "轩辕",
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫严段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// Characters that end a name rather than continue it: particles, pronouns, titles.
const NOT_IN_GIVEN_NAME: &str = "的了是在我你他她们和跟给要想先女生老师同学说就也都还啊呢吧吗，。、！？";

/// Words after "I'm" / "this is" that are not names even when capitalised.
const NOT_NAMES: &[&str] = &[
    "sorry",
    "not",
    "very",
    "so",
    "just",
    "still",
    "here",
    "happy",
    "glad",
    "fine",
    "ok",
    "okay",
    "back",
    "from",
    "in",
    "at",
    "on",
    "the",
    "a",
    "an",
    "also",
    "really",
    "now",
    "done",
    "sure",
    "unable",
    "afraid",
    "new",
    "your",
    "my",
    "this",
    "that",
    "it",
    "is",
    "going",
    "trying",
    "looking",
    "waiting",
    "calling",
    "writing",
    "having",
    "getting",
    "interested",
    "frustrated",
    "angry",
    "upset",
    "confused",
    "disappointed",
    "tired",
    "hoping",
    "asking",
    "checking",
    "following",
    "contacting",
    "reaching",
    "wrong",
    "missing",
    "incorrect",
    "misspelled",
    "spelled",
    "spelt",
    "different",
    "correct",
    "listed",
    "shown",
    "printed",
    "and",
    "but",
    "was",
    "under",
    "right",
    "same",
    "changed",
    "written",
    "typed",
    "there",
    "already",
    "blank",
    "empty",
    "invalid",
    "about",
    "regarding",
    "customer",
    "ridiculous",
    "unacceptable",
    "urgent",
    "important",
    "for",
    "to",
    "with",
    "of",
];

struct Patterns {
    /// Any cue word of the patterns below that need one: most lines have none, and one
    /// search for all of them is cheaper than a search for each.
    cue: Regex,
    zh_name: Regex,
    en_name: Regex,
    passport: Regex,
    bare_passport: Regex,
    qq: Regex,
    wechat: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| unreachable!("built-in pattern {p}: {e}"));
        // What may stand between a cue word and its value.
        let link = r"\s*(?:号码|号)?\s*(?:(?i-u:is)|是|为|:|：|-)?\s*";
        Patterns {
            cue: re(r"我叫|名字|姓名|收件人|联系人|本人|我是|护照|扣扣|企鹅号|微信|(?i-u:name|this is|i am|i'm|i’m|call me|recipient|passport|qq|weixin|wechat|vx|wx)"),
            zh_name: re(r"(?:我叫|我的名字是|我的名字叫|名字是|名字叫|姓名\s*[:：]?|收件人\s*(?:是|为|[:：])?|联系人\s*(?:是|为|[:：])?|本人|我是)\s*([\u{4E00}-\u{9FFF}]{2,4})"),
            en_name: re(r"(?i-u:\b(my name is|my name's|name is|name\s*[:-]|this is|i am|i'm|i’m|call me|recipient\s*:?))\s+"),
            passport: re(&format!(r"(?:护照|(?i-u:passport)(?:\s*(?i-u:number|no\.?|#))?){link}((?i-u:[a-z]{{1,2}})?[0-9]{{6,9}})")),
            bare_passport: re(r"(?-u:\b)(E[0-9]{8}|E[A-Z][0-9]{7}|G[0-9]{8})(?-u:\b)"),
            qq: re(&format!(r"(?:(?i-u:qq)|扣扣|企鹅号){link}([1-9][0-9]{{4,11}})")),
            wechat: re(&format!(
                r"(?:微信号?|(?i-u:weixin|wechat(?:\s*id)?|(?-u:\b)(?:vx|wx)(?-u:\b))){link}((?i-u:[a-z][a-z0-9_-]{{5,19}}))"
            )),
        }
    })
}

/// Names (when `names`), passports, QQ numbers and WeChat ids in `text`, spans in
/// characters.
pub(super) fn find(text: &str, names: bool, out: &mut Vec<Found>) {
    let p = patterns();
    let digits = text.bytes().any(|b| b.is_ascii_digit());
    if digits {
        for c in p.bare_passport.captures_iter(text) {
            if let Some(m) = c.get(1) {
                out.push(found(text, m.start(), m.end(), "passport"));
            }
        }
    }
    if !p.cue.is_match(text) {
        return;
    }
    if names {
        for c in p.zh_name.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            if let Some(len) = chinese_name_len(m.as_str()) {
                let end = m.start() + m.as_str().char_indices().nth(len).map_or(m.len(), |(i, _)| i);
                out.push(found(text, m.start(), end, "name"));
            }
        }
        for m in p.en_name.captures_iter(text) {
            let (Some(cue), Some(all)) = (m.get(1), m.get(0)) else { continue };
            let strong = cue.as_str().to_ascii_lowercase().contains("name");
            if let Some(len) = english_name_len(&text[all.end()..], strong) {
                out.push(found(text, all.end(), all.end() + len, "name"));
            }
        }
    }
    for c in p.wechat.captures_iter(text) {
        // A WeChat id has a digit, `_` or `-` (a bare word after "wechat" is most often
        // English: "wechat is down").
        let id = c.get(1).filter(|m| m.as_str().contains(|c: char| c.is_ascii_digit() || c == '_' || c == '-'));
        if let Some(m) = id {
            out.push(found(text, m.start(), m.end(), "wechat"));
        }
    }
    if digits {
        for (pattern, kind) in [(&p.passport, "passport"), (&p.qq, "qq")] {
            for c in pattern.captures_iter(text) {
                if let Some(m) = c.get(1) {
                    if !text[m.end()..].starts_with(|c: char| c.is_ascii_digit()) {
                        out.push(found(text, m.start(), m.end(), kind));
                    }
                }
            }
        }
    }
}

fn found(text: &str, start: usize, end: usize, entity: &'static str) -> Found {
    let (start, end) = char_span(text, start, end);
    Found { start, end, entity }
}

/// Characters of the surname `name` starts with (0 when it starts with none known).
pub(super) fn surname_len(name: &str) -> usize {
    if COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) {
        2
    } else {
        usize::from(name.chars().next().is_some_and(|c| SURNAMES.contains(c)))
    }
}

/// Characters of the name at the start of `han` (a known surname and one or two more), if
/// it starts with one.
fn chinese_name_len(han: &str) -> Option<usize> {
    let surname = surname_len(han);
    let given = han.chars().skip(surname).take(2).take_while(|&c| !NOT_IN_GIVEN_NAME.contains(c)).count();
    (surname > 0 && given > 0).then_some(surname + given)
}

/// Bytes of the name (one to three words) at the start of `rest`. Capitalised words make a
/// name; after a cue with "name" in it, lower-case words do too unless they are common
/// words.
fn english_name_len(rest: &str, strong: bool) -> Option<usize> {
    let mut len = 0;
    for _ in 0..3 {
        let at = if len == 0 {
            0
        } else if rest[len..].starts_with(' ') {
            len + 1
        } else {
            break;
        };
        let word = rest[at..].split(|c: char| !(c.is_ascii_alphabetic() || c == '-' || c == '\'')).next().unwrap_or("");
        let capitalised = word.starts_with(|c: char| c.is_ascii_uppercase());
        if word.is_empty() || !(capitalised || strong) || NOT_NAMES.contains(&word.to_ascii_lowercase().as_str()) {
            break;
        }
        len = at + word.len();
    }
    (len > 0).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, &'static str)> {
        let mut kinds = super::super::found_in(text, |text, out| find(text, true, out));
        // A passport after its cue is found by both patterns; the caller drops overlaps.
        kinds.dedup();
        kinds
    }

    #[test]
    fn finds_names_after_cue_words() {
        assert_eq!(kinds("我叫王小明，订单没到"), [("王小明".into(), "name")]);
        assert_eq!(kinds("收件人：欧阳娜娜"), [("欧阳娜娜".into(), "name")]);
        assert_eq!(kinds("my name is Emily Carter, thanks"), [("Emily Carter".into(), "name")]);
        assert_eq!(kinds("my name is john"), [("john".into(), "name")]);
        assert_eq!(kinds("name - Anna Zhang，谢谢"), [("Anna Zhang".into(), "name")]);
        for none in [
            "我叫了三次客服",
            "我是老客户了",
            "我是王先生",
            "this is ridiculous",
            "my name is wrong on it",
            "I'm Sorry",
        ] {
            assert!(kinds(none).is_empty(), "{none}: {:?}", kinds(none));
        }
    }

    #[test]
    fn finds_identifiers_after_their_names() {
        assert_eq!(kinds("护照号码是E12345678"), [("E12345678".into(), "passport")]);
        assert_eq!(kinds("passport no. g1234567"), [("g1234567".into(), "passport")]);
        assert_eq!(kinds("QQ:12345678"), [("12345678".into(), "qq")]);
        assert_eq!(kinds("加我微信：zhang_san1234"), [("zhang_san1234".into(), "wechat")]);
        for none in ["QQ音乐会员怎么退", "微信支付失败", "wechat is broken", "can I pay with WeChat"] {
            assert!(kinds(none).is_empty(), "{none}: {:?}", kinds(none));
        }
    }
}
