//! The QR code read back by a reader no one here wrote: zbarimg (zbar-tools).

use std::process::Command;

use dialtone_core::qr::Qr;

fn decode(png: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("code.png");
    std::fs::write(&path, png).unwrap();
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&path)
        .output()
        .expect("zbarimg (zbar-tools) is installed by scripts/install-deps.sh --test");
    assert!(out.status.success(), "zbarimg found no code");
    String::from_utf8(out.stdout).unwrap().strip_suffix('\n').unwrap().to_owned()
}

#[test]
fn facetime_links_survive_the_round_trip_byte_for_byte() {
    for link in [
        "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB",
        "https://facetime.apple.com/join#v=1&p=Ab%2Bcd%2Fef%3D%3D&k=x_y-z.~",
        "https://facetime.apple.com/join#v=1&p=AAAAAAAAAAAAAAAAAAAAAA&k=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB&name=Ren%C3%A9e",
    ] {
        assert_eq!(decode(&Qr::encode(link).unwrap().png(4).unwrap()), link);
    }
}

#[test]
fn the_svg_draws_the_same_code_as_the_png() {
    // Rasterise the SVG's rectangles ourselves and let zbar read the result.
    let link = "https://facetime.apple.com/join#v=1&p=svg-check&k=1";
    let qr = Qr::encode(link).unwrap();
    let svg = qr.svg();
    let side = qr.width() + 8;
    let scale = 4;
    let mut pixels = vec![255u8; side * side * scale * scale];
    let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    for rect in d.split('z').filter(|r| !r.is_empty()) {
        let nums: Vec<usize> = rect
            .trim_start_matches('M')
            .split(|c| c == ' ' || c == 'h' || c == 'v')
            .filter_map(|n| n.parse().ok())
            .collect();
        let (x, y, w) = (nums[0], nums[1], nums[2]);
        for dy in 0..scale {
            for dx in 0..w * scale {
                pixels[(y * scale + dy) * side * scale + x * scale + dx] = 0;
            }
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, (side * scale) as u32, (side * scale) as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.write_header().unwrap().write_image_data(&pixels).unwrap();
    assert_eq!(decode(&png), link);
}
