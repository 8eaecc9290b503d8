//! Test images: real, decodable JPEG/PNG/WebP files built in memory, a JPEG
//! carrying GPS EXIF (to prove the photo pipeline strips it), and broken or
//! hostile files (truncated, not an image, a header that lies about its size).
//!
//! Everything is generated on the fly so the repository holds no binary
//! fixtures and every dimension is chosen by the test that needs it.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

/// The camera make written into the EXIF of [`jpeg_with_gps_exif`]: an ASCII
/// string that must not survive re-encoding.
pub const CAMERA_MAKE: &[u8] = b"GleanTestCam";

/// The GPSLatitude value written into [`jpeg_with_gps_exif`], exactly as it
/// appears in the file: three big-endian rationals, 52/1 ° 31/1 ' 1234/100 ".
/// Search an output for these bytes to prove the position is gone.
pub const GPS_MARKER: &[u8] = &[
    0, 0, 0, 52, 0, 0, 0, 1, // degrees
    0, 0, 0, 31, 0, 0, 0, 1, // minutes
    0, 0, 0x04, 0xD2, 0, 0, 0, 100, // seconds, 12.34
];

/// The GPSLongitude value, 13/1 ° 24/1 ' 3678/100 ", written after the latitude.
const GPS_LONGITUDE: &[u8] = &[
    0, 0, 0, 13, 0, 0, 0, 1, // degrees
    0, 0, 0, 24, 0, 0, 0, 1, // minutes
    0, 0, 0x0E, 0x5E, 0, 0, 0, 100, // seconds, 36.78
];

/// A colour gradient: red grows left to right, green top to bottom, so a
/// resized or rotated copy still shows which way is up.
fn gradient(width: u32, height: u32) -> RgbImage {
    let w = u64::from(width.max(1));
    let h = u64::from(height.max(1));
    RgbImage::from_fn(width, height, |x, y| {
        // x < w and y < h, so both quotients are at most 255.
        let r = (u64::from(x) * 255 / w) as u8;
        let g = (u64::from(y) * 255 / h) as u8;
        image::Rgb([r, g, 128])
    })
}

/// A plain baseline JPEG of a gradient, with no metadata beyond JFIF.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgb8)
        .expect("encoding an in-memory gradient as JPEG cannot fail");
    out
}

