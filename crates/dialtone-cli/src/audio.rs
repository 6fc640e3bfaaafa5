//! `dialtone tone` and `dialtone audio ...`: the audio engine from a terminal.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use dialtone_audio::DeviceInfo;
use dialtone_audio::echo::{self, EchoOptions};
use dialtone_audio::netsim::NetworkConditions;
use dialtone_audio::tones::{self, DTMF_GAP_MS, Tone};
use dialtone_core::Paths;
use dialtone_core::settings::{AudioDevices, Settings};

use crate::args::AudioCommand;
use crate::output::emit;

fn chosen(paths: &Paths) -> anyhow::Result<AudioDevices> {
    Ok(Settings::load(&paths.settings_file())?.audio)
}

/// `dialtone tone DIGITS`: each key's DTMF pair, heard whole before the command ends.
pub fn tone(paths: &Paths, digits: &str, device: Option<String>) -> anyhow::Result<()> {
    let keys = tones::parse_digits(digits).map_err(anyhow::Error::msg)?;
    let device = device.or(chosen(paths)?.output);
    let sequence: Vec<Tone> =
        keys.into_iter().flat_map(|key| [Tone::key(key), Tone::Pause { ms: DTMF_GAP_MS }]).collect();
    if let Some(fallback) = dialtone_audio::play_and_wait(&sequence, device.as_deref())? {
        eprintln!("dialtone: {}", fallback.message());
    }
    Ok(())
}

pub fn run(out: &mut dyn Write, paths: &Paths, command: AudioCommand) -> anyhow::Result<()> {
    match command {
        AudioCommand::Devices { json } => devices(out, paths, json),
        AudioCommand::Use { input, output, ringer } => choose(out, paths, input, output, ringer),
        AudioCommand::EchoTest { seconds, echo_delay_ms, network_delay_ms, jitter_ms, loss, json } => {
            let chosen = chosen(paths)?;
            let options = EchoOptions {
                seconds,
                echo_delay_ms,
                network: NetworkConditions { delay_ms: network_delay_ms, jitter_ms, loss: loss / 100.0, seed: 1 },
                input: chosen.input,
                output: chosen.output,
            };
            options.network.validate().map_err(anyhow::Error::msg)?;
            if !json {
                writeln!(
                    out,
                    "Speak now: you will hear yourself {:.1} s later. Listening for {seconds} s...",
                    echo_delay_ms as f32 / 1000.0
                )?;
                out.flush()?;
            }
            let stop = AtomicBool::new(false);
            let report = echo::run(&options, &stop, |_| {})?;
            emit(out, json, &report, |out, report| {
                for notice in &report.notices {
                    eprintln!("dialtone: {notice}");
                }
                let j = &report.jitter;
                writeln!(out, "Microphone: {}\nSpeaker:    {}", report.input.name, report.output.name)?;
                writeln!(
                    out,
                    "Sent {} packets of 20 ms; the network lost {}. Played {}, recovered {} from FEC, concealed {}, {} late, {} duplicates.",
                    report.packets_sent, report.network_lost, j.played, j.recovered, j.concealed, j.late, j.duplicates
                )?;
                writeln!(out, "Jitter buffer target: {} ms.", j.target_ms)
            })
        }
    }
}

fn devices(out: &mut dyn Write, paths: &Paths, json: bool) -> anyhow::Result<()> {
    let list = dialtone_audio::devices::list()?;
    let chosen = chosen(paths)?;
    let value =
        serde_json::json!({ "host": list.host, "inputs": list.inputs, "outputs": list.outputs, "chosen": chosen });
    emit(out, json, &value, |out, _| {
        writeln!(out, "Sound system: {}", list.host)?;
        write_devices(out, "Microphones", &list.inputs, &[chosen.input.as_ref()])?;
        write_devices(out, "Speakers", &list.outputs, &[chosen.output.as_ref(), chosen.ringer.as_ref()])
    })
}

fn write_devices(
    out: &mut dyn Write,
    title: &str,
    devices: &[DeviceInfo],
    chosen: &[Option<&String>],
) -> std::io::Result<()> {
    writeln!(out, "{title}:")?;
    if devices.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for d in devices {
        let mut marks = Vec::new();
        if d.is_default {
            marks.push("system default");
        }
        if chosen.contains(&Some(&d.id)) {
            marks.push("chosen");
        }
        let marks = if marks.is_empty() { String::new() } else { format!("  [{}]", marks.join(", ")) };
        writeln!(out, "  {}  {}{}", d.id, d.name, marks)?;
    }
    Ok(())
}

fn choose(
    out: &mut dyn Write,
    paths: &Paths,
    input: Option<String>,
    output: Option<String>,
    ringer: Option<String>,
) -> anyhow::Result<()> {
    if input.is_none() && output.is_none() && ringer.is_none() {
        anyhow::bail!(
            "Say which to change: --input, --output or --ringer, with an id from `dialtone audio devices` or `default`"
        );
    }
    let list = dialtone_audio::devices::list()?;
    let resolve =
        |wanted: Option<String>, devices: &[DeviceInfo], what: &str| -> anyhow::Result<Option<Option<String>>> {
            let Some(wanted) = wanted else { return Ok(None) };
            if wanted == "default" {
                return Ok(Some(None));
            }
            let found = devices
                .iter()
                .find(|d| d.id == wanted || d.name == wanted)
                .with_context(|| format!("There is no {what} “{wanted}”. `dialtone audio devices` lists them."))?;
            Ok(Some(Some(found.id.clone())))
        };
    let mut devices = chosen(paths)?;
    if let Some(id) = resolve(input, &list.inputs, "microphone")? {
        devices.input = id;
    }
    if let Some(id) = resolve(output, &list.outputs, "speaker")? {
        devices.output = id;
    }
    if let Some(id) = resolve(ringer, &list.outputs, "ringer")? {
        devices.ringer = id;
    }
    let devices = dialtone_core::service::Dialtone::new(paths.clone())?.set_audio_devices(devices)?;
    let show = |id: &Option<String>| id.clone().unwrap_or_else(|| "system default".to_owned());
    writeln!(
        out,
        "Microphone: {}\nSpeaker:    {}\nRinger:     {}",
        show(&devices.input),
        show(&devices.output),
        show(&devices.ringer)
    )?;
    Ok(())
}
