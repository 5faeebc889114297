//! The CRC-32 that saved sessions and model bundles carry, and the Luhn digit that bank
//! cards end with.

/// CRC-32 (IEEE), bitwise: the checked payloads are small or read once, and this keeps a
/// table out of the binary. Public so that tools building sessions or bundles byte by byte
/// (the fuzz targets) frame them as kefu does.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

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
