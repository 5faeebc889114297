//! Built-in entities for Chinese and English: numbers, ordinals, money, phone numbers,
//! e-mail, URLs, Chinese resident ID numbers (checksum) and bank cards (Luhn).

use regex::Regex;

use super::numeral::parse_chinese;
use super::{builtin_regex as re, RawMatch};

/// Names of the built-in entities, usable as a slot's `entity`.
pub const BUILTIN_ENTITIES: &[&str] =
    &["number", "ordinal", "money", "datetime", "duration", "phone", "email", "url", "id_card", "bank_card"];

const CN_NUM: &str = "[零〇一二两三四五六七八九十百千万亿]";

#[derive(Debug, Clone)]
pub(crate) struct Builtins {
    email: Regex,
    url: Regex,
    mobile: Regex,
    intl_phone: Regex,
    digits: Regex,
    money_prefix: Regex,
    money_suffix: Regex,
    number: Regex,
    cn_number: Regex,
    ordinal: Regex,
    en_ordinal: Regex,
}

impl Builtins {
    pub fn new() -> Builtins {
        Builtins {
            email: re(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"),
            url: re(r"(?:(?:https?|ftp)://|www\.)[a-z0-9./?=&%#:_~+-]+[a-z0-9/]"),
            mobile: re(r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}"),
            intl_phone: re(r"\+\d{1,3}[- ]?\d{1,4}(?:[- ]?\d{2,4}){1,4}"),
            // ID numbers; card numbers plain, in groups of four (space or dash), or 4-6-5.
            digits: re(r"\d{17}x|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5}|\d{15,19}"),
            money_prefix: re(r"([¥￥$€£]|rmb|usd|cny)\s?(\d+(?:,\d{3})*(?:\.\d+)?)(万|千|k)?"),
            money_suffix: re(&format!(
                r"(\d+(?:,\d{{3}})*(?:\.\d+)?|{CN_NUM}+)\s?(万|千|k)?\s?(块钱|块|元|人民币|rmb|yuan|dollars?|bucks|usd|美元|美金|euros?|eur|欧元)"
            )),
            number: re(r"\d+(?:,\d{3})*(?:\.\d+)?(?:万|千|k\b|w\b)?"),
            cn_number: re(&format!("{CN_NUM}+")),
            ordinal: re(&format!(r"第(\d+|{CN_NUM}+)")),
            en_ordinal: re(
                r"\b(\d+)(?:st|nd|rd|th)\b|\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b",
            ),
        }
    }

    /// The personal data among the built-ins in normalised text: e-mail, phone, ID card and
    /// bank card numbers (overlaps are resolved by the caller). Masking needs only these.
    pub fn find_personal(&self, text: &str) -> Vec<RawMatch> {
        let mut out = Vec::new();
        let mut push = |start: usize, end: usize, entity: &str, value: String, priority: u8| {
            out.push(RawMatch { start, end, entity: entity.to_string(), value, priority });
        };
        // Most utterances have no digits or `@`: the patterns that need them search an empty
        // text instead.
        let only_if = |cond: bool| if cond { text } else { "" };
        let with_digits = only_if(text.bytes().any(|b| b.is_ascii_digit()));
        for m in self.email.find_iter(only_if(text.contains('@'))) {
            push(m.start(), m.end(), "email", m.as_str().to_string(), 9);
        }
        for m in self.mobile.find_iter(with_digits).chain(self.intl_phone.find_iter(with_digits)) {
            let digits = only_digits(m.as_str());
            if digit_bounded(text, m.start(), m.end()) && (7..=15).contains(&digits.len()) {
                let plus = if m.as_str().starts_with('+') { "+" } else { "" };
                push(m.start(), m.end(), "phone", format!("{plus}{digits}"), 8);
            }
        }
        for m in self.digits.find_iter(with_digits) {
            if !digit_bounded(text, m.start(), m.end()) {
                continue;
            }
            let value = m.as_str().replace([' ', '-'], "").to_ascii_uppercase();
            // One digit repeated passes Luhn but is a placeholder, not a card.
            let repeated = value.bytes().all(|b| b == value.as_bytes()[0]);
            if value.len() == 18 && is_valid_id_card(&value) {
                push(m.start(), m.end(), "id_card", value, 9);
            } else if (15..=19).contains(&value.len()) && !repeated && is_luhn_valid(&value) {
                push(m.start(), m.end(), "bank_card", value, 8);
            }
        }
        out
    }

    /// Every built-in match in normalised text (overlaps are resolved by the caller).
    pub fn find(&self, text: &str) -> Vec<RawMatch> {
        let mut out = self.find_personal(text);
        let mut push = |start: usize, end: usize, entity: &str, value: String, priority: u8| {
            out.push(RawMatch { start, end, entity: entity.to_string(), value, priority });
        };
        let only_if = |cond: bool| if cond { text } else { "" };
        let with_digits = only_if(text.bytes().any(|b| b.is_ascii_digit()));
        for m in self.url.find_iter(only_if(text.contains("://") || text.contains("www."))) {
            push(m.start(), m.end(), "url", m.as_str().to_string(), 9);
        }
        for c in self.money_prefix.captures_iter(with_digits) {
            let (Some(m), Some(amount)) = (c.get(0), c.get(2)) else { continue };
            let currency = match &c[1] {
                "$" | "usd" => "USD",
                "€" => "EUR",
                "£" => "GBP",
                _ => "CNY",
            };
            if let Some(v) = parse_amount(amount.as_str(), c.get(3).map(|u| u.as_str())) {
                push(m.start(), m.end(), "money", format!("{} {currency}", fmt_number(v)), 7);
            }
        }
        for c in self.money_suffix.captures_iter(text) {
            let (Some(m), Some(amount)) = (c.get(0), c.get(1)) else { continue };
            let currency = match &c[3] {
                "dollars" | "dollar" | "bucks" | "usd" | "美元" | "美金" => "USD",
                "euro" | "euros" | "eur" | "欧元" => "EUR",
                _ => "CNY",
            };
            if let Some(v) = parse_amount(amount.as_str(), c.get(2).map(|u| u.as_str())) {
                push(m.start(), m.end(), "money", format!("{} {currency}", fmt_number(v)), 7);
            }
        }
        for m in self.number.find_iter(with_digits) {
            let s = m.as_str();
            let (num, unit) = split_unit(s);
            // A long whole number keeps its digits: as an f64 it would change past 2^53.
            if unit.is_none() && num.len() > 15 && num.bytes().all(|b| b.is_ascii_digit()) {
                let digits = num.trim_start_matches('0');
                push(m.start(), m.end(), "number", if digits.is_empty() { "0" } else { digits }.to_string(), 3);
            } else if let Some(v) = parse_amount(num, unit) {
                push(m.start(), m.end(), "number", fmt_number(v), 3);
            }
        }
        for m in self.cn_number.find_iter(text) {
            if is_counted_numeral(text, m.start(), m.end()) {
                if let Some(v) = parse_chinese(m.as_str()) {
                    push(m.start(), m.end(), "number", v.to_string(), 3);
                }
            }
        }
        for c in self.ordinal.captures_iter(text) {
            let (Some(m), Some(n)) = (c.get(0), c.get(1)) else { continue };
            let v = n.as_str().parse::<u64>().ok().or_else(|| parse_chinese(n.as_str()));
            if let Some(v) = v {
                push(m.start(), m.end(), "ordinal", v.to_string(), 4);
            }
        }
        for c in self.en_ordinal.captures_iter(text) {
            let Some(m) = c.get(0) else { continue };
            let v = match (c.get(1), c.get(2)) {
                (Some(d), _) => d.as_str().parse::<u64>().ok(),
                (_, Some(w)) => ORDINAL_WORDS.iter().position(|o| *o == w.as_str()).map(|i| i as u64 + 1),
                _ => None,
            };
            if let Some(v) = v {
                push(m.start(), m.end(), "ordinal", v.to_string(), 4);
            }
        }
        out
    }
}

const ORDINAL_WORDS: [&str; 10] =
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

fn only_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// No digit directly before or after: `12345678901234` holds no 11-digit phone number.
fn digit_bounded(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
}

fn split_unit(s: &str) -> (&str, Option<&str>) {
    for unit in ["万", "千", "k", "w"] {
        if let Some(n) = s.strip_suffix(unit) {
            return (n, Some(unit));
        }
    }
    (s, None)
}

/// Parses `1,299.5`, `两百`, with an optional multiplier (`万`, `千`, `k`, `w`).
fn parse_amount(number: &str, unit: Option<&str>) -> Option<f64> {
    let plain = number.replace(',', "");
    let base = match plain.parse::<f64>() {
        Ok(v) => v,
        Err(_) => parse_chinese(number)? as f64,
    };
    let factor = match unit {
        Some("万" | "w") => 10_000.0,
        Some("千" | "k") => 1_000.0,
        _ => 1.0,
    };
    Some(base * factor).filter(|v| v.is_finite())
}

fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A run of Chinese numeral characters is a number when it reads as one: it has a unit
/// (十, 百, …) or several digits, or one digit followed by a measure word (一件, 三天).
/// This keeps 一下, 一些 and 一直 out.
fn is_counted_numeral(text: &str, start: usize, end: usize) -> bool {
    let run = &text[start..end];
    let next = text[end..].chars().next();
    let measure = next.is_some_and(|c| "个件天月号元块台次位张本箱瓶份年周岁小分秒".contains(c));
    if run.chars().count() == 1 {
        return measure || run.chars().any(|c| "十百千万亿".contains(c));
    }
    let idioms = ["一一", "万一", "一万个"];
    !idioms.contains(&run)
}

/// Chinese resident identity number (GB 11643): 17 digits and a check character (0-9 or X).
pub(crate) fn is_valid_id_card(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let month = (bytes[10] - b'0') * 10 + (bytes[11] - b'0');
    CHECK[(sum % 11) as usize] == bytes[17].to_ascii_uppercase() && (1..=12).contains(&month)
}

/// Luhn checksum, used by bank cards.
pub(crate) fn is_luhn_valid(number: &str) -> bool {
    let Some((body, last)) = number.split_at_checked(number.len().saturating_sub(1)) else { return false };
    number.len() >= 12 && crate::checksum::luhn_check_digit(body).is_some_and(|d| last.as_bytes() == [b'0' + d])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn find(text: &str) -> Vec<(String, String)> {
        let n = normalize(text);
        let mut m = Builtins::new().find(&n.text);
        m = super::super::resolve_overlaps(m);
        m.into_iter().map(|m| (m.entity, m.value)).collect()
    }

    fn one(text: &str, entity: &str, value: &str) {
        let found = find(text);
        assert!(found.contains(&(entity.to_string(), value.to_string())), "{text}: {found:?}");
    }

    #[test]
    fn finds_builtins_in_both_languages() {
        one("我的手机是13812345678", "phone", "13812345678");
        one("call +86 138-1234-5678", "phone", "+8613812345678");
        one("my number is +44 20 7946 0958", "phone", "+442079460958");
        one("邮箱 Zhang.San@Example.COM", "email", "zhang.san@example.com");
        one("see https://shop.example.com/orders?id=3", "url", "https://shop.example.com/orders?id=3");
        one("身份证11010519491231002X", "id_card", "11010519491231002X");
        one("卡号 4111 1111 1111 1111", "bank_card", "4111111111111111");
        one("退我¥199", "money", "199 CNY");
        one("一共两百块", "money", "200 CNY");
        one("it cost $20", "money", "20 USD");
        one("20 dollars", "money", "20 USD");
        one("3万元", "money", "30000 CNY");
        one("买了一百二十三个", "number", "123");
        one("about 1.5k", "number", "1500");
        one("第三个", "ordinal", "3");
        one("the 2nd one", "ordinal", "2");
    }

    #[test]
    fn rejects_near_misses() {
        assert!(!find("11010519491231002").iter().any(|e| e.0 == "id_card"));
        assert!(!find("110105194912310021").iter().any(|e| e.0 == "id_card"), "wrong checksum");
        assert!(!find("4111111111111112").iter().any(|e| e.0 == "bank_card"), "fails Luhn");
        assert!(!find("138123456789").iter().any(|e| e.0 == "phone"), "12 digits");
        assert!(find("查一下").is_empty());
        assert!(!find("he was inhuman").iter().any(|e| e.0 == "ordinal"));
    }
}
