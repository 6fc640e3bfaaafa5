//! Session descriptions: the offer we write, reading the other side's, and the
//! RFC 3264 offer/answer rules that pick one codec, the DTMF payload, the direction
//! (hold) and the SRTP keys (RFC 4568 SDES).
//!
//! Parsing goes through `rtc-sdp`; what the fields *mean* for a phone call is here.
//! Everything from the network is untrusted: a description that cannot be used gives
//! an [`Error::Sdp`] or [`Error::Negotiation`], never a panic.

use std::io::Cursor;
use std::net::{IpAddr, SocketAddr};

use rtc_sdp::description::session::SessionDescription;

use crate::account::SrtpPolicy;
use crate::error::{Error, Result};
use crate::media::codec::Codec;
use crate::media::srtp::{CryptoAttribute, KeyMaterial, Suite};

/// Largest description we read: a phone call's SDP is well under 2 KB, and a larger
/// one is a mistake or an attack.
pub const MAX_LEN: usize = 16 * 1024;

/// Which way audio flows, from the point of view of the side that wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn attribute(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction an answer takes to an offer in this direction, given what we want.
    pub fn answer_to(self, ours: Direction) -> Direction {
        let (they_send, they_receive) = (self.sends(), self.receives());
        let (we_send, we_receive) = (ours.sends() && they_receive, ours.receives() && they_send);
        Direction::from_flags(we_send, we_receive)
    }

    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    fn from_flags(send: bool, receive: bool) -> Direction {
        match (send, receive) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }
}

/// The DTMF payload types we offer: one per clock, because RFC 4733 events must run
/// on the audio codec's clock.
pub const DTMF_8K: u8 = 101;
pub const DTMF_48K: u8 = 110;

/// What we put in an offer or an answer.
#[derive(Debug, Clone)]
pub struct LocalMedia {
    pub address: IpAddr,
    pub rtp_port: u16,
    pub codecs: Vec<Codec>,
    pub direction: Direction,
    /// Our SDES key, when the description offers or accepts SRTP.
    pub crypto: Option<CryptoAttribute>,
    /// `RTP/SAVP` (SRTP required) rather than `RTP/AVP`.
    pub secure_profile: bool,
    pub session_id: u64,
    pub session_version: u64,
    /// Payload types: (codec, pt) and the DTMF ones, as offered or as the offer had them.
    pub payload_types: Vec<(Codec, u8)>,
    pub dtmf: Vec<(u32, u8)>,
}

impl LocalMedia {
    /// An offer of every codec in `codecs`, with DTMF on each clock used.
    pub fn offer(address: IpAddr, rtp_port: u16, codecs: &[Codec], srtp: SrtpPolicy, session_id: u64) -> LocalMedia {
        let mut dtmf = vec![(8000, DTMF_8K)];
        if codecs.contains(&Codec::Opus) {
            dtmf.push((48_000, DTMF_48K));
        }
        LocalMedia {
            address,
            rtp_port,
            codecs: codecs.to_vec(),
            direction: Direction::SendRecv,
            crypto: (srtp != SrtpPolicy::Off)
                .then(|| CryptoAttribute::new(1, Suite::Aes128Sha1_80, KeyMaterial::generate())),
            secure_profile: srtp == SrtpPolicy::Required,
            session_id,
            session_version: 1,
            payload_types: codecs.iter().map(|c| (*c, c.payload_type())).collect(),
            dtmf,
        }
    }

