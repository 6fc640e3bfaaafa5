//! Dialtone's SIP phone against a registrar and a phone no one here wrote:
//! kamailio and baresip (see `peers.rs`). Each test runs in its own network
//! namespace, so they never touch the real network and never collide.

mod peers;

use std::path::Path;
use std::time::Duration;

use dialtone_sip::{
    Account, CallEvent, CallHandle, EndReason, Input, MediaIo, Output, Party, Phone, SipAgent, SrtpPolicy,
};
use peers::{ADDR, Baresip, PhoneOptions, assert_tone, baresip, in_netns, kamailio, read_wav};
use secrecy::SecretString;

const KAMAILIO: u16 = 5070;

fn account(user: &str, password: &str) -> Account {
    Account::new(&format!("{ADDR}:{KAMAILIO}"), user, SecretString::from(password.to_owned())).unwrap()
}

fn write_tone(path: &Path, freq: f32, seconds: f32, rate: u32) {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(seconds * rate as f32) as usize {
        let s = 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin();
        w.write_sample((s * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    // RUST_LOG=rsipstack=debug shows the SIP messages when a test fails.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Waits for an event matching `want`, returning every event seen on the way.
async fn wait_for(
    call: &mut CallHandle,
    what: impl std::fmt::Display,
    want: impl Fn(&CallEvent) -> bool,
) -> Vec<CallEvent> {
    let mut seen = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(e) = call.next_event().await {
            let done = want(&e);
            seen.push(e);
            if done {
                return true;
            }
        }
        false
    })
    .await;
    assert!(matches!(found, Ok(true)), "never saw {what}; events: {seen:?}");
    seen
}

/// Formats on demand, so a failure message carries a peer's log as it was then.
struct Lazy<F>(F);
impl<F: Fn() -> String> std::fmt::Display for Lazy<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(self.0)())
    }
}

fn bob(dir: &Path, answer: &str, codecs: &str) -> Baresip {
    baresip(
        dir,
        KAMAILIO,
        &PhoneOptions { user: "bob", port: 5080, console: 5563, tone_hz: 1000, answer, codecs, extra: "" },
    )
}

#[test]
fn registers_with_the_right_password_and_says_so_for_the_wrong_one() {
    if !in_netns("registers_with_the_right_password_and_says_so_for_the_wrong_one") {
        return;
    }
    for algorithm in ["MD5", "SHA-256"] {
        let dir = tempfile::tempdir().unwrap();
        let registrar = kamailio(dir.path(), KAMAILIO, algorithm);
        runtime().block_on(async {
            let phone = Phone::start(account("alice", "pw-alice")).await.unwrap();
            let registered = phone.register().await.unwrap_or_else(|e| panic!("{algorithm}: {e}\n{}", registrar.log()));
            assert_eq!(registered.aor, format!("sip:alice@{ADDR}"));
            assert!(registered.expires > 0);
            phone.unregister().await.unwrap();

            let wrong = Phone::start(account("alice", "not-it")).await.unwrap();
            let err = wrong.register().await.unwrap_err();
            assert_eq!(err.code(), "wrong_password", "{algorithm}: {err}");
            assert!(err.to_string().contains("refused the password for alice"), "{err}");
            assert!(!err.to_string().contains("not-it"), "the password leaked into the error");
        });
    }
    // And a registrar that is not there is said to be unreachable, in time.
    runtime().block_on(async {
        let mut lost = account("alice", "pw-alice");
        lost.registrar = dialtone_sip::account::HostPort::parse(&format!("{ADDR}:5999"), "registrar").unwrap();
        let phone = Phone::start(lost).await.unwrap();
        let err = phone.register().await.unwrap_err();
        assert_eq!(err.code(), "unreachable", "{err}");
    });
}

