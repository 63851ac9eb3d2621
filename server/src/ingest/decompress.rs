//! `Content-Encoding` gzip, deflate (zlib or raw) and br, decoded with a hard cap on the
//! decoded size: a compression bomb stops at the cap and is refused, never expanded.

use std::io::Read;

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// 413
    #[error("decompressed body is larger than {0} bytes")]
    TooLarge(usize),
    /// 415
    #[error("unsupported Content-Encoding {0:?}; use gzip, deflate or br")]
    Unsupported(String),
    /// 400
    #[error("body is not valid {0}")]
    Corrupt(&'static str),
}

fn read_capped(mut r: impl Read, limit: usize, name: &'static str) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    r.by_ref()
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| DecodeError::Corrupt(name))?;
    if out.len() > limit {
        return Err(DecodeError::TooLarge(limit));
    }
    Ok(out)
}

/// Decodes `body` per its `Content-Encoding` (none or `identity` passes through).
pub fn decode(encoding: Option<&str>, body: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let enc = encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match enc.as_str() {
        "" | "identity" => {
            if body.len() > limit {
                return Err(DecodeError::TooLarge(limit));
            }
            Ok(body.to_vec())
        }
        "gzip" | "x-gzip" => read_capped(flate2::read::GzDecoder::new(body), limit, "gzip"),
        // HTTP's "deflate" is zlib-wrapped, but some clients send raw deflate.
        "deflate" => {
            read_capped(flate2::read::ZlibDecoder::new(body), limit, "deflate").or_else(|e| match e
            {
                DecodeError::Corrupt(_) => {
                    read_capped(flate2::read::DeflateDecoder::new(body), limit, "deflate")
                }
                other => Err(other),
            })
        }
        "br" => read_capped(brotli::Decompressor::new(body, 4096), limit, "brotli"),
        other => Err(DecodeError::Unsupported(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn decodes_each_encoding() {
        let data = b"{\"message\":\"hello\"}".repeat(10);
        assert_eq!(decode(Some("gzip"), &gzip(&data), 1000).unwrap(), data);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&data).unwrap();
        assert_eq!(
            decode(Some("deflate"), &z.finish().unwrap(), 1000).unwrap(),
            data
        );
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&data).unwrap();
        assert_eq!(
            decode(Some("deflate"), &raw.finish().unwrap(), 1000).unwrap(),
            data
        );
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 9, 22)
            .write_all(&data)
            .unwrap();
        assert_eq!(decode(Some("br"), &br, 1000).unwrap(), data);
        assert_eq!(decode(None, &data, 1000).unwrap(), data);
    }

    #[test]
    fn a_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![0u8; 50 * 1024 * 1024]);
        assert!(
            bomb.len() < 100 * 1024,
            "50 MB of zeros compress to {} bytes",
            bomb.len()
        );
        assert_eq!(
            decode(Some("gzip"), &bomb, 1024 * 1024),
            Err(DecodeError::TooLarge(1024 * 1024))
        );
    }

    #[test]
    fn refuses_unknown_or_corrupt_input() {
        assert_eq!(
            decode(Some("zstd"), b"x", 10),
            Err(DecodeError::Unsupported("zstd".into()))
        );
        assert_eq!(
            decode(Some("gzip"), b"not gzip", 10),
            Err(DecodeError::Corrupt("gzip"))
        );
        assert_eq!(
            decode(None, b"0123456789ab", 10),
            Err(DecodeError::TooLarge(10))
        );
    }
}
