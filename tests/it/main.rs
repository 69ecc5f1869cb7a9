//! Integration tests: one binary, one module per area.
#![allow(clippy::unwrap_used)]

mod accounts;
mod admin;
mod binary;
mod concurrency;
mod dashboard;
mod faults;
mod first_contact;
mod hostile;
mod in_process;
mod lifecycle;
mod limits;
mod network;
mod properties;
mod rpc;
mod scan_workflow;
mod signatures;
mod stubs;
mod support;
