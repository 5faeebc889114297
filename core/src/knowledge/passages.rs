//! Documents cut into passages and sentences, every piece a character span of its
//! document, so that what the bot quotes is the document's own text.
//!
//! Markdown headings (`#` … `######`) give each passage its heading path; the first
//! top-level heading is the document's title. A section longer than [`MAX_PASSAGE_CHARS`]
//! is cut at blank lines. Plain text is a document without headings.

/// A section is cut into passages of about this many characters at most (at paragraph
/// ends; a single longer paragraph stays whole).
pub(crate) const MAX_PASSAGE_CHARS: usize = 600;

/// A piece of a document: its heading path and where it is, in characters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub heading: Vec<String>,
    pub start: usize,
    pub end: usize,
}

/// The document's title (its first `# ` heading, if any) and its passages.
pub(crate) fn split(chars: &[char]) -> (Option<String>, Vec<Piece>) {
    let mut title = None;
    let mut path: Vec<(usize, String)> = Vec::new();
    let mut pieces = Vec::new();
    // Paragraphs of the current section: (start, end) in characters.
    let mut paragraphs: Vec<(usize, usize)> = Vec::new();
    let mut paragraph: Option<(usize, usize)> = None;
    for (start, end) in lines(chars) {
        let line = &chars[start..end];
        if let Some((level, text)) = heading(line) {
            paragraphs.extend(paragraph.take());
            flush(&path, &mut paragraphs, &mut pieces);
            if level == 1 && title.is_none() && path.is_empty() {
                title = Some(text);
                continue;
            }
            path.retain(|(l, _)| *l < level);
            path.push((level, text));
        } else if line.iter().all(|c| c.is_whitespace()) {
            paragraphs.extend(paragraph.take());
        } else {
            let (s, e) = trimmed(chars, start, end);
            paragraph = Some(paragraph.map_or((s, e), |(first, _)| (first, e)));
        }
    }
    paragraphs.extend(paragraph.take());
    flush(&path, &mut paragraphs, &mut pieces);
    (title, pieces)
}

