//! Generic webhooks: the message as JSON (`severity`, `change`, `title` and every grouped
//! alert under `alerts`), signed with HMAC-SHA256 of the exact body
//! under the shared secret, in `X-Monitor-Signature: sha256=<hex>` (GitHub's scheme, so
//! receivers have code for it).

use super::Message;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-monitor-signature";

pub fn body(m: &Message) -> String {
    let lead = m.lead();
    serde_json::json!({
        "title": m.title(),
        "severity": lead.severity,
        "change": lead.change,
        "environment": lead.environment,
        "alerts": m.alerts,
    })
    .to_string()
}

pub fn signature(secret: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn signs_like_the_rfc_4231_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            super::signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
