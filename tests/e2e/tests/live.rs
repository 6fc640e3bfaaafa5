//! Live calls in the real window, against a registrar and a phone no one here wrote:
//! kamailio and baresip, in a network namespace of their own (dialtone-sip's
//! `peers.rs`, shared). Dialtone's microphone is a PulseAudio sink's monitor with a
//! 600 Hz tone playing into it; its speaker and ringer are sinks we record; baresip
//! sends 1 kHz and records what it hears. dunst is the desktop's notification server.
//!
//! Out: dial from the dialpad, see "connected", send a key (baresip logs it), mute
//! (baresip's recording goes silent), hold and resume, hang up, and find the call in
//! History. In: the call rings on the ringer, shows the call screen and a notification
//! with the caller, Answer and Decline; Answer in the notification carries sound both
//! ways and stops the ringing; Decline gives the caller 486; a caller who gives up leaves a missed
//! call and a badge until History is opened; Do not disturb declines without ringing.

#[path = "../../../crates/dialtone-sip/tests/peers.rs"]
mod peers;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dialtone_audio::analysis::goertzel_power;
use dialtone_audio::testing::{Feed, RATE, Recorder, Sink};
use dialtone_e2e::{App, workspace_root};
use peers::{ADDR, Baresip, PhoneOptions, baresip, in_netns, kamailio, read_wav};
use serde_json::json;

const KAMAILIO: u16 = 5070;
const OUR_HZ: u32 = 600;
const THEIR_HZ: f32 = 1000.0;
/// What a second microphone carries, for the switch mid-call.
const OTHER_HZ: u32 = 850;

fn level_db(samples: &[f32], rate: u32, freq: f32) -> f64 {
    10.0 * f64::from(goertzel_power(samples, rate, freq)).max(1e-20).log10()
}

/// Settings for a SIP account `name` (alice at kamailio) with the test's sinks as the
/// microphone, speaker and ringer, and its password stored in the keychain through
/// the `dialtone` command, as a person would.
fn prepare(dir: &Path, name: &str) {
    // The microphone carries a pure tone: noise suppression would take it for noise.
    let settings = format!(
        "default_provider = \"{name}\"\nregion = \"US\"\n\n[audio]\ninput = \"pulseaudio:live_mic.monitor\"\n\
         output = \"pulseaudio:live_spk\"\nringer = \"pulseaudio:live_ring\"\n\n[call_audio]\n\
         echo_cancellation = false\ngain_control = false\nnoise_suppression = false\n\n\
         [providers.{name}]\nkind = \"sip\"\nregistrar = \"{ADDR}:{KAMAILIO}\"\nusername = \"alice\"\n"
    );
    std::fs::write(dir.join("settings.toml"), settings).unwrap();
    let mut cli = Command::new(workspace_root().join("target/debug/dialtone"))
        .args(["provider", "secret", name, "password"])
        .env("DIALTONE_DATA_DIR", dir)
        .stdin(Stdio::piped())
        .spawn()
        .expect("target/debug/dialtone (built by scripts/e2e.sh)");
    use std::io::Write;
    cli.stdin.take().unwrap().write_all(b"pw-alice\n").unwrap();
    assert!(cli.wait().unwrap().success(), "the password could not be stored");
}

/// A unique account name: keychain entries are shared by every data folder.
fn account_name() -> String {
    format!("pbx{}", std::process::id())
}

async fn launch(name: &str) -> App {
    launch_with(name, "").await
}

/// Launches with more settings after the account's (`[section]`s of settings.toml).
async fn launch_with(name: &str, more_settings: &str) -> App {
    let app = App::launch_with(|dir| {
        prepare(dir, name);
        let path = dir.join("settings.toml");
        let settings = std::fs::read_to_string(&path).unwrap() + more_settings;
        std::fs::write(path, settings).unwrap();
    })
    .await;
    app.eval_until(
        "return document.querySelector('[data-testid=line-status]')?.dataset.state ?? 'none'",
        json!("registered"),
    )
    .await;
    app
}

