//! Glean: a Telegram marketplace for surplus food.
//!
//! Layout (see ARCHITECTURE.md for the codemap and invariants):
//! - `config`: the `Settings` read from the environment.
//! - `domain`: value types and state machines; no I/O.
//! - `store`: all SQL, over SQLite or PostgreSQL.
//! - `media`: offer photos checked and re-encoded as display and thumbnail JPEGs,
//!   upright and stripped of EXIF; pure CPU work, no I/O.
//! - `http`: the axum server (health, readiness; later the API and webhooks).
//! - `app`: wires settings, store and servers into a running process.

pub mod actions;
pub mod app;
pub mod bot;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod media;
pub mod store;
pub mod telegram;
pub mod telemetry;
