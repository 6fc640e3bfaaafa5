//! Sound in the real window, through a real PulseAudio server: dialpad keys are heard
//! with their DTMF pairs; Settings → Audio lists the devices, meters the microphone,
//! remembers a choice (a speaker, echo cancellation off, a ringtone and its volume),
//! runs the echo test and plays the chosen ringtone on the ringer.

use std::time::{Duration, Instant};

use dialtone_audio::analysis::goertzel_power;
use dialtone_audio::testing::{self, DTMF_FREQUENCIES, RATE, Recorder, play_sine_in_background, strongest_pair};
use dialtone_e2e::App;
use serde_json::json;

/// Runs of sound with gaps under 40 ms joined.
fn sounds(samples: &[f32]) -> Vec<(usize, usize)> {
    testing::sounds(samples, 40)
}

fn dtmf_pair(samples: &[f32]) -> (f32, f32) {
    strongest_pair(samples, &DTMF_FREQUENCIES)
}

fn level_db(samples: &[f32], freq: f32) -> f64 {
    10.0 * f64::from(goertzel_power(samples, RATE, freq)).max(1e-20).log10()
}

/// Chooses the option whose text is `text` in the `<select>` with `testid`, as a click would.
async fn choose(app: &App, testid: &str, text: &str) {
    let script = format!(
        "const s = document.querySelector('[data-testid={testid}]');
         s.selectedIndex = [...s.options].findIndex(o => o.textContent === '{text}');
         s.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return s.selectedIndex"
    );
    let index = app.eval(&script).await;
    assert!(index.as_i64().is_some_and(|i| i >= 0), "{testid} has no option {text}");
}

