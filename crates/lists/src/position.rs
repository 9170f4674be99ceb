//! Line/column bookkeeping for streaming parsers, and a content id for
//! formats that carry no date of their own.
//!
//! Streaming parsers (quick-xml) report byte offsets; users want lines. The
//! [`Tracked`] reader sits between the caller's reader and the parser and
//! records the offset of every newline it hands on, so any offset seen so
//! far can be turned into a line and column without keeping the input.
//! Memory is 8 bytes per line (about 300 KB for the 2 MB UN list).

use std::io::{self, BufRead, Read};

/// Byte offset -> (line, column), both 1-based; the column counts bytes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Lines {
    newlines: Vec<u64>,
}

impl Lines {
    #[cfg(test)]
    pub(crate) fn of(bytes: &[u8]) -> Lines {
        let mut lines = Lines::default();
        lines.observe(0, bytes);
        lines
    }

    fn observe(&mut self, start: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                self.newlines.push(start + i as u64);
            }
        }
    }

    /// The line and column of byte `offset`. Offsets past what was observed
    /// are placed on the last line.
    pub(crate) fn locate(&self, offset: u64) -> (u64, u64) {
        let before = self.newlines.partition_point(|&nl| nl < offset);
        let line_start = if before == 0 {
            0
        } else {
            self.newlines[before - 1] + 1
        };
        (before as u64 + 1, offset - line_start + 1)
    }
}

/// FNV-1a, 64 bit: a content id for lists without a date of their own. Not
/// a security hash; it only tells versions apart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContentId(u64);

impl Default for ContentId {
    fn default() -> ContentId {
        ContentId(0xcbf2_9ce4_8422_2325)
    }
}

impl ContentId {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub(crate) fn of(bytes: &[u8]) -> ContentId {
        let mut id = ContentId::default();
        id.update(bytes);
        id
    }

    /// `fnv1a64:` followed by 16 hex digits.
    pub(crate) fn render(self) -> String {
        format!("fnv1a64:{:016x}", self.0)
    }
}

/// A `BufRead` that records newline offsets and a content id of every byte
/// the parser consumes.
#[derive(Debug)]
pub(crate) struct Tracked<R> {
    inner: R,
    pos: u64,
    pub(crate) lines: Lines,
    pub(crate) id: ContentId,
}

impl<R: BufRead> Tracked<R> {
    pub(crate) fn new(inner: R) -> Tracked<R> {
        Tracked {
            inner,
            pos: 0,
            lines: Lines::default(),
            id: ContentId::default(),
        }
    }

    fn seen(&mut self, bytes_len: usize) {
        self.pos += bytes_len as u64;
    }
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.observe(self.pos, &buf[..n]);
        self.id.update(&buf[..n]);
        self.seen(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // `fill_buf` is idempotent until `consume`, so this sees exactly the
        // bytes the parser is consuming.
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = &buf[..amt.min(buf.len())];
            self.lines.observe(self.pos, taken);
            self.id.update(taken);
        }
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_columns() {
        let lines = Lines::of(b"ab\ncd\n\nef");
        assert_eq!(lines.locate(0), (1, 1));
        assert_eq!(lines.locate(1), (1, 2));
        assert_eq!(lines.locate(3), (2, 1));
        assert_eq!(lines.locate(6), (3, 1));
        assert_eq!(lines.locate(8), (4, 2));
    }

    #[test]
    fn tracked_reader_sees_every_byte_once() {
        let data = b"line one\nline two\nthree";
        let mut t = Tracked::new(io::BufReader::with_capacity(4, &data[..]));
        let mut out = String::new();
        t.read_line(&mut out).unwrap();
        let mut rest = Vec::new();
        t.read_to_end(&mut rest).unwrap();
        assert_eq!(t.lines.locate(18), (3, 1));
        assert_eq!(t.id.render(), ContentId::of(data).render());
    }
}
