//! A far end's SDP, offer or answer: parsing and negotiating it never panics, and an
//! answer we write to an offer we accepted is one we can read back.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use dialtone_sip::sdp::{self, Direction, LocalMedia, RemoteMedia};
use dialtone_sip::{Codec, SrtpPolicy};
use libfuzzer_sys::fuzz_target;

const HERE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

fuzz_target!(|data: &[u8]| {
    let Ok(remote) = RemoteMedia::parse(data) else { return };
    for policy in [SrtpPolicy::Off, SrtpPolicy::Optional, SrtpPolicy::Required] {
        if let Ok((ours, _)) =
            sdp::answer(&remote, &Codec::DEFAULT_ORDER, policy, Direction::SendRecv, HERE, 4000, 1, 1)
        {
            RemoteMedia::parse(ours.write().as_bytes()).expect("our own answer reads back");
        }
        let offer = LocalMedia::offer(HERE, 4000, &Codec::DEFAULT_ORDER, policy, 1);
        let _ = sdp::accept_answer(&offer, &remote, policy);
    }
});
