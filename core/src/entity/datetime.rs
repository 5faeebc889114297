//! Dates and times in Chinese and English, absolute and relative (明天下午三点, 下周五,
//! 3月5日, next Friday, in 2 hours, 2025-11-23), resolved against a reference time the host
//! passes in. The core has no clock: without a reference time, expressions that need one
//! ("tomorrow", "3月5日" without a year) are not reported.

use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};

use super::numeral::parse_chinese;
use super::{builtin_regex as re, RawMatch};

/// The moment a turn happens, from the host: seconds since the Unix epoch and the
/// customer's UTC offset. Relative dates resolve against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceTime {
    /// Seconds since 1970-01-01T00:00Z.
    pub unix_seconds: i64,
    /// The customer's offset from UTC in minutes (UTC+8 = 480).
    pub utc_offset_minutes: i32,
}

/// A local date as days since 1970-01-01 (civil calendar, proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn valid_date(y: i64, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && d >= 1 && civil_from_days(days_from_civil(y, m, d)) == (y, m, d)
}

/// Local minutes since the epoch.
fn local_minutes(now: ReferenceTime) -> i64 {
    now.unix_seconds.div_euclid(60) + i64::from(now.utc_offset_minutes)
}

impl ReferenceTime {
    /// The customer's local date, as days since 1970-01-01.
    pub(crate) fn local_day(self) -> i64 {
        local_minutes(self).div_euclid(1440)
    }
}

/// `days` since 1970-01-01 as `YYYY-MM-DD`.
pub(crate) fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn format_minutes(minutes: i64) -> String {
    let days = minutes.div_euclid(1440);
    let rest = minutes.rem_euclid(1440);
    format!("{}T{:02}:{:02}", format_day(days), rest / 60, rest % 60)
}

/// Monday = 0.
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

fn number(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().or_else(|| parse_chinese(s).and_then(|n| i64::try_from(n).ok()))
}

/// The furthest a relative time may reach: a hundred years, in minutes.
const MAX_OFFSET_MINUTES: f64 = 100.0 * 366.0 * 1440.0;

const NUM: &str = r"\d{1,4}|[零〇一二两三四五六七八九十百]+";

#[derive(Debug, Clone)]
pub(crate) struct DateTimes {
    /// A day (relative, weekday, month and day), optionally with a time of day.
    zh_day: Regex,
    /// A time of day on its own.
    zh_time: Regex,
    zh_after: Regex,
    en_in: Regex,
    en_day: Regex,
    en_time: Regex,
    iso: Regex,
}

// Every pattern has a required part and uses ASCII word boundaries (`(?-u:\b)`): a Unicode
// `\b` or a pattern that can match the empty string would push the regex engine off its
// fast path on Chinese text.
const ZH_TIME: &str = r"(?P<part>上午|下午|晚上|早上|中午|凌晨|傍晚)?(?P<h>\d{1,2}|[零〇一二两三四五六七八九十]+)点(?:(?P<min>\d{1,2}|[零〇一二三四五六七八九十]+)分?|(?P<half>半))?";
const EN_TIME: &str = r"(?:at\s)?(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s?(?P<ampm>am|pm|a\.m\.|p\.m\.)(?-u:\b)";

