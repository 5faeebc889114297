//! Street addresses: a Chinese road, street or housing estate with its number (`建国路88号`,
//! `阳光小区3栋1201`), an English house number, street and unit (`221 Baker Street, Apt 4B`).
//! The city and district before them stay readable: an agent may route by them.

use std::sync::OnceLock;

use regex::Regex;

use super::{char_span, Found};

/// Characters that end the part of an address kept readable (province, city, district…)
/// or the words before it (地址是, 送到…); 市 in 城市 is part of a name.
const BEFORE_STREET: &str = "省市区县镇乡旗是到在址住为：:";

struct Patterns {
    zh: Regex,
    en: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| unreachable!("built-in pattern {p}: {e}"));
        let han = r"[\u{4E00}-\u{9FFF}]";
        let number = r"(?:[0-9０-９]+|[一二三四五六七八九十百零]+)";
        let unit = format!(r"(?:\s*{number}\s*(?:号楼|栋|幢|座|单元|层|楼|室|号|期|弄))*(?:\s*[0-9０-９]{{2,5}}室?)?");
        Patterns {
            zh: re(&format!(
                r"((?:{han}|[0-9A-Za-z]){{1,12}}?)(?:(?:路|大街|大道|街|巷|弄|胡同|道)\s*{number}\s*号院?|(?:小区|花园|公寓|大厦|家园|新村|苑|村|城)\s*{number}\s*(?:号楼|栋|幢|座|期|号)){unit}"
            )),
            en: re(r"[0-9]{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?i-u:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|terrace|parkway|pkwy|highway|hwy|close|crescent|square|sq)(?-u:\b)\.?(?:,?\s*(?:(?i-u:apt|apartment|unit|suite|ste|flat)\.?\s*|#\s*)[A-Za-z0-9-]+)?"),
        }
    })
}

/// The street addresses in `text`, spans in characters.
pub(super) fn find(text: &str, out: &mut Vec<Found>) {
    let p = patterns();
    // Every address has a house or building number: text without one skips the search.
    if text.contains(['号', '栋', '幢', '座']) {
        find_chinese(text, &p.zh, out);
    }
    if text.bytes().any(|b| b.is_ascii_digit()) {
        for m in p.en.find_iter(text) {
            let (start, end) = char_span(text, m.start(), m.end());
            out.push(Found { start, end, entity: "address" });
        }
    }
}

fn find_chinese(text: &str, zh: &Regex, out: &mut Vec<Found>) {
    for c in zh.captures_iter(text) {
        let (Some(m), Some(name)) = (c.get(0), c.get(1)) else { continue };
        // The match may start at the city or at the words before it: the street starts
        // after the last character of the name part that ends them.
        let street = name
            .as_str()
            .char_indices()
            .rfind(|&(i, c)| BEFORE_STREET.contains(c) && !(c == '市' && name.as_str()[..i].ends_with('城')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let (start, end) = char_span(text, m.start() + street, m.end());
        out.push(Found { start, end, entity: "address" });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(text: &str) -> Vec<String> {
        super::super::found_in(text, find).into_iter().map(|(found, _)| found).collect()
    }

    #[test]
    fn finds_the_street_and_keeps_the_city() {
        assert_eq!(addresses("地址是北京市朝阳区建国路88号院3号楼502"), ["建国路88号院3号楼502"]);
        assert_eq!(addresses("寄到锦绣花园5栋1201，谢谢"), ["锦绣花园5栋1201"]);
        assert_eq!(addresses("深圳市万科城市花园2栋"), ["万科城市花园2栋"]);
        assert_eq!(addresses("寄到阳光小区10栋635"), ["阳光小区10栋635"]);
        assert_eq!(addresses("ship to 221 Baker Street, Apt 4B please"), ["221 Baker Street, Apt 4B"]);
        for none in ["路由器连不上网", "路上堵车了吗", "I bought 3 items on the way home", "地址写错了能改吗"]
        {
            assert!(addresses(none).is_empty(), "{none}: {:?}", addresses(none));
        }
    }
}
