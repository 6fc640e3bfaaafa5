//! Sound in the real window, through a real PulseAudio server: dialpad keys are heard
//! with their DTMF pairs; Settings → Audio lists the devices, meters the microphone,
//! remembers a choice and runs the echo test.

use std::time::{Duration, Instant};

use dialtone_e2e::App;
use dialtone_e2e::sound::{dtmf_pair, play_sine, record, sounds};
use serde_json::json;

#[tokio::test]
async fn dialpad_keys_are_heard_with_their_dtmf_pairs() {
    let app = App::launch().await;
    app.testid("key-5").await;
    let recorder = record("spk");
    app.click("key-5").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.click("key-#").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let heard = recorder.stop();
    app.eval_until("return document.querySelector('[data-testid=dial-number]').value", json!("5#")).await;
    app.close().await;

    let runs = sounds(&heard);
    assert_eq!(runs.len(), 2, "one tone per key press: {runs:?}");
    assert_eq!(dtmf_pair(&heard[runs[0].0..runs[0].1]), (770, 1336), "key 5");
    assert_eq!(dtmf_pair(&heard[runs[1].0..runs[1].1]), (941, 1477), "key #");
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
    let player = play_sine("mic", 1000, 2.0);
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
    let on_mic = record("mic");
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
