//! The CRC-32 that saved sessions and model bundles carry, and the Luhn digit that bank
//! cards end with.

/// CRC-32 (IEEE), a byte at a time from a 1 KiB table built at compile time: static
/// embedding tables run to megabytes, which the bitwise loop took 0.1 s over. Public so
/// that tools building sessions or bundles byte by byte (the fuzz targets) frame them as
/// kefu does.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| (crc >> 8) ^ CRC_TABLE[usize::from((crc as u8) ^ b)])
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
    }
}
