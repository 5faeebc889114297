//! An example host for kefu: bots behind HTTP, sessions in Redis. The core stays sans-I/O;
//! this crate is what a server around it looks like, and what its load and fault test and
//! bench run against. See `examples/server/README.md`.

pub mod app;
pub mod harness;
pub mod load;
pub mod scenario;
pub mod store;
pub mod tenants;
