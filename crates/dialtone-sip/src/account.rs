//! A SIP account: where to register, as whom, and how the media is protected.

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::media::codec::Codec;

/// How signalling reaches the registrar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    pub fn parse(word: &str) -> Result<Transport> {
        match word.trim().to_ascii_lowercase().as_str() {
            "" | "udp" => Ok(Transport::Udp),
            "tcp" => Ok(Transport::Tcp),
            "tls" => Ok(Transport::Tls),
            other => Err(Error::Setting(format!("Transport \"{other}\" is not one of udp, tcp, tls."))),
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Transport::Tls => 5061,
            _ => 5060,
        }
    }
}

/// Whether call audio is encrypted (SRTP with SDES keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SrtpPolicy {
    /// Plain RTP; an offer that insists on SRTP is refused.
    Off,
    /// Offer a key, take plain RTP if the far end has no SRTP.
    Optional,
    /// Encrypted or no call: nothing is ever sent in clear.
    Required,
}

impl SrtpPolicy {
    pub fn parse(word: &str) -> Result<SrtpPolicy> {
        match word.trim().to_ascii_lowercase().as_str() {
            "" | "off" => Ok(SrtpPolicy::Off),
            "optional" => Ok(SrtpPolicy::Optional),
            "required" => Ok(SrtpPolicy::Required),
            other => Err(Error::Setting(format!("SRTP \"{other}\" is not one of off, optional, required."))),
        }
    }
}

/// A host and optional port, from `host`, `host:port`, `[v6]:port` or a `sip:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: Option<u16>,
}

impl HostPort {
    pub fn parse(text: &str, what: &str) -> Result<HostPort> {
        let bad = || Error::Setting(format!("The {what} \"{text}\" is not a host, host:port or sip: URI."));
        let mut rest = text.trim();
        for scheme in ["sips:", "sip:"] {
            if rest.len() >= scheme.len() && rest[..scheme.len()].eq_ignore_ascii_case(scheme) {
                rest = &rest[scheme.len()..];
            }
        }
        // Drop a user part and URI parameters.
        let rest = rest.rsplit('@').next().unwrap_or(rest);
        let rest = rest.split([';', '?', '/']).next().unwrap_or(rest);
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(bad)?;
            (host, after.strip_prefix(':'))
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            }
        };
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_');
        if host.is_empty() || !host.chars().all(valid) {
            return Err(bad());
        }
        let port = port.map(|p| p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad)).transpose()?;
        Ok(HostPort { host: host.to_owned(), port })
    }

    /// `host` or `host:port`, with IPv6 hosts bracketed.
    pub fn uri_host(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }
}

/// How a telephone number is put in the request URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `+14155550123`.
    E164,
    /// `14155550123`: what many trunks want.
    Digits,
}

/// Everything needed to register and call. The password is the only secret.
#[derive(Debug, Clone)]
pub struct Account {
    pub registrar: HostPort,
    pub username: String,
    pub auth_username: Option<String>,
    pub display_name: Option<String>,
    pub transport: Transport,
    pub outbound_proxy: Option<HostPort>,
    pub stun_server: Option<HostPort>,
    pub srtp: SrtpPolicy,
    pub codecs: Vec<Codec>,
    pub number_format: NumberFormat,
    /// Certificates (PEM) trusted for TLS besides the system's own: a PBX with its
    /// own certificate authority.
    pub tls_ca_file: Option<std::path::PathBuf>,
    pub password: SecretString,
    /// Registration lifetime asked for, in seconds.
    pub expires: u32,
}

impl Account {
    pub fn new(registrar: &str, username: &str, password: SecretString) -> Result<Account> {
        let username = username.trim();
        if username.is_empty() || username.chars().any(|c| c.is_whitespace() || matches!(c, '@' | ':' | '<' | '>')) {
            return Err(Error::Setting(format!("The username \"{username}\" is not a SIP user name.")));
        }
        Ok(Account {
            registrar: HostPort::parse(registrar, "registrar")?,
            username: username.to_owned(),
            auth_username: None,
            display_name: None,
            transport: Transport::Udp,
            outbound_proxy: None,
            stun_server: None,
            srtp: SrtpPolicy::Off,
            codecs: Codec::DEFAULT_ORDER.to_vec(),
            number_format: NumberFormat::E164,
            tls_ca_file: None,
            password,
            expires: 600,
        })
    }

