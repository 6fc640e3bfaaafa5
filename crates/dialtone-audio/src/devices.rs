//! Finding the desktop's microphones and speakers, and picking the one asked for.
//!
//! A device is named by a stable id (`host:device`, e.g. `pulseaudio:alsa_output.pci-0000_00_1f.3.analog-stereo`)
//! that survives restarts and is what settings store, and by a readable name for
//! people. When the device a person chose is not there, [`pick`] falls back to the
//! system default and says so in a [`Fallback`] instead of failing or going silent.

use cpal::traits::{DeviceTrait, HostTrait};
use serde::Serialize;

use crate::error::{AudioError, Result};

/// Which way sound goes through a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A microphone (capture).
    Input,
    /// A speaker or headset (playback).
    Output,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Input => "microphone",
            Direction::Output => "speaker",
        })
    }
}

/// One device as people and settings see it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    /// Stable id to store in settings.
    pub id: String,
    /// Name to show.
    pub name: String,
    /// Whether the system uses it by default.
    pub is_default: bool,
}

/// Every device the sound system offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceList {
    /// The sound system in use (PipeWire, PulseAudio, ALSA, CoreAudio, WASAPI).
    pub host: String,
    /// Microphones.
    pub inputs: Vec<DeviceInfo>,
    /// Speakers.
    pub outputs: Vec<DeviceInfo>,
}

/// The chosen device was not there, so the default is used instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fallback {
    /// Microphone or speaker.
    pub direction: Direction,
    /// The id that was asked for.
    pub wanted: String,
    /// The name of the default used instead.
    pub used: String,
}

impl Fallback {
    /// The sentence to show the person.
    pub fn message(&self) -> String {
        format!("The chosen {} ({}) is not available; using the default, {}.", self.direction, self.wanted, self.used)
    }
}

/// A device ready to open.
#[derive(Debug)]
pub struct Picked {
    /// The device itself.
    pub device: cpal::Device,
    /// How to name it.
    pub info: DeviceInfo,
    /// Set when it is not the one asked for.
    pub fallback: Option<Fallback>,
}

/// Environment variable that picks the sound system by name (`ALSA`, `PulseAudio`,
/// `PipeWire`, `JACK`...) instead of the first one that answers.
pub const HOST_ENV: &str = "DIALTONE_AUDIO_HOST";

/// The sound system: PipeWire, then PulseAudio, then ALSA on Linux; the platform's own
/// elsewhere; or the one named in [`HOST_ENV`].
///
/// Each call makes a new connection, and each stream keeps its own: the PulseAudio
/// client refuses ("Invalid argument") to open a stream on a connection shared with
/// another stream's thread or one whose device was removed.
pub fn host() -> cpal::Host {
    if let Some(wanted) = std::env::var_os(HOST_ENV) {
        let wanted = wanted.to_string_lossy().to_lowercase();
        let chosen = cpal::available_hosts()
            .into_iter()
            .find(|id| id.name().to_lowercase() == wanted)
            .and_then(|id| cpal::host_from_id(id).ok());
        match chosen {
            Some(host) => return host,
            None => tracing::warn!("{HOST_ENV}={wanted} is not available here; using the default sound system"),
        }
    }
    cpal::default_host()
}

fn info(device: &cpal::Device, default_id: Option<&str>) -> DeviceInfo {
    let id = device.id().map(|id| id.to_string()).unwrap_or_default();
    let name = device.description().map(|d| d.name().to_owned()).unwrap_or_else(|_| id.clone());
    DeviceInfo { is_default: default_id == Some(id.as_str()), id, name }
}

fn default_device(host: &cpal::Host, direction: Direction) -> Option<cpal::Device> {
    match direction {
        Direction::Input => host.default_input_device(),
        Direction::Output => host.default_output_device(),
    }
}

fn devices(host: &cpal::Host, direction: Direction) -> Result<Vec<cpal::Device>> {
    let found = match direction {
        Direction::Input => host.input_devices().map(|d| d.collect()),
        Direction::Output => host.output_devices().map(|d| d.collect()),
    };
    found.map_err(|e| AudioError::NoHost(e.to_string()))
}

/// Runs `look` on the one connection kept for looking at the device list, making it
/// first if need be, and once more on a fresh one if it fails (the sound server may
/// have restarted since).
///
/// Why one is kept: a look happens every time Settings shows the devices and every
/// second while a stream is open (streams check that their device is still there,
/// `PRESENCE_CHECK`), and a new connection each time is a handshake with the sound
/// server each time. It was also a leak: pulseaudio 0.3.2 never woke a dropped
/// connection's thread, so its thread and socket stayed. The copy in vendor/pulseaudio
/// now wakes it (tests/streams.rs), and this stays for the handshakes saved.
fn with_listing_host<T>(look: impl Fn(&cpal::Host) -> Result<T>) -> Result<T> {
    static LISTING: std::sync::Mutex<Option<cpal::Host>> = std::sync::Mutex::new(None);
    let mut kept = LISTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(host) = kept.as_ref()
        && let Ok(found) = look(host)
    {
        return Ok(found);
    }
    let fresh = host();
    let found = look(&fresh);
    *kept = Some(fresh);
    found
}

/// Lists microphones and speakers.
pub fn list() -> Result<DeviceList> {
    with_listing_host(list_on)
}

fn list_on(host: &cpal::Host) -> Result<DeviceList> {
    let mut list = DeviceList { host: host.id().name().to_owned(), inputs: Vec::new(), outputs: Vec::new() };
    for direction in [Direction::Input, Direction::Output] {
        let default_id = default_device(host, direction).and_then(|d| d.id().ok()).map(|id| id.to_string());
        let infos = devices(host, direction)?.iter().map(|d| info(d, default_id.as_deref())).collect();
        match direction {
            Direction::Input => list.inputs = infos,
            Direction::Output => list.outputs = infos,
        }
    }
    Ok(list)
}

/// The device with id (or exact name) `wanted`, else the default with a [`Fallback`];
/// `None` asks for the default.
pub fn pick(direction: Direction, wanted: Option<&str>) -> Result<Picked> {
    let host = host();
    let default = default_device(&host, direction);
    let default_id = default.as_ref().and_then(|d| d.id().ok()).map(|id| id.to_string());
    if let Some(wanted) = wanted.filter(|w| !w.is_empty()) {
        let chosen = devices(&host, direction).unwrap_or_default().into_iter().find(|d| {
            let i = info(d, None);
            i.id == wanted || i.name == wanted
        });
        if let Some(device) = chosen {
            let info = info(&device, default_id.as_deref());
            return Ok(Picked { device, info, fallback: None });
        }
        let device = default.ok_or(AudioError::NoDevice(direction))?;
        let info = info(&device, default_id.as_deref());
        let fallback = Fallback { direction, wanted: wanted.to_owned(), used: info.name.clone() };
        tracing::warn!("{}", fallback.message());
        return Ok(Picked { device, info, fallback: Some(fallback) });
    }
    let device = default.ok_or(AudioError::NoDevice(direction))?;
    let info = info(&device, default_id.as_deref());
    Ok(Picked { device, info, fallback: None })
}

/// Whether a device with this id is still offered (used to notice one unplugged while
/// its stream keeps quiet about it).
pub fn is_present(direction: Direction, id: &str) -> bool {
    with_listing_host(|host| devices(host, direction))
        .map(|all| all.iter().any(|d| d.id().is_ok_and(|i| i.to_string() == id)))
        .unwrap_or(false)
}
