//! Glean: a Telegram marketplace for surplus food.
//!
//! Layout (see ARCHITECTURE.md for the codemap and invariants):
//! - `config`: the `Settings` read from the environment.
//! - `coord`: coordination across instances: chat locks, the jobs lease and
//!   rate buckets (Redis when configured, else the database and this process).
//! - `domain`: value types and state machines; no I/O.
//! - `store`: all SQL, over SQLite or PostgreSQL.
//! - `media`: offer photos checked and re-encoded as display and thumbnail JPEGs,
//!   upright and stripped of EXIF; pure CPU work, no I/O.
//! - `payments`: a thin Stripe client (Checkout Sessions, refunds, Connect accounts
//!   and account links, balance transactions) at a configurable base URL, and
//!   webhook signature checks and event parsing.
//! - `http`: the axum server: health, readiness, the JSON API of offers with its
//!   OpenAPI document, a business's statement, stored images at `/media`,
//!   `/metrics`, the Stripe webhooks and the Connect onboarding links, and the
//!   Telegram Mini App (`/app`, with its initData-checked API under `/app/api`).
//! - `render`: every text, card and keyboard shown in Telegram, and callback data;
//!   used by the bot and the senders, never by `actions`.
//! - `send`: the senders: the notice lane (messages about a change, written with
//!   it) and, apart from it, the deal-alert sender.
//! - `metrics`: the Prometheus registry and one function per recorded event.
//! - `backup`: `glean backup` / `glean restore` for SQLite and PostgreSQL.
//! - `app`: wires settings, store and servers into a running process.

pub mod actions;
pub mod app;
pub mod backup;
pub mod bot;
pub mod clock;
pub mod config;
pub mod coord;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod media;
pub mod metrics;
pub mod payments;
pub mod render;
pub mod seed;
pub mod send;
pub mod store;
pub mod telegram;
pub mod telemetry;
