//! Real SIP peers for the interop tests: kamailio as registrar and proxy (digest
//! auth, no database: a user's password is "pw-" + the user name), and baresip as
//! the far phone. Neither was written here.
//!
//! Everything runs in a private network namespace with one veth address,
//! 10.77.0.1 (baresip will not put 127.0.0.1 in its SDP; see shared/testing.md).
//! [`in_netns`] re-runs the calling test inside one, so `cargo test` needs nothing
//! set up by hand; it needs root (or user namespaces) and the Debian packages
//! `kamailio baresip-core sox`, which `scripts/install-deps.sh` installs.

#![allow(dead_code)]

use std::io::Read;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ADDR: &str = "10.77.0.1";

/// True inside the namespace. Outside, re-runs this one test there and checks it
/// passed; the caller returns at once when this gives `false`.
///
/// The namespace has its own process IDs too (`-p -f`): when the test ends, the
/// kernel ends every peer it started, kamailio's forked workers included, so a
/// failed or interrupted test leaves nothing running. It mounts its own `/proc`, so
/// a process ID found there (a [`Nat`]'s namespace) is one of ours.
pub fn in_netns(test: &str) -> bool {
    if std::env::var_os("DIALTONE_SIP_NETNS").is_some() {
        return true;
    }
    let status = netns_command()
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .status()
        .expect("unshare could not be started: install util-linux");
    assert!(
        status.success(),
        "{test} failed inside its network namespace (or `unshare -n` is not permitted here: these tests need root)"
    );
    false
}

/// This binary again, in a network and PID namespace of its own with `ADDR` on a
/// veth; arguments are added by the caller.
pub fn netns_command() -> Command {
    let exe = std::env::current_exe().expect("test binary path");
    let setup = format!(
        "ip link set lo up && ip link add v0 type veth peer name v1 && ip addr add {ADDR}/24 dev v0 && \
         ip link set v0 up && ip link set v1 up && exec \"$0\" \"$@\""
    );
    let mut command = Command::new("unshare");
    command.args(["-n", "-p", "-f", "--mount-proc", "sh", "-c", &setup]).arg(exe).env("DIALTONE_SIP_NETNS", "1");
    command
}

