//! Glean's integration tests: one binary, shared helpers in `support`.
//! `TEST_LOG=1` shows the application's logs.

mod alerts;
mod api;
mod backup;
mod browser;
mod cli;
mod connect;
mod crash;
mod donate;
mod fairness;
mod languages;
mod locales;
mod metrics;
mod miniapp;
mod money;
mod openapi;
mod outage;
mod pricedrop;
mod privacy;
mod scale;
mod share;
mod store;
mod support;
mod tidy;
mod us1;
mod us2;
mod us3;
mod waitlist;
