//! Real-time scheduling for the thread that feeds the speaker.
//!
//! On a busy machine an ordinary thread can wait its turn for a long time: with both
//! cores kept busy, a thread sleeping 10 ms at a time was measured waking up to 390 ms
//! late (2 % of wake-ups more than 50 ms late). The sound server's own threads are
//! real-time and do not wait; the thread that hands it our sound must not either, or
//! the server runs dry and the person hears a gap. Linux lets a thread ask for
//! round-robin real-time scheduling when its limits allow it (root, or an `rtprio`
//! limit, as audio groups are given); otherwise the request is refused and the thread
//! carries on as before, with the speaker's buffer as its only margin.

/// Priority asked for: below PulseAudio's own threads (5 by default) and PipeWire's,
/// so the server always runs first.
#[cfg(target_os = "linux")]
const PRIORITY: i32 = 4;

/// Makes the calling thread real-time (round-robin, not inherited by children).
/// Returns whether the system allowed it.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn promote_current_thread() -> bool {
    #[repr(C)]
    struct SchedParam {
        sched_priority: i32,
    }
    unsafe extern "C" {
        // glibc and musl: `int sched_setscheduler(pid_t, int, const struct sched_param *)`.
        fn sched_setscheduler(pid: i32, policy: i32, param: *const SchedParam) -> i32;
    }
    const SCHED_RR: i32 = 2;
    const SCHED_RESET_ON_FORK: i32 = 0x4000_0000;
    let param = SchedParam { sched_priority: PRIORITY };
    // SAFETY: `param` is a valid sched_param for the duration of the call; pid 0 is
    // the calling thread; the call changes nothing else.
    unsafe { sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &param) == 0 }
}

/// Elsewhere the sound system schedules its own callbacks.
#[cfg(not(target_os = "linux"))]
pub fn promote_current_thread() -> bool {
    false
}
