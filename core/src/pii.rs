//! Masking of personal data (phone, ID card, bank card, e-mail) in anything that leaves
//! the conversation: transcripts, summaries, events.

use crate::entity::{Entity, Extractors};

/// `text` with every phone, ID, card number and e-mail masked; numbers keep their last 4
/// digits (`*******5678`), e-mail keeps its domain (`***@example.com`).
pub(crate) fn mask(extractors: &Extractors, text: &str) -> String {
    if !may_hold_personal_data(text) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in extractors.extract_personal(text) {
        out.extend(&chars[at..e.start]);
        out.push_str(&masked_value(&e.entity, &chars[e.start..e.end]));
        at = e.end;
    }
    out.extend(&chars[at.min(chars.len())..]);
    out
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
}