#[test]
fn a_call_to_baresip_carries_audio_both_ways_and_dtmf() {
    if !in_netns("a_call_to_baresip_carries_audio_both_ways_and_dtmf") {
        return;
    }
    for codecs in ["pcmu", "G722/16000/1", "opus/48000/2", "pcma"] {
        let dir = tempfile::tempdir().unwrap();
        let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
        let far = bob(dir.path(), "auto", codecs);
        let (play, record) = (dir.path().join("ours.wav"), dir.path().join("heard.wav"));
        write_tone(&play, 600.0, 10.0, 44_100);
        runtime().block_on(async {
            let phone = Phone::start(account("alice", "pw-alice")).await.unwrap();
            phone.register().await.unwrap();
            let io = MediaIo {
                input: Input::Wav(play.clone()),
                output: Output::Wav(record.clone()),
                region: Default::default(),
            };
            let mut call = phone.call("bob", io).await.unwrap();
            let seen = wait_for(&mut call, Lazy(|| format!("{codecs}: answered\n{}", far.peer.log())), |e| {
                matches!(e, CallEvent::Answered { .. })
            })
            .await;
            assert!(matches!(seen[0], CallEvent::Calling { .. }), "{seen:?}");
            tokio::time::sleep(Duration::from_secs(3)).await;
            call.control().dtmf("123");
            tokio::time::sleep(Duration::from_millis(1200)).await;
            call.control().hang_up();
            let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
            let Some(CallEvent::Ended { reason, duration_s, stats, .. }) = seen.last() else { unreachable!() };
            assert_eq!(*reason, EndReason::HungUp);
            assert!(*duration_s >= 4.0, "{duration_s}");
            assert!(stats.packets_received > 150, "{codecs}: {stats:?}");
            assert_eq!(stats.dtmf_sent, 3, "{stats:?}");
        });
        for digit in ['1', '2', '3'] {
            far.peer.wait_for(&format!("received event: '{digit}'"), Duration::from_secs(2));
        }
        // What we heard: bob's 1 kHz. Skip the first second (setup, jitter buffer).
        let (rate, heard) = read_wav(&record);
        assert_tone(&heard[rate as usize..rate as usize * 3], rate, 1000.0, &format!("{codecs}: our recording"));
        // What bob heard: our 600 Hz.
        let theirs =
            far.recording().unwrap_or_else(|| panic!("{codecs}: baresip recorded nothing:\n{}", far.peer.log()));
        let (rate, heard) = read_wav(&theirs);
        assert_tone(&heard[rate as usize..rate as usize * 3], rate, 600.0, &format!("{codecs}: baresip's recording"));
    }
}

#[test]
fn busy_cancel_and_a_hang_up_from_the_far_end_are_told_apart() {
    if !in_netns("busy_cancel_and_a_hang_up_from_the_far_end_are_told_apart") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = bob(dir.path(), "manual", "pcmu");
    let quiet = || MediaIo { input: Input::Silence, output: Output::Discard, region: Default::default() };
    runtime().block_on(async {
        let phone = Phone::start(account("alice", "pw-alice")).await.unwrap();
        phone.register().await.unwrap();

        // Ringing, then we give up: CANCEL, 487.
        let mut call = phone.call("bob", quiet()).await.unwrap();
        wait_for(&mut call, "ringing", |e| matches!(e, CallEvent::Ringing { .. })).await;
        call.control().hang_up();
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        assert!(
            matches!(
                seen.last(),
                Some(CallEvent::Ended { reason: EndReason::Cancelled, status: Some(487), duration_s: 0.0, .. })
            ),
            "{seen:?}"
        );
        far.peer.wait_for("487", Duration::from_secs(5));

        // Ringing, and bob rejects it: busy.
        let mut call = phone.call("bob", quiet()).await.unwrap();
        wait_for(&mut call, "ringing", |e| matches!(e, CallEvent::Ringing { .. })).await;
        far.command("/hangup");
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        let Some(CallEvent::Ended { reason, status, message, .. }) = seen.last() else { unreachable!() };
        assert!(matches!(reason, EndReason::Busy | EndReason::Declined), "{seen:?}");
        assert!(matches!(status, Some(486) | Some(603)), "{seen:?}");
        assert!(message.contains("busy") || message.contains("declined"), "{message}");

        // Answered, then bob hangs up: BYE from the far end.
        let mut call = phone.call("bob", quiet()).await.unwrap();
        wait_for(&mut call, "ringing", |e| matches!(e, CallEvent::Ringing { .. })).await;
        far.command("/accept");
        wait_for(&mut call, "answered", |e| matches!(e, CallEvent::Answered { .. })).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        far.command("/hangup");
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        assert!(matches!(seen.last(), Some(CallEvent::Ended { reason: EndReason::RemoteHungUp, .. })), "{seen:?}");
    });
}

