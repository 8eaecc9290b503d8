//! Glean's integration tests: one binary, shared helpers in `support`.
//! `TEST_LOG=1` shows the application's logs.

mod cli;
mod store;
mod support;
mod us1;
