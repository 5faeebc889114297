//! Masking of personal data in anything that leaves the conversation: transcripts,
//! summaries, events. What is masked, and what is not, is listed in docs/personal-data.md.

mod address;
mod email;
mod identity;
mod runs;

use crate::entity::{is_builtin, Entity, Extractors};

/// A piece of personal data found by this module's own finders, span in characters.
#[derive(Debug)]
struct Found {
    start: usize,
    end: usize,
    entity: &'static str,
}

/// What a finder finds in `text`: each piece's text and kind (the finders' tests).
#[cfg(test)]
fn found_in(text: &str, find: impl FnOnce(&str, &mut Vec<Found>)) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    find(text, &mut found);
    let chars: Vec<char> = text.chars().collect();
    found.into_iter().map(|f| (chars[f.start..f.end].iter().collect(), f.entity)).collect()
}

/// The character span of the byte span `start..end` of `text`.
fn char_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let start_char = text[..start].chars().count();
    (start_char, start_char + text[start..end].chars().count())
}

/// `text` with `personal` (its personal data, [`personal_data`]) masked: numbers keep their
/// last 4 digits (`*******5678`), shorter identifiers their last 2, e-mail its domain
/// (`***@example.com`), a Chinese name its surname (`王**`), an English one its initials
/// (`E**** C*****`); a street address is starred whole. Fails closed on numbers: any other run of 10 or more digits (a card or ID
/// number with a typo, a phone with extra digits beside it, a foreign number) is masked
/// too, unless one of the bot's own entities (an order or tracking number) claims it, and
/// so is a run of 7 or more after a phone cue word.
fn mask_found(extractors: &Extractors, text: &str, personal: &[Entity]) -> String {
    mask_found_kinds(extractors, text, personal).0
}

/// [`mask_found`], with the kinds it masked in order of first appearance (`digits` for
/// runs masked because they fail closed).
fn mask_found_kinds<'a>(extractors: &Extractors, text: &str, personal: &'a [Entity]) -> (String, Vec<&'a str>) {
    if personal.is_empty() && !text.chars().any(runs::is_digit) {
        return (text.to_string(), Vec::new());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize, &str)> = personal.iter().map(|e| (e.start, e.end, e.entity.as_str())).collect();
    let runs = runs::digit_runs(&chars);
    if !runs.is_empty() {
        let own: Vec<Entity> = extractors.extract(text, None).into_iter().filter(|e| !is_builtin(&e.entity)).collect();
        for run in runs {
            let masked = spans.iter().any(|&(s, e, _)| s < run.end && run.start < e);
            // A phone cue says what a short number is, whatever the bot's entities match.
            let claimed = !run.cued && own.iter().any(|e| e.start <= run.start && run.end <= e.end);
            if !masked && !claimed {
                spans.push((run.start, run.end, "digits"));
            }
        }
        spans.sort_unstable_by_key(|s| s.0);
    }
    let mut kinds: Vec<&str> = Vec::new();
    for &(_, _, kind) in &spans {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, entity) in spans {
        out.extend(&chars[at..start]);
        out.push_str(&masked_value(entity, &chars[start..end]));
        at = end;
    }
    out.extend(&chars[at.min(chars.len())..]);
    (out, kinds)
}

/// The personal data in `text` (what masking masks besides runs of digits), spans in
/// characters, in order: the built-in extractors' phones, ID and card numbers and
/// e-mails, then names, addresses, passports, QQ and WeChat ids and e-mails written around
/// the extractor's pattern, where they do not overlap what was found before.
pub(crate) fn personal_data(extractors: &Extractors, text: &str) -> Vec<Entity> {
    find_personal(extractors, text, Names::Find)
}

/// Whether to look for names (the bot's and the agent's lines hold only their own).
#[derive(Clone, Copy, PartialEq)]
enum Names {
    Find,
    Skip,
}