#[test]
fn an_incoming_call_rings_is_answered_and_holds() {
    if !in_netns("an_incoming_call_rings_is_answered_and_holds") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = bob(dir.path(), "auto", "pcmu,pcma");
    let record = dir.path().join("heard.wav");
    let play = dir.path().join("ours.wav");
    write_tone(&play, 600.0, 20.0, 16_000);
    runtime().block_on(async {
        let phone = Phone::start(account("alice", "pw-alice")).await.unwrap();
        phone.register().await.unwrap();
        far.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
        let mut call = tokio::time::timeout(Duration::from_secs(10), phone.next_incoming()).await.unwrap().unwrap();
        let first = call.next_event().await.unwrap();
        let CallEvent::Incoming { from, .. } = &first else { panic!("{first:?}") };
        assert!(from.contains("bob"), "{from}");
        call.control().answer(MediaIo {
            input: Input::Wav(play.clone()),
            output: Output::Wav(record.clone()),
            region: Default::default(),
        });
        wait_for(&mut call, "answered", |e| matches!(e, CallEvent::Answered { .. })).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        call.control().hold();
        wait_for(&mut call, "held", |e| matches!(e, CallEvent::Held { by: Party::Local })).await;
        call.control().resume();
        wait_for(&mut call, "resumed", |e| matches!(e, CallEvent::Resumed { by: Party::Local })).await;
        call.control().hang_up();
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        assert!(matches!(seen.last(), Some(CallEvent::Ended { reason: EndReason::HungUp, .. })), "{seen:?}");
    });
    let (rate, heard) = read_wav(&record);
    assert_tone(&heard[rate as usize..rate as usize * 3], rate, 1000.0, "what we heard from the caller");
    // baresip's recording stops at the hold re-INVITE: judge the first seconds.
    let theirs = far.recording().expect("baresip recorded nothing");
    let (rate, heard) = read_wav(&theirs);
    assert_tone(&heard[rate as usize / 2..rate as usize * 2], rate, 600.0, "what the caller heard");
}

#[test]
fn srtp_required_on_both_ends_still_carries_the_audio_and_is_refused_without_it() {
    if !in_netns("srtp_required_on_both_ends_still_carries_the_audio_and_is_refused_without_it") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = baresip(dir.path(), KAMAILIO, &PhoneOptions { extra: ";mediaenc=srtp-mand", ..PhoneOptions::BOB });
    let plain = baresip(
        dir.path(),
        KAMAILIO,
        &PhoneOptions {
            user: "carol",
            port: 5090,
            console: 5565,
            tone_hz: 1000,
            answer: "auto",
            codecs: "pcmu",
            extra: "",
        },
    );
    let record = dir.path().join("heard.wav");
    runtime().block_on(async {
        let mut secure = account("alice", "pw-alice");
        secure.srtp = SrtpPolicy::Required;
        let phone = Phone::start(secure).await.unwrap();
        phone.register().await.unwrap();
        let io = MediaIo { input: Input::Silence, output: Output::Wav(record.clone()), region: Default::default() };
        let mut call = phone.call("bob", io).await.unwrap();
        let seen = wait_for(&mut call, "answered", |e| matches!(e, CallEvent::Answered { .. })).await;
        assert!(matches!(seen.last(), Some(CallEvent::Answered { encrypted: true, .. })), "{seen:?}");
        tokio::time::sleep(Duration::from_secs(3)).await;
        call.control().hang_up();
        wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;

        // carol has no SRTP: she refuses our RTP/SAVP offer, and nothing is sent in clear.
        let mut call = phone
            .call("carol", MediaIo { input: Input::Silence, output: Output::Discard, region: Default::default() })
            .await
            .unwrap();
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        let Some(CallEvent::Ended { reason, stats, .. }) = seen.last() else { unreachable!() };
        assert_eq!(*reason, EndReason::Rejected, "{seen:?}");
        assert_eq!(stats.packets_sent, 0, "audio went out in clear: {stats:?}");
    });
    let (rate, heard) = read_wav(&record);
    assert_tone(&heard[rate as usize..rate as usize * 2], rate, 1000.0, "decrypted audio from baresip");
    drop(plain);
    drop(far);
}

