//! Glean: a Telegram marketplace for surplus food.
//!
//! Layout (see ARCHITECTURE.md for the codemap and invariants):
//! - `config`: the `Settings` read from the environment.
//! - `domain`: value types and state machines; no I/O.
//! - `store`: all SQL, over SQLite or PostgreSQL.
//! - `http`: the axum server (health, readiness; later the API and webhooks).
//! - `app`: wires settings, store and servers into a running process.

pub mod app;
pub mod config;
pub mod domain;
pub mod http;
pub mod store;
pub mod telemetry;
