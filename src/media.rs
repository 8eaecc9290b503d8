//! Offer photos: turns whatever a shop owner uploads into two clean JPEGs,
//! a display image and a thumbnail, or a reason to refuse it.
//!
//! Uploads are untrusted: a file may be huge, may not be an image at all, may
//! claim dimensions it doesn't have, or may carry the shop owner's home
//! address in GPS EXIF. Everything is checked before pixels are decoded, and
//! the outputs are freshly encoded so no metadata survives.
//!
//! Pure and CPU-bound: no I/O, no async. Callers run it in `spawn_blocking`.

use std::fmt;
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Largest upload accepted, checked before anything else is done with it.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Largest image accepted, in pixels, read from the file's header.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Longest side of the display image.
pub const DISPLAY_MAX: u32 = 1280;
/// Longest side of the thumbnail.
pub const THUMB_MAX: u32 = 320;

/// Longest side a decoder may even start on. A strip this long is no food
/// photo, and bounding each side lets the decoder refuse a lying header
/// before it multiplies width by height.
const MAX_SIDE: u32 = 20_000;

/// Most memory a decoder may claim: the output buffer of the largest allowed
/// image at 4 bytes a pixel, plus working room for the decoder itself. A
/// header that lies about the image's size can't make us allocate more.
const MAX_ALLOC: u64 = MAX_PIXELS * 4 + 64 * 1024 * 1024;

/// Telegram and browsers show this without visible artefacts on food photos,
/// at about a third of the size of quality 95.
const JPEG_QUALITY: u8 = 82;

/// A re-encoded JPEG, named by the SHA-256 of its bytes so identical
/// outputs share a name and a stored file can never be silently replaced.
#[derive(Clone, PartialEq, Eq)]
pub struct Jpeg {
    pub name: String,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

// By hand, so that a failing test prints sizes instead of a megabyte of numbers.
impl fmt::Debug for Jpeg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jpeg")
            .field("name", &self.name)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl Jpeg {
    /// As the store keeps it.
    pub fn stored(&self) -> crate::store::StoredImage {
        crate::store::StoredImage {
            name: self.name.clone(),
            content_type: "image/jpeg".into(),
            width: self.width,
            height: self.height,
            bytes: self.bytes.clone(),
        }
    }
}

/// The two sizes an offer photo is shown at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    pub display: Jpeg,
    pub thumb: Jpeg,
}

/// Why an upload was refused. The messages are written to be shown to the
/// shop owner as they are.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("that file is too large: at most {max_mb} MB")]
    TooLarge { max_mb: usize },
    #[error("that image is too large: at most {max_mp} megapixels")]
    TooManyPixels { max_mp: u64 },
    #[error("that isn't a photo I can read; send a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl PhotoError {
    fn too_large() -> Self {
        PhotoError::TooLarge { max_mb: MAX_BYTES / (1024 * 1024) }
    }

    fn too_many_pixels() -> Self {
        PhotoError::TooManyPixels { max_mp: MAX_PIXELS / 1_000_000 }
    }

    /// A decoder's complaint, in the user's terms: hitting a limit means the
    /// image is too big; anything else means we can't read it.
    fn from_decoding(error: ImageError) -> Self {
        match error {
            ImageError::Limits(_) => PhotoError::too_many_pixels(),
            _ => PhotoError::NotAnImage,
        }
    }
}

/// Checks an upload and produces its display image and thumbnail: upright
/// (EXIF orientation applied), RGB, no larger than [`DISPLAY_MAX`] and
/// [`THUMB_MAX`] on their longest side, never enlarged, and re-encoded as
/// baseline JPEG without any metadata.
pub fn process_photo(bytes: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::too_large());
    }
    let format = sniff(bytes).ok_or(PhotoError::NotAnImage)?;
    let image = DynamicImage::ImageRgb8(decode(bytes, format)?.into_rgb8());

    let display = shrink(&image, DISPLAY_MAX).unwrap_or(image);
    // From the display image rather than the original: far fewer pixels to
    // filter, and at a quarter of the size the difference doesn't show.
    let thumb = shrink(&display, THUMB_MAX);
    Ok(ProcessedPhoto {
        thumb: encode(thumb.as_ref().unwrap_or(&display), "thumb")?,
        display: encode(&display, "display")?,
    })
}

