//! Go's `http.DetectContentType`, which Helm's `ensureArchive` uses to name what a file given as a
//! chart archive looks like instead (`file 'x' does not appear to be a gzipped archive; got '…'`).
//!
//! Helm sniffs a zeroed 512-byte buffer after one `Read` of the file, so a file shorter than that is
//! followed by zero bytes: a short text file is `application/octet-stream`, an empty one too
//! ([`archive_head`] builds that buffer). The signature table is the one of Go 1.23 (the Go that
//! built helm v3.17.3), checked in the table's order; the first that matches names the type.

/// How many bytes Go's sniffer looks at.
pub const SNIFF_LEN: usize = 512;

/// The buffer Helm's `ensureArchive` sniffs: the file's first 512 bytes, zero-padded to 512.
pub fn archive_head(bytes: &[u8]) -> [u8; SNIFF_LEN] {
    let mut head = [0u8; SNIFF_LEN];
    let n = bytes.len().min(SNIFF_LEN);
    head[..n].copy_from_slice(&bytes[..n]);
    head
}

/// The MIME type Go's `http.DetectContentType` gives `data`.
pub fn detect_content_type(data: &[u8]) -> &'static str {
    let data = &data[..data.len().min(SNIFF_LEN)];
    let first_non_ws = data
        .iter()
        .position(|&b| !is_whitespace(b))
        .unwrap_or(data.len());
    SIGNATURES
        .iter()
        .find_map(|signature| signature.matches(data, first_non_ws))
        .unwrap_or("application/octet-stream")
}

