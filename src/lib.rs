//! # sas-mock
//!
//! A local emulator of Alibaba Cloud Security Center (`Sas`, API version `2018-12-03`) that the
//! official SDKs talk to unmodified: signed (HMAC-SHA1, ACS3-HMAC-SHA256) or unsigned RPC calls,
//! answered in Alibaba's exact envelope. Scan tasks advance `init → Processing → Success/Failed` on
//! a schedule computed on read from the task, the clock and its polls: no background timers.
//!
//! ## Where things live
//!
//! The modules follow a request, top to bottom; each imports only modules below it.
//!
//! | module | what it holds | look here for |
//! |---|---|---|
//! | [`cli`] | every clap definition: `serve`, `check`, `sign`, `healthcheck` | a flag, an env var |
//! | [`mock_server`] | [`MockServer`], the in-process RAII handle for Rust tests | |
//! | [`server`] | the accept loop: connection limit, timeouts, TLS, graceful shutdown | |
//! | [`http`] | axum routes: `/` ⇄ [`rpc::call`], the admin API `/__admin/*` | an admin route (`http::admin`) |
//! | [`rpc`] | the transport-free pipeline: parse → authenticate → faults → permissions → answer → journal and log | the order of checks |
//! | [`actions`] | one file per emulated operation, and the table of them | an operation |
//! | [`state`] | the stores, one per kind, all scoped by account | what a reset does, which account owns what |
//! | [`fixtures`] | the scenario file format and its validation (JSON paths in errors) | a fixture field |
//! | [`protocol`] | the wire format: action catalog, request parsing, encodings, signatures, JSON/XML, the error catalog | an error code (`protocol::error`) |
//! | [`model`] | pure values and rules: clock, durations, seeded randomness, schedules, tasks | how progress is computed |
//! | [`settings`] | the plain [`Settings`] the library takes | |
//! | [`telemetry`] | the log (tracing-subscriber's text or JSON lines) | |

pub mod actions;
pub mod cli;
pub mod fixtures;
pub mod http;
pub mod mock_server;
pub mod model;
pub mod protocol;
pub mod rpc;
pub mod server;
pub mod settings;
pub mod state;
pub mod telemetry;

pub use http::router;
pub use mock_server::{MockServer, MockServerBuilder};
pub use settings::Settings;
pub use state::tasks::NewTask;
pub use state::AppState;

/// The README's Rust examples, compiled and run as doc tests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
