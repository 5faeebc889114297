//! Durations in Chinese and English ("两个小时", "半天", "3 days", "half an hour"), as ISO 8601
//! durations (`PT2H`, `PT12H`, `P3D`, `PT30M`). "3天之后" / "in 3 days" are points in time
//! and belong to `datetime`, whose longer match wins.

use regex::Regex;

use super::numeral::parse_chinese;
use super::{builtin_regex, RawMatch};

#[derive(Debug, Clone)]
pub(crate) struct Durations {
    zh: Regex,
    en: Regex,
}

const EN_NUMBERS: [&str; 13] =
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

impl Durations {
    pub fn new() -> Durations {
        Durations {
            zh: builtin_regex(
                r"(?P<n>\d{1,4}(?:\.\d+)?|[零〇一二两三四五六七八九十百]+|半)(?P<half>个半)?(?P<unit>分钟|个小时|个钟头|小时|天|个星期|星期|周|个月|年)",
            ),
            en: builtin_regex(
                r"(?-u:\b)(?P<n>\d{1,4}(?:\.\d+)?|an?|half an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)(?-u:\b)",
            ),
        }
    }

    /// Every duration in normalised `text`.
    pub fn find(&self, text: &str) -> Vec<RawMatch> {
        let mut out = Vec::new();
        for (re, zh) in [(&self.zh, true), (&self.en, false)] {
            for c in re.captures_iter(text) {
                let Some(m) = c.get(0) else { continue };
                if text[..m.start()].ends_with('第') {
                    continue; // 第三天 is an ordinal day, not a duration
                }
                let n = match &c["n"] {
                    "半" | "half a" | "half an" => Some(0.5),
                    "a" | "an" => Some(1.0),
                    w => w
                        .parse::<f64>()
                        .ok()
                        .or_else(|| EN_NUMBERS.iter().position(|x| *x == w).map(|i| i as f64))
                        .or_else(|| if zh { parse_chinese(w).map(|n| n as f64) } else { None }),
                };
                let Some(mut n) = n.filter(|n| *n > 0.0) else { continue };
                if c.name("half").is_some() {
                    n += 0.5;
                }
                if let Some(value) = iso(n, &c["unit"]) {
                    out.push(RawMatch {
                        start: m.start(),
                        end: m.end(),
                        entity: "duration".into(),
                        value,
                        priority: 7,
                    });
                }
            }
        }
        out
    }
}

/// `n` units as an ISO 8601 duration; fractions of hours and days become smaller units.
fn iso(n: f64, unit: &str) -> Option<String> {
    let minutes = |m: f64| format!("PT{}M", trim(m));
    Some(match unit {
        u if u.starts_with("min") || u == "分钟" => minutes(n),
        u if u.starts_with("h") || u.contains("小时") || u == "个钟头" => {
            if n.fract() == 0.0 {
                format!("PT{}H", trim(n))
            } else {
                minutes(n * 60.0)
            }
        }
        u if u.starts_with("day") || u == "天" => {
            if n.fract() == 0.0 {
                format!("P{}D", trim(n))
            } else {
                format!("PT{}H", trim(n * 24.0))
            }
        }
        u if u.starts_with("week") || u.contains("星期") || u == "周" => format!("P{}W", trim(n)),
        u if u.starts_with("month") || u == "个月" => format!("P{}M", trim(n)),
        u if u.starts_with("year") || u == "年" => format!("P{}Y", trim(n)),
        _ => return None,
    })
}

fn trim(n: f64) -> String {
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<String> {
        let n = crate::text::normalize(text);
        Durations::new().find(&n.text).into_iter().map(|m| m.value).collect()
    }

    #[test]
    fn durations_in_both_languages() {
        let cases = [
            ("大概要两个小时", "PT2H"),
            ("等了半天了", "PT12H"),
            ("三天能到吗", "P3D"),
            ("一个半小时", "PT90M"),
            ("十分钟后再说", "PT10M"),
            ("保修两年", "P2Y"),
            ("退货期7天", "P7D"),
            ("三个月内", "P3M"),
            ("两周", "P2W"),
            ("it takes 3 days", "P3D"),
            ("waited for half an hour", "PT30M"),
            ("about two hours", "PT2H"),
            ("a week ago", "P1W"),
            ("1.5 hours", "PT90M"),
            ("warranty is 2 years", "P2Y"),
            ("45 mins", "PT45M"),
        ];
        for (text, expected) in cases {
            assert_eq!(find(text), vec![expected.to_string()], "{text}");
        }
        for text in ["2025款手机", "order 12345678", "天天向上", "hours of fun", "第三天"] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }
}