/// The section's paragraphs as passages of at most [`MAX_PASSAGE_CHARS`] (a longer
/// paragraph alone).
fn flush(path: &[(usize, String)], paragraphs: &mut Vec<(usize, usize)>, pieces: &mut Vec<Piece>) {
    let heading: Vec<String> = path.iter().map(|(_, t)| t.clone()).collect();
    let mut current: Option<(usize, usize)> = None;
    for &(s, e) in paragraphs.iter() {
        current = match current {
            Some((first, last)) if e - first <= MAX_PASSAGE_CHARS => Some((first, e.max(last))),
            Some((first, last)) => {
                pieces.push(Piece { heading: heading.clone(), start: first, end: last });
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((start, end)) = current {
        pieces.push(Piece { heading, start, end });
    }
    paragraphs.clear();
}

/// The lines of the text as character ranges, without their line breaks.
fn lines(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            let end = if i > start && chars[i - 1] == '\r' { i - 1 } else { i };
            out.push((start, end));
            start = i + 1;
        }
    }
    if start < chars.len() {
        out.push((start, chars.len()));
    }
    out
}

/// A Markdown ATX heading: its level and text.
fn heading(line: &[char]) -> Option<(usize, String)> {
    let level = line.iter().take_while(|&&c| c == '#').count();
    if !(1..=6).contains(&level) || line.get(level).is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    let text: String = line[level..].iter().collect();
    let text = text.trim().trim_end_matches('#').trim().to_string();
    (!text.is_empty()).then_some((level, text))
}

/// `start..end` without leading and trailing white space.
fn trimmed(chars: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// The sentences of `start..end` as character ranges: cut after 。！？；!? (and `.` or
/// `;` before a space) and at line ends; list markers (`- `, `* `, `1. `) and the spaces
/// around a sentence are not part of it.
pub(crate) fn sentences(chars: &[char], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    let push = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
        let (s, e) = trimmed(chars, s, e);
        let s = skip_list_marker(chars, s, e);
        if s < e {
            out.push((s, e));
        }
    };
    let mut i = start;
    while i < end {
        let c = chars[i];
        let next_is_space = i + 1 == end || chars.get(i + 1).map_or(true, |n| n.is_whitespace());
        let ends = matches!(c, '。' | '！' | '？' | '；' | '!' | '?')
            || (matches!(c, '.' | ';') && next_is_space && !abbreviation(chars, from, i) && !numbering(chars, from, i));
        if c == '\n' {
            push(from, i, &mut out);
            from = i + 1;
        } else if ends {
            // Closing quotes and brackets stay with their sentence.
            let mut close = i + 1;
            while close < end && matches!(chars[close], '”' | '’' | '"' | '\'' | '）' | ')' | '」' | '』') {
                close += 1;
            }
            push(from, close, &mut out);
            from = close;
            i = close;
            continue;
        }
        i += 1;
    }
    push(from, end, &mut out);
    out
}

/// Whether the `.` at `dot` ends an abbreviation such as "e.g." or "i.e." (a letter, a dot,
/// a letter before it), not a sentence.
fn abbreviation(chars: &[char], from: usize, dot: usize) -> bool {
    chars[dot] == '.'
        && dot >= from + 3
        && chars[dot - 2] == '.'
        && chars[dot - 1].is_alphabetic()
        && chars[dot - 3].is_alphabetic()
}

/// Whether the `.` at `dot` ends a list number ("2. ") at the start of a sentence.
fn numbering(chars: &[char], from: usize, dot: usize) -> bool {
    let before = &chars[from..dot];
    let digits = before.iter().skip_while(|c| c.is_whitespace()).collect::<Vec<_>>();
    !digits.is_empty() && digits.iter().all(|c| c.is_ascii_digit())
}

/// Where a line's text starts after a list marker (`- `, `* `, `+ `, `1. `, `1) `).
fn skip_list_marker(chars: &[char], start: usize, end: usize) -> usize {
    let rest = &chars[start..end];
    let marker = match rest.first() {
        Some('-' | '*' | '+' | '•') => 1,
        Some(c) if c.is_ascii_digit() => {
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            match rest.get(digits) {
                Some('.' | ')' | '、') => digits + 1,
                _ => return start,
            }
        }
        _ => return start,
    };
    if rest.get(marker).is_some_and(|c| c.is_whitespace()) || rest.get(marker - 1) == Some(&'、') {
        trimmed(chars, start + marker, end).0
    } else {
        start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(chars: &[char], (s, e): (usize, usize)) -> String {
        chars[s..e].iter().collect()
    }

    #[test]
    fn headings_give_title_and_paths() {
        let doc: Vec<char> = "# 配送说明\n\n引言一句。\n\n## 时效\n一般 48 小时内发货。\n偏远地区另计。\n\n### 节假日\n顺延。\n\n## 运费\n满 99 包邮。\n".chars().collect();
        let (title, pieces) = split(&doc);
        assert_eq!(title.as_deref(), Some("配送说明"));
        let got: Vec<(Vec<String>, String)> =
            pieces.iter().map(|p| (p.heading.clone(), text(&doc, (p.start, p.end)))).collect();
        assert_eq!(
            got,
            vec![
                (vec![], "引言一句。".to_string()),
                (vec!["时效".to_string()], "一般 48 小时内发货。\n偏远地区另计。".to_string()),
                (vec!["时效".to_string(), "节假日".to_string()], "顺延。".to_string()),
                (vec!["运费".to_string()], "满 99 包邮。".to_string()),
            ]
        );
    }

    #[test]
    fn long_sections_are_cut_at_paragraphs() {
        let para = "word ".repeat(100);
        let doc: Vec<char> = format!("{para}\n\n{para}\n\n{para}").chars().collect();
        let (title, pieces) = split(&doc);
        assert_eq!(title, None);
        assert_eq!(pieces.len(), 3);
        assert!(pieces.iter().all(|p| p.end - p.start <= MAX_PASSAGE_CHARS));
    }

    #[test]
    fn sentences_in_both_languages_without_list_markers() {
        let doc: Vec<char> =
            "Returns are free. Ship it back within 30 days, e.g. by post!\n- 退货免费。7 天内寄回；\n2. 发票随包裹“寄出”。"
                .chars()
                .collect();
        let got: Vec<String> = sentences(&doc, 0, doc.len()).into_iter().map(|s| text(&doc, s)).collect();
        assert_eq!(
            got,
            [
                "Returns are free.",
                "Ship it back within 30 days, e.g. by post!",
                "退货免费。",
                "7 天内寄回；",
                "发票随包裹“寄出”。"
            ]
        );
    }

    #[test]
    fn empty_and_odd_documents() {
        assert_eq!(split(&[]), (None, vec![]));
        let doc: Vec<char> = "#\n####### not a heading\n#hashtag".chars().collect();
        let (title, pieces) = split(&doc);
        assert_eq!(title, None);
        assert_eq!(pieces.len(), 1);
        assert_eq!(text(&doc, (pieces[0].start, pieces[0].end)), "#\n####### not a heading\n#hashtag");
    }
}
