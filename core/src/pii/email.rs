//! E-mail addresses written so that the extractor's pattern misses them: `zhangsan@qq。com`,
//! `zhangsan＠qq．com`, `zhangsan at gmail dot com`, `li(at)163(dot)com`, `wang艾特qq点com`.

use std::sync::OnceLock;

use regex::Regex;

use super::{char_span, Found};

/// Mail providers: after a bare " at ", only these make an address (`look at amazon.com`
/// is not one).
const PROVIDERS: &[&str] = &[
    "qq",
    "163",
    "126",
    "gmail",
    "outlook",
    "hotmail",
    "yahoo",
    "icloud",
    "sina",
    "sohu",
    "foxmail",
    "yeah",
    "live",
    "aliyun",
    "protonmail",
    "msn",
    "139",
];

fn pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let at = r"(?:@|＠|\[(?i-u:at)\]|\((?i-u:at)\)|（(?i-u:at)）|\s+(?i-u:at)\s+|艾特|圈a)";
        let dot = r"(?:\.|。|．|\[(?i-u:dot)\]|\((?i-u:dot)\)|（(?i-u:dot)）|\s+(?i-u:dot)\s+|点)";
        let p = format!(
            r"([A-Za-z0-9][A-Za-z0-9._%+-]{{0,63}})\s*{at}\s*((?:[A-Za-z0-9-]{{1,63}}\s*{dot}\s*){{1,3}}(?i-u:com|cn|net|org|edu|gov|io|co|me|info|hk|tw|jp|uk|us|de|fr|au|ca|sg))(?:[^A-Za-z0-9]|$)"
        );
        Regex::new(&p).unwrap_or_else(|e| unreachable!("built-in pattern {p}: {e}"))
    })
}

/// The e-mail addresses in `text`, spans in characters, from the start of the name to the
/// end of the domain.
pub(super) fn find(text: &str, out: &mut Vec<Found>) {
    // Every form has one of these: text without one skips the search.
    if !text.contains(['@', '＠']) && !text.contains("艾特") && !text.contains("圈a") && !has_spelled_at(text) {
        return;
    }
    for c in pattern().captures_iter(text) {
        let (Some(name), Some(domain)) = (c.get(1), c.get(2)) else { continue };
        let between = &text[name.end()..domain.start()];
        let spelled_dot = !domain.as_str().contains(['.', '。', '．', '点']);
        let provider = domain.as_str().split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
        let bare_at = between.trim().eq_ignore_ascii_case("at");
        if bare_at && !spelled_dot && !PROVIDERS.contains(&provider.to_ascii_lowercase().as_str()) {
            continue;
        }
        let (start, end) = char_span(text, name.start(), domain.end());
        out.push(Found { start, end, entity: "email" });
    }
}

/// True for ` at `, `(at)`, `[at]` in any case, or `（at）`.
fn has_spelled_at(text: &str) -> bool {
    text.as_bytes().windows(4).any(|w| {
        w[1..3].eq_ignore_ascii_case(b"at") && matches!((w[0], w[3]), (b' ', b' ') | (b'(', b')') | (b'[', b']'))
    }) || text.contains("（at）")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(text: &str) -> Vec<String> {
        super::super::found_in(text, find).into_iter().map(|(found, _)| found).collect()
    }

    #[test]
    fn finds_addresses_written_around_the_pattern() {
        assert_eq!(emails("邮箱 zhangsan@qq。com 谢谢"), ["zhangsan@qq。com"]);
        assert_eq!(emails("zhangsan at gmail dot com"), ["zhangsan at gmail dot com"]);
        assert_eq!(emails("li(at)163(dot)com"), ["li(at)163(dot)com"]);
        assert_eq!(emails("wang艾特qq点com"), ["wang艾特qq点com"]);
        assert_eq!(emails("amy at qq.com"), ["amy at qq.com"]);
        assert!(emails("look at amazon.com for it").is_empty());
    }
}
