//! Prints the figures the README reports (run: `cargo bench -p dialtone-core --bench calls`):
//!
//! - place_call → request at the provider: from calling `Dialer::place_call` to the
//!   request arriving at an in-process stand-in on loopback (so the network is left out);
//! - the whole call through the stand-in (request, answer, parsing);
//! - drawing a FaceTime link's QR code as SVG and as PNG.
//!
//! A plain harness that prints percentiles: the figures, not a pass/fail.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dialtone_core::numbers::Target;
use dialtone_core::providers::{Dialer, Kind, ProviderConfig, SecretSource};
use dialtone_core::qr::Qr;
use dialtone_core::redact::SecretString;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB";

struct Key;
impl SecretSource for Key {
    fn secret(&self, _: &str, _: &str) -> dialtone_core::Result<Option<SecretString>> {
        Ok(Some(SecretString::from("bk_bench")))
    }
}

/// Answers like Blooio and notes when each request arrived.
struct Stamp(Arc<Mutex<Vec<Instant>>>);
impl Respond for Stamp {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({"success": true, "link": LINK, "handle": "+14155550123"}))
    }
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name:<44} median {:>8.1} µs   p99 {:>8.1} µs   min {:>8.1} µs   (n={})",
        us(at(0.5)),
        us(at(0.99)),
        us(samples[0]),
        samples.len()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let server = MockServer::start().await;
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        Mock::given(wiremock::matchers::method("POST")).respond_with(Stamp(arrivals.clone())).mount(&server).await;
        let config = ProviderConfig { kind: Kind::Blooio, settings: [("base_url".to_owned(), server.uri())].into() };
        let dialer = Dialer::new().unwrap();
        let target = Target::parse("+14155550123", None).unwrap();
        for _ in 0..50 {
            dialer.place_call("bench", &config, &Key, &target).await.unwrap(); // warm the connection pool
        }
        let (mut to_arrival, mut whole) = (Vec::new(), Vec::new());
        for _ in 0..1000 {
            arrivals.lock().unwrap().clear();
            let start = Instant::now();
            dialer.place_call("bench", &config, &Key, &target).await.unwrap();
            whole.push(start.elapsed());
            to_arrival.push(arrivals.lock().unwrap()[0] - start);
        }
        report("place_call → request at the stand-in", to_arrival);
        report("place_call, whole (request + answer + parse)", whole);
    });

    let (mut svg, mut png) = (Vec::new(), Vec::new());
    for _ in 0..500 {
        let start = Instant::now();
        std::hint::black_box(Qr::encode(LINK).unwrap().svg());
        svg.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(Qr::encode(LINK).unwrap().png(8).unwrap());
        png.push(start.elapsed());
    }
    report("QR of a FaceTime link → SVG", svg);
    report("QR of a FaceTime link → PNG (8 px/module)", png);
}
