//! Finds the line of a key path in the bot file's source, so that validation problems can
//! say `bot.yaml:14:` instead of a path the author has to trace by hand.

/// The 1-based line where the last segment of `path` is found, searching each segment
/// after the line of the one before; the deepest segment found wins.
pub(crate) fn line_of(source: &str, path: &[&str]) -> Option<usize> {
    let lines: Vec<&str> = source.lines().collect();
    let mut from = 0;
    let mut found = None;
    for segment in path {
        let hit = (from..lines.len())
            .find(|&i| is_key_line(lines[i], segment))
            .or_else(|| (from..lines.len()).find(|&i| lines[i].contains(segment)));
        match hit {
            Some(i) => {
                found = Some(i + 1);
                from = i + 1;
            }
            None => break,
        }
    }
    found
}

/// True when `line` declares `key` in YAML (`key:`, `- key:`) or JSON (`"key":`).
fn is_key_line(line: &str, key: &str) -> bool {
    let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
    [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':"), format!("\"{key}\" :")]
        .iter()
        .any(|pattern| trimmed.starts_with(pattern.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys() {
        let src = "version: 1\nintents:\n  greet:\n    examples: [hi]\n  refund:\n    examples:\n      - 退款\n";
        assert_eq!(line_of(src, &["intents", "refund"]), Some(5));
        assert_eq!(line_of(src, &["intents", "refund", "examples"]), Some(6));
        assert_eq!(line_of(src, &["intents", "refund", "examples", "退款"]), Some(7));
        assert_eq!(line_of(src, &["nothing"]), None);
        let json = "{\n \"intents\": {\n  \"refund\": {}\n }\n}";
        assert_eq!(line_of(json, &["intents", "refund"]), Some(3));
    }
}
