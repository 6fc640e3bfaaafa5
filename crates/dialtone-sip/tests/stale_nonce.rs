//! A digest challenge a real registrar shows only at the end of its nonce's life:
//! `stale=true` (RFC 2617 §3.2.1: the nonce expired, the password was right). The
//! phone must answer again with the new nonce, and must not report a wrong password;
//! a plain 401 to an answer with the wrong password still is one. kamailio cannot be
//! made to send `stale` on demand (it hands out a fresh nonce for each request), so a
//! stand-in registrar on loopback plays it, checking every Authorization as
//! kamailio's auth module does: the digest recomputed from the password (MD5,
//! qop=auth, nc and cnonce), the nonce the one it issued, the realm and user ours.

use std::net::UdpSocket;
use std::time::Duration;

use dialtone_sip::{Account, Error, Phone, SipAgent};
use md5::{Digest, Md5};
use secrecy::SecretString;

const REALM: &str = "pbx.test";
const PASSWORD: &str = "correct horse";

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn header<'a>(request: &'a str, name: &str) -> Option<&'a str> {
    request.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn param<'a>(authorization: &'a str, name: &str) -> Option<&'a str> {
    authorization.trim_start_matches("Digest").split(',').find_map(|part| {
        let (key, value) = part.trim().split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"'))
    })
}

/// Whether `authorization` answers `nonce` with the right digest for `REGISTER`.
fn answers(authorization: &str, nonce: &str, user: &str) -> bool {
    let p = |name| param(authorization, name).unwrap_or_default();
    assert_eq!(p("username"), user, "{authorization}");
    assert_eq!(p("realm"), REALM, "{authorization}");
    assert_eq!(p("qop"), "auth", "{authorization}");
    assert!(!p("cnonce").is_empty() && p("nc").len() == 8, "{authorization}");
    if p("nonce") != nonce {
        return false;
    }
    let ha1 = md5_hex(&format!("{user}:{REALM}:{PASSWORD}"));
    let ha2 = md5_hex(&format!("REGISTER:{}", p("uri")));
    p("response") == md5_hex(&format!("{ha1}:{nonce}:{}:{}:auth:{ha2}", p("nc"), p("cnonce")))
}

fn reply(socket: &UdpSocket, request: &str, to: std::net::SocketAddr, status: &str, extra: &str) {
    let h = |name| header(request, name).unwrap_or_default();
    let response = format!(
        "SIP/2.0 {status}\r\nVia: {};received={}\r\nFrom: {}\r\nTo: {};tag=reg1\r\nCall-ID: {}\r\nCSeq: {}\r\n{extra}Content-Length: 0\r\n\r\n",
        h("Via").replace(";rport", &format!(";rport={}", to.port())),
        to.ip(),
        h("From"),
        h("To"),
        h("Call-ID"),
        h("CSeq"),
    );
    socket.send_to(response.as_bytes(), to).unwrap();
}

/// Serves REGISTERs: a challenge with nonce-1; a right answer to it gets `stale=true`
/// and nonce-2; a right answer to that gets 200 OK; a wrong answer gets a plain 401.
/// Returns what it answered, in order.
fn registrar(user: &'static str) -> (String, std::thread::JoinHandle<Vec<&'static str>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        socket.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut said = Vec::new();
        let mut buf = vec![0u8; 65_536];
        let challenge = |nonce: &str, stale: bool| {
            format!(
                "WWW-Authenticate: Digest realm=\"{REALM}\", nonce=\"{nonce}\", qop=\"auth\", algorithm=MD5{}\r\n",
                if stale { ", stale=true" } else { "" }
            )
        };
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let request = String::from_utf8_lossy(&buf[..n]).into_owned();
            if !request.starts_with("REGISTER ") {
                continue;
            }
            if header(&request, "Expires") == Some("0") || request.contains(";expires=0") {
                reply(&socket, &request, from, "200 OK", "");
                said.push("200 to the unregister");
                break;
            }
            match header(&request, "Authorization") {
                None => {
                    reply(&socket, &request, from, "401 Unauthorized", &challenge("nonce-1", false));
                    said.push("401");
                }
                Some(auth) if answers(auth, "nonce-1", user) => {
                    reply(&socket, &request, from, "401 Unauthorized", &challenge("nonce-2", true));
                    said.push("401 stale");
                }
                Some(auth) if answers(auth, "nonce-2", user) => {
                    let contact = header(&request, "Contact").unwrap_or_default().to_owned();
                    reply(
                        &socket,
                        &request,
                        from,
                        "200 OK",
                        &format!("Contact: {contact};expires=300\r\nExpires: 300\r\n"),
                    );
                    said.push("200");
                }
                Some(_) => {
                    reply(&socket, &request, from, "401 Unauthorized", &challenge("nonce-3", false));
                    said.push("401 to a wrong answer");
                    break;
                }
            }
        }
        said
    });
    (addr, handle)
}

#[tokio::test]
async fn a_stale_nonce_is_answered_again_and_registers() {
    let (addr, registrar) = registrar("alice");
    let phone = Phone::start(Account::new(&addr, "alice", SecretString::from(PASSWORD)).unwrap()).await.unwrap();
    let registered = phone.register().await;
    assert!(registered.is_ok(), "{registered:?}");
    phone.unregister().await.unwrap();
    let said = registrar.join().unwrap();
    assert_eq!(said[..3], ["401", "401 stale", "200"], "{said:?}");
}

#[tokio::test]
async fn a_wrong_password_is_still_a_wrong_password() {
    let (addr, registrar) = registrar("bob");
    let phone = Phone::start(Account::new(&addr, "bob", SecretString::from("battery staple")).unwrap()).await.unwrap();
    let err = phone.register().await.unwrap_err();
    assert!(matches!(err, Error::WrongPassword { .. }), "{err:?}");
    assert!(err.to_string().contains("refused the password for bob"), "{err}");
    drop(phone);
    let said = registrar.join().unwrap();
    assert_eq!(said[..2], ["401", "401 to a wrong answer"], "{said:?}");
}
