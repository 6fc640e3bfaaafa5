//! `dialtone` with a SIP account, end to end against kamailio and baresip (the
//! peers of dialtone-sip's interop tests, in a private network namespace): the
//! commands' contract from the live-calls issue, the history rows, and no password
//! anywhere in what was printed or written.

#[path = "../../dialtone-sip/tests/peers.rs"]
mod peers;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use peers::{ADDR, Nat, PhoneOptions, assert_tone, baresip, in_netns, kamailio, read_wav, stun_server};
use serde_json::Value;

const KAMAILIO: u16 = 5070;
const PASSWORD: &str = "pw-alice";

fn dialtone(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    dialtone_in(None, dir, args, stdin)
}

/// `dialtone`, inside the home network of `nat` when there is one.
fn dialtone_in(nat: Option<&Nat>, dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let exe = env!("CARGO_BIN_EXE_dialtone");
    let mut cmd = nat.map_or_else(|| Command::new(exe), |nat| nat.command(exe));
    cmd.env_remove("DIALTONE_DATA_DIR").arg("--data-dir").arg(dir).args(args);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok(dir: &Path, args: &[&str], stdin: Option<&str>, printed: &mut String) -> String {
    ok_in(None, dir, args, stdin, printed)
}

fn ok_in(nat: Option<&Nat>, dir: &Path, args: &[&str], stdin: Option<&str>, printed: &mut String) -> String {
    let out = dialtone_in(nat, dir, args, stdin);
    printed.push_str(&String::from_utf8_lossy(&out.stdout));
    printed.push_str(&String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "dialtone {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn events(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

fn names(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["event"].as_str().unwrap_or_default().to_owned()).filter(|e| e != "stats").collect()
}

fn write_tone(path: &Path, freq: f32, seconds: f32) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(seconds * 44_100.0) as usize {
        let s = (0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / 44_100.0).sin() * 32767.0) as i16;
        w.write_sample(s).unwrap();
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

/// `dialtone listen` in the background, read line by line.
struct Listener {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Listener {
    fn start(dir: &Path, args: &[&str]) -> Listener {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dialtone"))
            .env_remove("DIALTONE_DATA_DIR")
            .arg("--data-dir")
            .arg(dir)
            .arg("listen")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Listener { child, lines, seen: Vec::new() }
    }

    fn wait_for(&mut self, event: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100)) {
                let is = serde_json::from_str::<Value>(&line).is_ok_and(|v| v["event"] == event);
                self.seen.push(line);
                if is {
                    return;
                }
            }
        }
        panic!("listen never printed {event}: {:?}", self.seen);
    }

    fn finish(mut self) -> (std::process::ExitStatus, Vec<Value>, String) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let mut stderr = String::new();
                use std::io::Read;
                let _ = self.child.stderr.take().unwrap().read_to_string(&mut stderr);
                panic!("listen did not exit: {:?}\n{stderr}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        self.seen.extend(self.lines.try_iter());
        let mut stderr = String::new();
        use std::io::Read;
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let events = self.seen.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        (status, events, stderr)
    }
}

