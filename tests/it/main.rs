//! Integration tests: one binary, one module per area.
#![allow(clippy::unwrap_used)]

mod accounts;
mod admin;
mod binary;
mod faults;
mod in_process;
mod lifecycle;
mod rpc;
mod signatures;
mod support;
