//! Cross-crate tests: one binary.
mod client;
mod mock;
mod model_roundtrip;
mod spec_coverage;
mod spec_examples;
mod tidy;
