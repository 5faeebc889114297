//! The static tier's encoder: one vector per piece of the encoder's vocabulary, distilled
//! and fitted from kefu's ONNX encoder by tools/build-static; a sentence's vector is the
//! normalised sum of its pieces' rows. Pure Rust — no ONNX Runtime, no `tokenizers` — so it
//! runs wherever the core runs (phones, wasm32), in microseconds.
//!
//! Table file layout (little-endian): `KEFUSTAT`, format version (u16), CRC-32 of the rest
//! (u32), then sections each prefixed with a u64 length: metadata JSON (name, dimension,
//! unknown piece id); the normalisation map (`u32` code point, `u8` length, UTF-8 text per
//! entry); the pieces (`u8` length, UTF-8 text, `f32` log-probability each, in id order);
//! the rows (pieces × dimension `i8`); each row's scale (`f32`, the piece's weight
//! included). Every length and value is checked: a damaged file is an
//! [`Error::StaticTable`], never a panic.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::bot::Tier;
use crate::checksum::crc32;
use crate::encoder::SentenceEncoder;
use crate::error::{Error, Result};
use crate::framing::Reader;
use crate::unigram::Unigram;

/// Format version of static embedding tables.
pub const STATIC_TABLE_VERSION: u16 = 1;
const MAGIC: &[u8; 8] = b"KEFUSTAT";
const HEADER: usize = 14;

/// What a table says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaticTableMetadata {
    /// A name for people (`me5-small-enzh-static-256`).
    pub name: String,
    /// Length of the rows and of every sentence vector.
    pub dimension: usize,
    /// Id of the piece that stands for characters no piece covers.
    pub unknown: u32,
}

/// A static embedding table: the static tier's [`SentenceEncoder`].
#[derive(Clone)]
pub struct StaticEncoder {
    metadata: StaticTableMetadata,
    tokenizer: Unigram,
    rows: Vec<i8>,
    scales: Vec<f32>,
}

impl std::fmt::Debug for StaticEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticEncoder")
            .field("metadata", &self.metadata)
            .field("pieces", &self.tokenizer.len())
            .finish_non_exhaustive()
    }
}

fn bad(reason: String) -> Error {
    Error::StaticTable(reason)
}

