//! Any bytes as a static embedding table: a parsed table or a typed error, never a panic
//! or a read past the end — raw, and behind a valid header (so the fuzzer reaches the
//! sections past the checksum). Then a valid table whose pieces are the input's words cuts
//! the input itself: every vector is finite and of unit length or all zeros.
#![no_main]

use kefu_core::{static_table_bytes, StaticEncoder, StaticTableMetadata, STATIC_TABLE_VERSION};

fn check(table: &StaticEncoder, text: &str) {
    let v = table.vector(text);
    let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!(v.iter().all(|x| x.is_finite()) && (norm == 0.0 || (norm - 1.0).abs() < 1e-3), "{v:?}");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut framed = b"KEFUSTAT".to_vec();
    framed.extend_from_slice(&STATIC_TABLE_VERSION.to_le_bytes());
    framed.extend_from_slice(&kefu_core::crc32(data).to_le_bytes());
    framed.extend_from_slice(data);
    for bytes in [data, &framed[..]] {
        if let Ok(table) = StaticEncoder::from_bytes(bytes) {
            check(&table, "退款 refund ＡＢＣ 😀");
        }
    }
    let text = String::from_utf8_lossy(data);
    let mut pieces = vec![("<unk>", 0.0f32)];
    pieces.extend(text.split(' ').filter(|p| !p.is_empty() && p.len() < 256).take(64).map(|p| (p, -(p.len() as f32))));
    let rows: Vec<i8> = (0..pieces.len() * 2).map(|i| (i % 7) as i8 - 3).collect();
    let metadata = StaticTableMetadata { name: "fuzz".into(), dimension: 2, unknown: 0 };
    let bytes = static_table_bytes(&metadata, &[('Ａ', "a"), ('\t', " "), ('x', "")], &pieces, &rows, &vec![0.5; pieces.len()]);
    let table = StaticEncoder::from_bytes(&bytes).expect("a table built by static_table_bytes parses");
    check(&table, &text);
});
