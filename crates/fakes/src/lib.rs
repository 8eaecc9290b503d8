//! Local fakes of the services Glean talks to, speaking their real HTTP
//! protocols on 127.0.0.1, for tests and benchmarks.
//!
//! - `telegram`: a fake Bot API server with simulated users.
//! - `images`: test images, including JPEGs carrying GPS EXIF.

pub mod images;
pub mod stripe;
pub mod telegram;
