//! Requests for a person in the wordings customers use ("能不能让真人来", "is there a real
//! human I can talk to", "get me a representative"), beyond a bot's own keywords: a bot's
//! intent that hands off and whose own examples or keywords ask for a person takes them as
//! a rule. Works on normalised (lower-case, half-width) text.

use crate::text::{has_phrase, words};

/// Chinese phrases that ask for a person wherever they appear.
const ZH_PHRASES: &[&str] = &[
    "转人工",
    "人工客服",
    "人工服务",
    "人工坐席",
    "人工接待",
    "真人",
    "活人",
    "坐席",
    "客服人员",
    "工作人员",
    "你们经理",
    "你们主管",
    "值班经理",
    "找个人",
    "来个人",
    "换个人",
    "叫个人",
    "让人来",
    "你们的人",
    "转客服",
    "找客服",
    "接客服",
    "叫客服",
    "要客服",
    "换客服",
    "不想跟机器人",
    "不想和机器人",
    "不要机器人",
    "别用机器人",
    "不跟机器人",
    "不和机器人",
    "机器人听不懂",
    "不要自动回复",
    "不是机器人的",
    "跟人聊",
    "和人聊",
    "跟人说话",
    "和人说话",
    "跟人谈",
    "和人谈",
];

/// "人工" asks for a person, except in these words (labour cost, artificial intelligence).
const ZH_NOT_PERSON: &[&str] = &["人工智能", "人工费", "人工成本", "人工合成", "人工湖"];

/// English phrases that ask for a person wherever they appear (matched as whole words).
const EN_PHRASES: &[&str] = &[
    "human",
    "humans",
    "real person",
    "live person",
    "actual person",
    "real people",
    "live agent",
    "real agent",
    "human agent",
    "agent please",
    "representative",
    "a rep",
    "operator",
    "supervisor",
    "your manager",
    "a manager",
    "someone real",
    "somebody real",
    "not a bot",
    "not a robot",
    "not a machine",
    "no bot",
    "no more bot",
    "stop the bot",
    "hate this bot",
    "useless bot",
];

/// English requests: one of these verbs, then within a few words one of the people below.
const EN_VERBS: &[&str] =
    &["talk", "speak", "chat", "connect", "transfer", "put me through", "get me", "need", "want", "give me", "call"];
const EN_PEOPLE: &[&str] = &[
    "someone",
    "somebody",
    "anyone",
    "a person",
    "an agent",
    "your staff",
    "staff",
    "a member of staff",
    "customer service",
    "support team",
];
/// How many words may come between the verb and the person ("talk to someone", "speak
/// with one of your staff").
const EN_GAP_WORDS: usize = 4;

/// Whether normalised `text` asks for a person.
pub(crate) fn asks_for_person(text: &str) -> bool {
    if ZH_PHRASES.iter().any(|p| text.contains(p)) {
        return true;
    }
    if crate::text::occurrences(text, "人工").any(|at| !ZH_NOT_PERSON.iter().any(|w| text[at..].starts_with(w))) {
        return true;
    }
    let words = words(text);
    if EN_PHRASES.iter().any(|p| has_phrase(&words, p)) {
        return true;
    }
    // A verb, then a person within a few words.
    (0..words.len()).any(|at| {
        EN_VERBS.iter().any(|verb| {
            let n = verb.split(' ').count();
            let said = words.get(at..at + n).is_some_and(|w| w.iter().copied().eq(verb.split(' ')));
            let after = &words[(at + n).min(words.len())..words.len().min(at + n + EN_GAP_WORDS + 3)];
            said && EN_PEOPLE.iter().any(|p| has_phrase(after, p))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn asks(text: &str) -> bool {
        asks_for_person(&normalize(text).text)
    }

    #[test]
    fn common_wordings_ask_for_a_person() {
        for text in [
            "能不能让真人来",
            "我要找活人",
            "叫你们经理来",
            "我不想跟机器人聊",
            "人工！",
            "给我转客服",
            "我要跟人聊",
            "I need a human",
            "is there a real human I can talk to",
            "get me a representative",
            "can I speak to someone",
            "let me talk to one of your staff",
            "connect me with customer service please",
            "HUMAN",
        ] {
            assert!(asks(text), "{text}");
        }
    }

    #[test]
    fn neighbours_do_not() {
        for text in [
            "空调安装的人工费怎么算",
            "人工智能能帮我查订单吗",
            "the delivery person was rude",
            "can someone else pick up my parcel",
            "I want to return my order",
            "我想退货",
            "agent of change",
            "",
        ] {
            assert!(!asks(text), "{text}");
        }
    }
}
