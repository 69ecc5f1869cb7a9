//! # sas-mock
//!
//! A local emulator of Alibaba Cloud Security Center's (`Sas`, API version `2018-12-03`) virus-scan
//! task API — `StartVirusScanTask` and `DescribeScanTaskProgress` — that the official SDKs can talk
//! to unmodified. Tasks advance `init -> Processing -> Success/Failed` on a schedule computed on read
//! from the task, the clock and the number of polls; there are no background timers.
//!
//! ## Layout
//!
//! The request flow is visible in the modules, and dependencies point inward:
//!
//! ```text
//! http/      axum wiring: the RPC endpoint, the admin API, panics and unknown paths as Alibaba errors
//!  -> protocol/  the wire format: RpcRequest, encodings, signatures, JSON/XML rendering, ApiError
//!  -> actions/   one file per API operation, dispatched by name
//!  -> domain/    tasks, schedules, progress, clock, accounts, durations (no HTTP)
//!  -> store, faults, journal, registry (loaded fixtures), state (all of it together)
//! ```
//!
//! `fixtures` reads scenario files; `config` is the command line; `server` runs the router on a
//! listener the caller bound.

pub mod actions;
pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod faults;
pub mod fixtures;
pub mod healthcheck;
pub mod http;
pub mod journal;
pub mod logging;
pub mod mock_server;
pub mod nonces;
mod per_thread;
pub mod protocol;
pub mod registry;
pub mod rng;
pub mod server;
pub mod sign;
pub mod state;
pub mod store;
pub mod tls;

pub use config::Settings;
pub use http::router;
pub use mock_server::{MockServer, MockServerBuilder};
pub use state::{AppState, NewTask};
