//! Runs of digits that are personal data whatever the extractors make of them: masking
//! fails closed on a number long enough to be a card, an ID or a phone, and on a shorter
//! one that follows a word saying it is a phone number.

/// Digits in a run at least this long are personal data unless something says otherwise:
/// longer than dates, amounts and most order numbers, as long as the shortest phone
/// numbers with their area code.
const LONG_RUN: usize = 10;

/// After a phone cue word, runs from this length are masked too: a local landline
/// (`6552 1234`), a US local number (`555-2671`).
const CUED_RUN: usize = 7;

/// Words after which a number is a phone number (lower case; matched on the lower-cased
/// text just before the run).
const PHONE_CUES: &[&str] =
    &["电话", "手机", "座机", "固话", "联系方式", "传真", "tel", "phone", "call", "mobile", "cell", "fax"];

/// Digits as customers type them: ASCII, full-width, and Chinese numerals read out one by
/// one (`一三八…`, `幺` for one).
pub(super) fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || is_chinese_digit(c)
}

fn is_chinese_digit(c: char) -> bool {
    matches!(c, '零' | '〇' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '幺')
}

/// Characters that people put between the digit groups of one number.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '_' | '(' | ')' | '－' | '–' | '—' | '（' | '）' | '\u{3000}')
}

/// A run of digits: its character span, and whether only a phone cue makes it personal.
#[derive(Debug, PartialEq)]
pub(super) struct Run {
    pub start: usize,
    pub end: usize,
    /// Shorter than [`LONG_RUN`]: masked because a phone cue word precedes it.
    pub cued: bool,
}

/// Character spans of the runs of [`LONG_RUN`] or more digits, and of [`CUED_RUN`] or more
/// after a phone cue, where up to three separator characters may stand between two digit
/// groups (`4111 1111 …`, `415-555-2671`, `(010) 6552-1234`, `138 - 1234 - 5678`), at most
/// one of them a punctuation mark other than a space or bracket.
pub(super) fn digit_runs(chars: &[char]) -> Vec<Run> {
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
            runs.push(Run { start, end, cued: false });
        } else if digits >= CUED_RUN && after_phone_cue(chars, start) {
            runs.push(Run { start, end, cued: true });
        }
        i = end;
    }
    runs
}

/// True when one of [`PHONE_CUES`] ends within the 8 characters before `start`
/// (`电话：`, `phone number is `).
fn after_phone_cue(chars: &[char], start: usize) -> bool {
    let before: String = chars[start.saturating_sub(20)..start].iter().collect::<String>().to_lowercase();
    PHONE_CUES.iter().any(|cue| before.rfind(cue).is_some_and(|at| before[at + cue.len()..].chars().count() <= 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(String, bool)> {
        let chars: Vec<char> = text.chars().collect();
        digit_runs(&chars).into_iter().map(|r| (chars[r.start..r.end].iter().collect(), r.cued)).collect()
    }

    #[test]
    fn long_runs_in_any_script_and_short_ones_after_a_phone_cue() {
        assert_eq!(spans("一三八一二三四五六七八"), [("一三八一二三四五六七八".into(), false)]);
        assert_eq!(spans("138 幺二三四 5678"), [("138 幺二三四 5678".into(), false)]);
        assert_eq!(spans("座机 6552-1234"), [("6552-1234".into(), true)]);
        assert_eq!(spans("call me on 555 2671"), [("555 2671".into(), true)]);
        // Without a cue, a short number is an order number or an amount.
        assert!(spans("订单 65521234 到哪了").is_empty());
        assert!(spans("一一对应，三五成群").is_empty());
    }
}