/// The format, by magic bytes alone: the file name and the MIME type
/// Telegram reports are the sender's claims, not facts.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Decodes within [`MAX_PIXELS`] and [`MAX_ALLOC`], reading only the header
/// until the size is known to be acceptable, and turns the image upright.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, PhotoError> {
    // `Limits` is non-exhaustive, so it can only be built by changing a default.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(PhotoError::from_decoding)?;

    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::too_many_pixels());
    }
    // The JPEG decoder is lenient: it fills in whatever a cut-off file lacks
    // and reports success, so a half-uploaded photo would show a grey half.
    if format == ImageFormat::Jpeg && !jpeg_has_end(bytes) {
        return Err(PhotoError::NotAnImage);
    }
    // Unreadable EXIF shouldn't cost the shop owner their photo; at worst it
    // shows sideways and they send it again.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);

    // `DynamicImage::from_decoder` allocates the output buffer without
    // consulting the limits; reserve it here, as `ImageReader::decode` does.
    limits.reserve(decoder.total_bytes()).map_err(PhotoError::from_decoding)?;
    decoder.set_limits(limits).map_err(PhotoError::from_decoding)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(PhotoError::from_decoding)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether a JPEG's image data runs on to an end-of-image marker.
///
/// Hops over the segments before the first scan instead of searching the
/// whole file: an EXIF thumbnail is a complete JPEG of its own, and its end
/// marker inside APP1 must not vouch for a truncated main image. Within scan
/// data 0xFF is always followed by 0x00 or a restart marker, so an FF D9
/// after the scan starts is the real end. (Tables between the scans of a
/// progressive JPEG could hold those two bytes by chance; a truncated file
/// that slips through that way only shows grey rows.) Bytes after the end
/// (phones append motion-photo video there) are allowed.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    loop {
        let Some(&[0xFF, marker]) = bytes.get(at..at + 2) else {
            return false;
        };
        match marker {
            0xDA => break,                 // start of scan
            0xD9 => return false,          // end of image before any image data
            0xFF => at += 1,               // fill byte before a marker
            0x01 | 0xD0..=0xD7 => at += 2, // markers without a payload
            _ => {
                let Some(&[hi, lo]) = bytes.get(at + 2..at + 4) else {
                    return false;
                };
                // The length counts its own two bytes but not the marker's.
                at += 2 + usize::from(u16::from_be_bytes([hi, lo]));
            }
        }
    }
    bytes.get(at..).is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// The image scaled down to fit `max` on its longest side, or `None` when it
/// already fits: small photos are kept as they are, never enlarged.
fn shrink(image: &DynamicImage, max: u32) -> Option<DynamicImage> {
    let (width, height) = fit_within(image.width(), image.height(), max);
    if (width, height) == (image.width(), image.height()) {
        return None;
    }
    Some(image.resize_exact(width, height, FilterType::Lanczos3))
}

/// Dimensions scaled to fit `max` on the longest side, keeping the aspect
/// ratio (rounded to the nearest pixel, at least one), never scaled up.
fn fit_within(width: u32, height: u32, max: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled = (u64::from(side) * u64::from(max) + u64::from(long) / 2) / u64::from(long);
        // scaled <= max because side <= long, so it fits in u32.
        u32::try_from(scaled).unwrap_or(max).max(1)
    };
    (scale(width), scale(height))
}

