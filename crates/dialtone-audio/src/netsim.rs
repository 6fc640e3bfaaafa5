//! A simulated network path for the echo test: fixed delay, random jitter, random loss.
//!
//! Deterministic for a given seed, so a test or a person can replay the same bad day.

use std::collections::VecDeque;

/// How bad the simulated network is.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct NetworkConditions {
    /// One-way delay every packet takes.
    pub delay_ms: u32,
    /// Extra delay, uniformly random between 0 and this, per packet (so packets reorder).
    pub jitter_ms: u32,
    /// Share of packets lost, 0.0 to 1.0.
    pub loss: f32,
    /// Seed of the random choices.
    pub seed: u64,
}

impl NetworkConditions {
    /// Checks the values a person typed.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.loss) || self.loss.is_nan() {
            return Err(format!("Loss must be between 0 and 100 %, not {}", self.loss * 100.0));
        }
        if self.delay_ms > 10_000 || self.jitter_ms > 10_000 {
            return Err("Delay and jitter must be at most 10 seconds".to_owned());
        }
        Ok(())
    }
}

/// Packets in flight, each with the time it will arrive.
#[derive(Debug)]
pub struct SimulatedNetwork {
    conditions: NetworkConditions,
    rng: u64,
    in_flight: VecDeque<(u64, u16, Vec<u8>)>,
    /// Packets the network dropped.
    pub lost: u64,
}

impl SimulatedNetwork {
    /// A path with these conditions.
    pub fn new(conditions: NetworkConditions) -> Self {
        Self { conditions, rng: conditions.seed ^ 0x9E37_79B9_7F4A_7C15, in_flight: VecDeque::new(), lost: 0 }
    }

    /// Sends a packet at `now_ms`.
    pub fn send(&mut self, seq: u16, payload: &[u8], now_ms: u64) {
        if self.conditions.loss > 0.0 && self.random_unit() < self.conditions.loss {
            self.lost += 1;
            return;
        }
        let jitter = if self.conditions.jitter_ms > 0 {
            (self.random_unit() * self.conditions.jitter_ms as f32) as u64
        } else {
            0
        };
        let arrival = now_ms + u64::from(self.conditions.delay_ms) + jitter;
        // Keep the queue sorted by arrival; a jittered packet may overtake others.
        let at = self.in_flight.partition_point(|(t, _, _)| *t <= arrival);
        self.in_flight.insert(at, (arrival, seq, payload.to_vec()));
    }

    /// The next packet that has arrived by `now_ms`, if any.
    pub fn receive(&mut self, now_ms: u64) -> Option<(u16, Vec<u8>)> {
        if self.in_flight.front().is_some_and(|(t, _, _)| *t <= now_ms) {
            self.in_flight.pop_front().map(|(_, seq, payload)| (seq, payload))
        } else {
            None
        }
    }

    /// xorshift64*: small, fast and good enough for simulated loss.
    fn random_unit(&mut self) -> f32 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let value = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (value >> 40) as f32 / (1u64 << 24) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_reorders_and_loses_as_asked() {
        let mut net = SimulatedNetwork::new(NetworkConditions { delay_ms: 100, jitter_ms: 60, loss: 0.1, seed: 7 });
        for i in 0..1000u16 {
            net.send(i, &[0], u64::from(i) * 20);
        }
        assert!((60..=140).contains(&net.lost), "lost {}", net.lost);
        assert!(net.receive(99).is_none(), "nothing arrives before the delay");
        let mut order = Vec::new();
        let mut now = 0;
        while order.len() < 1000 - net.lost as usize {
            while let Some((seq, _)) = net.receive(now) {
                order.push(seq);
            }
            now += 1;
        }
        assert!(order.windows(2).any(|w| w[1] < w[0]), "jitter reorders");
        assert!(NetworkConditions { loss: 1.5, ..Default::default() }.validate().is_err());
    }
}
