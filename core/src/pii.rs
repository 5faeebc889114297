//! Masking of personal data (phone, ID card, bank card, e-mail) in anything that leaves
//! the conversation: transcripts, summaries, events.

use crate::entity::{is_builtin, Entity, Extractors};

/// `text` with every phone, ID, card number and e-mail masked; numbers keep their last 4
/// digits (`*******5678`), e-mail keeps its domain (`***@example.com`). Fails closed: any
/// other run of [`LONG_RUN`] or more digits (a card or ID number with a typo, a phone with
/// extra digits beside it, a foreign number) is masked too, unless one of the bot's own
/// entities (an order or tracking number) claims it.
pub(crate) fn mask(extractors: &Extractors, text: &str) -> String {
    mask_found(extractors, text, &personal_data(extractors, text))
}

/// [`mask`] with the personal data of `text` already found ([`personal_data`]).
fn mask_found(extractors: &Extractors, text: &str, personal: &[Entity]) -> String {
    if !may_hold_personal_data(text) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize, &str)> = personal.iter().map(|e| (e.start, e.end, e.entity.as_str())).collect();
    let runs = long_digit_runs(&chars);
    if !runs.is_empty() {
        let own: Vec<Entity> = extractors.extract(text, None).into_iter().filter(|e| !is_builtin(&e.entity)).collect();
        for (start, end) in runs {
            let masked = spans.iter().any(|&(s, e, _)| s < end && start < e);
            let claimed = own.iter().any(|e| e.start <= start && end <= e.end);
            if !masked && !claimed {
                spans.push((start, end, "digits"));
            }
        }
        spans.sort_unstable_by_key(|s| s.0);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, entity) in spans {
        out.extend(&chars[at..start]);
        out.push_str(&masked_value(entity, &chars[start..end]));
        at = end;
    }
    out.extend(&chars[at.min(chars.len())..]);
    out
}

/// Digits in a run at least this long are personal data unless something says otherwise:
/// longer than dates, amounts and most order numbers, as long as the shortest phone
/// numbers with their area code.
const LONG_RUN: usize = 10;

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Characters that people put between the digit groups of one number.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '_' | '(' | ')' | '－' | '–' | '—' | '（' | '）' | '\u{3000}')
}

/// Character spans of the runs of [`LONG_RUN`] or more digits, where up to three separator
/// characters may stand between two digit groups (`4111 1111 …`, `415-555-2671`,
/// `(010) 6552-1234`, `138 - 1234 - 5678`), at most one of them a punctuation mark other
/// than a space or bracket.
fn long_digit_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            i += 1;
            continue;
        }
        let (start, mut end, mut digits) = (i, i + 1, 1);
        loop {
            if end < chars.len() && is_digit(chars[end]) {
                digits += 1;
                end += 1;
                continue;
            }
            let gap = chars[end..].iter().take(4).take_while(|&&c| is_separator(c)).count();
            let marks = chars[end..end + gap]
                .iter()
                .filter(|c| !matches!(c, ' ' | '(' | ')' | '（' | '）' | '\u{3000}'))
                .count();
            if (1..=3).contains(&gap) && marks <= 1 && chars.get(end + gap).is_some_and(|&c| is_digit(c)) {
                end += gap;
            } else {
                break;
            }
        }
        if digits >= LONG_RUN {
            runs.push((start, end));
        }
        i = end;
    }
    runs
}

/// Every kind masked here has digits or an `@` (ASCII or full-width): text without them
/// has nothing to mask, and skipping the extractors keeps redacting replies cheap.
fn may_hold_personal_data(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit() || c == '@' || ('０'..='９').contains(&c) || c == '＠')
}

/// The personal data in `text` (what [`mask`] masks), spans in characters.
pub(crate) fn personal_data(extractors: &Extractors, text: &str) -> Vec<Entity> {
    if !may_hold_personal_data(text) {
        return Vec::new();
    }
    extractors.extract_personal(text)
}

/// What leaves the conversation (transcripts, summaries, events): personal data and abusive
/// words masked.
pub(crate) fn redact(extractors: &Extractors, text: &str) -> String {
    crate::sentiment::mask_abuse(&mask(extractors, text))
}

/// [`redact`] with the personal data of `text` already found ([`personal_data`]).
pub(crate) fn redact_found(extractors: &Extractors, text: &str, personal: &[Entity]) -> String {
    crate::sentiment::mask_abuse(&mask_found(extractors, text, personal))
}

fn masked_value(entity: &str, raw: &[char]) -> String {
    if entity == "email" {
        let at = raw.iter().position(|&c| c == '@').unwrap_or(raw.len());
        return format!("***{}", raw[at..].iter().collect::<String>());
    }
    // Full-width digits and letters (`１３８…`) are digits and letters too.
    let counts = |c: &char| {
        c.is_ascii_alphanumeric() || ('０'..='９').contains(c) || ('Ａ'..='Ｚ').contains(c) || ('ａ'..='ｚ').contains(c)
    };
    let digits = raw.iter().filter(|c| counts(c)).count();
    let keep = 4.min(digits);
    let mut seen = 0;
    raw.iter()
        .map(|&c| {
            if counts(&c) {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn the_bots_own_entities_stay_readable() {
        let entities = serde_yaml::from_str("tracking: { regex: 'sf\\d{12}' }").unwrap();
        let x = Extractors::new(&entities);
        assert_eq!(mask(&x, "单号 sf123456789012"), "单号 sf123456789012");
        assert_eq!(mask(&x, "单号 123456789012"), "单号 ********9012");
    }
}