#[test]
fn a_sip_account_checks_calls_listens_and_records_every_call() {
    if !in_netns("a_sip_account_checks_calls_listens_and_records_every_call") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let _registrar = kamailio(work.path(), KAMAILIO, "MD5");
    let bob = baresip(work.path(), KAMAILIO, &PhoneOptions::BOB);
    let mut printed = String::new();
    let registrar = format!("registrar={ADDR}:{KAMAILIO}");
    ok(
        &data,
        &["provider", "add", "office", "--kind", "sip", "--set", &registrar, "--set", "username=alice"],
        None,
        &mut printed,
    );
    ok(&data, &["provider", "secret", "office", "password"], Some(PASSWORD), &mut printed);
    ok(
        &data,
        &["provider", "add", "wrong", "--kind", "sip", "--set", &registrar, "--set", "username=alice"],
        None,
        &mut printed,
    );
    ok(&data, &["provider", "secret", "wrong", "password"], Some("not-the-password"), &mut printed);

    // Check: registered, and the wrong password in plain words with a failing status.
    let out = ok(&data, &["provider", "check", "office"], None, &mut printed);
    assert!(out.contains("registered as sip:alice@10.77.0.1"), "{out}");
    let wrong = dialtone(&data, &["provider", "check", "wrong"], None);
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success());
    assert!(stderr.contains("refused the password for alice"), "{stderr}");
    assert!(!stderr.contains("not-the-password"));

    // Call out: our tone one way, bob's the other, DTMF, hang up after 3 s.
    let (play, heard) = (work.path().join("ours.wav"), work.path().join("heard.wav"));
    write_tone(&play, 600.0, 8.0);
    let out = ok(
        &data,
        &[
            "call",
            "bob",
            "--via",
            "office",
            "--json",
            "--play",
            play.to_str().unwrap(),
            "--record",
            heard.to_str().unwrap(),
            "--dtmf",
            "45",
            "--hangup-after",
            "3",
        ],
        None,
        &mut printed,
    );
    let call = events(&out);
    assert_eq!(names(&call), ["calling", "ringing", "answered", "ended"], "{out}");
    let end = call.last().unwrap();
    assert_eq!(end["reason"], "hung_up", "{end}");
    assert!(end["duration_s"].as_f64().unwrap() >= 2.9, "{end}");
    for digit in ['4', '5'] {
        bob.peer.wait_for(&format!("received event: '{digit}'"), Duration::from_secs(3));
    }
    let (rate, samples) = read_wav(&heard);
    assert_tone(&samples[rate as usize..rate as usize * 2], rate, 1000.0, "the call's recording");
    let theirs = bob.recording().expect("bob recorded nothing");
    let (rate, samples) = read_wav(&theirs);
    assert_tone(&samples[rate as usize..rate as usize * 2], rate, 600.0, "bob's recording");

    // A number bob is not: 404 in words, a failing status.
    let missing = dialtone(
        &data,
        &["call", "1999", "--via", "office", "--play", play.to_str().unwrap(), "--record", heard.to_str().unwrap()],
        None,
    );
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("No one by that number"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );

    // Incoming, answered at once, hung up by us after 2 s.
    let inbound = work.path().join("inbound.wav");
    let mut listener = Listener::start(
        &data,
        &[
            "--via",
            "office",
            "--answer",
            "auto",
            "--calls",
            "1",
            "--json",
            "--record",
            inbound.to_str().unwrap(),
            "--hangup-after",
            "2",
        ],
    );
    listener.wait_for("registered");
    bob.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
    let (status, heard_in, stderr) = listener.finish();
    assert!(status.success(), "{stderr}");
    assert_eq!(names(&heard_in), ["registered", "incoming", "answered", "ended"], "{heard_in:?}");
    assert!(heard_in[1]["from"].as_str().unwrap().contains("bob"));
    let (rate, samples) = read_wav(&inbound);
    assert_tone(&samples[rate as usize / 2..rate as usize * 3 / 2], rate, 1000.0, "the incoming call's recording");

    // Incoming, never answered (asked, no reply), the caller gives up: missed.
    let mut listener = Listener::start(&data, &["--via", "office", "--answer", "ask", "--calls", "1", "--json"]);
    listener.wait_for("registered");
    bob.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
    listener.wait_for("incoming");
    std::thread::sleep(Duration::from_millis(500));
    bob.command("/hangup");
    let (status, missed, stderr) = listener.finish();
    assert!(status.success(), "{stderr}");
    assert_eq!(missed.last().unwrap()["reason"], "missed", "{missed:?}");

    // Every call in the history, newest first.
    let history: Value = serde_json::from_str(&ok(&data, &["history", "--json"], None, &mut printed)).unwrap();
    let rows = history.as_array().unwrap();
    let summary: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["direction"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |d: &str, o: &str| (d.to_owned(), o.to_owned(), "sip".to_owned());
    assert_eq!(
        summary,
        [
            row("incoming", "missed"),
            row("incoming", "answered"),
            row("outgoing", "failed"),
            row("outgoing", "answered")
        ],
        "{history}"
    );
    assert!(rows[3]["duration_ms"].as_i64().unwrap() >= 2900, "{}", rows[3]);
    assert!(rows[2]["error_message"].as_str().unwrap().contains("404"), "{}", rows[2]);

    // The password is nowhere: not printed, not in any file Dialtone wrote.
    let mut everything = printed;
    for entry in walk(&data) {
        everything.push_str(&String::from_utf8_lossy(&std::fs::read(entry).unwrap()));
    }
    assert!(!everything.contains(PASSWORD), "the SIP password leaked");
    assert!(!everything.contains("not-the-password"), "the wrong password leaked");
}

/// Behind a NAT that lets in only answers to what went out (as a home router does),
/// the far end's audio reaches Dialtone only when the SDP names the public address:
/// the STUN server's answer. The same call without `stun_server` is answered (SIP
/// gets through on rport) and silent, which shows the NAT is real.
#[test]
fn behind_a_nat_the_far_end_is_heard_with_stun_and_not_without() {
    if !in_netns("behind_a_nat_the_far_end_is_heard_with_stun_and_not_without") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let _registrar = kamailio(work.path(), KAMAILIO, "MD5");
    let _stun = stun_server(work.path(), 3478);
    let _bob = baresip(work.path(), KAMAILIO, &PhoneOptions::BOB);
    let nat = Nat::new();
    let mut printed = String::new();
    let registrar = format!("registrar={ADDR}:{KAMAILIO}");
    let stun = format!("stun_server={ADDR}:3478");
    for (name, extra) in [("bare", None), ("home", Some(stun.as_str()))] {
        let mut args = vec!["provider", "add", name, "--kind", "sip", "--set", &registrar, "--set", "username=alice"];
        if let Some(extra) = extra {
            args.extend(["--set", extra]);
        }
        ok(&data, &args, None, &mut printed);
        ok(&data, &["provider", "secret", name, "password"], Some(PASSWORD), &mut printed);
    }
    let play = work.path().join("ours.wav");
    write_tone(&play, 600.0, 6.0);
    let call = |account: &str, heard: &Path, printed: &mut String| {
        let args = ["call", "bob", "--via", account, "--json", "--play", play.to_str().unwrap()];
        let args = [&args[..], &["--record", heard.to_str().unwrap(), "--hangup-after", "3"]].concat();
        let out = ok_in(Some(&nat), &data, &args, None, printed);
        let call = events(&out);
        assert_eq!(names(&call), ["calling", "ringing", "answered", "ended"], "{out}");
        assert_eq!(call.last().unwrap()["reason"], "hung_up", "{out}");
        read_wav(heard)
    };

    let (rate, samples) = call("bare", &work.path().join("bare.wav"), &mut printed);
    let heard = &samples[rate as usize..rate as usize * 2];
    let rms = (heard.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / heard.len() as f64).sqrt();
    assert!(
        rms < 0.005,
        "without STUN the far end's audio got through the NAT (rms {rms:.4}): the test's NAT is not one"
    );

    let (rate, samples) = call("home", &work.path().join("home.wav"), &mut printed);
    assert_tone(
        &samples[rate as usize..rate as usize * 2],
        rate,
        1000.0,
        "the recording of a call made behind the NAT with STUN",
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