    /// Writes the description.
    pub fn write(&self) -> String {
        let ip = match self.address {
            IpAddr::V4(_) => "IP4",
            IpAddr::V6(_) => "IP6",
        };
        let mut formats: Vec<String> = self.payload_types.iter().map(|(_, pt)| pt.to_string()).collect();
        formats.extend(self.dtmf.iter().map(|(_, pt)| pt.to_string()));
        let profile = if self.secure_profile { "RTP/SAVP" } else { "RTP/AVP" };
        let mut s = format!(
            "v=0\r\no=dialtone {} {} IN {ip} {addr}\r\ns=Dialtone\r\nc=IN {ip} {addr}\r\nt=0 0\r\nm=audio {} {profile} {}\r\n",
            self.session_id,
            self.session_version,
            self.rtp_port,
            formats.join(" "),
            addr = self.address,
        );
        for (codec, pt) in &self.payload_types {
            match codec.rtpmap_channels() {
                Some(ch) => s += &format!("a=rtpmap:{pt} {}/{}/{ch}\r\n", codec.encoding_name(), codec.clock_rate()),
                None => s += &format!("a=rtpmap:{pt} {}/{}\r\n", codec.encoding_name(), codec.clock_rate()),
            }
            if *codec == Codec::Opus {
                s += &format!("a=fmtp:{pt} useinbandfec=1\r\n");
            }
        }
        for (clock, pt) in &self.dtmf {
            s += &format!("a=rtpmap:{pt} telephone-event/{clock}\r\na=fmtp:{pt} 0-16\r\n");
        }
        s += "a=ptime:20\r\n";
        if let Some(crypto) = &self.crypto {
            s += &format!("a=crypto:{}\r\n", crypto.to_sdp());
        }
        s += &format!("a={}\r\n", self.direction.attribute());
        s
    }
}

/// One format in the other side's `m=audio` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    pub payload_type: u8,
    pub name: String,
    pub clock_rate: u32,
}

/// What the other side's description says about its audio.
#[derive(Debug, Clone)]
pub struct RemoteMedia {
    pub rtp: SocketAddr,
    pub rtcp: SocketAddr,
    pub formats: Vec<Format>,
    pub direction: Direction,
    /// `RTP/SAVP`: the other side will not talk in clear.
    pub secure_profile: bool,
    pub crypto: Vec<CryptoAttribute>,
    /// The port was 0: the audio stream was refused.
    pub refused: bool,
}

