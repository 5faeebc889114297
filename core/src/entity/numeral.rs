//! Chinese numerals (一百二十三, 两千五, 3万) to numbers.

fn digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '幺' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

fn big_unit(c: char) -> Option<u64> {
    Some(match c {
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

/// True for characters that can be part of a Chinese numeral.
pub(crate) fn is_numeral_char(c: char) -> bool {
    digit(c).is_some() || small_unit(c).is_some() || big_unit(c).is_some()
}

/// Parses a Chinese numeral; `None` if it is not one (or overflows).
///
/// A trailing digit after a unit abbreviates the next lower unit, as people say it:
/// 两千五 = 2500, 一万二 = 12000, 三百五 = 350.
pub(crate) fn parse_chinese(s: &str) -> Option<u64> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() || !chars.iter().all(|&c| is_numeral_char(c)) {
        return None;
    }
    // A plain digit string read digit by digit: 二零二五 = 2025.
    if chars.len() > 1 && chars.iter().all(|&c| digit(c).is_some()) {
        return chars.iter().try_fold(0u64, |acc, &c| acc.checked_mul(10)?.checked_add(digit(c)?));
    }
    let (mut total, mut section, mut pending) = (0u64, 0u64, None::<u64>);
    let mut last_unit = 1u64;
    for &c in &chars {
        if let Some(d) = digit(c) {
            pending = Some(d);
        } else if let Some(u) = small_unit(c) {
            section = section.checked_add(pending.unwrap_or(1).checked_mul(u)?)?;
            pending = None;
            last_unit = u;
        } else if let Some(u) = big_unit(c) {
            total = total.checked_add(section.checked_add(pending.unwrap_or(0))?.max(1).checked_mul(u)?)?;
            section = 0;
            pending = None;
            last_unit = u;
        }
    }
    let tail = match pending {
        Some(d) if last_unit >= 100 && chars.len() >= 2 && digit(chars[chars.len() - 2]).is_none() => {
            d * (last_unit / 10)
        }
        Some(d) => d,
        None => 0,
    };
    total.checked_add(section)?.checked_add(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_numerals() {
        for (s, n) in [
            ("一百二十三", 123),
            ("两千五", 2500),
            ("十", 10),
            ("十五", 15),
            ("二十", 20),
            ("一万二", 12000),
            ("三百五", 350),
            ("一千零五", 1005),
            ("五万三千", 53000),
            ("两百", 200),
            ("二零二五", 2025),
            ("零", 0),
            ("一亿", 100_000_000),
        ] {
            assert_eq!(parse_chinese(s), Some(n), "{s}");
        }
        assert_eq!(parse_chinese("abc"), None);
        assert_eq!(parse_chinese(""), None);
    }
}
