//! Byte-at-a-time LEB128 `u32` decoding, for fields that may be split across
//! fed chunks (section sizes, counts, body and data lengths, custom-section
//! name lengths).

/// An unsigned LEB128 `u32` being assembled one byte at a time.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LebU32 {
    value: u32,
    len: u8,
}

impl LebU32 {
    /// Adds the next byte. Returns the value once its last byte has arrived,
    /// or the same messages wasmparser gives for a malformed integer.
    pub(crate) fn push(&mut self, byte: u8) -> Result<Option<u32>, &'static str> {
        let payload = u32::from(byte & 0x7f);
        if self.len == 4 {
            // The fifth byte holds the top 4 bits and must end the number.
            if byte & 0x80 != 0 {
                return Err("invalid var_u32: integer representation too long");
            }
            if byte & 0x70 != 0 {
                return Err("invalid var_u32: integer too large");
            }
        }
        self.value |= payload << (7 * u32::from(self.len));
        self.len += 1;
        if byte & 0x80 == 0 {
            Ok(Some(self.value))
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<Option<u32>, &'static str> {
        let mut leb = LebU32::default();
        let mut last = Ok(None);
        for &b in bytes {
            last = leb.push(b);
            if !matches!(last, Ok(None)) {
                break;
            }
        }
        last
    }

    #[test]
    fn decodes_boundaries() {
        assert_eq!(decode(&[0x00]), Ok(Some(0)));
        assert_eq!(decode(&[0x7f]), Ok(Some(127)));
        assert_eq!(decode(&[0x80, 0x01]), Ok(Some(128)));
        assert_eq!(decode(&[0x80, 0x80, 0x00]), Ok(Some(0)));
        assert_eq!(decode(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Ok(Some(u32::MAX)));
        assert_eq!(decode(&[0xe5, 0x8e, 0x26]), Ok(Some(624_485)));
        assert_eq!(decode(&[0xe5, 0x8e]), Ok(None));
    }

    #[test]
    fn rejects_overlong_and_too_large() {
        assert!(decode(&[0xff, 0xff, 0xff, 0xff, 0x8f]).is_err());
        assert!(decode(&[0xff, 0xff, 0xff, 0xff, 0x1f]).is_err());
    }
}