/// Picks the option with value `value` in the `<select>` with `testid`, as a click would.
async fn choose_value(app: &App, testid: &str, value: &str) {
    let script = format!(
        "const s = document.querySelector('[data-testid={testid}]');
         s.value = '{value}';
         s.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return s.value"
    );
    assert_eq!(app.eval(&script).await, json!(value), "{testid} has no option {value}");
}

/// Keys typed where the focus is, as a person would (WebDriver's codes: \u{E009}
/// Control, \u{E008} Shift, \u{E00C} Escape; modifiers are held to the end).
async fn press(app: &App, keys: &str) {
    let focused = app.client.active_element().await.expect("the focused element");
    focused.send_keys(keys).await.expect("the keys are typed");
}

async fn live_state(app: &App) -> String {
    let state = app.eval("return document.querySelector('[data-testid=live-call]')?.dataset.state ?? 'none'").await;
    state.as_str().unwrap_or("none").to_owned()
}

async fn wait_state(app: &App, want: &str) {
    app.eval_until("return document.querySelector('[data-testid=live-call]')?.dataset.state ?? 'none'", json!(want))
        .await;
}

/// baresip's recording of the last call, once it has written the WAV's length.
fn recording_of(far: &Baresip, at_least_s: f32) -> (u32, Vec<f32>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(path) = far.recording()
            && let Ok(reader) = hound::WavReader::open(&path)
        {
            let spec = reader.spec();
            if reader.duration() as f32 / spec.sample_rate as f32 >= at_least_s {
                return read_wav(&path);
            }
        }
        assert!(Instant::now() < deadline, "baresip never finished its recording:\n{}", far.peer.log());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// dunst as the session's notification server: its "do action" (`dunstctl action 0`)
/// picks Dialtone's Answer button, as a click on it would.
fn notification_server(dir: &Path) -> (peers::Peer, peers::Peer) {
    let config = dir.join("dunstrc");
    std::fs::write(
        &config,
        "[global]\n    origin = top-right\n    offset = 10x10\n    mouse_left_click = do_action\n\n         [dialtone-answer]\n    appname = Dialtone\n    action_name = answer\n",
    )
    .unwrap();
    // A server the bus started on its own for some earlier program (with its default
    // settings, where "do action" picks "Open Dialtone") would keep the name, and
    // the notifications, from this one.
    assert!(
        !name_owned("org.freedesktop.Notifications"),
        "another notification server already runs on this D-Bus session; these tests need their own dunst"
    );
    let mut dunst = Command::new("dunst");
    dunst.arg("-config").arg(&config);
    let dunst = peers::Peer::spawn("dunst", dunst);
    // The notifications, and the app's subscription to their buttons (an AddMatch).
    let mut monitor = Command::new("dbus-monitor");
    monitor.args(["--session", "interface='org.freedesktop.Notifications'", "member='AddMatch'"]);
    let monitor = peers::Peer::spawn("dbus-monitor", monitor);
    // Asked without touching the name itself: a call to it before our dunst owns it
    // would have the bus start another dunst, with its default settings.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !name_owned("org.freedesktop.Notifications") {
        assert!(Instant::now() < deadline, "dunst did not come up:\n{}", dunst.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    monitor.wait_for("member=NameLost", Duration::from_secs(5));
    let ours = Command::new("dunstctl").args(["rule", "dialtone-answer", "enable"]).output().unwrap();
    assert!(ours.status.success(), "the notification server is not the dunst started here:\n{}", dunst.log());
    (dunst, monitor)
}

fn name_owned(name: &str) -> bool {
    let out = Command::new("dbus-send")
        .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
        .args(["org.freedesktop.DBus.NameHasOwner", &format!("string:{name}")])
        .output()
        .expect("dbus-send");
    String::from_utf8_lossy(&out.stdout).contains("boolean true")
}

/// How many notifications dunst shows now.
fn displayed() -> Option<u32> {
    let out = Command::new("dunstctl").args(["count", "displayed"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn wait_displayed(want: u32, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while displayed() != Some(want) {
        assert!(Instant::now() < deadline, "{what}: dunst shows {:?} notifications, not {want}", displayed());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn baresip_2002(dir: &Path) -> Baresip {
    baresip(dir, KAMAILIO, &PhoneOptions { user: "2002", ..PhoneOptions::BOB })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_from_the_dialpad_connects_sends_keys_mutes_holds_and_hangs_up_by_click_and_keyboard() {
    if !in_netns("a_call_from_the_dialpad_connects_sends_keys_mutes_holds_and_hangs_up_by_click_and_keyboard") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = baresip_2002(dir.path());
    let (_spk, _mic, _ring) = (Sink::new("live_spk"), Sink::new("live_mic"), Sink::new("live_ring"));
    let mut voice = Feed::start("live_mic", OUR_HZ, 120.0);
    let name = account_name();
    let app = launch(&name).await;

    app.testid("dial-number").await.send_keys("2002").await.unwrap();
    app.click("call-button").await;
    wait_state(&app, "connected").await;
    let state = app.eval("return document.querySelector('[data-testid=live-state]').textContent").await;
    assert!(state.as_str().unwrap().starts_with("Connected"), "{state}");
    app.screenshot("live-call-connected").await;

    // Our tone reaches baresip for a while; then a key from the in-call keypad, and one
    // typed on the keyboard (the focus is in the call screen).
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.click("live-keypad").await;
    app.click("live-key-5").await;
    far.peer.wait_for("received event: '5'", Duration::from_secs(5));
    press(&app, "7").await;
    far.peer.wait_for("received event: '7'", Duration::from_secs(5));

    // The microphone goes dead (nothing plays into it): after three seconds the call
    // screen says so; sound again, and the warning goes.
    drop(voice);
    let warning = "return document.querySelector('[data-testid=live-warning]')?.textContent ?? ''";
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.eval(warning).await.as_str().unwrap_or_default().contains("sending only silence") {
        assert!(Instant::now() < deadline, "no warning of a silent microphone: {:?}", app.eval(warning).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.screenshot("live-call-silent-microphone").await;
    voice = Feed::start("live_mic", OUR_HZ, 120.0);
    app.eval_until(warning, json!("")).await;

    // Mute, with Ctrl+M: what baresip hears goes silent.
    press(&app, "\u{E009}m").await;
    app.eval_until("return document.querySelector('[data-testid=live-call]').dataset.muted", json!("true")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    // Hold with Ctrl+Shift+H, resume with the button (baresip's recording ends at the
    // hold's re-INVITE); hang up with Escape.
    press(&app, "\u{E009}\u{E008}h").await;
    wait_state(&app, "held").await;
    app.click("live-hold").await;
    wait_state(&app, "connected").await;
    press(&app, "\u{E00C}").await;
    wait_state(&app, "ended").await;
    let words = app.eval("return document.querySelector('[data-testid=live-state]').textContent").await;
    assert!(words.as_str().unwrap().starts_with("Ended"), "{words}");
    app.click("live-close").await;
    app.eval_until("return document.querySelector('[data-testid=live-call]') === null", json!(true)).await;

    let (rate, heard) = recording_of(&far, 5.0);
    let seconds = heard.len() as f32 / rate as f32;
    let before = level_db(&heard[rate as usize / 2..rate as usize * 5 / 2], rate, OUR_HZ as f32);
    let tail = &heard[heard.len() - rate as usize * 3 / 2..heard.len() - rate as usize / 4];
    let muted = level_db(tail, rate, OUR_HZ as f32);
    println!("baresip heard our tone at {before:.1} dB before mute, {muted:.1} dB muted ({seconds:.1} s recorded)");
    assert!(before - muted >= 30.0, "mute left our tone at {muted:.1} dB against {before:.1} dB before");
    drop(voice);

    // History has the call, answered, with its quality report.
    app.click("nav-history").await;
    app.eval_until(
        "return [...document.querySelectorAll('[data-testid^=history-row-]')].some(r => r.textContent.includes('Answered'))",
        json!(true),
    )
    .await;
    let report = app.eval("return document.querySelector('[data-testid^=history-quality-]')?.textContent ?? ''").await;
    let report = report.as_str().unwrap_or_default().to_owned();
    println!("History's report: {report}");
    assert!(report.starts_with("Quality ") && report.contains("(MOS ") && report.contains("jitter"), "{report:?}");
    app.screenshot("history-call-quality").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incoming_calls_ring_answer_decline_go_missed_and_do_not_disturb_declines_unheard() {
    if !in_netns("incoming_calls_ring_answer_decline_go_missed_and_do_not_disturb_declines_unheard") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = baresip_2002(dir.path());
    let (_spk, _mic, _ring) = (Sink::new("live_spk"), Sink::new("live_mic"), Sink::new("live_ring"));
    let _voice = Feed::start("live_mic", OUR_HZ, 180.0);
    let (_dunst, notifications) = notification_server(dir.path());
    let name = account_name();
    let app = launch(&name).await;
    let dial = format!("/dial sip:alice@{ADDR}:{KAMAILIO}");

    // 1. It rings: the call screen, and the ringtone on the ringer.
    let ringer = Recorder::start("live_ring");
    far.command(&dial);
    wait_state(&app, "incoming").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rang = ringer.stop();
    let ring_db = level_db(&rang, RATE, 784.0).max(level_db(&rang, RATE, 988.0));
    let quiet_db = level_db(&rang, RATE, 600.0);
    println!("the ringer played the ringtone at {ring_db:.1} dB (600 Hz: {quiet_db:.1} dB)");
    assert!(ring_db - quiet_db >= 30.0, "no ringtone on the ringer: {ring_db:.1} dB");
    let who = app.eval("return document.querySelector('[data-testid=live-who]').textContent").await;
    assert_eq!(who, json!("2002"));
    app.screenshot("live-call-incoming").await;
    wait_displayed(1, "the incoming call's notification");
    let sent = notifications.log();
    for words in ["2002 is calling", "\"answer\"", "\"Answer\"", "\"decline\"", "\"Decline\""] {
        assert!(sent.contains(words), "the notification lacks {words}:\n{sent}");
    }

    // Answer, in the notification, the moment it shows: sound both ways, the ringing
    // stops, the notification goes.
    assert!(Command::new("dunstctl").args(["action", "0"]).status().unwrap().success());
    wait_state(&app, "connected").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let speaker = Recorder::start("live_spk");
    let after_answer = Recorder::start("live_ring");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let heard = speaker.stop();
    let ring_after = after_answer.stop();
    let theirs = level_db(&heard, RATE, THEIR_HZ);
    println!("our speaker played the caller's tone at {theirs:.1} dB");
    assert!(theirs - level_db(&heard, RATE, 1500.0) >= 30.0, "the caller is not heard: {theirs:.1} dB");
    assert!(level_db(&ring_after, RATE, 784.0) < ring_db - 30.0, "the ringtone went on after the answer");
    wait_displayed(0, "the notification after the answer");

    // Mid-call, the call moves to other devices: the caller is heard on the new
    // speaker (and no longer on the old), and hears the new microphone.
    let _other_mic = Sink::new("live_mic2");
    let _other_voice = Feed::start("live_mic2", OTHER_HZ, 60.0);
    app.click("live-devices").await;
    app.testid("live-speaker").await;
    choose_value(&app, "live-speaker", "pulseaudio:live_ring").await;
    choose_value(&app, "live-microphone", "pulseaudio:live_mic2.monitor").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (old_speaker, new_speaker) = (Recorder::start("live_spk"), Recorder::start("live_ring"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (on_old, on_new) = (old_speaker.stop(), new_speaker.stop());
    let (old_db, new_db) = (level_db(&on_old, RATE, THEIR_HZ), level_db(&on_new, RATE, THEIR_HZ));
    println!("after the switch the caller is heard at {new_db:.1} dB on the new speaker, {old_db:.1} dB on the old");
    assert!(new_db - old_db >= 30.0, "the call did not move speakers: {new_db:.1} dB new, {old_db:.1} dB old");
    app.screenshot("live-call-devices").await;
    app.click("live-hangup").await;
    wait_state(&app, "ended").await;
    app.click("live-close").await;
    let (rate, heard) = recording_of(&far, 2.0);
    let ours = level_db(&heard[rate as usize / 2..rate as usize * 2], rate, OUR_HZ as f32);
    assert!(
        ours - level_db(&heard[rate as usize / 2..rate as usize * 2], rate, 1500.0) >= 30.0,
        "the caller heard nothing of ours"
    );
    let tail = &heard[heard.len() - rate as usize * 3 / 2..heard.len() - rate as usize / 4];
    let (other_db, first_db) = (level_db(tail, rate, OTHER_HZ as f32), level_db(tail, rate, OUR_HZ as f32));
    println!("after the switch the caller heard the new microphone at {other_db:.1} dB, the old at {first_db:.1} dB");
    assert!(
        other_db - first_db >= 30.0,
        "the call did not move microphones: {other_db:.1} dB new, {first_db:.1} dB old"
    );

    // 2. Decline: the caller gets 486.
    let busy_before = far.peer.count("486 Busy Here");
    far.command(&dial);
    wait_state(&app, "incoming").await;
    app.click("live-decline").await;
    peers_wait(&far, || far.peer.count("486 Busy Here") > busy_before, "486 after Decline");
    wait_displayed(0, "the notification after Decline");
    app.eval_until("return document.querySelector('[data-testid=live-call]')?.dataset.state ?? 'none'", json!("ended"))
        .await;
    app.click("live-close").await;

    // 3. The caller gives up: a missed call, a badge on History until it is opened.
    far.command(&dial);
    wait_state(&app, "incoming").await;
    wait_displayed(1, "the notification of the call about to be missed");
    far.command("/hangup");
    app.eval_until("return document.querySelector('[data-testid=live-call]') === null", json!(true)).await;
    wait_displayed(0, "the notification after the caller gave up");
    app.eval_until(
        "return document.querySelector('[data-testid=missed-badge]')?.textContent.trim() ?? ''",
        json!("1 missed"),
    )
    .await;
    app.screenshot("live-missed-badge").await;
    app.click("nav-history").await;
    app.eval_until("return document.querySelector('[data-testid=missed-badge]') === null", json!(true)).await;
    app.eval_until(
        "return [...document.querySelectorAll('[data-testid^=history-row-]')].some(r => r.textContent.includes('Missed'))",
        json!(true),
    )
    .await;
    app.click("nav-dialpad").await;

    // 4. Do not disturb: declined at once, nothing rings, nothing shows, kept as missed.
    app.click("dnd-toggle").await;
    let settings = std::fs::read_to_string(app.data_dir.path().join("settings.toml")).unwrap();
    assert!(settings.contains("do_not_disturb = true"), "{settings}");
    let busy_before = far.peer.count("486 Busy Here");
    let notified_before = notifications.count("2002 is calling");
    let ringer = Recorder::start("live_ring");
    far.command(&dial);
    let mut shown = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while far.peer.count("486 Busy Here") == busy_before {
        assert!(Instant::now() < deadline, "Do not disturb did not decline:\n{}", far.peer.log());
        shown.push(live_state(&app).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rang = ringer.stop();
    assert!(shown.iter().all(|s| s == "none"), "the call screen showed under Do not disturb: {shown:?}");
    assert_eq!(notifications.count("2002 is calling"), notified_before, "a notification under Do not disturb");
    let ring_db = level_db(&rang, RATE, 784.0).max(level_db(&rang, RATE, 988.0));
    assert!(ring_db < -60.0, "the ringer sounded under Do not disturb: {ring_db:.1} dB");
    app.eval_until(
        "return document.querySelector('[data-testid=missed-badge]')?.textContent.trim() ?? ''",
        json!("1 missed"),
    )
    .await;
    app.close().await;
}

/// The second caller's tone, apart from the first's (1000 Hz), ours and the beep.
const SECOND_HZ: u32 = 1200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_call_waits_with_a_soft_beep_and_answering_it_holds_the_first() {
    if !in_netns("a_second_call_waits_with_a_soft_beep_and_answering_it_holds_the_first") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let first = baresip_2002(dir.path());
    let second = baresip(
        dir.path(),
        KAMAILIO,
        &PhoneOptions { user: "2003", port: 5082, console: 5565, tone_hz: SECOND_HZ, ..PhoneOptions::BOB },
    );
    let (_spk, _mic, _ring) = (Sink::new("live_spk"), Sink::new("live_mic"), Sink::new("live_ring"));
    let _voice = Feed::start("live_mic", OUR_HZ, 120.0);
    // Its notifications go to a server this test starts, not one the bus would keep.
    let _notifications = notification_server(dir.path());
    let name = account_name();
    let app = launch(&name).await;
    let dial = format!("/dial sip:alice@{ADDR}:{KAMAILIO}");
    let others = "return [...document.querySelectorAll('[data-testid=live-other]')].map(o => o.dataset.state).join()";

    // The first call, answered.
    first.command(&dial);
    wait_state(&app, "incoming").await;
    app.click("live-answer").await;
    wait_state(&app, "connected").await;

    // The second rings in: the call screen shows it, waiting, over the first (still
    // connected); a soft beep in the call's speaker, no ringtone on the ringer.
    let (speaker, ringer) = (Recorder::start("live_spk"), Recorder::start("live_ring"));
    second.command(&dial);
    wait_state(&app, "incoming").await;
    assert_eq!(app.eval(others).await, json!("connected"));
    let answer = app.eval("return document.querySelector('[data-testid=live-answer]').textContent.trim()").await;
    assert_eq!(answer, json!("Answer (holds the other call)"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (heard, rang) = (speaker.stop(), ringer.stop());
    let beep = level_db(&heard, RATE, 440.0);
    let ringtone = level_db(&rang, RATE, 784.0).max(level_db(&rang, RATE, 988.0));
    println!("the waiting call beeped at {beep:.1} dB in the speaker; the ringer {ringtone:.1} dB");
    assert!(beep - level_db(&heard, RATE, 1500.0) >= 20.0, "no call-waiting beep in the speaker: {beep:.1} dB");
    assert!(ringtone < -60.0, "the ringtone rang over a call in progress: {ringtone:.1} dB");
    app.screenshot("live-call-waiting").await;

    // Answer it: the first goes on hold (its caller no longer heard), the second is on.
    app.click("live-answer").await;
    wait_state(&app, "connected").await;
    app.eval_until(others, json!("held")).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let speaker = Recorder::start("live_spk");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let heard = speaker.stop();
    let (second_db, first_db) = (level_db(&heard, RATE, SECOND_HZ as f32), level_db(&heard, RATE, THEIR_HZ));
    println!("after the answer: the second caller at {second_db:.1} dB, the held first at {first_db:.1} dB");
    assert!(second_db - first_db >= 30.0, "not the second caller alone: {second_db:.1} dB against {first_db:.1} dB");

    // Hang up the second: the screen turns to the first, on hold; Resume, and its
    // caller is heard again.
    app.click("live-hangup").await;
    wait_state(&app, "held").await;
    assert_eq!(app.eval(others).await, json!("ended"));
    app.click("live-hold").await;
    wait_state(&app, "connected").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let speaker = Recorder::start("live_spk");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let heard = speaker.stop();
    let first_again = level_db(&heard, RATE, THEIR_HZ);
    assert!(first_again - level_db(&heard, RATE, 1500.0) >= 30.0, "the first caller after Resume: {first_again:.1} dB");
    app.click("live-hangup").await;
    wait_state(&app, "ended").await;
    app.close().await;
}

fn peers_wait(far: &Baresip, done: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "{what} never came:\n{}", far.peer.log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The tray icon's menu, as the desktop's tray reads it: libayatana-appindicator's
/// StatusNotifierItem and its dbusmenu, on the session bus.
struct TrayMenu {
    dest: String,
    path: String,
}

fn gdbus(args: &[&str]) -> String {
    let out = Command::new("gdbus").arg("call").arg("--session").args(args).output().expect("gdbus");
    assert!(out.status.success(), "gdbus {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl TrayMenu {
    /// Finds the connection that exports a tray item, waiting up to ten seconds.
    fn find() -> TrayMenu {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let names = Command::new("dbus-send")
                .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
                .arg("org.freedesktop.DBus.ListNames")
                .output()
                .expect("dbus-send");
            for name in String::from_utf8_lossy(&names.stdout).split('"').filter(|n| n.starts_with(':')) {
                let tree = Command::new("gdbus")
                    .args(["introspect", "--session", "--dest", name, "--object-path", "/org/ayatana/NotificationItem"])
                    .output();
                let Ok(tree) = tree else { continue };
                let tree = String::from_utf8_lossy(&tree.stdout).into_owned();
                if let Some(node) = tree.lines().find_map(|l| l.trim().strip_prefix("node tray")) {
                    let node = format!("tray{}", node.trim_end_matches('{').trim());
                    return TrayMenu {
                        dest: name.to_owned(),
                        path: format!("/org/ayatana/NotificationItem/{node}/Menu"),
                    };
                }
            }
            assert!(Instant::now() < deadline, "no tray item on the session bus");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn layout(&self) -> String {
        gdbus(&[
            "--dest",
            &self.dest,
            "--object-path",
            &self.path,
            "--method",
            "com.canonical.dbusmenu.GetLayout",
            "--",
            "0",
            "-1",
            "[]",
        ])
    }

    /// The item labelled `label`: its id, and its whole entry in the layout.
    fn item(&self, label: &str) -> Option<(i32, String)> {
        let layout = self.layout();
        let at = layout.find(&format!("'label': <'{label}'>"))?;
        let start = layout[..at].rfind("<(")? + 2;
        let end = at + layout[at..].find('}')?;
        let id = layout[start..].split(',').next()?.trim().parse().ok()?;
        Some((id, layout[start..end].to_owned()))
    }

    fn wait_for(&self, label: &str, what: &str, ok: impl Fn(&str) -> bool) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some((id, entry)) = self.item(label)
                && ok(&entry)
            {
                return id;
            }
            assert!(Instant::now() < deadline, "{what}: the tray's menu is {}", self.layout());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, id: i32) {
        gdbus(&[
            "--dest",
            &self.dest,
            "--object-path",
            &self.path,
            "--method",
            "com.canonical.dbusmenu.Event",
            "--",
            &id.to_string(),
            "clicked",
            "<\"\">",
            "0",
        ]);
    }
}

/// Whether `pid` runs (a process that has ended but not been reaped is a zombie).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
}

fn wait_shown(pid: u32, shown: bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while dialtone_e2e::capture::is_shown(pid, dialtone_e2e::WINDOW_TITLE) != shown {
        if Instant::now() >= deadline {
            let tree = Command::new("xwininfo").args(["-root", "-tree"]).output().map(|o| o.stdout).unwrap_or_default();
            let tree = String::from_utf8_lossy(&tree);
            let ours: Vec<&str> = tree.lines().filter(|l| l.contains("Dialtone")).collect();
            panic!("{what}; the X server's windows named Dialtone: {ours:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_shows_the_line_switches_do_not_disturb_keeps_calls_ringing_with_the_window_closed_and_quits() {
    if !in_netns("the_tray_shows_the_line_switches_do_not_disturb_keeps_calls_ringing_with_the_window_closed_and_quits")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = baresip_2002(dir.path());
    let (_spk, _mic, _ring) = (Sink::new("live_spk"), Sink::new("live_mic"), Sink::new("live_ring"));
    // The call that rings with the window closed shows its notification here, not on
    // a server the bus would start for it and keep after this test.
    let _notifications = notification_server(dir.path());
    let name = account_name();
    let app = launch_with(&name, "\n[ringtone]\nstyle = \"bell\"\n").await;
    let pid = dialtone_e2e::app_pid().expect("the app's process");
    let tray = TrayMenu::find();

    // The line's status, in the same words as the sidebar.
    tray.wait_for(&format!("{name}: ready for calls"), "the line's status", |_| true);

    // Do not disturb from the tray: saved, and the window's switch follows; and back
    // from the window: the tray's check mark follows.
    let dnd = tray.wait_for("Do not disturb", "Do not disturb, off", |e| e.contains("'toggle-state': <0>"));
    tray.click(dnd);
    app.eval_until("return document.querySelector('[data-testid=dnd-toggle]').checked", json!(true)).await;
    let settings = std::fs::read_to_string(app.data_dir.path().join("settings.toml")).unwrap();
    assert!(settings.contains("do_not_disturb = true"), "{settings}");
    tray.wait_for("Do not disturb", "Do not disturb, on", |e| e.contains("'toggle-state': <1>"));
    app.click("dnd-toggle").await;
    tray.wait_for("Do not disturb", "Do not disturb, off again", |e| e.contains("'toggle-state': <0>"));

    // Closing the window leaves Dialtone running, registered: a call still rings (with
    // the ringtone chosen in the settings, the bell), and brings the window back.
    dialtone_e2e::capture::close(pid, dialtone_e2e::WINDOW_TITLE).unwrap();
    wait_shown(pid, false, "the window did not close");
    assert!(alive(pid), "Dialtone quit when its window closed");
    let ringer = Recorder::start("live_ring");
    far.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
    wait_shown(pid, true, "an incoming call did not bring the window back");
    wait_state(&app, "incoming").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rang = ringer.stop();
    let bell = level_db(&rang, RATE, 1000.0).min(level_db(&rang, RATE, 1250.0));
    // The trill's lower note: its upper one (988 Hz) is too near the bell's 1000 Hz to tell apart.
    let trill = level_db(&rang, RATE, 784.0);
    println!("the chosen ringtone rang at {bell:.1} dB (the default's 784 Hz: {trill:.1} dB)");
    assert!(bell - trill >= 20.0, "the call did not ring with the bell: {bell:.1} dB against {trill:.1} dB");
    app.click("live-decline").await;
    wait_state(&app, "ended").await;
    app.click("live-close").await;

    // Open, from the tray.
    dialtone_e2e::capture::close(pid, dialtone_e2e::WINDOW_TITLE).unwrap();
    wait_shown(pid, false, "the window did not close the second time");
    let open = tray.wait_for("Open Dialtone", "Open", |_| true);
    tray.click(open);
    wait_shown(pid, true, "Open Dialtone did not show the window");

    // Quit, from the tray: the process ends and the registrar forgets the line.
    let quit = tray.wait_for("Quit Dialtone", "Quit", |_| true);
    tray.click(quit);
    let deadline = Instant::now() + Duration::from_secs(15);
    while alive(pid) {
        assert!(Instant::now() < deadline, "Quit Dialtone did not end the app");
        std::thread::sleep(Duration::from_millis(100));
    }
    let not_found = far.peer.count("404 Not Found");
    far.command(&format!("/dial sip:alice@{ADDR}:{KAMAILIO}"));
    peers_wait(&far, || far.peer.count("404 Not Found") > not_found, "404 for a line that quit");
    drop(app);
}
