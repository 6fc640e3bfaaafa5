//! Property tests of the jitter buffer: whatever the network does (reorder, lose,
//! duplicate, drift), every packet is accounted for exactly once, frames come out in
//! order, and the delay stays bounded.

use dialtone_audio::jitter::{FRAME_MS, JitterBuffer, JitterConfig, Playout};
use proptest::prelude::*;

/// One packet on the wire: sequence number, payload (its index), arrival time.
#[derive(Debug, Clone)]
struct Arrival {
    index: u32,
    at_ms: u64,
}

/// What came out of the buffer, pop by pop.
#[derive(Debug, Default)]
struct Run {
    played: Vec<u32>,
    conceal_or_fec_after_start: usize,
    max_depth_ms: u32,
    final_depth_ms: u32,
}

/// Delivers `arrivals` and pops every 20 ms until `end_ms`.
fn simulate(buffer: &mut JitterBuffer, mut arrivals: Vec<Arrival>, end_ms: u64) -> Run {
    arrivals.sort_by_key(|a| a.at_ms);
    let mut next = 0;
    let mut run = Run::default();
    let mut out = Vec::new();
    let mut started = false;
    for now in 0..=end_ms {
        while next < arrivals.len() && arrivals[next].at_ms <= now {
            let a = &arrivals[next];
            buffer.push(a.index as u16, &a.index.to_be_bytes(), now);
            next += 1;
        }
        if now % u64::from(FRAME_MS) == 0 {
            match buffer.pop(now, &mut out) {
                Playout::Packet => {
                    started = true;
                    run.played.push(u32::from_be_bytes(out[..4].try_into().unwrap()));
                }
                Playout::Fec | Playout::Conceal if started => run.conceal_or_fec_after_start += 1,
                _ => {}
            }
            run.max_depth_ms = run.max_depth_ms.max(buffer.stats().depth_ms);
        }
    }
    run.final_depth_ms = buffer.stats().depth_ms;
    run
}

fn accounted(buffer: &JitterBuffer) -> bool {
    let s = buffer.stats();
    s.received == s.played + s.late + s.duplicates + s.dropped + buffer.len() as u64
}

fn strictly_increasing(played: &[u32]) -> bool {
    played.windows(2).all(|w| w[0] < w[1])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary delay per packet, arbitrary loss and duplicates: nothing is counted
    /// twice or lost track of, and nothing plays out of order or twice.
    #[test]
    fn every_packet_is_accounted_for_once_and_plays_in_order(
        delays in prop::collection::vec(0u64..300, 50..400),
        lost in prop::collection::vec(any::<bool>(), 400),
        doubled in prop::collection::vec(0u64..400, 0..40),
    ) {
        let mut arrivals = Vec::new();
        for (i, delay) in delays.iter().enumerate() {
            if lost[i] && i % 7 == 0 {
                continue;
            }
            arrivals.push(Arrival { index: i as u32, at_ms: i as u64 * 20 + delay });
        }
        // Duplicates of the sent packets only: a duplicate of a duplicate could arrive
        // after the simulation ends and never be received, which a run once did.
        let sent = arrivals.len();
        for extra in doubled {
            if let Some(a) = arrivals.get((extra as usize) % sent.max(1)).cloned() {
                arrivals.push(Arrival { at_ms: a.at_ms + extra, ..a });
            }
        }
        let total = arrivals.len() as u64;
        let mut buffer = JitterBuffer::new(JitterConfig::default());
        let end = delays.len() as u64 * 20 + 1200;
        let run = simulate(&mut buffer, arrivals, end);
        prop_assert_eq!(buffer.stats().received, total);
        prop_assert!(accounted(&buffer), "{:?}", buffer.stats());
        prop_assert!(strictly_increasing(&run.played), "{:?}", run.played);
        prop_assert!(buffer.stats().target_ms <= 400);
    }

    /// Reordering within the jitter the buffer has learnt: after a warm-up, nearly
    /// every packet plays (late ones are the few beyond the 95th percentile).
    #[test]
    fn reordering_within_the_learnt_jitter_is_undone(
        jitter in 1u64..120,
        seed in any::<u64>(),
    ) {
        let mut rng = seed | 1;
        let mut next_random = move || { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; rng };
        let count = 1500u32;
        let arrivals: Vec<Arrival> = (0..count)
            .map(|i| Arrival { index: i, at_ms: u64::from(i) * 20 + 40 + next_random() % jitter })
            .collect();
        let mut buffer = JitterBuffer::new(JitterConfig::default());
        let run = simulate(&mut buffer, arrivals, u64::from(count) * 20 + 1000);
        prop_assert!(strictly_increasing(&run.played));
        let warm: Vec<u32> = run.played.iter().copied().filter(|i| *i >= 200).collect();
        let missing = (count - 200) as usize - warm.len();
        prop_assert!(missing * 100 <= (count as usize - 200) * 8, "missing {missing}: {:?}", buffer.stats());
        // The delay it holds follows the jitter, not the worst case.
        prop_assert!(buffer.stats().target_ms <= ((jitter as u32).div_ceil(FRAME_MS) + 1) * FRAME_MS);
    }

    /// The far end's clock runs up to 2 % fast or slow: the buffer neither grows
    /// without bound nor starves for good.
    #[test]
    fn clock_drift_is_followed_both_ways(drift_permille in -20i64..=20) {
        let count = 3000u32; // one minute
        let interval_us = 20_000 * (1000 + drift_permille) / 1000;
        let arrivals: Vec<Arrival> = (0..count)
            .map(|i| Arrival { index: i, at_ms: (i64::from(i) * interval_us / 1000) as u64 + 30 })
            .collect();
        let end = (i64::from(count) * interval_us / 1000) as u64;
        let mut buffer = JitterBuffer::new(JitterConfig::default());
        let run = simulate(&mut buffer, arrivals, end);
        let stats = buffer.stats();
        prop_assert!(strictly_increasing(&run.played));
        prop_assert!(accounted(&buffer));
        // Bounded: never more than a few frames above the target.
        prop_assert!(run.max_depth_ms <= stats.target_ms + 5 * FRAME_MS, "{} ms held, {stats:?}", run.max_depth_ms);
        // Nothing starves: almost every packet plays; a fast far end costs a few
        // skipped frames, a slow one a few stretched (concealed) ones.
        let played = run.played.len() as u32;
        prop_assert!(played * 100 >= count * 97, "{played} of {count}: {stats:?}");
        let expected_mismatch = (i64::from(count) * drift_permille.abs() / 1000) as u64;
        if drift_permille < -5 {
            prop_assert!(stats.dropped >= expected_mismatch / 3, "fast clock, {stats:?}");
        }
        if drift_permille > 5 {
            prop_assert!(stats.underruns >= expected_mismatch / 3, "slow clock, {stats:?}");
        }
    }
}

#[test]
fn a_burst_of_loss_is_concealed_then_play_resumes_in_step() {
    let arrivals: Vec<Arrival> = (0..200u32)
        .filter(|i| !(50..60).contains(i))
        .map(|i| Arrival { index: i, at_ms: u64::from(i) * 20 + 30 })
        .collect();
    let mut buffer = JitterBuffer::new(JitterConfig::default());
    let run = simulate(&mut buffer, arrivals, 200 * 20 + 500);
    assert_eq!(run.played.len(), 190);
    assert_eq!(run.conceal_or_fec_after_start, 10, "one concealed frame per lost packet");
    assert_eq!(buffer.stats().late, 0);
}
