//! Legal and regulatory threats ("我要去消协投诉", "再不退款就起诉你们", "I'll see you in
//! court", "my lawyer will contact you"): a person must take over, urgently, whatever
//! intent the line also has. Works on normalised (lower-case, half-width) text.

use std::sync::OnceLock;

use crate::literal_set::LiteralSet;
use crate::text::{has_phrase, words};

/// Chinese phrases that threaten legal or regulatory action wherever they appear.
const ZH: &[&str] = &[
    "起诉",
    "告你们",
    "告到",
    "法院",
    "打官司",
    "律师函",
    "找律师",
    "请律师",
    "我的律师",
    "委托律师",
    "消协",
    "消费者协会",
    "12315",
    "12345热线",
    "市场监管",
    "工商局",
    "投诉到工商",
    "黑猫投诉",
    "媒体曝光",
    "曝光你们",
    "仲裁",
];

/// 报警 (calling the police) is a threat, except as a device's alarm: 摔倒报警, 报警器.
const POLICE: &str = "报警";
const ALARM_BEFORE: &[&str] = &["摔倒", "跌倒", "防盗", "烟雾", "一键", "紧急", "自动", "低电量", "漏水", "燃气"];
const ALARM_AFTER: &[&str] = &["器", "功能", "灯", "系统", "装置", "声", "铃", "提示"];

fn calls_the_police(text: &str) -> bool {
    text.match_indices(POLICE).any(|(at, _)| {
        let (before, after) = (&text[..at], &text[at + POLICE.len()..]);
        !ALARM_BEFORE.iter().any(|w| before.ends_with(w)) && !ALARM_AFTER.iter().any(|w| after.starts_with(w))
    })
}

/// English phrases, matched as whole words.
const EN: &[&str] = &[
    "sue",
    "suing",
    "lawsuit",
    "lawyer",
    "lawyers",
    "attorney",
    "legal action",
    "take you to court",
    "see you in court",
    "small claims",
    "consumer protection",
    "trading standards",
    "better business bureau",
    "report you to",
    "the police",
    "regulator",
    "ombudsman",
];

/// Whether normalised `text` threatens legal or regulatory action.
pub(crate) fn threatens_legal_action(text: &str) -> bool {
    static ZH_SET: OnceLock<LiteralSet> = OnceLock::new();
    let zh = ZH_SET.get_or_init(|| LiteralSet::new(ZH.iter().copied()));
    if zh.find_all(text).next().is_some() || calls_the_police(text) {
        return true;
    }
    let words = words(text);
    EN.iter().any(|p| has_phrase(&words, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn threatens(text: &str) -> bool {
        threatens_legal_action(&normalize(text).text)
    }

    #[test]
    fn threats_in_both_languages() {
        for text in [
            "再不退款我就去法院起诉你们",
            "我要去消协投诉",
            "打12315告你们",
            "我已经找律师了",
            "I will sue you",
            "my lawyer will contact you",
            "see you in court",
            "I'm reporting you to trading standards",
            "这是诈骗，我要报警",
            "再不退钱我就报警了",
        ] {
            assert!(threatens(text), "{text}");
        }
    }

    #[test]
    fn neighbours_do_not() {
        for text in [
            "我要投诉快递员",
            "告诉我订单到哪了",
            "is it suede",
            "I'm sure it shipped",
            "pursue a refund",
            "",
            "想要能测心率和摔倒报警的手表",
            "烟雾报警器多少钱",
            "有没有报警功能",
        ] {
            assert!(!threatens(text), "{text}");
        }
    }
}
