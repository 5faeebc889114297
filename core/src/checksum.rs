//! The CRC-32 that saved sessions and model bundles carry.

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

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
