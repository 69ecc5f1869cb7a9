//! Alibaba's RPC wire format, and nothing of what the operations mean: the action catalog,
//! request parsing, form and percent encoding, the two signature schemes, JSON/XML rendering and
//! the error catalog.

pub mod catalog;
pub mod encoding;
pub mod error;
pub mod params;
pub mod request;
pub mod response;
pub mod signature;

pub use catalog::VERSION;
pub use error::ApiError;
pub use params::Params;
pub use request::RpcRequest;
pub use response::{Format, Rendered, Reply};
