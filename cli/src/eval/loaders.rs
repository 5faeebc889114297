//! Benchmark dataset loaders. Each reads the files exactly as published (see the dataset's
//! SOURCE.md); nothing is converted by hand.

use std::path::Path;

/// Datasets `kefu eval` knows, in report order.
pub(crate) const ALL: &[&str] = &["snips", "atis", "clinc150", "banking77", "smp2017", "cais"];

/// One labelled utterance.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub text: String,
    pub intent: String,
    /// Tokens and their BIO slot tags, where the dataset has slots (else empty).
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

impl Example {
    fn intent_only(text: &str, intent: &str) -> Example {
        Example { text: text.into(), intent: intent.into(), tokens: Vec::new(), tags: Vec::new() }
    }
}

/// The splits of one dataset.
#[derive(Debug, Default)]
pub(crate) struct Dataset {
    pub name: &'static str,
    pub language: &'static str,
    pub train: Vec<Example>,
    pub validation: Vec<Example>,
    pub test: Vec<Example>,
    /// Out-of-scope utterances (CLINC150); the training ones become the classifier's
    /// background class, as a bot file's `out_of_scope` examples do.
    pub oos_train: Vec<Example>,
    pub oos_validation: Vec<Example>,
    pub oos_test: Vec<Example>,
}

pub(crate) fn load(name: &str, root: &Path, limit: Option<usize>) -> Result<Dataset, String> {
    let mut d = match name {
        "snips" => seq_in_label(root, "snips", "snips", "en")?,
        "atis" => seq_in_label(root, "atis", "atis", "en")?,
        "clinc150" => clinc(root)?,
        "banking77" => banking(root)?,
        "smp2017" => smp2017(root)?,
        "cais" => cais(root)?,
        _ => return Err(format!("unknown dataset {name:?}; choose from {}", ALL.join(", "))),
    };
    if let Some(n) = limit {
        for split in
            [&mut d.train, &mut d.validation, &mut d.test, &mut d.oos_train, &mut d.oos_validation, &mut d.oos_test]
        {
            // Keep every class in a small subset: take examples spread over the split.
            let step = (split.len() / n.max(1)).max(1);
            *split = split.iter().step_by(step).take(n).cloned().collect();
        }
    }
    if d.train.is_empty() || d.test.is_empty() {
        return Err(format!("{name}: no examples found under {}", root.display()));
    }
    Ok(d)
}

fn read(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text.trim_start_matches('\u{FEFF}').replace("\r\n", "\n"))
}

/// `split/seq.in` (one utterance per line) and `split/label` (one intent per line).
fn seq_in_label(root: &Path, dir: &str, name: &'static str, language: &'static str) -> Result<Dataset, String> {
    let split = |s: &str| -> Result<Vec<Example>, String> {
        let texts = read(&root.join(dir).join(s).join("seq.in"))?;
        let labels = read(&root.join(dir).join(s).join("label"))?;
        let slots = read(&root.join(dir).join(s).join("seq.out"))?;
        Ok(texts
            .lines()
            .zip(labels.lines())
            .zip(slots.lines())
            .map(|((t, l), tags)| Example {
                text: t.trim().into(),
                intent: l.trim().into(),
                tokens: t.split_whitespace().map(String::from).collect(),
                tags: tags.split_whitespace().map(String::from).collect(),
            })
            .collect())
    };
    Ok(Dataset {
        name,
        language,
        train: split("train")?,
        validation: split("dev")?,
        test: split("test")?,
        ..Default::default()
    })
}

