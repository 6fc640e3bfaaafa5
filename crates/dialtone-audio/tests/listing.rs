//! Looking at the device list, again and again, against a real PulseAudio (run under
//! `scripts/with-audio.sh`). Alone in its own test binary, so the threads counted are
//! this test's only.
//!
//! cpal's PulseAudio host left its connection's thread and socket behind when dropped;
//! a new host per look leaked one of each every time Settings listed the devices and
//! every second while a stream was open. Now one connection is kept for looking, and
//! vendor/pulseaudio ends a dropped one (tests/streams.rs).

use dialtone_audio::Direction;
use dialtone_audio::devices;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").expect("Linux's /proc").count()
}

fn open_files() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("Linux's /proc").count()
}

#[test]
fn listing_devices_a_hundred_times_leaves_no_thread_or_socket_behind() {
    let first = devices::list().expect("the sound server answers (run under scripts/with-audio.sh)");
    assert!(!first.outputs.is_empty(), "{first:?}");
    let (threads_before, files_before) = (threads(), open_files());
    for _ in 0..50 {
        let again = devices::list().unwrap();
        assert_eq!(again.outputs.len(), first.outputs.len());
        assert!(devices::is_present(Direction::Output, &first.outputs[0].id));
    }
    assert!(!devices::is_present(Direction::Output, "no-such-device"));
    let (threads_after, files_after) = (threads(), open_files());
    assert!(threads_after <= threads_before, "threads: {threads_before} before, {threads_after} after 100 looks");
    assert!(files_after <= files_before, "open files: {files_before} before, {files_after} after 100 looks");
}
