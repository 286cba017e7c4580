//! Raw input: reading files, recognising gzip by its magic bytes, and dropping a byte order mark.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use crate::error::LoadError;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a whole file, naming it in the error.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// True when the bytes start like a gzip stream (whatever the file is called).
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// The text bytes of a file: gunzipped when it is gzip, without a UTF-8 byte order mark.
/// The whole stream is decoded before anything is parsed, so a truncated download is refused
/// as such rather than as a half-imported catalog.
pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, LoadError> {
    let text = if is_gzip(bytes) {
        let mut out = Vec::with_capacity(bytes.len() * 4);
        // MultiGzDecoder: `cat a.gz b.gz` is a valid gzip file too.
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| LoadError::Gzip {
                file: file.to_string(),
                what: if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    "truncated"
                } else {
                    "corrupt"
                },
                detail: e.to_string(),
            })?;
        Cow::Owned(out)
    } else {
        Cow::Borrowed(bytes)
    };
    Ok(match text {
        Cow::Borrowed(b) => Cow::Borrowed(b.strip_prefix(UTF8_BOM).unwrap_or(b)),
        Cow::Owned(mut v) => {
            if v.starts_with(UTF8_BOM) {
                v.drain(..UTF8_BOM.len());
            }
            Cow::Owned(v)
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn plain_text_passes_through_without_bom() {
        assert_eq!(&*decode("a", b"\xEF\xBB\xBFid\n1\n").unwrap(), b"id\n1\n");
        assert_eq!(&*decode("a", b"id\n").unwrap(), b"id\n");
    }

    #[test]
    fn gzip_is_detected_by_magic_bytes() {
        let gz = gzip(b"\xEF\xBB\xBFid\n1\n");
        assert!(is_gzip(&gz));
        assert_eq!(&*decode("songs.csv", &gz).unwrap(), b"id\n1\n");
    }

    #[test]
    fn truncated_gzip_is_refused() {
        let data: Vec<u8> = (0..20_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let gz = gzip(&data);
        let err = decode("songs.csv.gz", &gz[..gz.len() / 2]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("songs.csv.gz: the gzip data is truncated"),
            "{msg}"
        );
    }
}
