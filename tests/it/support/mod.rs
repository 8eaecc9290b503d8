//! Shared helpers of the integration tests.

pub mod db;
pub mod fixtures;