fn find_personal(extractors: &Extractors, text: &str, names: Names) -> Vec<Entity> {
    let mut personal =
        if may_hold_builtin_personal_data(text) { extractors.extract_personal(text) } else { Vec::new() };
    let mut found = Vec::new();
    identity::find(text, names == Names::Find, &mut found);
    address::find(text, &mut found);
    email::find(text, &mut found);
    if found.is_empty() {
        return personal;
    }
    // Longest first among those starting together, so a whole address beats a part of it.
    found.sort_unstable_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let chars: Vec<char> = text.chars().collect();
    for f in found {
        if personal.iter().any(|e| e.start < f.end && f.start < e.end) {
            continue;
        }
        let raw: String = chars[f.start..f.end].iter().collect();
        personal.push(Entity { entity: f.entity.to_string(), start: f.start, end: f.end, value: raw.clone(), raw });
    }
    personal.sort_unstable_by_key(|e| e.start);
    personal
}

/// The built-in extractors' personal kinds all have digits or an `@` (ASCII or
/// full-width): text without them skips the extractors, which keeps redacting replies cheap.
fn may_hold_builtin_personal_data(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit() || c == '@' || ('０'..='９').contains(&c) || c == '＠')
}

/// What the bot and the agent write, as it leaves the conversation (transcripts, summaries,
/// events): personal data and abusive words masked, names excepted — the only names found
/// in their lines are their own (我是客服小王, "Hi, I'm Li").
pub(crate) fn redact(extractors: &Extractors, text: &str) -> String {
    let personal = find_personal(extractors, text, Names::Skip);
    crate::abuse::mask(&mask_found(extractors, text, &personal))
}

/// [`redact`] of an agent's line, with the kinds of personal data it masked (`phone`, `email`, …; `digits`
/// for other long numbers).
pub(crate) fn redact_reply(extractors: &Extractors, text: &str) -> (String, Vec<String>) {
    let personal = find_personal(extractors, text, Names::Skip);
    let (masked, kinds) = mask_found_kinds(extractors, text, &personal);
    let kinds = kinds.into_iter().map(str::to_string).collect();
    (crate::abuse::mask(&masked), kinds)
}

/// What the customer writes, as it leaves the conversation: personal data (found already,
/// [`personal_data`]) and abusive words masked.
pub(crate) fn redact_found(extractors: &Extractors, text: &str, personal: &[Entity]) -> String {
    crate::abuse::mask(&mask_found(extractors, text, personal))
}

