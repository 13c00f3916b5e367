//! Migration checksums (SHA-384 of the file's bytes, as sqlx computes them) and a best guess
//! at why an applied migration's checksum no longer matches its file.
//!
//! Only the old checksum is stored, never the old text, so the guess works backwards: it
//! rewrites the current file in the ways editors and git commonly do (line endings, a byte
//! order mark, trailing whitespace, the final newline) and checks whether one of the
//! rewrites hashes to the stored checksum.

use std::fmt;

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha384};

/// A SHA-384 digest, shown as lowercase hex.
#[derive(Clone, PartialEq, Eq)]
pub struct Checksum(Vec<u8>);

impl Checksum {
    /// The checksum sqlx stores for a file with these bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha384::digest(bytes).to_vec())
    }

    /// A checksum as read from a history table.
    pub fn from_stored(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_hex())
    }
}

impl Serialize for Checksum {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

/// Why a file's checksum differs from the one recorded when it was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumDifference {
    /// Only the line endings changed (CRLF ↔ LF).
    LineEndings,
    /// Only a UTF-8 byte order mark was added or removed.
    ByteOrderMark,
    /// Only trailing whitespace or the final newline changed.
    Whitespace,
    /// The SQL itself changed (or a change none of the above explains).
    Content,
}

impl fmt::Display for ChecksumDifference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::LineEndings => "only line endings changed (CRLF/LF)",
            Self::ByteOrderMark => "only a byte order mark (BOM) was added or removed",
            Self::Whitespace => "only trailing whitespace or the final newline changed",
            Self::Content => "the content changed",
        })
    }
}

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Explains why `current` (the file's bytes today) no longer hashes to the applied
/// checksum; `matches` tells whether some bytes hash to it.
pub fn explain_difference(current: &[u8], matches: impl Fn(&[u8]) -> bool) -> ChecksumDifference {
    let without_bom = current.strip_prefix(BYTE_ORDER_MARK).unwrap_or(current);
    let with_bom = [BYTE_ORDER_MARK, without_bom].concat();
    let bom_variants = [without_bom.to_vec(), with_bom];
    if bom_variants.iter().any(|variant| matches(variant)) {
        return ChecksumDifference::ByteOrderMark;
    }

    let line_ending_variants: Vec<Vec<u8>> = bom_variants
        .iter()
        .flat_map(|variant| {
            let lf = to_lf(variant);
            let crlf = to_crlf(&lf);
            [lf, crlf]
        })
        .collect();
    if line_ending_variants.iter().any(|variant| matches(variant)) {
        return ChecksumDifference::LineEndings;
    }

    let whitespace_variants = line_ending_variants.iter().flat_map(|variant| {
        let trimmed_lines = trim_line_ends(variant);
        let trimmed_file = variant.trim_ascii_end().to_vec();
        let with_newline = [trimmed_file.as_slice(), b"\n"].concat();
        let with_crlf = [trimmed_file.as_slice(), b"\r\n"].concat();
        let trimmed_lines_newline = [trimmed_lines.trim_ascii_end(), b"\n"].concat();
        [
            trimmed_lines,
            trimmed_file,
            with_newline,
            with_crlf,
            trimmed_lines_newline,
        ]
    });
    for variant in whitespace_variants {
        if matches(&variant) {
            return ChecksumDifference::Whitespace;
        }
    }
    ChecksumDifference::Content
}

fn to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'\r' && bytes.get(index + 1) == Some(&b'\n') {
            index += 1;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    out
}

fn to_crlf(lf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lf.len() + lf.len() / 16);
    for &byte in lf {
        if byte == b'\n' {
            out.push(b'\r');
        }
        out.push(byte);
    }
    out
}

/// Removes spaces and tabs before every line end and at the end of the file.
fn trim_line_ends(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|&byte| byte == b'\n') {
        let (body, ending): (&[u8], &[u8]) = if let Some(body) = line.strip_suffix(b"\r\n") {
            (body, b"\r\n")
        } else if let Some(body) = line.strip_suffix(b"\n") {
            (body, b"\n")
        } else {
            (line, b"")
        };
        let end = body
            .iter()
            .rposition(|&byte| byte != b' ' && byte != b'\t')
            .map_or(0, |position| position + 1);
        out.extend_from_slice(&body[..end]);
        out.extend_from_slice(ending);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(old: &str, new: &[u8]) -> ChecksumDifference {
        let applied = Checksum::of(old.as_bytes());
        explain_difference(new, |candidate| Checksum::of(candidate) == applied)
    }

    #[test]
    fn hex_is_lowercase_sha384() {
        let checksum = Checksum::of(b"");
        assert_eq!(checksum.as_bytes().len(), 48);
        assert!(checksum.to_hex().starts_with("38b060a751ac9638"));
    }

    #[test]
    fn recognises_line_ending_changes_both_ways() {
        let old = "CREATE TABLE a (id INT);\nSELECT 1;\n";
        assert_eq!(
            reason(old, b"CREATE TABLE a (id INT);\r\nSELECT 1;\r\n"),
            ChecksumDifference::LineEndings
        );
        let old_crlf = "SELECT 1;\r\nSELECT 2;\r\n";
        assert_eq!(
            reason(old_crlf, b"SELECT 1;\nSELECT 2;\n"),
            ChecksumDifference::LineEndings
        );
    }

    #[test]
    fn recognises_a_byte_order_mark() {
        assert_eq!(
            reason("SELECT 1;\n", b"\xEF\xBB\xBFSELECT 1;\n"),
            ChecksumDifference::ByteOrderMark
        );
        assert_eq!(
            reason("\u{feff}SELECT 1;\n", b"SELECT 1;\n"),
            ChecksumDifference::ByteOrderMark
        );
    }

    #[test]
    fn recognises_whitespace_only_changes() {
        assert_eq!(
            reason("SELECT 1;\n", b"SELECT 1;   \n"),
            ChecksumDifference::Whitespace
        );
        assert_eq!(
            reason("SELECT 1;\n", b"SELECT 1;"),
            ChecksumDifference::Whitespace
        );
        assert_eq!(
            reason("SELECT 1;", b"SELECT 1;\n\n"),
            ChecksumDifference::Whitespace
        );
    }

    #[test]
    fn anything_else_is_a_content_change() {
        assert_eq!(
            reason("SELECT 1;\n", b"SELECT 2;\n"),
            ChecksumDifference::Content
        );
    }
}
