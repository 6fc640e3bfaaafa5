//! Figures for live calls, printed for the README: call setup time, memory across 100
//! calls in a row, CPU per call (Opus and SRTP), and the mouth-to-ear latency a
//! loopback call adds.
//!
//! Two Dialtone agents (alice calls, bob answers) register at a real kamailio in a
//! private network namespace, as the interop tests do. Run with
//! `scripts/with-audio.sh cargo bench -p dialtone-sip --bench calls` (needs root for
//! `unshare`, and `kamailio`, which scripts/install-deps.sh --test installs; without a
//! sound server the latency is skipped and says so).
//!
//! Latency is measured as dialtone-audio's latency bench does, through the sound
//! server and on one clock: alice's microphone is the monitor of the sink bob's
//! speaker plays into, so a click played into that sink is captured by alice, sent
//! as SRTP to bob, jitter-buffered, decoded, played into the sink, captured again,
//! and so on. The gap between two passes in a recording of the sink is one trip
//! mouth to ear: device buffers, Opus framing, SRTP, the network (loopback here),
//! the jitter buffer and the speaker queue.

#[path = "../tests/peers.rs"]
mod peers;

use std::time::{Duration, Instant};

use dialtone_audio::processing::Processing;
use dialtone_audio::testing::{Recorder, Sink, onsets_ms};
use dialtone_sip::{Account, CallEvent, CallHandle, Input, MediaIo, Output, Phone, SipAgent, SrtpPolicy};
use secrecy::SecretString;

const KAMAILIO: u16 = 5070;

/// Counts the bytes the heap holds, so memory growth is measured exactly (RSS keeps
/// pages the allocator has freed). The one unsafe code in the project: a global
/// allocator cannot be written without it, and it only forwards to the system's.
#[derive(Debug)]
struct Counting;
static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

#[allow(unsafe_code)]
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn heap_kib() -> isize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed) / 1024
}

/// The SIP stack keeps a finished transaction for 64 × T1 (32 s) to absorb
/// retransmissions, then drops it; memory is compared once that has passed.
const SETTLE: Duration = Duration::from_secs(70);

fn account(user: &str, srtp: SrtpPolicy) -> Account {
    let mut a =
        Account::new(&format!("{}:{KAMAILIO}", peers::ADDR), user, SecretString::from(format!("pw-{user}"))).unwrap();
    a.srtp = srtp;
    a.codecs = vec![dialtone_sip::Codec::Opus];
    a
}

fn quiet() -> MediaIo {
    MediaIo { input: Input::Silence, output: Output::Discard, region: Default::default() }
}

async fn until(call: &mut CallHandle, want: impl Fn(&CallEvent) -> bool) -> CallEvent {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(10), call.next_event())
            .await
            .expect("no event in 10 s")
            .expect("call gone");
        if want(&e) {
            return e;
        }
    }
}

/// How bob answers the next call.
static BOB_IO: std::sync::Mutex<Option<MediaIo>> = std::sync::Mutex::new(None);

/// bob's last call-quality report.
static BOB_STATS: std::sync::Mutex<Option<dialtone_sip::media::MediaStats>> = std::sync::Mutex::new(None);

/// bob answers everything at once, in the background.
fn answer_everything(bob: std::sync::Arc<Phone>) {
    tokio::spawn(async move {
        while let Some(mut call) = bob.next_incoming().await {
            let io = BOB_IO.lock().unwrap().take().unwrap_or_else(quiet);
            call.control().answer(io);
            tokio::spawn(async move {
                while let Some(e) = call.next_event().await {
                    if let CallEvent::Stats { stats } = e {
                        *BOB_STATS.lock().unwrap() = Some(stats);
                    }
                }
            });
        }
    });
}

fn cpu_seconds() -> f64 {
    // utime + stime of this process, from /proc/self/stat (clock ticks, 100 per second here).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:").and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok()))
        .unwrap_or(0)
}