impl RemoteMedia {
    /// Reads a description from the network.
    pub fn parse(text: &[u8]) -> Result<RemoteMedia> {
        if text.len() > MAX_LEN {
            return Err(Error::Sdp(format!(
                "The session description is {} bytes, more than a call needs.",
                text.len()
            )));
        }
        let text = std::str::from_utf8(text).map_err(|_| Error::Sdp("The session description is not text.".into()))?;
        let session = SessionDescription::unmarshal(&mut Cursor::new(text.as_bytes()))
            .map_err(|e| Error::Sdp(format!("The session description could not be read: {e}")))?;
        let media = session
            .media_descriptions
            .iter()
            .find(|m| m.media_name.media == "audio")
            .ok_or_else(|| Error::Sdp("The session description has no audio stream.".into()))?;
        let address = media
            .connection_information
            .as_ref()
            .or(session.connection_information.as_ref())
            .and_then(|c| c.address.as_ref())
            .ok_or_else(|| Error::Sdp("The session description gives no address for the audio.".into()))?;
        let host: IpAddr = address
            .address
            .split('/')
            .next()
            .unwrap_or_default()
            .parse()
            .map_err(|_| Error::Sdp(format!("The audio address \"{}\" is not an IP address.", address.address)))?;
        let port = u16::try_from(media.media_name.port.value)
            .map_err(|_| Error::Sdp(format!("The audio port {} is out of range.", media.media_name.port.value)))?;
        let protos = media.media_name.protos.join("/");
        let secure_profile = protos.contains("SAVP");
        if !protos.starts_with("RTP/") {
            return Err(Error::Negotiation(format!("The audio runs over {protos}, which Dialtone does not speak.")));
        }

        let mut formats = Vec::new();
        for word in &media.media_name.formats {
            let Ok(payload_type) = word.parse::<u8>() else { continue };
            if payload_type > 127 {
                continue;
            }
            let rtpmap = media.attributes.iter().filter(|a| a.key == "rtpmap").find_map(|a| {
                let value = a.value.as_deref()?;
                let (pt, rest) = value.split_once(' ')?;
                (pt.trim().parse::<u8>().ok()? == payload_type).then(|| rest.trim().to_owned())
            });
            let (name, clock_rate) = match rtpmap {
                Some(map) => {
                    let mut parts = map.split('/');
                    let name = parts.next().unwrap_or_default().to_owned();
                    let clock = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
                    (name, clock)
                }
                // RFC 3551's static payload types need no rtpmap.
                None => match payload_type {
                    0 => ("PCMU".to_owned(), 8000),
                    8 => ("PCMA".to_owned(), 8000),
                    9 => ("G722".to_owned(), 8000),
                    _ => continue,
                },
            };
            formats.push(Format { payload_type, name, clock_rate });
        }

        let mut direction = Direction::SendRecv;
        for a in media.attributes.iter().chain(session.attributes.iter()) {
            match a.key.as_str() {
                "sendrecv" => direction = Direction::SendRecv,
                "sendonly" => direction = Direction::SendOnly,
                "recvonly" => direction = Direction::RecvOnly,
                "inactive" => direction = Direction::Inactive,
                _ => continue,
            }
            break;
        }
        // RFC 2543 hold: c=0.0.0.0 means "send nothing to me".
        if host.is_unspecified() {
            direction = Direction::from_flags(direction.sends(), false);
        }

        let rtcp_port = media
            .attributes
            .iter()
            .find(|a| a.key == "rtcp")
            .and_then(|a| a.value.as_deref()?.split_whitespace().next()?.parse::<u16>().ok())
            .unwrap_or_else(|| port.saturating_add(1));
        let rtcp_port = if media.attributes.iter().any(|a| a.key == "rtcp-mux") { port } else { rtcp_port };

        let crypto = media
            .attributes
            .iter()
            .filter(|a| a.key == "crypto")
            .filter_map(|a| CryptoAttribute::parse(a.value.as_deref()?).ok())
            .collect();

        Ok(RemoteMedia {
            rtp: SocketAddr::new(host, port),
            rtcp: SocketAddr::new(host, rtcp_port),
            formats,
            direction,
            secure_profile,
            crypto,
            refused: port == 0,
        })
    }

    fn find(&self, codec: Codec) -> Option<&Format> {
        self.formats
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(codec.encoding_name()) && f.clock_rate == codec.clock_rate())
    }

    /// The telephone-event format to use with a codec at `clock`: the one on the same
    /// clock (RFC 4733 §2.1), else any (baresip and others pair Opus with
    /// telephone-event/8000; their events still arrive, timed on their own clock).
    fn dtmf_for(&self, clock: u32) -> Option<(u8, u32)> {
        let events =
            || self.formats.iter().filter(|f| f.name.eq_ignore_ascii_case("telephone-event") && f.clock_rate > 0);
        events().find(|f| f.clock_rate == clock).or_else(|| events().next()).map(|f| (f.payload_type, f.clock_rate))
    }
}

/// What both sides agreed on: everything the media path needs.
#[derive(Debug, Clone)]
pub struct Negotiated {
    pub codec: Codec,
    /// The payload type for the codec on the wire (the offerer's numbers win).
    pub payload_type: u8,
    /// RFC 4733 events, if both sides have them.
    pub dtmf_payload_type: Option<u8>,
    /// The events' clock (durations are counted in it).
    pub dtmf_clock: u32,
    pub remote_rtp: SocketAddr,
    pub remote_rtcp: SocketAddr,
    /// Our direction.
    pub direction: Direction,
    /// SRTP keys: ours for sending, theirs for receiving.
    pub srtp: Option<(CryptoAttribute, CryptoAttribute)>,
}

impl Negotiated {
    pub fn is_encrypted(&self) -> bool {
        self.srtp.is_some()
    }
}

