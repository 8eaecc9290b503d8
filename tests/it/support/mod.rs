//! Shared helpers of the integration tests.

pub mod app;
pub mod browser;
pub mod db;
pub mod fixtures;
pub mod miniapp;
pub mod openmetrics;
pub mod redis;
pub mod shop;