impl DateTimes {
    pub fn new() -> DateTimes {
        DateTimes {
            zh_day: re(&format!(
                r"(?x)
                (?: (?P<rel>今天|明天|后天|大后天|昨天|前天)
                  | (?P<week>下下周|下周|这周|本周|周|星期|礼拜)(?P<wd>[一二三四五六日天])
                  | (?:(?P<y>\d{{4}})年)?(?P<m>{NUM})月(?P<d>{NUM})(?:日|号)
                  | (?P<dd>{NUM})号 )
                (?:{ZH_TIME}|(?P<part_only>上午|下午|晚上|早上|中午|凌晨|傍晚))?"
            )),
            zh_time: re(ZH_TIME),
            zh_after: re(&format!(r"(?P<n>{NUM}|半)(?P<unit>分钟|个小时|个钟头|小时|天|周|个星期)(?:之?后|以后)")),
            en_in: re(
                r"(?-u:\b)in (?P<n>\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten) (?P<unit>minutes?|hours?|days?|weeks?)(?-u:\b)",
            ),
            en_day: re(&format!(
                r"(?x)(?-u:\b)
                (?: (?P<rel>today|tonight|tomorrow|yesterday)
                  | (?:(?P<which>next|this)\s)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)
                  | (?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?
                  | (?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* )
                (?-u:\b)(?:\s{EN_TIME})?"
            )),
            en_time: re(&format!(r"(?-u:\b){EN_TIME}")),
            iso: re(
                r"(?-u:\b)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[t ](?P<h>\d{1,2}):(?P<min>\d{2}))?(?-u:\b)",
            ),
        }
    }

    /// Every date or time in normalised `text`; `now` resolves relative ones.
    pub fn find(&self, text: &str, now: Option<ReferenceTime>) -> Vec<RawMatch> {
        let mut out = Vec::new();
        let mut push = |start: usize, end: usize, value: Option<String>| {
            if let Some(value) = value {
                out.push(RawMatch { start, end, entity: "datetime".into(), value, priority: 8 });
            }
        };
        for c in self.iso.captures_iter(text) {
            let Some(m) = c.get(0) else { continue };
            push(m.start(), m.end(), iso(&c));
        }
        for c in self.zh_day.captures_iter(text).chain(self.zh_time.captures_iter(text)) {
            let Some(m) = c.get(0) else { continue };
            push(m.start(), m.end(), zh(&c, now));
        }
        for c in self.zh_after.captures_iter(text).chain(self.en_in.captures_iter(text)) {
            let (Some(m), Some(now)) = (c.get(0), now) else { continue };
            let n = match &c["n"] {
                "半" => 0.5,
                "a" | "an" | "one" => 1.0,
                w => EN_NUMBERS
                    .iter()
                    .position(|x| *x == w)
                    .map(|i| i as f64)
                    .or_else(|| number(w).map(|n| n as f64))
                    .unwrap_or(-1.0),
            };
            let unit = match &c["unit"] {
                u if u.starts_with("minute") || u == "分钟" => 1.0,
                u if u.starts_with("hour") || u.contains("小时") || u == "个钟头" => 60.0,
                u if u.starts_with("day") || u == "天" => 1440.0,
                _ => 10_080.0,
            };
            // Offsets past a century are not dates anyone means (九九九…天后 overflowed before).
            if (0.0..=MAX_OFFSET_MINUTES).contains(&(n * unit)) {
                push(m.start(), m.end(), Some(format_minutes(local_minutes(now) + (n * unit) as i64)));
            }
        }
        for c in self.en_day.captures_iter(text).chain(self.en_time.captures_iter(text)) {
            let Some(m) = c.get(0) else { continue };
            push(m.start(), m.end(), en(&c, now));
        }
        out
    }
}

const EN_NUMBERS: [&str; 11] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const EN_WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn iso(c: &Captures<'_>) -> Option<String> {
    let (y, m, d) = (number(&c["y"])?, u32::try_from(number(&c["m"])?).ok()?, u32::try_from(number(&c["d"])?).ok()?);
    if !valid_date(y, m, d) {
        return None;
    }
    let day = format!("{y:04}-{m:02}-{d:02}");
    match (c.name("h"), c.name("min")) {
        (Some(h), Some(min)) => Some(format!("{day}T{:02}:{:02}", number(h.as_str())?, number(min.as_str())?)),
        _ => Some(day),
    }
}

/// Combines a resolved day (or none: today, if a time was given) with an optional time.
fn combine(day: Option<i64>, time: Option<(i64, i64)>, now: Option<ReferenceTime>) -> Option<String> {
    match (day, time) {
        (Some(day), None) => Some(format_day(day)),
        (Some(day), Some((h, m))) => Some(format_minutes(day * 1440 + h * 60 + m)),
        (None, Some((h, m))) => {
            // A bare time means the next such time from now.
            let now_min = local_minutes(now?);
            let today = now_min.div_euclid(1440);
            let mut at = today * 1440 + h * 60 + m;
            if at < now_min {
                at += 1440;
            }
            Some(format_minutes(at))
        }
        (None, None) => None,
    }
}

fn zh(c: &Captures<'_>, now: Option<ReferenceTime>) -> Option<String> {
    let today = now.map(|n| local_minutes(n).div_euclid(1440));
    let day = if let Some(rel) = c.name("rel") {
        let offset = match rel.as_str() {
            "今天" => 0,
            "明天" => 1,
            "后天" => 2,
            "大后天" => 3,
            "昨天" => -1,
            _ => -2,
        };
        Some(today? + offset)
    } else if let Some(wd) = c.name("wd") {
        let target = "一二三四五六日".find(wd.as_str()).map_or(6, |i| (i / 3) as i64);
        let today = today?;
        let monday = today - weekday(today);
        Some(match &c["week"] {
            "下周" => monday + 7 + target,
            "下下周" => monday + 14 + target,
            "这周" | "本周" => monday + target,
            // 周五 / 星期五: the coming one (today counts).
            _ => today + (target - weekday(today)).rem_euclid(7),
        })
    } else if let (Some(m), Some(d)) = (c.name("m"), c.name("d")) {
        let (m, d) = (u32::try_from(number(m.as_str())?).ok()?, u32::try_from(number(d.as_str())?).ok()?);
        let y = match c.name("y") {
            Some(y) => number(y.as_str())?,
            None => civil_from_days(today?).0,
        };
        valid_date(y, m, d).then(|| days_from_civil(y, m, d))?.into()
    } else if let Some(dd) = c.name("dd") {
        let (y, m, _) = civil_from_days(today?);
        let d = u32::try_from(number(dd.as_str())?).ok()?;
        valid_date(y, m, d).then(|| days_from_civil(y, m, d))?.into()
    } else {
        None
    };
    let time = match c.name("h") {
        Some(h) => {
            let mut hour = number(h.as_str())?;
            let minute =
                if c.name("half").is_some() { 30 } else { c.name("min").and_then(|m| number(m.as_str())).unwrap_or(0) };
            let part = c.name("part").map(|p| p.as_str());
            if matches!(part, Some("下午" | "晚上" | "傍晚")) && hour < 12 {
                hour += 12;
            }
            ((0..24).contains(&hour) && (0..60).contains(&minute)).then_some((hour, minute))
        }
        None => None,
    };
    if c.name("h").is_some() && time.is_none() {
        return None;
    }
    combine(day, time, now)
}

fn en(c: &Captures<'_>, now: Option<ReferenceTime>) -> Option<String> {
    let today = now.map(|n| local_minutes(n).div_euclid(1440));
    let day = if let Some(rel) = c.name("rel") {
        Some(
            today?
                + if rel.as_str() == "tomorrow" {
                    1
                } else if rel.as_str() == "yesterday" {
                    -1
                } else {
                    0
                },
        )
    } else if let Some(wd) = c.name("wd") {
        let target = EN_WEEKDAYS.iter().position(|w| *w == wd.as_str())? as i64;
        let today = today?;
        Some(match c.name("which").map(|w| w.as_str()) {
            Some("next") => today - weekday(today) + 7 + target,
            _ => today + (target - weekday(today)).rem_euclid(7),
        })
    } else if let Some((mon, d)) = c.name("mon").zip(c.name("d")).or_else(|| c.name("mon2").zip(c.name("d2"))) {
        let m = MONTHS.iter().position(|x| mon.as_str().starts_with(x))? as u32 + 1;
        let d = u32::try_from(number(d.as_str())?).ok()?;
        let y = civil_from_days(today?).0;
        valid_date(y, m, d).then(|| days_from_civil(y, m, d))?.into()
    } else {
        None
    };
    let time = match (c.name("h"), c.name("ampm")) {
        (Some(h), Some(ampm)) => {
            let mut hour = number(h.as_str())?;
            let minute = c.name("min").and_then(|m| number(m.as_str())).unwrap_or(0);
            if !(1..=12).contains(&hour) || minute > 59 {
                return None;
            }
            if ampm.as_str().starts_with('p') && hour < 12 {
                hour += 12;
            } else if ampm.as_str().starts_with('a') && hour == 12 {
                hour = 0;
            }
            Some((hour, minute))
        }
        _ => None,
    };
    if rel_is_tonight(c) && time.is_none() {
        return day.map(|d| format_minutes(d * 1440 + 20 * 60));
    }
    combine(day, time, now)
}

fn rel_is_tonight(c: &Captures<'_>) -> bool {
    c.name("rel").is_some_and(|r| r.as_str() == "tonight")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Saturday 2026-11-21 10:00 in UTC+8.
    const NOW: ReferenceTime = ReferenceTime { unix_seconds: 1_795_226_400, utc_offset_minutes: 480 };

    fn find(text: &str, now: Option<ReferenceTime>) -> Vec<String> {
        let n = crate::text::normalize(text);
        super::super::resolve_overlaps(DateTimes::new().find(&n.text, now)).into_iter().map(|m| m.value).collect()
    }

    #[test]
    fn the_reference_time_is_what_the_tests_assume() {
        assert_eq!(format_minutes(local_minutes(NOW)), "2026-11-21T10:00");
        assert_eq!(weekday(local_minutes(NOW).div_euclid(1440)), 5, "a Saturday");
    }

    #[test]
    fn resolves_chinese_and_english_dates_and_times() {
        let cases = [
            ("明天下午三点到", "2026-11-22T15:00"),
            ("后天上午十点半", "2026-11-23T10:30"),
            ("下周五送货", "2026-11-27"),
            ("周一", "2026-11-23"),
            ("3月5日", "2026-03-05"),
            ("2025年12月1号", "2025-12-01"),
            ("今天晚上8点", "2026-11-21T20:00"),
            ("两个小时后", "2026-11-21T12:00"),
            ("三天后", "2026-11-24T10:00"),
            ("tomorrow at 3pm", "2026-11-22T15:00"),
            ("next friday", "2026-11-27"),
            ("on monday", "2026-11-23"),
            ("in 2 hours", "2026-11-21T12:00"),
            ("in a week", "2026-11-28T10:00"),
            ("march 5th", "2026-03-05"),
            ("5 march", "2026-03-05"),
            ("at 9:30 am", "2026-11-22T09:30"),
            ("2025-11-23", "2025-11-23"),
            ("2025-11-23 14:05", "2025-11-23T14:05"),
        ];
        for (text, expected) in cases {
            assert_eq!(find(text, Some(NOW)), vec![expected.to_string()], "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_dates() {
        for text in ["2025款手机", "2月30日", "订单12345678", "13点99分", "model 2025", "2025-13-01"] {
            assert!(find(text, Some(NOW)).is_empty(), "{text}: {:?}", find(text, Some(NOW)));
        }
    }

    #[test]
    fn no_clock_no_relative_dates() {
        assert!(find("明天下午三点", None).is_empty());
        assert!(find("tomorrow", None).is_empty());
        assert_eq!(find("2025-11-23", None), vec!["2025-11-23".to_string()]);
    }
}
