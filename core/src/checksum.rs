//! The CRC-32 that saved sessions and model bundles carry, and the Luhn digit that bank
//! cards end with.

/// CRC-32 (IEEE), eight bytes at a time ("slicing by 8"): a saved session is checked at
/// every turn a server restores, and static tables and model bundles run to megabytes.
/// Public so that tools building sessions or bundles byte by byte (the fuzz targets) frame
/// them as kefu does.
pub fn crc32(bytes: &[u8]) -> u32 {
    let t = slicing_tables();
    let mut crc = !0u32;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        // The next eight bytes, the first four folded into the running CRC: each byte's
        // table says what it contributes from its distance to the end of the block.
        let low = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        let [b0, b1, b2, b3] = low.to_le_bytes();
        crc = t[7][usize::from(b0)]
            ^ t[6][usize::from(b1)]
            ^ t[5][usize::from(b2)]
            ^ t[4][usize::from(b3)]
            ^ t[3][usize::from(c[4])]
            ^ t[2][usize::from(c[5])]
            ^ t[1][usize::from(c[6])]
            ^ t[0][usize::from(c[7])];
    }
    !chunks.remainder().iter().fold(crc, |crc, &b| (crc >> 8) ^ CRC_TABLE[usize::from((crc as u8) ^ b)])
}

/// `t[0]` is [`CRC_TABLE`]; `t[k][i]` is the CRC of byte `i` followed by `k` zero bytes.
/// Built at first use (8 KiB), so the binaries carry only the one table.
fn slicing_tables() -> &'static [[u32; 256]; 8] {
    static TABLES: std::sync::OnceLock<Box<[[u32; 256]; 8]>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = Box::new([CRC_TABLE; 8]);
        for k in 1..8 {
            for i in 0..256 {
                let previous = t[k - 1][i];
                t[k][i] = (previous >> 8) ^ CRC_TABLE[(previous & 0xFF) as usize];
            }
        }
        t
    })
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// The Luhn check digit for `body`, a run of ASCII digits (`None` for anything else):
/// what a bank card number ends with. Public so that tests and fuzz targets generate valid
/// cards with the very sum kefu checks them by.
pub fn luhn_check_digit(body: &str) -> Option<u8> {
    if !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // From the right, every other digit doubled, starting with the one next to the check digit.
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match i % 2 {
                0 if d * 2 > 9 => d * 2 - 9,
                0 => d * 2,
                _ => d,
            }
        })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::{crc32, luhn_check_digit};

    #[test]
    fn luhn_digits_of_known_cards() {
        assert_eq!(luhn_check_digit("411111111111111"), Some(1));
        assert_eq!(luhn_check_digit("7992739871"), Some(3));
        assert_eq!(luhn_check_digit("12a4"), None);
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // Every length around the eight-byte blocks, against the bitwise definition.
        let bitwise = |bytes: &[u8]| {
            let mut crc = !0u32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
                }
            }
            !crc
        };
        let data: Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(crc32(&data[..len]), bitwise(&data[..len]), "{len} bytes");
        }
    }
}