/// A process whose output is collected for waiting on and for failure messages.
#[derive(Debug)]
pub struct Peer {
    name: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Peer {
    pub fn spawn(name: &str, mut command: Command) -> Peer {
        use std::os::unix::process::CommandExt;
        let mut child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{name} could not start ({e}): run scripts/install-deps.sh --test"));
        let log = Arc::new(Mutex::new(String::new()));
        for mut pipe in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    log.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        Peer { name: name.to_owned(), child, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log contains `pattern`, or panics with the log's tail.
    pub fn wait_for(&self, pattern: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.log().contains(pattern) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let log = self.log();
        let tail: String = log.chars().rev().take(3000).collect::<Vec<_>>().into_iter().rev().collect();
        panic!("{} never logged {pattern:?} within {timeout:?}; its log ends:\n{tail}", self.name);
    }

    pub fn count(&self, pattern: &str) -> usize {
        self.log().matches(pattern).count()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // SIGTERM to the whole process group first: kamailio stops its forked
        // children only when asked nicely, and a child left behind would answer
        // for the next registrar on the same port.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// kamailio on `ADDR:port`, challenging REGISTER (401) and INVITE (407).
pub fn kamailio(dir: &Path, port: u16, algorithm: &str) -> Peer {
    start_kamailio(dir, port, algorithm, "", "")
}

/// kamailio as [`kamailio`] does, and over TLS on `port + 1` with a certificate for
/// `ADDR` signed by a certificate authority made for the test; returns the
/// authority's PEM file. Needs openssl and kamailio-tls-modules.
pub fn kamailio_with_tls(dir: &Path, port: u16, algorithm: &str) -> (Peer, std::path::PathBuf) {
    let run = |script: &str| {
        let out = Command::new("sh").arg("-c").arg(script).current_dir(dir).output().expect("sh");
        assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    run(&format!("openssl req -x509 {ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=Dialtone-test-CA"));
    run(&format!("openssl req {ec} -keyout server.key -out server.csr -subj /CN={ADDR}"));
    std::fs::write(dir.join("server.ext"), format!("subjectAltName=IP:{ADDR}\nbasicConstraints=CA:FALSE\n")).unwrap();
    run(
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext",
    );
    let d = dir.display();
    std::fs::write(
        dir.join("tls.cfg"),
        format!(
            "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n\
             private_key = {d}/server.key\ncertificate = {d}/server.pem\n\n\
             [client:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
        ),
    )
    .unwrap();
    let listen = format!("enable_tls=yes\nlisten=tls:{ADDR}:{}", port + 1);
    let module = format!("loadmodule \"tls.so\"\nmodparam(\"tls\", \"config\", \"{d}/tls.cfg\")");
    (start_kamailio(dir, port, algorithm, &listen, &module), dir.join("ca.pem"))
}

fn start_kamailio(dir: &Path, port: u16, algorithm: &str, tls_listen: &str, tls_module: &str) -> Peer {
    let config = include_str!("kamailio.cfg")
        .replace("@TLS_LISTEN@", tls_listen)
        .replace("@TLS_MODULE@", tls_module)
        .replace("@ADDR@", ADDR)
        .replace("@PORT@", &port.to_string())
        .replace("@ALGORITHM@", algorithm);
    let path = dir.join("kamailio.cfg");
    std::fs::write(&path, config).unwrap();
    let mut command = Command::new("kamailio");
    command.arg("-f").arg(&path).args(["-DD", "-E", "-w"]).arg(dir);
    let peer = Peer::spawn("kamailio", command);
    // Up when it answers an OPTIONS.
    let probe = UdpSocket::bind((ADDR, 0)).unwrap();
    probe.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let local = probe.local_addr().unwrap();
    let options = format!(
        "OPTIONS sip:{ADDR}:{port} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKprobe\r\nMax-Forwards: 70\r\n\
         From: <sip:probe@{ADDR}>;tag=1\r\nTo: <sip:{ADDR}>\r\nCall-ID: probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 2048];
    loop {
        let _ = probe.send_to(options.as_bytes(), (ADDR, port));
        if probe.recv_from(&mut buf).is_ok() {
            return peer;
        }
        assert!(Instant::now() < deadline, "kamailio did not come up:\n{}", peer.log());
    }
}

/// How the baresip phone behaves.
#[derive(Debug)]
pub struct PhoneOptions<'a> {
    pub user: &'a str,
    pub port: u16,
    pub console: u16,
    /// The tone it sends, in Hz.
    pub tone_hz: u32,
    pub answer: &'a str,
    pub codecs: &'a str,
    /// `;mediaenc=srtp-mand` and the like.
    pub extra: &'a str,
}

impl PhoneOptions<'static> {
    /// bob on port 5080, answering at once with a 1000 Hz tone over PCMU: the far
    /// phone most tests want.
    pub const BOB: PhoneOptions<'static> = PhoneOptions {
        user: "bob",
        port: 5080,
        console: 5563,
        tone_hz: 1000,
        answer: "auto",
        codecs: "pcmu",
        extra: "",
    };
}

/// baresip registered at kamailio, sending a tone and recording what it hears.
#[derive(Debug)]
pub struct Baresip {
    pub peer: Peer,
    pub dir: PathBuf,
    console: u16,
}

pub fn baresip(dir: &Path, kamailio_port: u16, o: &PhoneOptions) -> Baresip {
    let dir = dir.join(o.user);
    std::fs::create_dir_all(dir.join("snd")).unwrap();
    let tone = dir.join("tone.wav");
    let status = Command::new("sox")
        // baresip's Opus takes its source as stereo.
        .args(["-n", "-r", "8000", "-c", if o.codecs.contains("opus") { "2" } else { "1" }, "-b", "16"])
        .arg(&tone)
        .args(["synth", "30", "sine", &o.tone_hz.to_string(), "vol", "0.5"])
        .status()
        .expect("sox: run scripts/install-deps.sh --test");
    assert!(status.success());
    let modules = ["cons", "g711", "g722", "opus", "sndfile", "aufile", "aubridge", "srtp"];
    let mut config = format!(
        "poll_method epoll\nsip_listen {ADDR}:{}\naudio_source aufile,{}\naudio_player aubridge,sink\n\
         ausrc_srate 8000\nauplay_srate 8000\nmodule_path /usr/lib/baresip/modules\ncons_listen {ADDR}:{}\nsnd_path {}\n",
        o.port,
        tone.display(),
        o.console,
        dir.join("snd").display()
    );
    for m in modules {
        config += &format!("module {m}.so\n");
    }
    config += "module_app account.so\nmodule_app menu.so\n";
    std::fs::write(dir.join("config"), config).unwrap();
    std::fs::write(
        dir.join("accounts"),
        format!(
            "<sip:{user}@{ADDR}:{kamailio_port}>;auth_pass=pw-{user};answermode={};audio_codecs={}{}\n",
            o.answer,
            o.codecs,
            o.extra,
            user = o.user
        ),
    )
    .unwrap();
    let mut command = Command::new("baresip");
    command.arg("-f").arg(&dir).args(["-t", "120", "-s"]);
    let peer = Peer::spawn(o.user, command);
    peer.wait_for("200 OK", Duration::from_secs(10));
    Baresip { peer, dir, console: o.console }
}

impl Baresip {
    /// A console command (`/hangup`, `/accept`, `/dial sip:...`).
    pub fn command(&self, line: &str) {
        let socket = UdpSocket::bind((ADDR, 0)).unwrap();
        socket.send_to(format!("{line}\n").as_bytes(), (ADDR, self.console)).unwrap();
    }

    /// The file baresip's sndfile module wrote with what it heard.
    pub fn recording(&self) -> Option<PathBuf> {
        std::fs::read_dir(self.dir.join("snd"))
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.to_string_lossy().ends_with("-dec.wav"))
    }
}

/// Samples (mono, as f32) and rate of a 16-bit WAV.
pub fn read_wav(path: &Path) -> (u32, Vec<f32>) {
    let mut reader = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    let samples: Vec<f32> = reader.samples::<i16>().map(|s| f32::from(s.unwrap_or(0)) / 32768.0).collect();
    (spec.sample_rate, samples.chunks(channels).map(|c| c[0]).collect())
}

fn goertzel(samples: &[f32], rate: u32, freq: f32) -> f64 {
    let w = 2.0 * std::f64::consts::PI * f64::from(freq) / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - coeff * s1 * s2) / samples.len().max(1) as f64
}

/// The tone is there, at least 20 dB above two neighbouring frequencies, and loud
/// enough to be heard (not just a quiet leak).
pub fn assert_tone(samples: &[f32], rate: u32, freq: f32, what: &str) {
    assert!(samples.len() > rate as usize / 2, "{what}: only {} samples", samples.len());
    let at = goertzel(samples, rate, freq);
    let below = goertzel(samples, rate, freq * 0.7);
    let above = goertzel(samples, rate, freq * 1.3);
    let rms = (samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt();
    assert!(rms > 0.02, "{what}: nearly silent (rms {rms:.4})");
    assert!(at > 100.0 * below.max(above), "{what}: {freq} Hz at {at:.3e}, neighbours {below:.3e} / {above:.3e}");
}

/// coturn as a plain STUN server (RFC 5389 binding requests only) on `ADDR:port`.
pub fn stun_server(dir: &Path, port: u16) -> Peer {
    let mut command = Command::new("turnserver");
    command.args(["-n", "--stun-only", "--no-tls", "--no-dtls", "--no-cli", "--log-file", "stdout", "-L", ADDR]);
    command.args(["-p", &port.to_string()]).arg("--pidfile").arg(dir.join("turnserver.pid"));
    let peer = Peer::spawn("coturn", command);
    peer.wait_for("Total General servers", Duration::from_secs(10));
    peer
}

/// The address a [`Nat`]'s home network shows the world.
pub const NAT_PUBLIC: &str = "203.0.113.5";

/// A home network behind a NAT router: a network namespace of its own at
/// 192.168.7.2 whose packets reach `ADDR` from [`NAT_PUBLIC`], with the port kept,
/// as from a home router. Like a real NAT, it lets in only answers to what went
/// out: a packet sent to 192.168.7.2 directly, or to a public port no packet has
/// left from to that sender, never arrives (the sender gets EPERM). nftables does the translation (SNAT at
/// the peers' input, so they see the public address; conntrack turns the answers
/// back), on the veth pair that joins the two namespaces. What nobody asked for is
/// dropped before conntrack keeps it, as a router's firewall does: the far end's
/// first RTP packets, sent before ours, must not take the public port ours need.
#[derive(Debug)]
pub struct Nat {
    holder: Child,
}

impl Nat {
    pub fn new() -> Nat {
        let holder = Command::new("unshare")
            .args(["-n", "sleep", "600"])
            .spawn()
            .expect("unshare could not be started: install util-linux");
        let ours = std::fs::read_link("/proc/self/ns/net").unwrap();
        let theirs = format!("/proc/{}/ns/net", holder.id());
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read_link(&theirs).ok().is_none_or(|ns| ns == ours) {
            assert!(Instant::now() < deadline, "the home network's namespace never appeared");
            std::thread::sleep(Duration::from_millis(10));
        }
        let nat = Nat { holder };
        let pid = nat.holder.id();
        let router = format!(
            "ip link add n0 type veth peer name n1 && ip link set n1 netns {pid} && \
             ip addr add 192.168.7.1/24 dev n0 && ip link set n0 up && ip route add {NAT_PUBLIC}/32 via 192.168.7.2 src {ADDR} && \
             nsenter --net=/proc/{pid}/ns/net sh -c 'ip link set lo up && ip addr add 192.168.7.2/24 dev n1 && \
               ip link set n1 up && ip route add default via 192.168.7.1' && \
             nft -f - <<'NFT'
table ip nat {{
  chain in {{
    type nat hook input priority 100
    ip saddr 192.168.7.2 snat to {NAT_PUBLIC}
  }}
}}
table ip filter {{
  chain out {{
    type filter hook output priority 0
    ip daddr {{ 192.168.7.2, {NAT_PUBLIC} }} ct state new drop
  }}
}}
NFT"
        );
        let out = Command::new("sh").arg("-c").arg(&router).output().expect("sh");
        assert!(
            out.status.success(),
            "the NAT could not be set up (needs nftables: scripts/install-deps.sh --test): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        nat
    }

    /// `program` run inside the home network.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new("nsenter");
        command.arg(format!("--net=/proc/{}/ns/net", self.holder.id())).arg(program);
        command
    }
}

impl Drop for Nat {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}