/// A JPEG of a gradient whose APP1 Exif segment, right after SOI, records
/// the given EXIF `orientation` (1–8), a GPS position (see [`GPS_MARKER`])
/// and the camera make [`CAMERA_MAKE`], the way a phone camera writes them.
///
/// `width` and `height` are the stored pixel dimensions; a viewer honouring
/// orientation 5–8 shows the image with the two swapped.
pub fn jpeg_with_gps_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    let exif = exif_segment(orientation);
    let mut out = Vec::with_capacity(plain.len() + exif.len());
    out.extend_from_slice(&plain[..2]); // SOI
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The APP1 segment: marker, length, "Exif\0\0" and a big-endian TIFF
/// structure. Offsets inside the TIFF structure count from its first byte.
///
/// ```text
///   0  TIFF header: "MM", 42, IFD0 at 8
///   8  IFD0: Make, Orientation, GPSInfo (tags ascending, as TIFF requires)
///  50  Make string, padded to an even length
///  64  GPS IFD: VersionID, LatitudeRef, Latitude, LongitudeRef, Longitude
/// 130  latitude rationals, then longitude rationals
/// ```
fn exif_segment(orientation: u16) -> Vec<u8> {
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    const BYTE: u16 = 1;

    let make = [CAMERA_MAKE, b"\0"].concat();
    let ifd0_at: u32 = 8;
    let ifd0_len: u32 = 2 + 3 * 12 + 4;
    let make_at = ifd0_at + ifd0_len;
    let gps_ifd_at = (make_at + make.len() as u32 + 1) & !1;
    let gps_ifd_len: u32 = 2 + 5 * 12 + 4;
    let latitude_at = gps_ifd_at + gps_ifd_len;
    let longitude_at = latitude_at + GPS_MARKER.len() as u32;

    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM");
    tiff.extend_from_slice(&42u16.to_be_bytes());
    tiff.extend_from_slice(&ifd0_at.to_be_bytes());

    // A value of four bytes or fewer sits in the entry itself, left-aligned.
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&kind.to_be_bytes());
        tiff.extend_from_slice(&count.to_be_bytes());
        tiff.extend_from_slice(&value);
    };
    let [o1, o2] = orientation.to_be_bytes();

    tiff.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut tiff, 0x010F, ASCII, make.len() as u32, make_at.to_be_bytes());
    entry(&mut tiff, 0x0112, SHORT, 1, [o1, o2, 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no IFD1 (no thumbnail)

    tiff.extend_from_slice(&make);
    tiff.resize(gps_ifd_at as usize, 0);

    tiff.extend_from_slice(&5u16.to_be_bytes());
    entry(&mut tiff, 0x0000, BYTE, 4, [2, 2, 0, 0]);
    entry(&mut tiff, 0x0001, ASCII, 2, [b'N', 0, 0, 0]);
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude_at.to_be_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, [b'E', 0, 0, 0]);
    entry(&mut tiff, 0x0004, RATIONAL, 3, longitude_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());

    tiff.extend_from_slice(GPS_MARKER);
    tiff.extend_from_slice(GPS_LONGITUDE);

    let payload_len = 6 + tiff.len();
    // The segment length counts its own two bytes.
    let segment_len = u16::try_from(payload_len + 2).expect("the EXIF block is a few hundred bytes");
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&segment_len.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

/// Whether `bytes` is a JPEG with an APP1 Exif segment among the segments
/// before its image data.
///
/// Walks the segment headers rather than searching for "Exif" anywhere, so a
/// match is a real segment a decoder would read, not a chance byte pattern.
pub fn has_exif(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut at = 2;
    while let Some(&[0xFF, marker, len_hi, len_lo]) = bytes.get(at..at + 4) {
        // Start of scan or end of image: no more metadata segments follow.
        if marker == 0xDA || marker == 0xD9 {
            return false;
        }
        let len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
        let payload = bytes.get(at + 4..at + 2 + len).unwrap_or(&[]);
        if marker == 0xE1 && payload.starts_with(b"Exif\0\0") {
            return true;
        }
        at += 2 + len;
    }
    false
}

/// A PNG of a gradient.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgb8)
        .expect("encoding an in-memory gradient as PNG cannot fail");
    out
}

/// A lossless WebP of a gradient.
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    let mut out = Cursor::new(Vec::new());
    WebPEncoder::new_lossless(&mut out)
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgb8)
        .expect("encoding an in-memory gradient as WebP cannot fail");
    out.into_inner()
}

/// The first half of a 400x300 JPEG: valid headers, image data cut off
/// mid-scan, no end-of-image marker — what an interrupted upload leaves.
///
/// Beware: the `image` crate's JPEG decoder is lenient and "decodes" this,
/// filling the missing rows, so rejecting it is up to the code under test.
pub fn truncated_jpeg() -> Vec<u8> {
    let mut bytes = jpeg(400, 300);
    bytes.truncate(bytes.len() / 2);
    bytes
}

/// A small but well-formed PDF: a document, not an image.
pub fn fake_pdf() -> Vec<u8> {
    b"%PDF-1.4\n\
      1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
      2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\
      trailer << /Root 1 0 R >>\n\
      %%EOF\n"
        .to_vec()
}

/// A PNG whose header claims `width` x `height` RGB pixels but whose image
/// data is an empty zlib stream: dimensions can be read from it cheaply,
/// but decoding it would allocate for the claimed size and then fail.
///
/// Every chunk has a valid CRC, so a decoder gets as far as the header
/// and the start of the image data before anything looks wrong.
pub fn png_header_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);

    // zlib header, one final stored block of length 0, Adler-32 of nothing.
    let idat = [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01];

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &idat);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).expect("test chunks are tiny");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind.as_slice(), data].concat()).to_be_bytes());
}