impl StaticEncoder {
    /// Parses a table file (see the module docs for the layout).
    pub fn from_bytes(bytes: &[u8]) -> Result<StaticEncoder> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(bad(
                "not a kefu static embedding table (no KEFUSTAT header); build one with tools/build-static".into(),
            ));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version != STATIC_TABLE_VERSION {
            return Err(bad(format!(
                "table format version {version}; this build reads version {STATIC_TABLE_VERSION}: rebuild the table with this version's tools/build-static"
            )));
        }
        let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
        let body = &bytes[HEADER..];
        if crc32(body) != crc {
            return Err(bad("the table is damaged (checksum mismatch); copy it again".into()));
        }
        let mut r = Reader::new(body, bad);
        let metadata: StaticTableMetadata = serde_json::from_slice(r.section("metadata")?)
            .map_err(|_| bad("the table metadata is not valid JSON of a name, a dimension and an unknown id".into()))?;
        let normalisation = read_normalisation(r.section("normalisation")?)?;
        let pieces = read_pieces(r.section("pieces")?)?;
        let rows: Vec<i8> = r.section("rows")?.iter().map(|&b| b as i8).collect();
        let scales: Vec<f32> = r.section("scales")?.chunks(4).map(read_f32).collect::<Option<_>>().unwrap_or_default();
        if !r.rest.is_empty() {
            return Err(bad("the table has trailing bytes after its last section".into()));
        }
        let n = pieces.len();
        if metadata.dimension == 0 || n == 0 || Some(rows.len()) != n.checked_mul(metadata.dimension) {
            return Err(bad(format!("the rows do not hold {n} pieces × dimension {}", metadata.dimension)));
        }
        if scales.len() != n || scales.iter().any(|s| !s.is_finite()) {
            return Err(bad("the scales are not one finite number per piece".into()));
        }
        if metadata.unknown as usize >= n {
            return Err(bad(format!("the unknown piece id {} is not one of the {n} pieces", metadata.unknown)));
        }
        let tokenizer = Unigram::new(pieces, metadata.unknown, normalisation);
        Ok(StaticEncoder { metadata, tokenizer, rows, scales })
    }

    /// The table's metadata.
    pub fn metadata(&self) -> &StaticTableMetadata {
        &self.metadata
    }

    /// The ids of the pieces `text` is cut into (what the sentence vector sums).
    pub fn piece_ids(&self, text: &str) -> Vec<u32> {
        self.tokenizer.tokenize(text)
    }

    /// The sentence vector of `text`: unit length, or all zeros when no piece has a row
    /// (an empty text).
    pub fn vector(&self, text: &str) -> Vec<f32> {
        let dim = self.metadata.dimension;
        let mut v = vec![0f32; dim];
        for id in self.tokenizer.tokenize(text) {
            let id = id as usize;
            let scale = self.scales[id];
            for (x, &w) in v.iter_mut().zip(&self.rows[id * dim..(id + 1) * dim]) {
                *x += scale * f32::from(w);
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

fn read_f32(b: &[u8]) -> Option<f32> {
    Some(f32::from_le_bytes(b.try_into().ok()?))
}

fn read_normalisation(bytes: &[u8]) -> Result<HashMap<char, Box<str>>> {
    let mut r = Reader::new(bytes, bad);
    let mut map = HashMap::new();
    while !r.rest.is_empty() {
        let code = r.u32("normalisation")?;
        let c = char::from_u32(code)
            .ok_or_else(|| bad(format!("the normalisation map names {code:#x}, not a character")))?;
        let n = usize::from(r.u8("normalisation")?);
        let text = std::str::from_utf8(r.take(n, "normalisation")?)
            .map_err(|_| bad(format!("the normalisation of {c:?} is not UTF-8")))?;
        map.insert(c, text.into());
    }
    Ok(map)
}

fn read_pieces(bytes: &[u8]) -> Result<Vec<(String, f32)>> {
    let mut r = Reader::new(bytes, bad);
    let mut pieces = Vec::new();
    while !r.rest.is_empty() {
        let n = usize::from(r.u8("pieces")?);
        let piece = std::str::from_utf8(r.take(n, "pieces")?)
            .map_err(|_| bad(format!("piece {} is not UTF-8", pieces.len())))?
            .to_string();
        let score = f32::from_le_bytes(r.u32("pieces")?.to_le_bytes());
        if piece.is_empty() || !score.is_finite() {
            return Err(bad(format!("piece {} is empty or has no finite score", pieces.len())));
        }
        pieces.push((piece, score));
    }
    Ok(pieces)
}

impl SentenceEncoder for StaticEncoder {
    fn dimension(&self) -> usize {
        self.metadata.dimension
    }

    fn embed(&self, text: &str) -> Result<Vec<f32>> {
        Ok(self.vector(text))
    }

    fn embed_at_hand(&self, texts: &[&str]) -> Option<Vec<Vec<f32>>> {
        Some(texts.iter().map(|t| self.vector(t)).collect())
    }

    fn tier(&self) -> Tier {
        Tier::Static
    }
}

/// A table's bytes from its parts, for tests and tools (the format of
/// [`StaticEncoder::from_bytes`]).
#[doc(hidden)]
pub fn static_table_bytes(
    metadata: &StaticTableMetadata,
    normalisation: &[(char, &str)],
    pieces: &[(&str, f32)],
    rows: &[i8],
    scales: &[f32],
) -> Vec<u8> {
    let mut body = Vec::new();
    let mut section = |bytes: &[u8]| {
        body.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        body.extend_from_slice(bytes);
    };
    section(&serde_json::to_vec(metadata).unwrap_or_default());
    let mut map = Vec::new();
    for (c, s) in normalisation {
        map.extend_from_slice(&u32::from(*c).to_le_bytes());
        map.push(s.len() as u8);
        map.extend_from_slice(s.as_bytes());
    }
    section(&map);
    let mut list = Vec::new();
    for (p, score) in pieces {
        list.push(p.len() as u8);
        list.extend_from_slice(p.as_bytes());
        list.extend_from_slice(&score.to_le_bytes());
    }
    section(&list);
    section(&rows.iter().map(|&w| w as u8).collect::<Vec<_>>());
    section(&scales.iter().flat_map(|s| s.to_le_bytes()).collect::<Vec<_>>());
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&STATIC_TABLE_VERSION.to_le_bytes());
    out.extend_from_slice(&crc32(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let metadata = StaticTableMetadata { name: "toy".into(), dimension: 2, unknown: 0 };
        let pieces = [("<unk>", 0.0), ("▁", -2.0), ("▁refund", -5.0), ("▁money", -6.0)];
        let rows = [0, 0, 10, 0, 100, 0, 0, 100];
        let scales = [0.0, 0.001, 0.01, 0.01];
        static_table_bytes(&metadata, &[('Ｒ', "r")], &pieces, &rows, &scales)
    }

    #[test]
    fn sums_the_rows_of_a_texts_pieces() {
        let table = StaticEncoder::from_bytes(&sample()).unwrap();
        assert_eq!(table.piece_ids("Ｒefund money"), vec![2, 3]);
        let v = table.vector("refund money");
        assert!((v[0] - v[1]).abs() < 1e-6 && (v[0] - 0.5f32.sqrt()).abs() < 1e-6, "{v:?}");
        assert_eq!(table.vector(""), vec![0.0, 0.0]);
        assert_eq!(table.tier(), Tier::Static);
    }

    #[test]
    fn rejects_damaged_tables_with_a_message() {
        let bytes = sample();
        for cut in [0, 7, 13, 20, bytes.len() - 1] {
            assert!(matches!(StaticEncoder::from_bytes(&bytes[..cut]), Err(Error::StaticTable(_))), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        flipped[40] ^= 1;
        assert!(matches!(StaticEncoder::from_bytes(&flipped), Err(Error::StaticTable(m)) if m.contains("damaged")));
        let mut version = bytes;
        version[8] = 9;
        assert!(matches!(StaticEncoder::from_bytes(&version), Err(Error::StaticTable(m)) if m.contains("version 9")));
        let metadata = StaticTableMetadata { name: "bad".into(), dimension: 3, unknown: 0 };
        let short = static_table_bytes(&metadata, &[], &[("<unk>", 0.0)], &[1, 2], &[1.0]);
        assert!(matches!(StaticEncoder::from_bytes(&short), Err(Error::StaticTable(m)) if m.contains("rows")));
        let metadata = StaticTableMetadata { name: "bad".into(), dimension: 1, unknown: 5 };
        let unknown = static_table_bytes(&metadata, &[], &[("<unk>", 0.0)], &[1], &[1.0]);
        assert!(matches!(StaticEncoder::from_bytes(&unknown), Err(Error::StaticTable(m)) if m.contains("unknown")));
    }
}
