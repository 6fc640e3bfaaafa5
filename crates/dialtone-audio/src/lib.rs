//! Dialtone's audio engine, free of any window toolkit.
//!
//! This crate will hold the desktop's side of a call's sound: devices (cpal), tones
//! (DTMF, ringback, busy), microphone capture with a level meter, resampling, Opus, an
//! adaptive jitter buffer and the echo test. It is empty until the audio work lands;
//! the workspace has the crate now so the layout newcomers read is the real one.