/// Waits until settings.toml says `words`.
async fn saved(app: &App, words: &str) -> String {
    let path = app.data_dir.path().join("settings.toml");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains(words) {
            return text;
        }
        assert!(Instant::now() < deadline, "settings.toml never said {words:?}:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn dialpad_keys_are_heard_with_their_dtmf_pairs() {
    let app = App::launch().await;
    app.testid("key-5").await;
    let recorder = Recorder::start("spk");
    app.click("key-5").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.click("key-#").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let heard = recorder.stop();
    app.eval_until("return document.querySelector('[data-testid=dial-number]').value", json!("5#")).await;
    app.close().await;

    let runs = sounds(&heard);
    assert_eq!(runs.len(), 2, "one tone per key press: {runs:?}");
    assert_eq!(dtmf_pair(&heard[runs[0].0..runs[0].1]), (770.0, 1336.0), "key 5");
    assert_eq!(dtmf_pair(&heard[runs[1].0..runs[1].1]), (941.0, 1477.0), "key #");
    for (start, end) in runs {
        let ms = (end - start) * 1000 / 48_000;
        assert!((80..=150).contains(&ms), "a key press sounded {ms} ms");
    }
}

#[tokio::test]
async fn settings_audio_meters_the_microphone_remembers_a_speaker_and_runs_the_echo_test() {
    let app = App::launch().await;
    app.click("nav-settings").await;
    app.testid("audio-settings").await;
    app.eval_until("return document.querySelector('[data-testid=audio-host]')?.textContent", json!("PulseAudio")).await;
    let outputs = app
        .eval("return [...document.querySelectorAll('[data-testid=audio-output] option')].map(o => o.textContent)")
        .await;
    let outputs: Vec<String> = serde_json::from_value(outputs).unwrap();
    assert!(outputs.iter().any(|o| o == "Speaker (system default)"), "{outputs:?}");
    assert!(outputs.iter().any(|o| o == "Microphone-feed"), "{outputs:?}");

    // Quiet, the meter sits low; a 1 kHz tone at -9 dBFS RMS into the microphone lifts it.
    let dbfs = "return parseFloat(document.querySelector('[data-testid=mic-meter]').dataset.dbfs)";
    tokio::time::sleep(Duration::from_millis(500)).await;
    let quiet = app.eval(dbfs).await.as_f64().unwrap();
    assert!(quiet < -60.0, "silence reads {quiet} dBFS");
    let player = play_sine_in_background("mic", 1000, 2.0);
    let started = Instant::now();
    let mut loudest = quiet;
    while started.elapsed() < Duration::from_secs(3) && loudest < -15.0 {
        loudest = loudest.max(app.eval(dbfs).await.as_f64().unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!((-15.0..=-6.0).contains(&loudest), "the meter showed {loudest} dBFS for a -9 dBFS tone");
    app.screenshot("settings-audio").await;
    player.join().unwrap();

    // Choose the second sink as the speaker: kept in settings.toml, and the speaker
    // test then plays there.
    app.eval(
        "const s = document.querySelector('[data-testid=audio-output]');
         s.selectedIndex = [...s.options].findIndex(o => o.textContent === 'Microphone-feed');
         s.dispatchEvent(new Event('change', { bubbles: true }));
         return true",
    )
    .await;
    app.eval_until("return document.querySelector('[data-testid=audio-saved]')?.textContent", json!("Saved.")).await;
    let settings = std::fs::read_to_string(app.data_dir.path().join("settings.toml")).unwrap();
    assert!(settings.contains("output = \"pulseaudio:mic\""), "{settings}");

    // Echo cancellation turned off for calls: kept, and only it.
    let checked = "return ['echo-cancellation', 'noise-suppression', 'gain-control']
         .map(id => document.querySelector(`[data-testid=${id}]`).checked)";
    assert_eq!(app.eval(checked).await, json!([true, true, true]));
    app.click("echo-cancellation").await;
    app.eval_until(
        "return document.querySelector('[data-testid=audio-saved]')?.textContent",
        json!("Saved. The next call uses it."),
    )
    .await;
    assert_eq!(app.eval(checked).await, json!([false, true, true]));
    let settings = std::fs::read_to_string(app.data_dir.path().join("settings.toml")).unwrap();
    assert!(settings.contains("[call_audio]\necho_cancellation = false\n"), "{settings}");
    assert!(settings.contains("noise_suppression = true") && settings.contains("gain_control = true"), "{settings}");

    let on_mic = Recorder::start("mic");
    app.click("speaker-test").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let heard = on_mic.stop();
    let runs = sounds(&heard);
    assert_eq!(runs.len(), 1, "the speaker test on the chosen sink: {runs:?}");
    let ms = (runs[0].1 - runs[0].0) * 1000 / 48_000;
    assert!((900..=1100).contains(&ms), "the 1 s speaker test sounded {ms} ms");

    // The echo test runs its whole path and reports.
    app.eval(
        "const i = document.querySelector('[data-testid=echo-seconds]');
         i.value = '1'; i.dispatchEvent(new Event('input', { bubbles: true })); return true",
    )
    .await;
    app.click("echo-start").await;
    app.testid("echo-status").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let result = loop {
        let text = app.eval("return document.querySelector('[data-testid=echo-result]')?.textContent ?? ''").await;
        let text = text.as_str().unwrap_or_default().to_owned();
        if !text.is_empty() {
            break text;
        }
        assert!(Instant::now() < deadline, "the echo test did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(result.contains("packets of 20 ms sent"), "{result}");
    assert!(result.contains("played back"), "{result}");
    app.close().await;
}

#[tokio::test]
async fn a_chosen_ringtone_is_kept_and_plays_on_the_ringer_at_its_volume() {
    let app = App::launch().await;
    app.click("nav-settings").await;
    app.eval_until("return document.querySelector('[data-testid=audio-host]')?.textContent", json!("PulseAudio")).await;
    assert_eq!(
        app.eval("return document.querySelector('[data-testid=ringtone-volume-value]').textContent").await,
        json!("100%")
    );

    // The second sink rings; the chime is the ringtone.
    choose(&app, "audio-ringer", "Microphone-feed").await;
    saved(&app, "ringer = \"pulseaudio:mic\"").await;
    choose(&app, "ringtone-style", "Chime").await;
    saved(&app, "[ringtone]\nstyle = \"chime\"\nvolume = 100\n").await;

    let play = async || {
        let on_ringer = Recorder::start("mic");
        app.click("ringtone-try").await;
        // The chime's notes take 1.2 s; the rest of the pass is quiet.
        tokio::time::sleep(Duration::from_millis(3500)).await;
        on_ringer.stop()
    };
    let full = play().await;
    let notes = [1319.0, 1047.0, 784.0].map(|f| level_db(&full, f));
    let others = [988.0, 1000.0, 1250.0].map(|f| level_db(&full, f));
    println!("the chime's notes on the ringer: {notes:.1?} dB; the other ringtones' {others:.1?} dB");
    let quietest_note = notes.iter().copied().fold(f64::MAX, f64::min);
    // A 300 ms note at -12 dBFS in 3.5 s of recording measures about -40 dB here.
    assert!(quietest_note > -50.0, "the chime did not play on the ringer: {notes:.1?} dB");
    assert!(others.iter().all(|o| quietest_note - o >= 20.0), "not the chime: {notes:.1?} against {others:.1?} dB");

    // Half the volume: kept, and 6 dB quieter (the volume is a share of the amplitude).
    app.eval(
        "const r = document.querySelector('[data-testid=ringtone-volume]');
         r.value = '50';
         r.dispatchEvent(new Event('input', { bubbles: true }));
         r.dispatchEvent(new Event('change', { bubbles: true }));
         return true",
    )
    .await;
    saved(&app, "volume = 50\n").await;
    assert_eq!(
        app.eval("return document.querySelector('[data-testid=ringtone-volume-value]').textContent").await,
        json!("50%")
    );
    let half = play().await;
    app.close().await;
    let drop_db = level_db(&full, 1047.0) - level_db(&half, 1047.0);
    println!("at 50% the ringtone played {drop_db:.2} dB quieter");
    assert!((5.0..=7.0).contains(&drop_db), "50% played {drop_db:.2} dB quieter, not 6");
}

#[tokio::test]
async fn a_call_that_fails_sounds_the_error_tone() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // A Blooio stand-in that fails on its side: the call cannot be placed.
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).expect(1).mount(&server).await;
    let provider = format!("err{}", std::process::id());
    let stored = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("printf bk_e2e_error_tone_SECRET | secret-tool store --label dialtone service dialtone username {provider}/api_key"),
        ])
        .status()
        .unwrap();
    assert!(stored.success(), "secret-tool store");
    let settings = format!(
        "region = \"US\"\ndefault_provider = \"{provider}\"\n[providers.{provider}]\nkind = \"blooio\"\nbase_url = \"{}\"\n",
        server.uri()
    );
    let app = App::launch_with(|dir| std::fs::write(dir.join("settings.toml"), settings).unwrap()).await;
    app.testid("dial-number").await.send_keys("4155550123").await.unwrap();
    // Typing sounds each key (ten 100 ms tones): let them finish first.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let recorder = Recorder::start("spk");
    app.click("call-button").await;
    app.testid("call-error").await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    let heard = recorder.stop();
    app.close().await;

    let runs = sounds(&heard);
    assert_eq!(runs.len(), 1, "one error tone: {runs:?}");
    let (start, end) = runs[0];
    let ms = (end - start) * 1000 / 48_000;
    assert!((550..=680).contains(&ms), "the error tone lasted {ms} ms");
    // Three rising notes: 950, 1400, 1800 Hz, a third each.
    let third = (end - start) / 3;
    let power = |samples: &[f32], freq: f32| goertzel_power(samples, RATE, freq);
    for (i, freq) in [950.0, 1400.0, 1800.0].into_iter().enumerate() {
        let part = &heard[start + i * third + third / 4..start + (i + 1) * third - third / 4];
        let others: f32 = [950.0, 1400.0, 1800.0].iter().filter(|f| **f != freq).map(|f| power(part, *f)).sum();
        assert!(power(part, freq) > 20.0 * others, "note {} is not {freq} Hz", i + 1);
    }
}

/// Leaving Settings while it is still loading the device list leaves the microphone
/// off: the card turned the meter off as it went, and must not turn it on afterwards.
/// (It did: a person clicking through Settings left the microphone recording, and the
/// page receiving level reports, until Settings was opened and closed again.)
#[tokio::test]
async fn leaving_settings_at_once_leaves_the_microphone_off() {
    let app = App::launch().await;
    app.testid("app-frame").await;
    app.eval(
        "window.__levels = 0; \
         window.addEventListener('dialtone-audio', e => { if (e.detail?.kind === 'level') window.__levels++; }); return 1",
    )
    .await;
    // Open Settings, and leave as soon as the audio card is in the page (its device list
    // is still being fetched then).
    let leave_at_once = "const done = arguments[arguments.length - 1]; \
         document.querySelector('[data-testid=nav-settings]').click(); \
         const wait = () => document.querySelector('[data-testid=audio-settings]') \
           ? (document.querySelector('[data-testid=nav-dialpad]').click(), done(true)) \
           : requestAnimationFrame(wait); \
         wait();";
    for _ in 0..5 {
        assert_eq!(app.client.execute_async(leave_at_once, vec![]).await.unwrap(), json!(true));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Whatever was in flight arrives; from then on, nothing may.
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.eval("window.__levels = 0; return 1").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(app.eval("return window.__levels").await, json!(0), "the microphone meter still reports");

    // Opening Settings and staying does start it (so the count above can see it).
    app.click("nav-settings").await;
    let started = Instant::now();
    while app.eval("return window.__levels").await == json!(0) {
        assert!(started.elapsed() < Duration::from_secs(10), "Settings did not meter the microphone");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.close().await;
}