#[test]
fn an_incoming_call_is_missed_when_the_caller_gives_up_and_ends_on_the_callers_bye() {
    if !in_netns("an_incoming_call_is_missed_when_the_caller_gives_up_and_ends_on_the_callers_bye") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = bob(dir.path(), "auto", "pcmu");
    let quiet = || MediaIo { input: Input::Silence, output: Output::Discard, region: Default::default() };
    runtime().block_on(async {
        let phone = Phone::start(account("alice", "pw-alice")).await.unwrap();
        phone.register().await.unwrap();

        // Ringing here; bob gives up (CANCEL): missed, and bob saw 487.
        far.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
        let mut call = tokio::time::timeout(Duration::from_secs(10), phone.next_incoming()).await.unwrap().unwrap();
        wait_for(&mut call, "incoming", |e| matches!(e, CallEvent::Incoming { .. })).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        far.command("/hangup");
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        assert!(matches!(seen.last(), Some(CallEvent::Ended { reason: EndReason::Missed, .. })), "{seen:?}");

        // Answered, then bob hangs up: BYE from the caller ends it.
        far.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
        let mut call = tokio::time::timeout(Duration::from_secs(10), phone.next_incoming()).await.unwrap().unwrap();
        call.control().answer(quiet());
        wait_for(&mut call, "answered", |e| matches!(e, CallEvent::Answered { .. })).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        far.command("/hangup");
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        assert!(matches!(seen.last(), Some(CallEvent::Ended { reason: EndReason::RemoteHungUp, .. })), "{seen:?}");

        // And a call we decline gives the caller 486.
        far.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
        let mut call = tokio::time::timeout(Duration::from_secs(10), phone.next_incoming()).await.unwrap().unwrap();
        call.control().decline();
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        assert!(
            matches!(seen.last(), Some(CallEvent::Ended { reason: EndReason::Declined, status: Some(486), .. })),
            "{seen:?}"
        );
        far.peer.wait_for("486 Busy Here", Duration::from_secs(5));
    });
}

#[test]
fn two_dialtone_agents_call_each_other_with_srtp() {
    if !in_netns("two_dialtone_agents_call_each_other_with_srtp") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "SHA-256");
    let files = |name: &str| dir.path().join(name);
    write_tone(&files("a.wav"), 600.0, 10.0, 48_000);
    write_tone(&files("b.wav"), 1400.0, 10.0, 8_000);
    runtime().block_on(async {
        let secure = |user: &str| {
            let mut a = account(user, &format!("pw-{user}"));
            a.srtp = SrtpPolicy::Required;
            a.codecs = vec![dialtone_sip::Codec::G722, dialtone_sip::Codec::Opus];
            a
        };
        let alice = Phone::start(secure("alice")).await.unwrap();
        let bob = Phone::start(secure("bob")).await.unwrap();
        alice.register().await.unwrap();
        bob.register().await.unwrap();
        let io = |play: &str, record: &str| MediaIo {
            input: Input::Wav(files(play)),
            output: Output::Wav(files(record)),
            region: Default::default(),
        };
        let mut outgoing = alice.call("bob", io("a.wav", "a-heard.wav")).await.unwrap();
        let mut incoming = tokio::time::timeout(Duration::from_secs(10), bob.next_incoming()).await.unwrap().unwrap();
        incoming.control().answer(io("b.wav", "b-heard.wav"));
        let seen = wait_for(&mut outgoing, "answered", |e| matches!(e, CallEvent::Answered { .. })).await;
        assert!(
            matches!(seen.last(), Some(CallEvent::Answered { codec, encrypted: true }) if codec == "G.722"),
            "{seen:?}"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        incoming.control().dtmf("7#");
        wait_for(&mut outgoing, "a key", |e| matches!(e, CallEvent::Dtmf { digit: '7', by: Party::Remote })).await;
        wait_for(&mut outgoing, "the second key", |e| matches!(e, CallEvent::Dtmf { digit: '#', by: Party::Remote }))
            .await;
        incoming.control().hang_up();
        let seen = wait_for(&mut outgoing, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        assert!(matches!(seen.last(), Some(CallEvent::Ended { reason: EndReason::RemoteHungUp, .. })), "{seen:?}");
        wait_for(&mut incoming, "ended", |e| matches!(e, CallEvent::Ended { reason: EndReason::HungUp, .. })).await;
    });
    let (rate, heard) = read_wav(&files("a-heard.wav"));
    assert_tone(&heard[rate as usize..rate as usize * 3], rate, 1400.0, "alice heard bob");
    let (rate, heard) = read_wav(&files("b-heard.wav"));
    assert_tone(&heard[rate as usize..rate as usize * 3], rate, 600.0, "bob heard alice");
}

#[test]
fn tcp_and_tls_register_and_tls_trusts_only_a_known_authority() {
    if !in_netns("tcp_and_tls_register_and_tls_trusts_only_a_known_authority") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_registrar, ca) = peers::kamailio_with_tls(dir.path(), KAMAILIO, "MD5");
    let _far = bob(dir.path(), "auto", "pcmu");
    let record = dir.path().join("heard.wav");
    runtime().block_on(async {
        let mut tcp = account("alice", "pw-alice");
        tcp.transport = dialtone_sip::Transport::Tcp;
        let phone = Phone::start(tcp).await.unwrap();
        phone.register().await.expect("registered over TCP");
        let mut tcp_call = phone
            .call("bob", MediaIo { input: Input::Silence, output: Output::Discard, region: Default::default() })
            .await
            .unwrap();
        wait_for(&mut tcp_call, "answered over TCP", |e| matches!(e, CallEvent::Answered { .. })).await;
        tcp_call.control().hang_up();
        wait_for(&mut tcp_call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        phone.unregister().await.unwrap();
        drop(phone);

        let tls = |ca_file: Option<&Path>| {
            let mut a =
                Account::new(&format!("{ADDR}:{}", KAMAILIO + 1), "alice", SecretString::from("pw-alice".to_owned()))
                    .unwrap();
            a.transport = dialtone_sip::Transport::Tls;
            a.srtp = SrtpPolicy::Optional;
            a.tls_ca_file = ca_file.map(Path::to_path_buf);
            a
        };
        // The system's authorities do not know the test's: refused, in words, before a
        // REGISTER (and its password digest) goes anywhere.
        let untrusted = Phone::start(tls(None)).await.unwrap();
        let refused = untrusted.register().await.unwrap_err();
        assert_eq!(refused.code(), "tls", "{refused}");
        assert!(refused.to_string().contains("not signed by an authority this computer trusts"), "{refused}");
        assert!(refused.to_string().contains("tls_ca_file"), "{refused}");
        drop(untrusted);

        let phone = Phone::start(tls(Some(&ca))).await.unwrap();
        phone.register().await.expect("registered over TLS with the PBX's authority");
        let io = MediaIo { input: Input::Silence, output: Output::Wav(record.clone()), region: Default::default() };
        let mut call = phone.call("bob", io).await.unwrap();
        wait_for(&mut call, "answered over TLS", |e| matches!(e, CallEvent::Answered { .. })).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        call.control().hang_up();
        wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { reason: EndReason::HungUp, .. })).await;
    });
    let (rate, heard) = read_wav(&record);
    assert_tone(&heard[rate as usize..rate as usize * 2], rate, 1000.0, "baresip's tone over a TLS-signalled call");
}