/// Answers an offer: the codec we like best that the offer has, the direction, and
/// SRTP under our policy. An offer we cannot take gives [`Error::Negotiation`], which
/// the caller sends back as 488.
#[allow(clippy::too_many_arguments)]
pub fn answer(
    offer: &RemoteMedia,
    codecs: &[Codec],
    srtp: SrtpPolicy,
    wanted: Direction,
    address: IpAddr,
    rtp_port: u16,
    session_id: u64,
    session_version: u64,
) -> Result<(LocalMedia, Negotiated)> {
    if offer.refused {
        return Err(Error::Negotiation("The offer refuses its own audio stream (port 0).".into()));
    }
    let (codec, format) = codecs
        .iter()
        .find_map(|c| offer.find(*c).map(|f| (*c, f.clone())))
        .ok_or_else(|| no_common_codec(offer, codecs))?;
    let dtmf = offer.dtmf_for(codec.clock_rate());

    let theirs = offer.crypto.iter().find(|c| c.suite.is_supported());
    let keys = match (srtp, offer.secure_profile, theirs) {
        (SrtpPolicy::Off, true, _) => {
            return Err(Error::Negotiation(
                "The caller requires encrypted audio (SRTP), which is off for this account.".into(),
            ));
        }
        (_, true, None) => {
            return Err(Error::Negotiation("The caller requires SRTP but offers no key Dialtone can use.".into()));
        }
        (SrtpPolicy::Required, false, None) => {
            return Err(Error::Negotiation(
                "This account requires encrypted audio (SRTP), and the caller offered none.".into(),
            ));
        }
        (SrtpPolicy::Off, false, _) | (_, _, None) => None,
        (_, _, Some(theirs)) => {
            let ours = CryptoAttribute::new(theirs.tag, theirs.suite, KeyMaterial::generate());
            Some((ours, theirs.clone()))
        }
    };
    let direction = offer.direction.answer_to(wanted);
    let local = LocalMedia {
        address,
        rtp_port,
        codecs: vec![codec],
        direction,
        crypto: keys.as_ref().map(|(ours, _)| ours.clone()),
        secure_profile: offer.secure_profile,
        session_id,
        session_version,
        payload_types: vec![(codec, format.payload_type)],
        dtmf: dtmf.map(|(pt, clock)| vec![(clock, pt)]).unwrap_or_default(),
    };
    let negotiated = Negotiated {
        codec,
        payload_type: format.payload_type,
        dtmf_payload_type: dtmf.map(|(pt, _)| pt),
        dtmf_clock: dtmf.map_or(8000, |(_, clock)| clock),
        remote_rtp: offer.rtp,
        remote_rtcp: offer.rtcp,
        direction,
        srtp: keys,
    };
    Ok((local, negotiated))
}

/// Reads the answer to our offer.
pub fn accept_answer(offer: &LocalMedia, answer: &RemoteMedia, srtp: SrtpPolicy) -> Result<Negotiated> {
    if answer.refused {
        return Err(Error::Negotiation("The far end refused the audio stream.".into()));
    }
    let (codec, format) = answer
        .formats
        .iter()
        .find_map(|f| {
            offer
                .payload_types
                .iter()
                .find(|(c, _)| f.name.eq_ignore_ascii_case(c.encoding_name()) && f.clock_rate == c.clock_rate())
                .map(|(c, _)| (*c, f.clone()))
        })
        .ok_or_else(|| no_common_codec(answer, &offer.codecs))?;
    let dtmf = answer.dtmf_for(codec.clock_rate());
    let keys = match (&offer.crypto, answer.crypto.iter().find(|c| Some(c.tag) == offer.crypto.as_ref().map(|o| o.tag)))
    {
        (Some(ours), Some(theirs)) if theirs.suite == ours.suite => Some((ours.clone(), theirs.clone())),
        _ if srtp == SrtpPolicy::Required => {
            return Err(Error::Negotiation(
                "This account requires encrypted audio (SRTP), and the far end answered without it. Nothing was sent in clear."
                    .into(),
            ));
        }
        _ => None,
    };
    Ok(Negotiated {
        codec,
        payload_type: format.payload_type,
        dtmf_payload_type: dtmf.map(|(pt, _)| pt),
        dtmf_clock: dtmf.map_or(8000, |(_, clock)| clock),
        remote_rtp: answer.rtp,
        remote_rtcp: answer.rtcp,
        direction: answer.direction.answer_to(offer.direction),
        srtp: keys,
    })
}

