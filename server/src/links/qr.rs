//! QR codes of short URLs, as SVG and PNG.

use qrcode::{EcLevel, QrCode, render::svg};

use crate::error::ApiError;

fn code(text: &str) -> Result<QrCode, ApiError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(ApiError::internal)
}

pub fn svg(text: &str) -> Result<String, ApiError> {
    Ok(code(text)?
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// Grayscale PNG, `scale` pixels per module, with the standard 4-module quiet zone.
pub fn png(text: &str, scale: usize) -> Result<Vec<u8>, ApiError> {
    let code = code(text)?;
    let width = code.width();
    let colors = code.to_colors();
    const QUIET: usize = 4;
    let side = (width + 2 * QUIET) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (mx, my) = (i % width + QUIET, i / width + QUIET);
            for y in my * scale..(my + 1) * scale {
                pixels[y * side + mx * scale..y * side + (mx + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let side = u32::try_from(side).map_err(ApiError::internal)?;
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(ApiError::internal)?;
        writer
            .write_image_data(&pixels)
            .map_err(ApiError::internal)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_formats() {
        let s = svg("https://chk.me/abc").expect("svg");
        assert!(s.starts_with("<?xml") && s.contains("<svg"));
        let p = png("https://chk.me/abc", 8).expect("png");
        assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n");
    }
}
