//! What arrives at the phone's SIP port from anyone on the network: garbage,
//! truncated and oversized messages, and INVITEs whose SDP is broken or shares no
//! codec with us. None may panic or stop the phone; an offer we cannot carry is
//! refused with 488 before anything rings, and the phone still takes a good call
//! afterwards. Loopback only, no peers.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use dialtone_sip::{Account, Phone, SipAgent};
use secrecy::SecretString;

fn invite(to: SocketAddr, from: SocketAddr, call_id: &str, body: &str) -> String {
    format!(
        "INVITE sip:alice@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bK{call_id};rport\r\nMax-Forwards: 70\r\n\
         From: <sip:mallory@{from}>;tag=m{call_id}\r\nTo: <sip:alice@{to}>\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:mallory@{from}>\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn sdp(from: SocketAddr, media: &str) -> String {
    format!("v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n{media}", ip = from.ip())
}

/// Every response to `call_id` that arrives within `wait`, as status lines.
fn responses(socket: &UdpSocket, call_id: &str, wait: Duration) -> Vec<String> {
    socket.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let deadline = std::time::Instant::now() + wait;
    let mut found = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while std::time::Instant::now() < deadline {
        if let Ok((n, _)) = socket.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if text.contains(&format!("Call-ID: {call_id}")) || text.contains(&format!("i: {call_id}")) {
                found.push(text.lines().next().unwrap_or_default().to_owned());
            }
        }
    }
    found
}

#[test]
fn hostile_messages_neither_panic_nor_stop_the_phone() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let account = Account::new("127.0.0.1:9", "alice", SecretString::from("pw".to_owned())).unwrap();
        let phone = Phone::start(account).await.unwrap();
        let to = phone.sip_address().expect("the phone's SIP address");
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let from = socket.local_addr().unwrap();

        // Garbage, truncated INVITEs, a request line only, a 60 KB header, binary
        // noise, a response to nothing. (Not here: a Content-Length longer than the
        // datagram, which RFC 3261 §18.3 says to discard; rsipstack reads the body it
        // has instead.)
        let pcmu = sdp(from, "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
        let good = invite(to, from, "good", &pcmu);
        let cut = invite(to, from, "cut", &pcmu);
        let mut hostile: Vec<Vec<u8>> = vec![
            b"hello".to_vec(),
            cut.as_bytes()[..cut.len() / 2].to_vec(),
            b"INVITE sip:alice SIP/2.0\r\n\r\n".to_vec(),
            format!("OPTIONS sip:alice@{to} SIP/2.0\r\nX-Long: {}\r\n\r\n", "a".repeat(60_000)).into_bytes(),
            (0..1400u32).map(|i| (i * 7919 % 251) as u8).collect(),
            b"SIP/2.0 200 OK\r\nCSeq: nonsense\r\n\r\n".to_vec(),
        ];
        for at in [10, 40, 90, 200] {
            hostile.push(cut.as_bytes()[..at.min(cut.len())].to_vec());
        }
        for message in &hostile {
            socket.send_to(message, to).unwrap();
        }

        // Offers we cannot carry: refused with 488, nothing rings.
        let cases = [
            ("nocodec", sdp(from, "m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n")),
            ("garbage", "this is not SDP at all \u{0}\u{1}".to_owned()),
            ("truncated", sdp(from, "m=audio 4000 RTP/AV")),
            ("novideo", sdp(from, "m=video 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n")),
        ];
        for (call_id, body) in &cases {
            socket.send_to(invite(to, from, call_id, body).as_bytes(), to).unwrap();
            let seen = responses(&socket, call_id, Duration::from_millis(1500));
            assert!(seen.iter().any(|l| l.starts_with("SIP/2.0 488")), "{call_id}: {seen:?}");
            assert!(!seen.iter().any(|l| l.starts_with("SIP/2.0 180")), "{call_id} rang: {seen:?}");
        }
        if let Ok(Some(rang)) = tokio::time::timeout(Duration::from_millis(200), phone.next_incoming()).await {
            panic!("a call that cannot be carried reached the person: {rang:?}");
        }

        // Still alive: a good call rings and can be declined.
        socket.send_to(good.as_bytes(), to).unwrap();
        let call = tokio::time::timeout(Duration::from_secs(5), phone.next_incoming())
            .await
            .expect("the good call never rang")
            .expect("phone gone");
        assert!(call.remote.contains("mallory"), "{}", call.remote);
        call.control().decline();
        let seen = responses(&socket, "good", Duration::from_millis(1500));
        assert!(seen.iter().any(|l| l.starts_with("SIP/2.0 486")), "{seen:?}");
    });
}
