//! Decompression of split and merge pre-images (`ErrPKDecompressData`): the first byte holds
//! the compression scheme in bits 3-7; Xpress (scheme 3) is followed by the u16 uncompressed
//! size and the plain LZ77 stream of Microsoft's [MS-XCA] §2.4 ("LZ77 decompression": 32-bit
//! flag words, a set bit = a match of a u16 `offset/length` with the shared half-byte and
//! byte/u16/u32 length extensions). The other schemes (Xpress9, Xpress10, LZ4, 7-bit) are
//! refused.
//!
//! The scheme byte and the size field were read from the corpus pre-images (the Server 2022
//! SRUM logs: `0x18` = scheme 3, size 4096) and the result checked by re-creating the database
//! from crash images that need them (tests/recreate.rs); the LZ77 format is [MS-XCA]'s.
//!
//! Sources: docs/page-internals.md §1.7 (pre-images), §8 item 11 (compression not read there);
//! [MS-XCA] §2.3-2.4.

/// `COMPRESS_XPRESS`: the scheme number in bits 3-7 of the first byte.
pub const SCHEME_XPRESS: u8 = 3;

/// Why a pre-image cannot be decompressed.
pub type Error = String;

/// Decompresses an ESE-compressed buffer to at most `limit` bytes.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    let first = *data.first().ok_or("an empty compressed buffer")?;
    let scheme = first >> 3;
    if scheme != SCHEME_XPRESS {
        return Err(format!(
            "compression scheme {scheme} (first byte {first:#04x}): only Xpress (3) is implemented; Xpress9 (5), Xpress10 (6), LZ4 (7) and the 7-bit schemes are not"
        ));
    }
    let size = match data.get(1..3) {
        Some([a, b]) => usize::from(u16::from_le_bytes([*a, *b])),
        _ => return Err("the Xpress header lacks its size field".into()),
    };
    if size > limit {
        return Err(format!("the uncompressed size {size} exceeds the page size {limit}"));
    }
    let out = lz77(data.get(3..).unwrap_or_default(), size)?;
    if out.len() != size {
        return Err(format!("the Xpress stream gives {} bytes, the header says {size}", out.len()));
    }
    Ok(out)
}

struct Input<'a> {
    b: &'a [u8],
    at: usize,
}

impl Input<'_> {
    fn done(&self) -> bool {
        self.at >= self.b.len()
    }
    fn u8(&mut self) -> Result<u8, Error> {
        let v = *self.b.get(self.at).ok_or_else(|| format!("the stream ends at byte {}", self.at))?;
        self.at += 1;
        Ok(v)
    }
    fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from(self.u8()?) | (u16::from(self.u8()?) << 8))
    }
    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from(self.u16()?) | (u32::from(self.u16()?) << 16))
    }
}

/// [MS-XCA] §2.4 plain LZ77, output bounded by `limit`.
fn lz77(input: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    let mut inp = Input { b: input, at: 0 };
    let mut out: Vec<u8> = Vec::with_capacity(limit);
    let (mut flags, mut nflags) = (0u32, 0u32);
    let mut half: Option<usize> = None;
    while out.len() < limit {
        if nflags == 0 {
            if inp.done() {
                break;
            }
            flags = inp.u32()?;
            nflags = 32;
        }
        nflags -= 1;
        if flags & (1 << nflags) == 0 {
            if inp.done() {
                break;
            }
            out.push(inp.u8()?);
            continue;
        }
        if inp.done() {
            break;
        }
        let m = inp.u16()?;
        let offset = usize::from(m / 8) + 1;
        let mut len = usize::from(m % 8);
        if len == 7 {
            len = match half.take() {
                None => {
                    half = Some(inp.at);
                    usize::from(inp.u8()? % 16)
                }
                Some(at) => usize::from(input.get(at).copied().unwrap_or(0) / 16),
            };
            if len == 15 {
                len = usize::from(inp.u8()?);
                if len == 255 {
                    len = usize::from(inp.u16()?);
                    if len == 0 {
                        len = inp.u32()? as usize;
                    }
                    len = len.checked_sub(15 + 7).ok_or("a match length below 22 in its long form")?;
                }
                len += 15;
            }
            len += 7;
        }
        len += 3;
        if offset > out.len() {
            return Err(format!("a match {offset} bytes back at output byte {}", out.len()));
        }
        if out.len() + len > limit {
            return Err(format!("a match runs past the uncompressed size {limit}"));
        }
        let from = out.len() - offset;
        for i in 0..len {
            let b = out.get(from + i).copied().unwrap_or(0);
            out.push(b);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_an_overlapping_match() {
        // Flags: bit 31..29 literals 'a','b','c', bit 28 a match (offset 3, length 3+3 = 6).
        let flags: u32 = 0b0001 << 28;
        let mut s = vec![0x18, 9, 0];
        s.extend_from_slice(&flags.to_le_bytes());
        s.extend_from_slice(b"abc");
        s.extend_from_slice(&(((3 - 1) << 3) | 3u16).to_le_bytes());
        assert_eq!(decompress(&s, 4096).unwrap(), b"abcabcabc");
    }

    #[test]
    fn other_schemes_and_bad_streams_are_refused() {
        assert!(decompress(&[0x38, 0, 0x10], 4096).unwrap_err().contains("scheme 7"));
        assert!(decompress(&[0x18, 0, 0x20], 4096).is_err(), "larger than a page");
        // A match before any output.
        let mut s = vec![0x18, 4, 0];
        s.extend_from_slice(&(1u32 << 31).to_le_bytes());
        s.extend_from_slice(&0u16.to_le_bytes());
        assert!(decompress(&s, 4096).is_err());
    }
}
