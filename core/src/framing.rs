//! Reading the length-prefixed sections of kefu's binary files (model bundles, static
//! embedding tables) without ever indexing past the end: a short file is an error that
//! names the section, never a panic.

use crate::error::Error;

/// A cursor over a file's bytes; `fail` turns a message into the file kind's error.
pub(crate) struct Reader<'a> {
    pub(crate) rest: &'a [u8],
    fail: fn(String) -> Error,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], fail: fn(String) -> Error) -> Reader<'a> {
        Reader { rest: bytes, fail }
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Error> {
        if n > self.rest.len() {
            return Err((self.fail)(format!(
                "the {what} section is cut short ({n} bytes announced, {} left)",
                self.rest.len()
            )));
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, Error> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, Error> {
        Ok(self.take(1, what)?[0])
    }

    /// A section: a u64 length, then that many bytes.
    pub(crate) fn section(&mut self, what: &str) -> Result<&'a [u8], Error> {
        let n =
            usize::try_from(self.u64(what)?).map_err(|_| (self.fail)(format!("the {what} section is too large")))?;
        self.take(n, what)
    }
}

/// A file as model bundles and compiled bots are written: `magic`, `version` (u16), the
/// CRC-32 of the rest (u32), then each section prefixed with its length (u64).
pub(crate) fn write(magic: &[u8; 8], version: u16, sections: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::with_capacity(sections.iter().map(|s| 8 + s.len()).sum());
    for s in sections {
        body.extend_from_slice(&(s.len() as u64).to_le_bytes());
        body.extend_from_slice(s);
    }
    let mut out = Vec::with_capacity(14 + body.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&crate::checksum::crc32(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}
