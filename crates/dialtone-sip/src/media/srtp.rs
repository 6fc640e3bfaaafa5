//! SRTP keyed by SDES (RFC 4568): the `a=crypto` attribute, and one `rtc-srtp`
//! context per direction (our key to send, the far end's to receive).
//!
//! A key is secret: [`KeyMaterial`]'s `Debug` prints nothing of it, and no error
//! message includes it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rtc_srtp::context::Context;
use rtc_srtp::protection_profile::ProtectionProfile;

use crate::error::{Error, Result};

/// The crypto suites we speak (both AES-CM with HMAC-SHA1, RFC 4568 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    Aes128Sha1_80,
    Aes128Sha1_32,
    /// Anything else, kept so we can say we do not have it.
    Other,
}

impl Suite {
    fn name(self) -> &'static str {
        match self {
            Suite::Aes128Sha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Suite::Aes128Sha1_32 => "AES_CM_128_HMAC_SHA1_32",
            Suite::Other => "UNKNOWN",
        }
    }

    pub fn is_supported(self) -> bool {
        self != Suite::Other
    }

    fn profile(self) -> ProtectionProfile {
        match self {
            Suite::Aes128Sha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
            _ => ProtectionProfile::Aes128CmHmacSha1_80,
        }
    }
}

/// 16 bytes of master key and 14 of master salt.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMaterial(pub(crate) [u8; 30]);

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyMaterial(..)")
    }
}

impl KeyMaterial {
    pub fn generate() -> KeyMaterial {
        KeyMaterial(rand::random())
    }
}

/// One `a=crypto:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoAttribute {
    pub tag: u32,
    pub suite: Suite,
    pub key: KeyMaterial,
}

impl CryptoAttribute {
    pub fn new(tag: u32, suite: Suite, key: KeyMaterial) -> Self {
        CryptoAttribute { tag, suite, key }
    }

    /// The attribute's value, after `a=crypto:`.
    pub fn to_sdp(&self) -> String {
        format!("{} {} inline:{}", self.tag, self.suite.name(), STANDARD.encode(self.key.0))
    }

    /// Reads `1 AES_CM_128_HMAC_SHA1_80 inline:<base64>[|lifetime][|MKI:len] [params]`.
    pub fn parse(value: &str) -> Result<CryptoAttribute> {
        let bad = |why: &str| Error::Sdp(format!("An SRTP key line could not be used: {why}."));
        let mut words = value.split_whitespace();
        let tag = words.next().and_then(|t| t.parse::<u32>().ok()).ok_or_else(|| bad("no tag"))?;
        let suite = match words.next().ok_or_else(|| bad("no suite"))? {
            "AES_CM_128_HMAC_SHA1_80" => Suite::Aes128Sha1_80,
            "AES_CM_128_HMAC_SHA1_32" => Suite::Aes128Sha1_32,
            _ => Suite::Other,
        };
        let params = words.next().ok_or_else(|| bad("no key"))?;
        let inline = params.strip_prefix("inline:").ok_or_else(|| bad("the key is not inline"))?;
        // Lifetime and MKI follow '|'; we use the master key for the whole call.
        let encoded = inline.split('|').next().unwrap_or_default();
        let decoded = STANDARD.decode(encoded).map_err(|_| bad("the key is not base64"))?;
        let key: [u8; 30] = decoded.try_into().map_err(|_| bad("the key is not 30 bytes"))?;
        Ok(CryptoAttribute { tag, suite, key: KeyMaterial(key) })
    }
}

/// Encrypts what we send and decrypts what we receive.
pub struct SrtpSession {
    send: Context,
    receive: Context,
}

impl std::fmt::Debug for SrtpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrtpSession(..)")
    }
}

impl SrtpSession {
    pub fn new(ours: &CryptoAttribute, theirs: &CryptoAttribute) -> Result<Self> {
        Ok(SrtpSession { send: context(ours)?, receive: context(theirs)? })
    }

    pub fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>> {
        self.send.encrypt_rtp(packet).map(|b| b.to_vec()).map_err(|e| Error::Media(format!("SRTP failed: {e}")))
    }

    /// Fails for a packet that was not encrypted with the far end's key (or replayed).
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>> {
        self.receive.decrypt_rtp(packet).map(|b| b.to_vec()).map_err(|e| Error::Media(format!("SRTP: {e}")))
    }

    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>> {
        self.send.encrypt_rtcp(packet).map(|b| b.to_vec()).map_err(|e| Error::Media(format!("SRTCP failed: {e}")))
    }

    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>> {
        self.receive.decrypt_rtcp(packet).map(|b| b.to_vec()).map_err(|e| Error::Media(format!("SRTCP: {e}")))
    }
}

fn context(attribute: &CryptoAttribute) -> Result<Context> {
    let provider = rtc_srtp::crypto::default_provider().map_err(|e| Error::Media(format!("No SRTP crypto: {e}")))?;
    let (key, salt) = attribute.key.0.split_at(16);
    Context::new(
        key,
        salt,
        attribute.suite.profile(),
        Some(rtc_srtp::option::srtp_replay_protection(64)),
        None,
        provider.crypto(),
    )
    .map_err(|e| Error::Media(format!("The SRTP key could not be set up: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crypto_lines_round_trip_and_hide_the_key() {
        let attribute = CryptoAttribute::new(1, Suite::Aes128Sha1_80, KeyMaterial::generate());
        let line = attribute.to_sdp();
        assert!(line.starts_with("1 AES_CM_128_HMAC_SHA1_80 inline:"));
        assert_eq!(CryptoAttribute::parse(&line).unwrap(), attribute);
        assert!(!format!("{attribute:?}").contains(&line[33..]), "Debug shows the key");
        // baresip's form, with a lifetime.
        let with_lifetime = format!("{}|2^31", line);
        assert_eq!(CryptoAttribute::parse(&with_lifetime).unwrap().key, attribute.key);
    }

    #[test]
    fn bad_crypto_lines_are_refused() {
        for bad in [
            "",
            "x",
            "1",
            "1 AES_CM_128_HMAC_SHA1_80",
            "1 AES_CM_128_HMAC_SHA1_80 inline:@@@",
            "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA",
        ] {
            assert!(CryptoAttribute::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn packets_cross_between_two_sessions_and_tampering_is_caught() {
        let a = CryptoAttribute::new(1, Suite::Aes128Sha1_80, KeyMaterial::generate());
        let b = CryptoAttribute::new(1, Suite::Aes128Sha1_80, KeyMaterial::generate());
        let mut alice = SrtpSession::new(&a, &b).unwrap();
        let mut bob = SrtpSession::new(&b, &a).unwrap();
        let mut rtp = vec![0x80, 0, 0, 1, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef];
        rtp.extend_from_slice(&[0x55; 160]);
        let sealed = alice.protect_rtp(&rtp).unwrap();
        assert_ne!(&sealed[12..172], &rtp[12..172], "payload left in clear");
        assert_eq!(bob.unprotect_rtp(&sealed).unwrap(), rtp);
        let mut forged = alice
            .protect_rtp(&{
                let mut next = rtp.clone();
                next[3] = 2;
                next
            })
            .unwrap();
        forged[20] ^= 1;
        assert!(bob.unprotect_rtp(&forged).is_err(), "a tampered packet was accepted");
    }
}