fn no_common_codec(theirs: &RemoteMedia, ours: &[Codec]) -> Error {
    let mut offered: Vec<&str> = theirs
        .formats
        .iter()
        .filter(|f| !f.name.eq_ignore_ascii_case("telephone-event"))
        .map(|f| f.name.as_str())
        .collect();
    offered.dedup();
    let ours: Vec<&str> = ours.iter().map(|c| c.label()).collect();
    Error::Negotiation(format!(
        "No codec in common: the far end has {}, this account allows {}.",
        if offered.is_empty() { "none".to_owned() } else { offered.join(", ") },
        ours.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARESIP_OFFER: &str = "v=0\r\no=- 1 2 IN IP4 10.77.0.1\r\ns=-\r\nc=IN IP4 10.77.0.1\r\nt=0 0\r\n\
m=audio 10002 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\na=ptime:20\r\n";

    fn local() -> IpAddr {
        "10.77.0.1".parse().unwrap()
    }

    #[test]
    fn our_offer_is_read_back_by_the_parser() {
        let offer = LocalMedia::offer(local(), 40000, &Codec::DEFAULT_ORDER, SrtpPolicy::Optional, 7);
        let text = offer.write();
        let read = RemoteMedia::parse(text.as_bytes()).unwrap();
        assert_eq!(read.rtp, "10.77.0.1:40000".parse().unwrap());
        assert_eq!(read.rtcp.port(), 40001);
        let names: Vec<&str> = read.formats.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["opus", "G722", "PCMU", "PCMA", "telephone-event", "telephone-event"]);
        assert_eq!(read.crypto.len(), 1);
        assert!(!read.secure_profile, "optional SRTP is offered on RTP/AVP");
        assert_eq!(read.direction, Direction::SendRecv);
    }

    #[test]
    fn answering_picks_our_favourite_that_the_offer_has() {
        let offer = RemoteMedia::parse(BARESIP_OFFER.as_bytes()).unwrap();
        let (answer, agreed) = answer(
            &offer,
            &[Codec::Opus, Codec::Pcma, Codec::Pcmu],
            SrtpPolicy::Off,
            Direction::SendRecv,
            local(),
            40000,
            1,
            1,
        )
        .unwrap();
        assert_eq!(agreed.codec, Codec::Pcma);
        assert_eq!(agreed.payload_type, 8);
        assert_eq!(agreed.dtmf_payload_type, Some(101));
        assert_eq!(agreed.remote_rtp, "10.77.0.1:10002".parse().unwrap());
        let text = answer.write();
        assert!(text.contains("m=audio 40000 RTP/AVP 8 101\r\n"), "{text}");
        assert!(!text.contains("crypto"));
    }

    #[test]
    fn no_common_codec_is_said_plainly() {
        let offer = RemoteMedia::parse(BARESIP_OFFER.as_bytes()).unwrap();
        let err =
            answer(&offer, &[Codec::Opus], SrtpPolicy::Off, Direction::SendRecv, local(), 40000, 1, 1).unwrap_err();
        assert!(matches!(err, Error::Negotiation(_)));
        assert_eq!(err.to_string(), "No codec in common: the far end has PCMU, PCMA, this account allows Opus.");
    }

    #[test]
    fn hold_directions_are_answered_by_the_rfc() {
        assert_eq!(Direction::SendOnly.answer_to(Direction::SendRecv), Direction::RecvOnly);
        assert_eq!(Direction::RecvOnly.answer_to(Direction::SendRecv), Direction::SendOnly);
        assert_eq!(Direction::Inactive.answer_to(Direction::SendRecv), Direction::Inactive);
        assert_eq!(Direction::SendRecv.answer_to(Direction::SendOnly), Direction::SendOnly);
        let held = BARESIP_OFFER.replace("a=sendrecv", "a=sendonly");
        let offer = RemoteMedia::parse(held.as_bytes()).unwrap();
        let (answer, _) =
            answer(&offer, &[Codec::Pcmu], SrtpPolicy::Off, Direction::SendRecv, local(), 40000, 1, 2).unwrap();
        assert!(answer.write().contains("a=recvonly\r\n"));
    }

    #[test]
    fn srtp_policies_meet_or_refuse() {
        let plain = RemoteMedia::parse(BARESIP_OFFER.as_bytes()).unwrap();
        let err =
            answer(&plain, &[Codec::Pcmu], SrtpPolicy::Required, Direction::SendRecv, local(), 1, 1, 1).unwrap_err();
        assert!(err.to_string().contains("requires encrypted audio"), "{err}");

        let ours = LocalMedia::offer(local(), 40000, &[Codec::Pcmu], SrtpPolicy::Required, 1);
        let text = ours.write();
        assert!(text.contains("RTP/SAVP"));
        let offer = RemoteMedia::parse(text.as_bytes()).unwrap();
        let err = answer(&offer, &[Codec::Pcmu], SrtpPolicy::Off, Direction::SendRecv, local(), 1, 1, 1).unwrap_err();
        assert!(err.to_string().contains("off for this account"), "{err}");
        let (reply, agreed) =
            answer(&offer, &[Codec::Pcmu], SrtpPolicy::Optional, Direction::SendRecv, local(), 2, 1, 1).unwrap();
        let (send, receive) = agreed.srtp.clone().unwrap();
        assert_eq!(receive, ours.crypto.clone().unwrap(), "we decrypt with the offerer's key");
        assert_ne!(send.key, receive.key, "each side sends with its own key");
        // And the offerer reads that answer back into the mirror image.
        let back =
            accept_answer(&ours, &RemoteMedia::parse(reply.write().as_bytes()).unwrap(), SrtpPolicy::Required).unwrap();
        let (our_send, our_receive) = back.srtp.unwrap();
        assert_eq!((our_send.key, our_receive.key), (receive.key, send.key));

        // Required, and the answer has no key: refused, in words.
        let err = accept_answer(&ours, &plain, SrtpPolicy::Required).unwrap_err();
        assert!(err.to_string().contains("Nothing was sent in clear"), "{err}");
    }

    #[test]
    fn bad_descriptions_are_errors_not_panics() {
        for bad in [
            "",
            "garbage",
            "v=0\r\n",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 nothost\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 99999 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\n",
        ] {
            assert!(RemoteMedia::parse(bad.as_bytes()).is_err(), "{bad:?} was accepted");
        }
        let big = "a".repeat(MAX_LEN + 1);
        assert!(RemoteMedia::parse(big.as_bytes()).unwrap_err().to_string().contains("more than a call needs"));
        let truncated = &BARESIP_OFFER[..BARESIP_OFFER.len() / 2];
        let _ = RemoteMedia::parse(truncated.as_bytes());
    }

    proptest::proptest! {
        #[test]
        fn no_input_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            if let Ok(offer) = RemoteMedia::parse(&bytes) {
                let _ = answer(&offer, &Codec::DEFAULT_ORDER, SrtpPolicy::Optional, Direction::SendRecv, local(), 1, 1, 1);
            }
        }

        #[test]
        fn mangled_offers_never_panic(cut in 0usize..BARESIP_OFFER.len(), junk in "[ -~\r\n]{0,40}") {
            let text = format!("{}{}", &BARESIP_OFFER[..cut], junk);
            if let Ok(offer) = RemoteMedia::parse(text.as_bytes()) {
                let _ = answer(&offer, &Codec::DEFAULT_ORDER, SrtpPolicy::Required, Direction::SendRecv, local(), 1, 1, 1);
            }
        }
    }
}