/// CRC-32 (IEEE, reflected) as PNG uses it; bitwise, since test chunks are tiny.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::jpeg::JpegDecoder;
    use image::codecs::png::PngDecoder;
    use image::metadata::Orientation;
    use image::{GenericImageView, ImageDecoder, ImageFormat};

    #[test]
    fn exif_jpeg_decodes_and_reports_its_orientation() {
        let cases = [
            (1, Orientation::NoTransforms),
            (2, Orientation::FlipHorizontal),
            (3, Orientation::Rotate180),
            (4, Orientation::FlipVertical),
            (5, Orientation::Rotate90FlipH),
            (6, Orientation::Rotate90),
            (7, Orientation::Rotate270FlipH),
            (8, Orientation::Rotate270),
        ];
        for (exif, expected) in cases {
            let bytes = jpeg_with_gps_exif(160, 120, exif);
            let mut decoder = JpegDecoder::new(Cursor::new(&bytes)).expect("headers parse");
            assert_eq!(decoder.dimensions(), (160, 120), "orientation {exif}");
            assert_eq!(decoder.orientation().expect("orientation reads"), expected, "orientation {exif}");
            let exif_block = decoder.exif_metadata().expect("exif reads").expect("exif present");
            assert!(exif_block.windows(GPS_MARKER.len()).any(|w| w == GPS_MARKER));

            let img = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).expect("pixels decode");
            assert_eq!(img.dimensions(), (160, 120));
        }
    }

    #[test]
    fn has_exif_tells_exif_jpegs_from_others() {
        let cases: [(&str, Vec<u8>, bool); 6] = [
            ("exif jpeg", jpeg_with_gps_exif(64, 48, 1), true),
            ("plain jpeg", jpeg(64, 48), false),
            ("png", png(8, 8), false),
            ("truncated", truncated_jpeg(), false),
            ("empty", Vec::new(), false),
            ("segment header cut short", [0xFF, 0xD8, 0xFF, 0xE1, 0x00].to_vec(), false),
        ];
        for (name, bytes, expected) in cases {
            assert_eq!(has_exif(&bytes), expected, "{name}");
        }
        let exif = jpeg_with_gps_exif(64, 48, 1);
        assert!(exif.windows(CAMERA_MAKE.len()).any(|w| w == CAMERA_MAKE));
    }

    #[test]
    fn fakes_have_the_expected_format_and_size() {
        let cases = [
            ("jpeg", jpeg(200, 100), ImageFormat::Jpeg, (200, 100)),
            ("png", png(30, 20), ImageFormat::Png, (30, 20)),
            ("webp", webp(30, 20), ImageFormat::WebP, (30, 20)),
        ];
        for (name, bytes, format, size) in cases {
            assert_eq!(image::guess_format(&bytes).ok(), Some(format), "{name}");
            let img = image::load_from_memory(&bytes).expect(name);
            assert_eq!(img.dimensions(), size, "{name}");
        }
    }

    #[test]
    fn truncated_jpeg_keeps_its_headers_but_loses_its_end() {
        let bytes = truncated_jpeg();
        let decoder = JpegDecoder::new(Cursor::new(&bytes)).expect("headers survive the cut");
        assert_eq!(decoder.dimensions(), (400, 300));
        assert!(!bytes.ends_with(&[0xFF, 0xD9]));
        assert!(jpeg(400, 300).ends_with(&[0xFF, 0xD9]));
    }

    #[test]
    fn pdf_is_no_image() {
        assert!(fake_pdf().starts_with(b"%PDF-1.4"));
        assert!(image::guess_format(&fake_pdf()).is_err());
    }

    #[test]
    fn huge_png_header_reads_without_allocating_pixels() {
        let bytes = png_header_claiming(10_000, 5_000);
        let decoder = PngDecoder::new(Cursor::new(&bytes)).expect("header and CRCs are valid");
        assert_eq!(decoder.dimensions(), (10_000, 5_000));
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