fn main() {
    if std::env::args().any(|a| a == "--test") {
        return; // needs root, kamailio and time; only `cargo bench` runs it
    }
    if std::env::var_os("DIALTONE_SIP_NETNS").is_none() {
        let status = peers::netns_command().args(std::env::args().skip(1)).status().unwrap();
        std::process::exit(status.code().unwrap_or(1));
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = peers::kamailio(dir.path(), KAMAILIO, "MD5");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let alice = Phone::start(account("alice", SrtpPolicy::Required)).await.unwrap();
        let bob = std::sync::Arc::new(Phone::start(account("bob", SrtpPolicy::Required)).await.unwrap());
        alice.register().await.unwrap();
        bob.register().await.unwrap();
        answer_everything(bob.clone());
        // `cargo bench ... -- latency` measures the latency alone, for working on it.
        if !std::env::args().any(|a| a == "latency") {
            setup_memory_and_cpu(&alice, &bob, dir.path()).await;
        }
        latency(&alice).await;
    });
}

async fn setup_memory_and_cpu(alice: &Phone, bob: &Phone, dir: &std::path::Path) {
    // Setup: INVITE out to 200 OK (Answered), through the proxy, with its 407.
    let mut setups = Vec::new();
    let threads = || {
        std::fs::read_to_string("/proc/self/status")
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("Threads:").map(|v| v.trim().to_owned()))
            .unwrap_or_default()
    };
    let mut after_first = None;
    for i in 0..100 {
        let started = Instant::now();
        let mut call = alice.call("bob", quiet()).await.unwrap();
        until(&mut call, |e| matches!(e, CallEvent::Answered { .. })).await;
        setups.push(started.elapsed().as_secs_f64() * 1000.0);
        call.control().hang_up();
        until(&mut call, |e| matches!(e, CallEvent::Ended { .. })).await;
        if i == 0 {
            tokio::time::sleep(SETTLE).await;
            after_first = Some((heap_kib(), rss_kib(), alice.held(), bob.held(), threads()));
        }
    }
    let after_burst = (heap_kib(), rss_kib(), alice.held(), bob.held(), threads());
    tokio::time::sleep(SETTLE).await;
    let after_all = (heap_kib(), rss_kib(), alice.held(), bob.held(), threads());
    for _ in 0..100 {
        let mut call = alice.call("bob", quiet()).await.unwrap();
        until(&mut call, |e| matches!(e, CallEvent::Answered { .. })).await;
        call.control().hang_up();
        until(&mut call, |e| matches!(e, CallEvent::Ended { .. })).await;
    }
    tokio::time::sleep(SETTLE).await;
    let after_200 = (heap_kib(), rss_kib());
    setups.sort_by(f64::total_cmp);
    let at = |q: f64| setups[((setups.len() as f64 * q) as usize).min(setups.len() - 1)];
    println!(
        "call setup, INVITE to answered, {} calls: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        setups.len(),
        at(0.5),
        at(0.95),
        setups[setups.len() - 1]
    );
    let first = after_first.unwrap();
    println!(
        "memory, both agents (heap in use / RSS; held: routes, dialogs, transactions running/finished/waiting ACK):"
    );
    println!(
        "  after the first call, settled: {} KiB / {} KiB; held {:?} {:?}; {} threads",
        first.0, first.1, first.2, first.3, first.4
    );
    println!(
        "  right after 100 calls in a row: {} KiB / {} KiB; held {:?} {:?}; {} threads",
        after_burst.0, after_burst.1, after_burst.2, after_burst.3, after_burst.4
    );
    println!(
        "  after 100 calls, settled: {} KiB / {} KiB ({:+} KiB heap); held {:?} {:?}; {} threads",
        after_all.0,
        after_all.1,
        after_all.0 - first.0,
        after_all.2,
        after_all.3,
        after_all.4
    );
    println!(
        "  after 200 calls, settled: {} KiB / {} KiB ({:+} KiB heap since 100)",
        after_200.0,
        after_200.1,
        after_200.0 - after_all.0
    );

    // CPU: one 10 s call, Opus + SRTP, each end sending a varying tone; both ends
    // are in this process, so one desktop's share is half.
    let play = dir.join("speech.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&play, spec).unwrap();
    for i in 0..48_000 * 12 {
        let t = i as f32 / 48_000.0;
        let s =
            0.3 * (2.0 * std::f32::consts::PI * 440.0 * t).sin() * (1.0 + (2.0 * std::f32::consts::PI * 3.0 * t).sin())
                / 2.0;
        w.write_sample((s * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    let io = MediaIo { input: Input::Wav(play.clone()), output: Output::Discard, region: Default::default() };
    *BOB_IO.lock().unwrap() =
        Some(MediaIo { input: Input::Wav(play), output: Output::Discard, region: Default::default() });
    let mut call = alice.call("bob", io).await.unwrap();
    until(&mut call, |e| matches!(e, CallEvent::Answered { encrypted: true, .. })).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let used = (cpu_seconds() - cpu0) / t0.elapsed().as_secs_f64();
    call.control().hang_up();
    until(&mut call, |e| matches!(e, CallEvent::Ended { .. })).await;
    println!("CPU per live call (Opus, SRTP, 20 ms packets, both directions): {:.2} % of one core", used * 100.0 / 2.0);
}

async fn latency(alice: &Phone) {
    if !std::process::Command::new("pactl").arg("info").output().is_ok_and(|o| o.status.success()) {
        println!("mouth-to-ear latency: skipped, no sound server (run under scripts/with-audio.sh)");
        return;
    }
    let sink = Sink::new("sip_latency_bench");
    let mut trips = Vec::new();
    for _ in 0..5 {
        let recorder = Recorder::start(&sink.name);
        *BOB_IO.lock().unwrap() = Some(MediaIo {
            input: Input::Silence,
            output: Output::Speaker(Some(sink.id())),
            region: Default::default(),
        });
        let io = MediaIo {
            // The pipeline's own delay: no clean-up to reshape the click it times.
            input: Input::Microphone(Some(sink.monitor_id()), Processing::NONE),
            output: Output::Discard,
            region: Default::default(),
        };
        let mut call = alice.call("bob", io).await.unwrap();
        until(&mut call, |e| matches!(e, CallEvent::Answered { encrypted: true, .. })).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let script =
            format!("sox -V1 -n -r 48000 -c 1 -b 16 -t wav - synth 0.01 sine 1000 vol 0.6 | paplay -d {}", sink.name);
        tokio::process::Command::new("sh").args(["-c", &script]).status().await.expect("sox | paplay");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        call.control().hang_up();
        until(&mut call, |e| matches!(e, CallEvent::Ended { .. })).await;
        if let Some(stats) = BOB_STATS.lock().unwrap().take() {
            println!(
                "  bob's jitter buffer held {} ms at the end (interarrival jitter {:.1} ms)",
                stats.jitter_buffer_ms, stats.jitter_ms
            );
        }
        let found = onsets_ms(&recorder.stop());
        let mut gaps: Vec<f64> = found.windows(2).map(|w| w[1] - w[0]).take(5).collect();
        if !gaps.is_empty() {
            gaps.sort_by(f64::total_cmp);
            trips.push(gaps[gaps.len() / 2]);
        }
    }
    assert!(!trips.is_empty(), "the click never came round the loopback call");
    trips.sort_by(f64::total_cmp);
    println!(
        "mouth-to-ear latency, loopback call through kamailio (Opus, SRTP, {} calls): median {:.0} ms (min {:.0}, max {:.0})",
        trips.len(),
        trips[trips.len() / 2],
        trips[0],
        trips[trips.len() - 1]
    );
}
