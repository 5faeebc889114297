//! Inline slot annotation in examples: `查一下订单[12345](order_id)`.

/// An example with its annotations removed and the slot spans it marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AnnotatedExample {
    /// The plain utterance.
    pub text: String,
    /// `(byte start, byte end, slot name)` into `text`.
    pub spans: Vec<(usize, usize, String)>,
}

/// Parses one example. `Err` explains what is wrong with the annotation syntax.
pub(crate) fn parse_example(example: &str) -> Result<AnnotatedExample, String> {
    let mut text = String::with_capacity(example.len());
    let mut spans = Vec::new();
    let mut rest = example;
    while let Some(open) = rest.find('[') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(']').ok_or("a `[` has no matching `]`; write `[value](slot)`")?;
        let value = &after[..close];
        let tail = &after[close + 1..];
        let Some(slot_part) = tail.strip_prefix('(') else {
            return Err(format!("`[{value}]` must be followed by `(slot_name)`"));
        };
        let end = slot_part.find(')').ok_or("a `(` has no matching `)`; write `[value](slot)`")?;
        let slot = slot_part[..end].trim();
        if value.trim().is_empty() || slot.is_empty() || value.contains('[') {
            return Err("an annotation needs a value and a slot name: `[value](slot)`".into());
        }
        let start = text.len();
        text.push_str(value);
        spans.push((start, text.len(), slot.to_string()));
        rest = &slot_part[end + 1..];
    }
    if rest.contains(']') {
        return Err("a `]` has no matching `[`; write `[value](slot)`".into());
    }
    text.push_str(rest);
    Ok(AnnotatedExample { text, spans })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_annotations() {
        let ex = parse_example("查一下订单[12345](order_id)到哪了").unwrap();
        assert_eq!(ex.text, "查一下订单12345到哪了");
        assert_eq!(&ex.text[ex.spans[0].0..ex.spans[0].1], "12345");
        assert_eq!(ex.spans[0].2, "order_id");
        let two = parse_example("from [Beijing](from) to [Shanghai](to)").unwrap();
        assert_eq!(two.text, "from Beijing to Shanghai");
        assert_eq!(two.spans.len(), 2);
    }

    #[test]
    fn rejects_broken_annotations() {
        for bad in ["[12345(order_id)", "[12345] (order_id)", "[12345](order_id", "[](x)", "abc]"] {
            assert!(parse_example(bad).is_err(), "{bad}");
        }
    }
}