/// One row of the sniffing table.
enum Signature {
    /// An HTML tag at the first non-space byte, letters compared without case, followed by a space
    /// or `>`.
    Html(&'static [u8]),
    /// `data & mask == pattern` byte by byte, from the start or from the first non-space byte.
    Masked {
        mask: &'static [u8],
        pattern: &'static [u8],
        skip_whitespace: bool,
        content_type: &'static str,
    },
    /// `data` starts with the bytes.
    Prefix(&'static [u8], &'static str),
    /// An ISO base media file whose `ftyp` box names an `mp4` brand.
    Mp4,
    /// No byte of a binary control code after the leading spaces.
    Text,
}

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// `RIFF????<fourcc>`: the mask for a RIFF container's type.
const RIFF_MASK: &[u8] = b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF";

const SIGNATURES: &[Signature] = &[
    Signature::Html(b"<!DOCTYPE HTML"),
    Signature::Html(b"<HTML"),
    Signature::Html(b"<HEAD"),
    Signature::Html(b"<SCRIPT"),
    Signature::Html(b"<IFRAME"),
    Signature::Html(b"<H1"),
    Signature::Html(b"<DIV"),
    Signature::Html(b"<FONT"),
    Signature::Html(b"<TABLE"),
    Signature::Html(b"<A"),
    Signature::Html(b"<STYLE"),
    Signature::Html(b"<TITLE"),
    Signature::Html(b"<B"),
    Signature::Html(b"<BODY"),
    Signature::Html(b"<BR"),
    Signature::Html(b"<P"),
    Signature::Html(b"<!--"),
    Signature::Masked {
        mask: b"\xFF\xFF\xFF\xFF\xFF",
        pattern: b"<?xml",
        skip_whitespace: true,
        content_type: "text/xml; charset=utf-8",
    },
    Signature::Prefix(b"%PDF-", "application/pdf"),
    Signature::Prefix(b"%!PS-Adobe-", "application/postscript"),
    // Byte order marks.
    Signature::Masked {
        mask: b"\xFF\xFF\x00\x00",
        pattern: b"\xFE\xFF\x00\x00",
        skip_whitespace: false,
        content_type: "text/plain; charset=utf-16be",
    },
    Signature::Masked {
        mask: b"\xFF\xFF\x00\x00",
        pattern: b"\xFF\xFE\x00\x00",
        skip_whitespace: false,
        content_type: "text/plain; charset=utf-16le",
    },
    Signature::Masked {
        mask: b"\xFF\xFF\xFF\x00",
        pattern: b"\xEF\xBB\xBF\x00",
        skip_whitespace: false,
        content_type: TEXT,
    },
    // Images.
    Signature::Prefix(b"\x00\x00\x01\x00", "image/x-icon"),
    Signature::Prefix(b"\x00\x00\x02\x00", "image/x-icon"),
    Signature::Prefix(b"BM", "image/bmp"),
    Signature::Prefix(b"GIF87a", "image/gif"),
    Signature::Prefix(b"GIF89a", "image/gif"),
    Signature::Masked {
        mask: b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF",
        pattern: b"RIFF\x00\x00\x00\x00WEBPVP",
        skip_whitespace: false,
        content_type: "image/webp",
    },
    Signature::Prefix(b"\x89PNG\x0D\x0A\x1A\x0A", "image/png"),
    Signature::Prefix(b"\xFF\xD8\xFF", "image/jpeg"),
    // Audio and video.
    Signature::Masked {
        mask: RIFF_MASK,
        pattern: b"FORM\x00\x00\x00\x00AIFF",
        skip_whitespace: false,
        content_type: "audio/aiff",
    },
    Signature::Masked {
        mask: b"\xFF\xFF\xFF",
        pattern: b"ID3",
        skip_whitespace: false,
        content_type: "audio/mpeg",
    },
    Signature::Masked {
        mask: b"\xFF\xFF\xFF\xFF\xFF",
        pattern: b"OggS\x00",
        skip_whitespace: false,
        content_type: "application/ogg",
    },
    Signature::Masked {
        mask: b"\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF",
        pattern: b"MThd\x00\x00\x00\x06",
        skip_whitespace: false,
        content_type: "audio/midi",
    },
    Signature::Masked {
        mask: RIFF_MASK,
        pattern: b"RIFF\x00\x00\x00\x00AVI ",
        skip_whitespace: false,
        content_type: "video/avi",
    },
    Signature::Masked {
        mask: RIFF_MASK,
        pattern: b"RIFF\x00\x00\x00\x00WAVE",
        skip_whitespace: false,
        content_type: "audio/wave",
    },
    Signature::Mp4,
    Signature::Prefix(b"\x1A\x45\xDF\xA3", "video/webm"),
    // Fonts: an Embedded OpenType font has "LP" at offset 34.
    Signature::Masked {
        mask: &EOT_MASK,
        pattern: &EOT_PATTERN,
        skip_whitespace: false,
        content_type: "application/vnd.ms-fontobject",
    },
    Signature::Prefix(b"\x00\x01\x00\x00", "font/ttf"),
    Signature::Prefix(b"OTTO", "font/otf"),
    Signature::Prefix(b"ttcf", "font/collection"),
    Signature::Prefix(b"wOFF", "font/woff"),
    Signature::Prefix(b"wOF2", "font/woff2"),
    // Archives.
    Signature::Prefix(b"\x1F\x8B\x08", "application/x-gzip"),
    Signature::Prefix(b"PK\x03\x04", "application/zip"),
    Signature::Prefix(b"Rar!\x1A\x07\x00", "application/x-rar-compressed"),
    Signature::Prefix(b"Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
    Signature::Prefix(b"\x00\x61\x73\x6D", "application/wasm"),
    Signature::Text,
];

const EOT_MASK: [u8; 36] = eot(0xFF);
const EOT_PATTERN: [u8; 36] = {
    let mut pattern = eot(0);
    pattern[34] = b'L';
    pattern[35] = b'P';
    pattern
};

/// 34 zero bytes, then two bytes of `last`.
const fn eot(last: u8) -> [u8; 36] {
    let mut bytes = [0u8; 36];
    bytes[34] = last;
    bytes[35] = last;
    bytes
}

impl Signature {
    fn matches(&self, data: &[u8], first_non_ws: usize) -> Option<&'static str> {
        let matched = match self {
            Signature::Html(tag) => {
                let data = &data[first_non_ws..];
                data.len() > tag.len()
                    && tag.iter().zip(data).all(|(&t, &d)| {
                        let d = if t.is_ascii_uppercase() { d & 0xDF } else { d };
                        t == d
                    })
                    && matches!(data[tag.len()], b' ' | b'>')
            }
            Signature::Masked {
                mask,
                pattern,
                skip_whitespace,
                ..
            } => {
                let data = if *skip_whitespace {
                    &data[first_non_ws..]
                } else {
                    data
                };
                data.len() >= pattern.len()
                    && pattern
                        .iter()
                        .zip(mask.iter())
                        .zip(data)
                        .all(|((&p, &m), &d)| d & m == p)
            }
            Signature::Prefix(prefix, _) => data.starts_with(prefix),
            Signature::Mp4 => is_mp4(data),
            Signature::Text => !data[first_non_ws..].iter().any(|&b| is_binary(b)),
        };
        matched.then_some(match self {
            Signature::Html(_) => HTML,
            Signature::Masked { content_type, .. } | Signature::Prefix(_, content_type) => {
                content_type
            }
            Signature::Mp4 => "video/mp4",
            Signature::Text => TEXT,
        })
    }
}

/// An `ftyp` box (its size a multiple of 4, within the data) listing a brand that starts `mp4`;
/// the word at offset 12 (the minor version) is not a brand.
fn is_mp4(data: &[u8]) -> bool {
    if data.len() < 12 {
        return false;
    }
    let box_size = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
    if data.len() < box_size || box_size % 4 != 0 || &data[4..8] != b"ftyp" {
        return false;
    }
    (8..box_size)
        .step_by(4)
        .filter(|&start| start != 12)
        .any(|start| data.get(start..start + 3) == Some(b"mp4".as_slice()))
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// The control codes that make data binary: all below 0x20 except tab, newline, form feed,
/// carriage return and escape.
fn is_binary(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff_file(bytes: &[u8]) -> &'static str {
        detect_content_type(&archive_head(bytes))
    }

    #[test]
    fn short_files_are_padded_with_zeros_as_helm_reads_them() {
        assert_eq!(sniff_file(b""), "application/octet-stream");
        assert_eq!(sniff_file(b"hello\n"), "application/octet-stream");
        assert_eq!(sniff_file(&[b'a'; 600]), TEXT);
        assert_eq!(sniff_file(&[b'a'; 512]), TEXT);
        assert_eq!(sniff_file(&[b'a'; 511]), "application/octet-stream");
    }

    #[test]
    fn html_and_xml_after_leading_spaces() {
        assert_eq!(sniff_file(b"<html>"), HTML);
        assert_eq!(sniff_file(b"\n  <HtMl lang=en>"), HTML);
        assert_eq!(sniff_file(b"<!-- x"), HTML);
        // A tag must end with a space or `>`.
        assert_eq!(detect_content_type(b"<htmlx>"), TEXT);
        assert_eq!(sniff_file(b" <?xml version"), "text/xml; charset=utf-8");
    }

    #[test]
    fn binary_signatures() {
        assert_eq!(sniff_file(b"PK\x03\x04rest"), "application/zip");
        assert_eq!(sniff_file(b"\x1F\x8B\x08"), "application/x-gzip");
        assert_eq!(sniff_file(b"%PDF-1.7"), "application/pdf");
        assert_eq!(sniff_file(b"\x89PNG\x0D\x0A\x1A\x0A"), "image/png");
        assert_eq!(sniff_file(b"RIFF\x01\x02\x03\x04WAVEfmt "), "audio/wave");
        assert_eq!(sniff_file(b"\xEF\xBB\xBFname: x"), TEXT);
        assert_eq!(
            sniff_file(b"\xFF\xFE\x00\x00"),
            "text/plain; charset=utf-16le"
        );
        let mut eot = [0u8; 40];
        eot[34] = b'L';
        eot[35] = b'P';
        eot[0] = 7;
        assert_eq!(sniff_file(&eot), "application/vnd.ms-fontobject");
        assert_eq!(
            sniff_file(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00mp42isom"),
            "video/mp4"
        );
    }

    #[test]
    fn text_allows_escape_and_form_feed_but_not_other_controls() {
        let mut text = vec![b'a'; 512];
        text[10] = 0x1B;
        text[11] = 0x0C;
        assert_eq!(detect_content_type(&text), TEXT);
        text[12] = 0x01;
        assert_eq!(detect_content_type(&text), "application/octet-stream");
    }
}
