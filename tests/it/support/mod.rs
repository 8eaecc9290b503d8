//! Shared helpers of the integration tests.

pub mod app;
pub mod db;
pub mod fixtures;
pub mod openmetrics;
pub mod redis;
pub mod shop;