/// `data_full.json`: `{split: [[text, intent], …]}`; out-of-scope in `oos_*`.
fn clinc(root: &Path) -> Result<Dataset, String> {
    let text = read(&root.join("clinc150/data_full.json"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("clinc150/data_full.json: {e}"))?;
    let split = |key: &str| -> Vec<Example> {
        v[key]
            .as_array()
            .map(|rows| {
                rows.iter().filter_map(|r| Some(Example::intent_only(r[0].as_str()?, r[1].as_str()?))).collect()
            })
            .unwrap_or_default()
    };
    Ok(Dataset {
        name: "clinc150",
        language: "en",
        train: split("train"),
        validation: split("val"),
        test: split("test"),
        oos_train: split("oos_train"),
        oos_validation: split("oos_val"),
        oos_test: split("oos_test"),
    })
}

/// `train.csv` / `test.csv` with a `text,category` header and quoted fields.
fn banking(root: &Path) -> Result<Dataset, String> {
    let split = |file: &str| -> Result<Vec<Example>, String> {
        let rows = parse_csv(&read(&root.join("banking77").join(file))?);
        Ok(rows.into_iter().skip(1).filter(|r| r.len() == 2).map(|r| Example::intent_only(&r[0], &r[1])).collect())
    };
    Ok(Dataset {
        name: "banking77",
        language: "en",
        train: split("train.csv")?,
        test: split("test.csv")?,
        ..Default::default()
    })
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and newlines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// One file per class, `<split>/<split>_<class>.txt`, one query per line (BOM, CRLF).
fn smp2017(root: &Path) -> Result<Dataset, String> {
    let split = |s: &str| -> Result<Vec<Example>, String> {
        let dir = root.join("smp2017_ecdt_task1").join(s);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(class) = stem.strip_prefix(&format!("{s}_")) else { continue };
            for line in read(&f)?.lines().map(str::trim).filter(|l| !l.is_empty()) {
                out.push(Example::intent_only(line, class));
            }
        }
        Ok(out)
    };
    Ok(Dataset {
        name: "smp2017",
        language: "zh",
        train: split("train")?,
        validation: split("develop")?,
        test: split("test")?,
        ..Default::default()
    })
}

/// `ch.<split>`: `char TAG` lines, sentences separated by blank lines; `ch.<split>.intent`.
fn cais(root: &Path) -> Result<Dataset, String> {
    let split = |s: &str| -> Result<Vec<Example>, String> {
        let chars = read(&root.join("cais").join(s).join(format!("ch.{s}")))?;
        let intents = read(&root.join("cais").join(s).join(format!("ch.{s}.intent")))?;
        // One character and its BIOES tag per line; a blank line ends a sentence.
        let sentences = chars.split("\n\n").map(|block| {
            let pairs: Vec<(String, String)> = block
                .lines()
                .filter_map(|l| {
                    let mut cols = l.split_whitespace();
                    Some((cols.next()?.to_string(), bioes_to_bio(cols.next().unwrap_or("O"))))
                })
                .collect();
            pairs.into_iter().unzip::<_, _, Vec<String>, Vec<String>>()
        });
        Ok(sentences
            .filter(|(tokens, _)| !tokens.is_empty())
            .zip(intents.lines())
            .map(|((tokens, tags), intent)| Example {
                text: tokens.concat(),
                intent: intent.trim().into(),
                tokens,
                tags,
            })
            .collect())
    };
    Ok(Dataset {
        name: "cais",
        language: "zh",
        train: split("train")?,
        validation: split("valid")?,
        test: split("test")?,
        ..Default::default()
    })
}

/// A BIOES tag (CAIS) as the BIO tag that the tagger and the span scoring read: `E-x` ends
/// a slot (`I-x`), `S-x` is a one-token slot (`B-x`).
fn bioes_to_bio(tag: &str) -> String {
    match tag.split_once('-') {
        Some(("E", slot)) => format!("I-{slot}"),
        Some(("S", slot)) => format!("B-{slot}"),
        _ => tag.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{bioes_to_bio, parse_csv};

    #[test]
    fn bioes_tags_become_bio() {
        let tags: Vec<String> = ["B-song", "I-song", "E-song", "O", "S-singer"].map(bioes_to_bio).into();
        assert_eq!(tags, ["B-song", "I-song", "I-song", "O", "B-singer"]);
        let spans = kefu_core::models::bio_spans(&tags);
        assert_eq!(spans, [("song".to_string(), 0, 3), ("singer".to_string(), 4, 5)]);
    }

    #[test]
    fn csv_handles_quotes_commas_and_newlines() {
        let rows = parse_csv("text,category\n\"a, \"\"b\"\"\nc\",x\nplain,y\n");
        assert_eq!(rows, vec![vec!["text", "category"], vec!["a, \"b\"\nc", "x"], vec!["plain", "y"]]);
    }
}