#[test]
fn early_media_sends_no_microphone_before_the_answer() {
    if !in_netns("early_media_sends_no_microphone_before_the_answer") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    // answermode=early: baresip answers 183 with SDP and listens, never 200. (It sends
    // no audio of its own then, so hearing early media cannot be checked against it.)
    let far = bob(dir.path(), "early", "pcmu");
    let tone = dir.path().join("tone.wav");
    write_tone(&tone, 600.0, 10.0, 48_000);
    runtime().block_on(async {
        let phone = Phone::start(account("alice", "pw-alice")).await.unwrap();
        phone.register().await.unwrap();
        let io = MediaIo { input: Input::Wav(tone.clone()), output: Output::Discard, region: Default::default() };
        let mut call = phone.call("bob", io).await.unwrap();
        let seen = wait_for(&mut call, "ringing", |e| matches!(e, CallEvent::Ringing { early_media: true })).await;
        assert!(!seen.iter().any(|e| matches!(e, CallEvent::Answered { .. })), "{seen:?}");
        tokio::time::sleep(Duration::from_secs(2)).await;
        call.control().hang_up();
        let seen = wait_for(&mut call, "ended", |e| matches!(e, CallEvent::Ended { .. })).await;
        let Some(CallEvent::Ended { reason, stats, .. }) = seen.last() else { unreachable!() };
        assert_eq!(*reason, EndReason::Cancelled, "{seen:?}");
        assert_eq!(stats.packets_sent, 0, "the caller's audio went out before the answer: {stats:?}");
    });
    far.peer.wait_for("183 Session Progress", Duration::from_secs(1));
    far.peer.wait_for("487", Duration::from_secs(5));
}