/// Encodes as baseline JPEG. The encoder writes only what it is given, and
/// it is given pixels alone: no EXIF, no ICC profile, no comments.
fn encode(image: &DynamicImage, kind: &str) -> Result<Jpeg, PhotoError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .write_image(image.as_bytes(), image.width(), image.height(), image.color().into())
        .map_err(|e| anyhow::Error::new(e).context(format!("encoding the {kind} JPEG")))?;
    let name = format!("{}-{kind}.jpg", hex::encode(Sha256::digest(&bytes)));
    Ok(Jpeg { name, bytes, width: image.width(), height: image.height() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use glean_fakes::images;
    use image::GenericImageView;

    #[derive(Debug)]
    enum Expect {
        Ok { display: (u32, u32), thumb: (u32, u32) },
        TooLarge,
        TooManyPixels,
        NotAnImage,
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// What a decoder makes of an output: it must be a JPEG of the size the
    /// output claims, with no metadata left.
    fn check_output(case: &str, jpeg: &Jpeg, suffix: &str) {
        let decoded = image::load_from_memory_with_format(&jpeg.bytes, ImageFormat::Jpeg)
            .unwrap_or_else(|e| panic!("{case}: {suffix} doesn't decode: {e}"));
        assert_eq!(decoded.dimensions(), (jpeg.width, jpeg.height), "{case}: {suffix}");
        assert!(!images::has_exif(&jpeg.bytes), "{case}: {suffix} has EXIF");
        assert!(!contains(&jpeg.bytes, images::GPS_MARKER), "{case}: {suffix} has the GPS position");
        assert!(!contains(&jpeg.bytes, images::CAMERA_MAKE), "{case}: {suffix} has the camera make");
        let (hash, rest) = jpeg.name.split_at(64.min(jpeg.name.len()));
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{case}: {}", jpeg.name);
        assert_eq!(rest, format!("-{suffix}.jpg"), "{case}");
    }

    #[test]
    fn processes_or_refuses_uploads() {
        let mut too_big = vec![0u8; 11 * 1024 * 1024];
        too_big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]); // looks like a JPEG: size is checked first
        let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
            (
                "phone JPEG, orientation 6, GPS",
                images::jpeg_with_gps_exif(1600, 1200, 6),
                Expect::Ok { display: (960, 1280), thumb: (240, 320) },
            ),
            (
                "JPEG, orientation 1, GPS",
                images::jpeg_with_gps_exif(1600, 1200, 1),
                Expect::Ok { display: (1280, 960), thumb: (320, 240) },
            ),
            ("PNG", images::png(800, 600), Expect::Ok { display: (800, 600), thumb: (320, 240) }),
            ("WebP", images::webp(2000, 1000), Expect::Ok { display: (1280, 640), thumb: (320, 160) }),
            ("small JPEG", images::jpeg(200, 100), Expect::Ok { display: (200, 100), thumb: (200, 100) }),
            ("exactly display size", images::png(1280, 40), Expect::Ok { display: (1280, 40), thumb: (320, 10) }),
            ("truncated JPEG", images::truncated_jpeg(), Expect::NotAnImage),
            ("PDF", images::fake_pdf(), Expect::NotAnImage),
            ("GIF", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(), Expect::NotAnImage),
            ("empty", Vec::new(), Expect::NotAnImage),
            ("JPEG magic only", vec![0xFF, 0xD8, 0xFF], Expect::NotAnImage),
            ("max bytes of junk", vec![0u8; MAX_BYTES], Expect::NotAnImage),
            ("11 MB", too_big, Expect::TooLarge),
            ("PNG header claiming 50 MP", images::png_header_claiming(10_000, 5_000), Expect::TooManyPixels),
            ("PNG header claiming a long strip", images::png_header_claiming(30_000, 10), Expect::TooManyPixels),
            ("PNG header claiming 40 MP, no pixels", images::png_header_claiming(8_000, 5_000), Expect::NotAnImage),
        ];
        for (case, bytes, expected) in cases {
            let result = process_photo(&bytes);
            match (&result, &expected) {
                (Ok(photo), Expect::Ok { display, thumb }) => {
                    assert_eq!((photo.display.width, photo.display.height), *display, "{case}: display");
                    assert_eq!((photo.thumb.width, photo.thumb.height), *thumb, "{case}: thumb");
                    check_output(case, &photo.display, "display");
                    check_output(case, &photo.thumb, "thumb");
                }
                (Err(PhotoError::TooLarge { max_mb: 10 }), Expect::TooLarge)
                | (Err(PhotoError::TooManyPixels { max_mp: 40 }), Expect::TooManyPixels)
                | (Err(PhotoError::NotAnImage), Expect::NotAnImage) => {}
                _ => panic!("{case}: expected {expected:?}, got {result:?}"),
            }
        }
    }

    #[test]
    fn turns_the_photo_the_way_exif_says() {
        // The fake's gradient has red growing rightwards and green downwards.
        // Orientation 6 means "rotate 90° clockwise to view", which brings the
        // stored bottom-left corner (no red, full green) to the top left.
        let photo = process_photo(&images::jpeg_with_gps_exif(1600, 1200, 6)).expect("processes");
        let display = image::load_from_memory(&photo.display.bytes).expect("decodes").into_rgb8();
        let [r, g, _] = display.get_pixel(2, 2).0;
        assert!(r < 40 && g > 215, "top-left pixel is ({r}, {g}), expected the stored bottom-left");
        let [r, g, _] = display.get_pixel(display.width() - 3, 2).0;
        assert!(r < 40 && g < 40, "top-right pixel is ({r}, {g}), expected the stored top-left");
    }

    #[test]
    fn names_are_content_hashes() {
        let bytes = images::jpeg_with_gps_exif(640, 480, 3);
        let first = process_photo(&bytes).expect("processes");
        let again = process_photo(&bytes).expect("processes");
        assert_eq!(first, again);
        assert_eq!(first.display.name, format!("{}-display.jpg", hex::encode(Sha256::digest(&first.display.bytes))));
        assert_ne!(first.display.name, first.thumb.name);
        let other = process_photo(&images::jpeg_with_gps_exif(640, 480, 1)).expect("processes");
        assert_ne!(first.display.name, other.display.name);
    }

    #[test]
    fn fits_within_the_longest_side() {
        let cases = [
            ((1600, 1200), 1280, (1280, 960)),
            ((1200, 1600), 1280, (960, 1280)),
            ((1280, 1280), 1280, (1280, 1280)),
            ((200, 100), 1280, (200, 100)),
            ((1281, 1), 1280, (1280, 1)),
            ((20_000, 3), 320, (320, 1)),   // rounds to 0, kept at 1
            ((1000, 333), 320, (320, 107)), // 106.56 rounds up
            ((1, 1), 1, (1, 1)),
        ];
        for ((w, h), max, expected) in cases {
            assert_eq!(fit_within(w, h, max), expected, "{w}x{h} within {max}");
        }
    }

    #[test]
    fn finds_the_end_of_a_jpeg() {
        let complete = images::jpeg(64, 48);
        // An EXIF thumbnail is a whole JPEG inside APP1, end marker and all.
        let mut with_thumbnail = complete[..2].to_vec();
        let payload = [b"Exif\0\0".as_slice(), &images::jpeg(8, 8)].concat();
        with_thumbnail.extend_from_slice(&[0xFF, 0xE1]);
        with_thumbnail.extend_from_slice(&u16::try_from(payload.len() + 2).expect("small").to_be_bytes());
        with_thumbnail.extend_from_slice(&payload);
        with_thumbnail.extend_from_slice(&complete[2..]);
        let cut_after_thumbnail = with_thumbnail[..with_thumbnail.len() - 10].to_vec();
        let trailing_video = [complete.as_slice(), b"\0\0\0\x18ftypmp42"].concat();

        let cases: [(&str, &[u8], bool); 7] = [
            ("complete", &complete, true),
            ("with EXIF thumbnail", &with_thumbnail, true),
            ("data after the end", &trailing_video, true),
            ("cut, EXIF thumbnail intact", &cut_after_thumbnail, false),
            ("cut in half", &images::truncated_jpeg(), false),
            ("SOI only", &[0xFF, 0xD8], false),
            ("segment length past the end", &[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF], false),
        ];
        for (case, bytes, expected) in cases {
            assert_eq!(jpeg_has_end(bytes), expected, "{case}");
        }
        assert!(matches!(process_photo(&cut_after_thumbnail), Err(PhotoError::NotAnImage)));
    }

    #[test]
    fn error_messages_speak_to_the_shop_owner() {
        let cases = [
            (PhotoError::too_large(), "that file is too large: at most 10 MB"),
            (PhotoError::too_many_pixels(), "that image is too large: at most 40 megapixels"),
            (PhotoError::NotAnImage, "that isn't a photo I can read; send a JPEG, PNG or WebP image"),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
