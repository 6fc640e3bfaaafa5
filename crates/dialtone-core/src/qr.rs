//! Drawing a link as a QR code: SVG for the window, PNG for saving and sharing, and
//! text for a terminal.
//!
//! The text is encoded byte for byte (a FaceTime link's `#v=1&p=...` fragment
//! included): nothing is trimmed, re-encoded or normalised. Error correction is level
//! M (15 % of the code can be damaged or covered), with the standard quiet zone of 4
//! modules around it, which phone cameras need to find the code.

use qrcode::{Color, EcLevel, QrCode};

use crate::{Error, Result};

/// Modules of light margin around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// A QR code, ready to draw in several forms.
#[derive(Debug, Clone)]
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// Encodes the text exactly as given.
    pub fn encode(text: &str) -> Result<Self> {
        if text.is_empty() {
            return Err(Error::invalid_input("There is nothing to draw: the text is empty."));
        }
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|_| {
            Error::invalid_input(format!(
                "The text is too long for a QR code ({} bytes; at most about 2,300).",
                text.len()
            ))
        })?;
        let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(Self { width: code.width(), dark })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// A scalable SVG: one path of unit squares, crisp at any size.
    pub fn svg(&self) -> String {
        let size = self.width + 2 * QUIET_ZONE;
        let mut path = String::with_capacity(self.dark.len() * 4);
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    // Runs of dark modules become one rectangle: a smaller file, no seams.
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    path.push_str(&format!(
                        "M{} {}h{}v1h-{}z",
                        start + QUIET_ZONE,
                        y + QUIET_ZONE,
                        x - start,
                        x - start
                    ));
                } else {
                    x += 1;
                }
            }
        }
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
        )
    }

    /// A PNG with `scale` pixels per module (8-bit greyscale).
    pub fn png(&self, scale: usize) -> Result<Vec<u8>> {
        let scale = scale.clamp(1, 64);
        let side = (self.width + 2 * QUIET_ZONE) * scale;
        let mut pixels = vec![255u8; side * side];
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    for dy in 0..scale {
                        let row = ((y + QUIET_ZONE) * scale + dy) * side;
                        let start = row + (x + QUIET_ZONE) * scale;
                        pixels[start..start + scale].fill(0);
                    }
                }
            }
        }
        let mut out = Vec::new();
        let side_u32 = u32::try_from(side).map_err(|_| Error::internal("QR image too large"))?;
        let mut encoder = png::Encoder::new(&mut out, side_u32, side_u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer =
            encoder.write_header().map_err(|err| Error::internal(format!("Could not write the PNG: {err}")))?;
        writer.write_image_data(&pixels).map_err(|err| Error::internal(format!("Could not write the PNG: {err}")))?;
        writer.finish().map_err(|err| Error::internal(format!("Could not write the PNG: {err}")))?;
        Ok(out)
    }

    /// Two rows of modules per line of text, with half blocks. Light modules are drawn
    /// (white on a dark terminal), dark ones left blank, with a quiet zone of 2.
    pub fn terminal(&self) -> String {
        let margin = 2isize;
        let last = self.width as isize + margin;
        let light = |x: isize, y: isize| !(x >= 0 && y >= 0 && self.is_dark(x as usize, y as usize));
        let mut out = String::new();
        let mut y = -margin;
        while y < last {
            for x in -margin..last {
                out.push(match (light(x, y), light(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
            y += 2;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT-9_aB";

    #[test]
    fn svg_is_square_with_a_quiet_zone() {
        let qr = Qr::encode(LINK).unwrap();
        let svg = qr.svg();
        let side = qr.width() + 8;
        assert!(svg.starts_with("<svg") && svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")), "{svg}");
        assert!(svg.contains("M4 4h7v1h-7z"), "the top-left finder pattern starts inside the quiet zone");
    }

    #[test]
    fn png_has_the_expected_size() {
        let qr = Qr::encode(LINK).unwrap();
        let png = qr.png(4).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!(reader.info().width as usize, (qr.width() + 8) * 4);
    }

    #[test]
    fn empty_and_oversized_text_is_refused() {
        assert!(Qr::encode("").is_err());
        let err = Qr::encode(&"x".repeat(5000)).unwrap_err();
        assert!(err.message.contains("too long"), "{}", err.message);
    }
}
