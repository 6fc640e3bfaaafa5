//! Makes rsipstack's digest code speak RFC 7616/8760 SHA-256.
//!
//! rsipstack 0.7.14 computes SHA-256 digests correctly but spells the algorithm
//! `SHA256` (its parser rejects the RFC's `SHA-256`, and so would a registrar reading
//! our answer), and it refuses a `qop="auth,auth-int"` list. Rather than fork the
//! crate, this inspector rewrites the two tokens on the way in and out: challenges
//! are translated to rsipstack's spelling, our Authorization back to the RFC's.
//! Checked against kamailio's `auth` module with `algorithm "SHA-256"`.

use rsipstack::sip::{Header, SipMessage};
use rsipstack::transaction::endpoint::MessageInspector;
use rsipstack::transport::SipAddr;

#[derive(Debug, Default)]
pub struct DigestSpelling;

fn incoming(challenge: &str) -> String {
    let mut s = replace_token(challenge, "SHA-256-sess", "SHA256-sess");
    s = replace_token(&s, "SHA-256", "SHA256");
    s = replace_token(&s, "SHA-512-256", "SHA512");
    // A qop list: take "auth", which is what we answer.
    for list in ["qop=\"auth,auth-int\"", "qop=\"auth-int,auth\"", "qop=\"auth, auth-int\""] {
        s = s.replace(list, "qop=\"auth\"");
    }
    s
}

fn outgoing(authorization: &str) -> String {
    let s = replace_token(authorization, "SHA256-sess", "SHA-256-sess");
    replace_token(&s, "SHA256", "SHA-256")
}

/// Replaces `algorithm=FROM` (quoted or not, any case) with `algorithm=TO`.
fn replace_token(header: &str, from: &str, to: &str) -> String {
    let lower = header.to_ascii_lowercase();
    for pattern in
        [format!("algorithm={}", from.to_ascii_lowercase()), format!("algorithm=\"{}\"", from.to_ascii_lowercase())]
    {
        if let Some(at) = lower.find(&pattern) {
            let end = at + pattern.len();
            // Only a whole token: the next character must end it.
            if lower[end..].chars().next().is_none_or(|c| matches!(c, ',' | ' ' | '"' | '\t')) {
                let quoted = pattern.contains('"');
                let replacement = if quoted { format!("algorithm=\"{to}\"") } else { format!("algorithm={to}") };
                return format!("{}{}{}", &header[..at], replacement, &header[end..]);
            }
        }
    }
    header.to_owned()
}

impl MessageInspector for DigestSpelling {
    fn before_send(&self, mut msg: SipMessage, _dest: Option<&SipAddr>) -> SipMessage {
        if let SipMessage::Request(req) = &mut msg {
            for h in req.headers.iter_mut() {
                match h {
                    Header::Authorization(a) => a.0 = outgoing(&a.0),
                    Header::ProxyAuthorization(a) => a.0 = outgoing(&a.0),
                    _ => {}
                }
            }
        }
        msg
    }

    fn after_received(&self, mut msg: SipMessage, _from: Option<&SipAddr>) -> SipMessage {
        if let SipMessage::Response(resp) = &mut msg {
            for h in resp.headers.iter_mut() {
                match h {
                    Header::WwwAuthenticate(a) => a.0 = incoming(&a.0),
                    Header::ProxyAuthenticate(a) => a.0 = incoming(&a.0),
                    _ => {}
                }
            }
        }
        msg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsipstack::sip::headers::typed::WwwAuthenticate;

    #[test]
    fn an_rfc_8760_challenge_parses_after_the_rewrite() {
        let kamailio = r#"Digest realm="10.77.0.1", nonce="Z3x", algorithm=SHA-256, qop="auth,auth-int""#;
        assert!(WwwAuthenticate::parse(kamailio).is_err(), "rsipstack learned SHA-256: drop this inspector");
        let fixed = incoming(kamailio);
        let parsed = WwwAuthenticate::parse(&fixed).expect("rewritten challenge parses");
        assert_eq!(parsed.algorithm.map(|a| a.to_string()).as_deref(), Some("SHA256"));
        assert_eq!(
            outgoing(r#"Digest username="a", algorithm=SHA256, response="x""#),
            r#"Digest username="a", algorithm=SHA-256, response="x""#
        );
    }

    #[test]
    fn md5_and_other_text_are_left_alone() {
        let md5 = r#"Digest realm="x", nonce="SHA-256", algorithm=MD5, qop="auth""#;
        assert_eq!(incoming(md5), md5);
        assert_eq!(outgoing(r#"Digest algorithm=SHA256x"#), r#"Digest algorithm=SHA256x"#);
        assert_eq!(incoming(r#"Digest algorithm="sha-256""#), r#"Digest algorithm="SHA256""#);
    }
}
