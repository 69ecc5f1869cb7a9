//! Alibaba's RPC wire format: requests, encodings, signatures, responses and the error catalog.

pub mod encoding;
pub mod error;
pub mod request;
pub mod response;
pub mod signature;

pub use error::ApiError;
pub use request::RpcRequest;
pub use response::{Format, Reply};