    /// The account's own address, `sip:user@registrar-host`.
    pub fn aor(&self) -> String {
        format!("sip:{}@{}", self.username, self.registrar.host)
    }

    /// Where requests go first: the outbound proxy if set, else the registrar.
    pub fn next_hop(&self) -> &HostPort {
        self.outbound_proxy.as_ref().unwrap_or(&self.registrar)
    }

    /// The request URI for what a person typed: a `sip:` URI as is, an extension or
    /// a number at the registrar's domain.
    pub fn target_uri(&self, target: &str) -> Result<String> {
        let target = target.trim();
        let lower = target.to_ascii_lowercase();
        if lower.starts_with("sip:") || lower.starts_with("sips:") {
            let rest = &target[target.find(':').map_or(0, |i| i + 1)..];
            let (user, host) = rest
                .split_once('@')
                .ok_or_else(|| Error::Setting(format!("\"{target}\" has no host; write it as sip:user@host.")))?;
            HostPort::parse(host, "address")?;
            if user.is_empty() || user.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"')) {
                return Err(Error::Setting(format!("\"{target}\" is not a SIP address.")));
            }
            return Ok(format!("sip:{rest}"));
        }
        let number = target.strip_prefix("tel:").unwrap_or(target);
        let digits: String = number.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
        let user = match digits.strip_prefix('+') {
            Some(rest) if rest.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty() => match self.number_format {
                NumberFormat::E164 => format!("+{rest}"),
                NumberFormat::Digits => rest.to_owned(),
            },
            None if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#') => digits,
            // A user name at the account's domain ("bob", "sales.desk").
            None if !number.is_empty()
                && number.starts_with(|c: char| c.is_ascii_alphabetic())
                && number.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) =>
            {
                number.to_owned()
            }
            _ => {
                return Err(Error::Setting(format!(
                    "\"{target}\" is not a number, an extension, a user name or a sip: address."
                )));
            }
        };
        Ok(format!("sip:{user}@{}", self.registrar.host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account::new("pbx.example.com", "1001", SecretString::from("pw")).unwrap()
    }

    #[test]
    fn registrars_are_read_in_every_form_people_write() {
        for (text, host, port) in [
            ("pbx.example.com", "pbx.example.com", None),
            ("pbx.example.com:5080", "pbx.example.com", Some(5080)),
            ("sip:pbx.example.com;transport=tcp", "pbx.example.com", None),
            ("SIP:user@10.0.0.1:5070", "10.0.0.1", Some(5070)),
            ("[2001:db8::1]:5060", "2001:db8::1", Some(5060)),
        ] {
            let hp = HostPort::parse(text, "registrar").unwrap();
            assert_eq!((hp.host.as_str(), hp.port), (host, port), "{text}");
        }
        for bad in ["", "sip:", "pbx example.com", "pbx.example.com:0", "pbx.example.com:99999", "a:b:c"] {
            assert!(HostPort::parse(bad, "registrar").is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_become_request_uris() {
        let mut a = account();
        assert_eq!(a.target_uri("1002").unwrap(), "sip:1002@pbx.example.com");
        assert_eq!(a.target_uri("+1 (415) 555-0123").unwrap(), "sip:+14155550123@pbx.example.com");
        assert_eq!(a.target_uri("sip:bob@10.0.0.2:5070").unwrap(), "sip:bob@10.0.0.2:5070");
        a.number_format = NumberFormat::Digits;
        assert_eq!(a.target_uri("tel:+14155550123").unwrap(), "sip:14155550123@pbx.example.com");
        assert_eq!(a.target_uri("sales.desk").unwrap(), "sip:sales.desk@pbx.example.com");
        for bad in ["", "bo b", "sip:bob", "sip:@host", "+", "12ab", "bob@example.com"] {
            let err = a.target_uri(bad).unwrap_err();
            assert!(matches!(err, Error::Setting(_)), "{bad}");
        }
    }

    #[test]
    fn usernames_and_words_are_checked() {
        assert!(Account::new("pbx", "10 01", SecretString::from("x")).is_err());
        assert!(Transport::parse("sctp").unwrap_err().to_string().contains("udp, tcp, tls"));
        assert_eq!(SrtpPolicy::parse("Required").unwrap(), SrtpPolicy::Required);
        assert!(SrtpPolicy::parse("maybe").is_err());
    }
}

/// The setting names a SIP account is saved with (Dialtone's provider settings).
pub mod keys {
    pub const REGISTRAR: &str = "registrar";
    pub const USERNAME: &str = "username";
    pub const AUTH_USERNAME: &str = "auth_username";
    pub const DISPLAY_NAME: &str = "display_name";
    pub const TRANSPORT: &str = "transport";
    pub const OUTBOUND_PROXY: &str = "outbound_proxy";
    pub const STUN_SERVER: &str = "stun_server";
    pub const SRTP: &str = "srtp";
    pub const CODECS: &str = "codecs";
    pub const NUMBER_FORMAT: &str = "number_format";
    pub const REGISTER_SECONDS: &str = "register_seconds";
    pub const TLS_CA_FILE: &str = "tls_ca_file";
}

impl Account {
    /// An account from saved settings (see [`keys`]) and its password.
    pub fn from_settings(
        settings: &std::collections::BTreeMap<String, String>,
        password: SecretString,
    ) -> Result<Account> {
        let get = |k: &str| settings.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let registrar = get(keys::REGISTRAR)
            .ok_or_else(|| Error::Setting("A SIP account needs a registrar (host[:port] or sip: URI).".into()))?;
        let username = get(keys::USERNAME).ok_or_else(|| Error::Setting("A SIP account needs a username.".into()))?;
        let mut account = Account::new(registrar, username, password)?;
        account.auth_username = get(keys::AUTH_USERNAME).map(str::to_owned);
        account.display_name = get(keys::DISPLAY_NAME).map(str::to_owned);
        if let Some(t) = get(keys::TRANSPORT) {
            account.transport = Transport::parse(t)?;
        }
        account.outbound_proxy = get(keys::OUTBOUND_PROXY).map(|p| HostPort::parse(p, "outbound proxy")).transpose()?;
        account.stun_server = get(keys::STUN_SERVER).map(|p| HostPort::parse(p, "STUN server")).transpose()?;
        if let Some(s) = get(keys::SRTP) {
            account.srtp = SrtpPolicy::parse(s)?;
        }
        if let Some(c) = get(keys::CODECS) {
            account.codecs = Codec::parse_order(c)?;
        }
        if let Some(f) = get(keys::NUMBER_FORMAT) {
            account.number_format = match f.to_ascii_lowercase().as_str() {
                "e164" => NumberFormat::E164,
                "digits" => NumberFormat::Digits,
                other => return Err(Error::Setting(format!("Number format \"{other}\" is not one of e164, digits."))),
            };
        }
        account.tls_ca_file = get(keys::TLS_CA_FILE).map(std::path::PathBuf::from);
        if let Some(s) = get(keys::REGISTER_SECONDS) {
            account.expires = s
                .parse::<u32>()
                .ok()
                .filter(|s| (60..=86_400).contains(s))
                .ok_or_else(|| Error::Setting(format!("Register for \"{s}\" seconds: use 60 to 86400.")))?;
        }
        Ok(account)
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;
    use std::collections::BTreeMap;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_account_is_read_from_settings_with_every_mistake_named() {
        let a = Account::from_settings(
            &settings(&[
                ("registrar", "sip:pbx.example.com:5080"),
                ("username", "1001"),
                ("transport", "TLS"),
                ("srtp", "required"),
                ("codecs", "pcma,pcmu"),
            ]),
            SecretString::from("pw"),
        )
        .unwrap();
        assert_eq!((a.registrar.port, a.transport, a.srtp), (Some(5080), Transport::Tls, SrtpPolicy::Required));
        assert_eq!(a.codecs, vec![Codec::Pcma, Codec::Pcmu]);
        for (pairs, words) in [
            (vec![("username", "1001")], "needs a registrar"),
            (vec![("registrar", "pbx")], "needs a username"),
            (vec![("registrar", "pbx"), ("username", "1"), ("transport", "ws")], "udp, tcp, tls"),
            (vec![("registrar", "pbx"), ("username", "1"), ("codecs", "g729")], "g729"),
            (vec![("registrar", "pbx"), ("username", "1"), ("register_seconds", "5")], "60 to 86400"),
        ] {
            let err = Account::from_settings(&settings(&pairs), SecretString::from("pw")).unwrap_err().to_string();
            assert!(err.contains(words), "{pairs:?}: {err}");
        }
    }
}