fn masked_value(entity: &str, raw: &[char]) -> String {
    let star = |keep: &dyn Fn(usize, char) -> bool| {
        raw.iter().enumerate().map(|(i, &c)| if keep(i, c) { c } else { '*' }).collect()
    };
    match entity {
        "email" => {
            let name = raw.iter().take_while(|c| c.is_ascii_alphanumeric() || "._%+-".contains(**c)).count();
            format!("***{}", raw[name..].iter().collect::<String>())
        }
        // The surname, or each word's initial: how an agent addresses the customer.
        "name" if raw.first().is_some_and(|c| !c.is_ascii()) => {
            let surname = identity::surname_len(&raw.iter().collect::<String>());
            star(&|i, _| i < surname)
        }
        "name" => star(&|i, c| !c.is_ascii_alphabetic() || i == 0 || raw[i - 1] == ' '),
        "address" => star(&|_, c| c.is_whitespace() || ",，#".contains(c)),
        _ => {
            // Full-width digits and letters (`１３８…`) and Chinese numerals are digits and
            // letters too.
            let counts = |c: char| {
                c.is_ascii_alphanumeric()
                    || runs::is_digit(c)
                    || ('Ａ'..='Ｚ').contains(&c)
                    || ('ａ'..='ｚ').contains(&c)
            };
            let digits = raw.iter().filter(|&&c| counts(c)).count();
            let keep = if digits >= 10 { 4 } else { 2 }.min(digits);
            let mut seen = 0;
            raw.iter()
                .map(|&c| {
                    if counts(c) {
                        seen += 1;
                        if seen > digits - keep {
                            return c;
                        }
                        '*'
                    } else {
                        c
                    }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(x: &Extractors, text: &str) -> String {
        mask_found(x, text, &personal_data(x, text))
    }

    #[test]
    fn masks_personal_data_keeping_last_digits() {
        let x = Extractors::new(&Default::default());
        assert_eq!(mask(&x, "电话13812345678，邮箱 a.b@example.com"), "电话*******5678，邮箱 ***@example.com");
        assert_eq!(mask(&x, "card 4111 1111 1111 1111 ok"), "card **** **** **** 1111 ok");
        assert_eq!(mask(&x, "订单 123456 到哪了"), "订单 123456 到哪了");
        // Full-width digits are masked as ASCII ones are (they were found, then left as they were).
        assert_eq!(mask(&x, "手机１３８１２３４５６７８"), "手机*******５６７８");
        assert_eq!(mask(&x, "手机１３8１２3４５6７８"), "手机*******５6７８");
        // Inside a longer entity of another kind (an amount, a URL), a number is masked all
        // the same.
        assert_eq!(mask(&x, "转13812345678元"), "转*******5678元");
        assert_eq!(mask(&x, "see http://example.com/u/13812345678"), "see http://example.com/u/*******5678");
    }

    /// Numbers that are someone's card, ID or phone whatever their checksum or neighbours
    /// are masked (each leaked before); dates, amounts and order numbers stay.
    #[test]
    fn long_digit_runs_fail_closed() {
        let x = Extractors::new(&Default::default());
        assert_eq!(mask(&x, "卡号 4111 1111 1111 1111 123"), "卡号 **** **** **** ***1 123");
        assert_eq!(mask(&x, "6222020200112233445"), "***************3445");
        assert_eq!(mask(&x, "电话0086 13812345678"), "电话**** *******5678");
        assert_eq!(mask(&x, "call 415-555-2671"), "call ***-***-2671");
        assert_eq!(mask(&x, "身份证 11010519491231002"), "身份证 *************1002");
        assert_eq!(mask(&x, "旧身份证 110105491231002"), "旧身份证 ***********1002");
        assert_eq!(mask(&x, "电话 (010) 6552-1234"), "电话 (***) ****-1234");
        assert_eq!(mask(&x, "call (415) 555-2671"), "call (***) ***-2671");
        assert_eq!(mask(&x, "我的电话 138 - 1234 - 5678"), "我的电话 *** - **** - 5678");
        assert_eq!(mask(&x, "我的电话 138_1234_5678"), "我的电话 ***_****_5678");
        for kept in ["订单 12345678 到哪了", "2024-06-01 下的单", "转账5000元", "共 1,000,000 件", "10:30 到"]
        {
            assert_eq!(mask(&x, kept), kept);
        }
    }

    /// Kinds found by their cue word or shape, each leaked before.
    #[test]
    fn masks_names_addresses_identifiers_and_spelled_numbers() {
        let x = Extractors::new(&Default::default());
        assert_eq!(mask(&x, "我叫欧阳娜娜，订单没到"), "我叫欧阳**，订单没到");
        assert_eq!(mask(&x, "my name is Emily Carter"), "my name is E**** C*****");
        assert_eq!(mask(&x, "地址是北京市朝阳区建国路88号3号楼502"), "地址是北京市朝阳区************");
        assert_eq!(mask(&x, "ship to 221 Baker Street, Apt 4B"), "ship to *** ***** ******, *** **");
        assert_eq!(mask(&x, "护照号 E12345678"), "护照号 *******78");
        assert_eq!(mask(&x, "QQ:12345678 微信 zhang_san99"), "QQ:******78 微信 *****_*an99");
        assert_eq!(mask(&x, "邮箱 zhangsan at gmail dot com"), "邮箱 *** at gmail dot com");
        assert_eq!(mask(&x, "手机一三八一二三四五六七八"), "手机*******五六七八");
        assert_eq!(mask(&x, "座机 6552-1234"), "座机 ****-**34");
    }

    #[test]
    fn the_bots_own_entities_stay_readable() {
        let entities = serde_yaml::from_str("tracking: { regex: 'sf\\d{12}' }").unwrap();
        let x = Extractors::new(&entities);
        assert_eq!(mask(&x, "单号 sf123456789012"), "单号 sf123456789012");
        assert_eq!(mask(&x, "单号 123456789012"), "单号 ********9012");
    }
}
