//! Random secrets (session tokens, API tokens, public keys) and the hash under which
//! secrets are stored.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that makes API tokens recognisable in logs and secret scanners.
pub const API_TOKEN_PREFIX: &str = "rosm_";

/// `bytes` random bytes from the OS generator, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// SHA-256 of a token, hex: what the database stores instead of the token. Tokens are
/// 256-bit random, so a fast hash is enough (no dictionary to attack).
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_hex(32))
}

/// What the dashboard shows of a token: the prefix and a few characters.
pub fn display_prefix(token: &str) -> String {
    token.chars().take(API_TOKEN_PREFIX.len() + 6).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_api_token(), new_api_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), API_TOKEN_PREFIX.len() + 64);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert!(!hash(&a).contains(&a[API_TOKEN_PREFIX.len()..]));
        assert_eq!(display_prefix(&a).len(), API_TOKEN_PREFIX.len() + 6);
    }
}
